import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AbortedError, createSemaphore } from "../../src/index.ts";

const tick = () => new Promise((r) => setImmediate(r));

describe("createSemaphore", () => {
  it("lets `limit` holders in at once and serves waiters first come, first served", async () => {
    const s = createSemaphore(2);
    const order: string[] = [];
    const hold = async (name: string) => {
      await s.acquire();
      order.push(`in ${name}`);
    };
    await Promise.all([hold("a"), hold("b")]);
    const c = hold("c");
    const d = hold("d");
    await tick();
    expect(order).toEqual(["in a", "in b"]);
    expect([s.active, s.waiting]).toEqual([2, 2]);
    s.release();
    await c;
    s.release();
    await d;
    expect(order).toEqual(["in a", "in b", "in c", "in d"]);
    s.release();
    s.release();
    expect([s.active, s.waiting]).toEqual([0, 0]);
  });

  it("drops a waiter whose signal aborts (AbortedError, no slot taken) and passes the slot to the next one", async () => {
    const s = createSemaphore(1);
    await s.acquire();
    const gone = new AbortController();
    const first = s.acquire(gone.signal);
    const second = s.acquire();
    gone.abort(new Error("user stopped it"));
    await expect(first).rejects.toBeInstanceOf(AbortedError);
    expect(s.waiting).toBe(1);
    s.release();
    await second;
    expect(s.active).toBe(1);
    await expect(s.acquire(AbortSignal.abort())).rejects.toBeInstanceOf(AbortedError);
  });

  it("refuses a bad limit and a release without an acquire", () => {
    expect(() => createSemaphore(0)).toThrow(RangeError);
    expect(() => createSemaphore(1.5)).toThrow(RangeError);
    expect(() => createSemaphore(1).release()).toThrow(/without a matching acquire/);
  });

  it("property: under any mix of tasks and aborts, never more than `limit` holders, and every non-aborted task runs", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(fc.record({ work: fc.nat({ max: 3 }), abortAfter: fc.option(fc.nat({ max: 3 }), { nil: null }) }), { maxLength: 30 }), async (limit, tasks) => {
        const s = createSemaphore(limit);
        let holders = 0;
        let peak = 0;
        let ran = 0;
        let aborted = 0;
        await Promise.all(
          tasks.map(async (t) => {
            const c = new AbortController();
            if (t.abortAfter !== null) void Promise.resolve().then(async () => {
              for (let i = 0; i < t.abortAfter!; i++) await tick();
              c.abort();
            });
            try {
              await s.acquire(c.signal);
            } catch (error) {
              expect(error).toBeInstanceOf(AbortedError);
              aborted++;
              return;
            }
            holders++;
            peak = Math.max(peak, holders);
            for (let i = 0; i < t.work; i++) await tick();
            holders--;
            ran++;
            s.release();
          }),
        );
        expect(peak).toBeLessThanOrEqual(limit);
        expect(ran + aborted).toBe(tasks.length);
        expect([s.active, s.waiting]).toEqual([0, 0]);
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 100) },
    );
  });
});
