import { describe, expect, it } from "vitest";
import { createLimiter } from "../../src/engine/limiter.ts";

/** A task the test finishes by hand. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("createLimiter", () => {
  it("runs at most `concurrency` tasks at once, starting the others in call order as slots free", async () => {
    const limit = createLimiter(2);
    const started: number[] = [];
    const gates = [0, 1, 2, 3, 4].map(() => deferred<number>());
    let running = 0;
    let most = 0;
    const results = gates.map((g, i) =>
      limit(async () => {
        started.push(i);
        running++;
        most = Math.max(most, running);
        const v = await g.promise;
        running--;
        return v;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    gates[1]!.resolve(10);
    await tick();
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.resolve(0);
    gates[2]!.resolve(20);
    await tick();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    gates[3]!.resolve(30);
    gates[4]!.resolve(40);
    expect(await Promise.all(results)).toEqual([0, 10, 20, 30, 40]);
    expect(most).toBe(2);
  });

  it("passes failures through and frees the slot, also for a task that throws before returning a promise", async () => {
    const limit = createLimiter(1);
    const boom = limit(() => {
      throw new Error("sync boom");
    });
    const rejected = limit(() => Promise.reject(new Error("async boom")));
    const after = limit(async () => "still runs");
    await expect(boom).rejects.toThrow("sync boom");
    await expect(rejected).rejects.toThrow("async boom");
    expect(await after).toBe("still runs");
  });

  it("refuses a concurrency that is not a positive integer", () => {
    expect(() => createLimiter(0)).toThrow(RangeError);
    expect(() => createLimiter(1.5)).toThrow(RangeError);
  });
});
