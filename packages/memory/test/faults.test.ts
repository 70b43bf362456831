import { describe, expect, it } from "vitest";
import { ConfigError, ThrottledError, TransientError, createManualClock } from "@tenantsync/core";
import type { Clock } from "@tenantsync/core";
import { createMemoryDirectory, type FaultOptions, type MemoryDirectory } from "../src/index.ts";
import { TARGET, externalInput, fromSource, makeTarget, pages, rejection, thrown } from "./helpers.ts";

/** Outcome of `n` getUser calls: "ok", "throttled" or "transient". */
async function outcomes(dir: MemoryDirectory, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    try {
      await dir.getUser("anyone");
      out.push("ok");
    } catch (error) {
      if (error instanceof ThrottledError) out.push("throttled");
      else if (error instanceof TransientError) out.push("transient");
      else throw error;
    }
  }
  return out;
}

const withFaults = (faults: FaultOptions) => makeTarget({ faults }).dir;
const count = (list: string[], what: string) => list.filter((x) => x === what).length;

describe("fault injection", () => {
  it("throttles a share of requests with ThrottledError carrying retryAfterMs", async () => {
    const dir = withFaults({ seed: 1, throttleRate: 0.5, retryAfterMs: 2500 });
    const e = await (async () => {
      for (let i = 0; i < 50; i++) {
        try {
          await dir.getUser("x");
        } catch (error) {
          return error;
        }
      }
      return null;
    })();
    expect(e).toBeInstanceOf(ThrottledError);
    expect(e).toMatchObject({ retryAfterMs: 2500, retryable: true, status: 429, code: "THROTTLED", tenantId: TARGET });
    expect((e as Error).message).toContain("getUser");
    const got = await outcomes(withFaults({ seed: 1, throttleRate: 0.5 }), 200);
    expect(count(got, "throttled")).toBeGreaterThan(60);
    expect(count(got, "throttled")).toBeLessThan(140);
    expect(count(got, "transient")).toBe(0);
  });

  it("fails a share of requests with TransientError", async () => {
    const got = await outcomes(withFaults({ seed: 3, transientRate: 0.25 }), 200);
    expect(count(got, "transient")).toBeGreaterThan(20);
    expect(count(got, "transient")).toBeLessThan(80);
    expect(count(got, "throttled")).toBe(0);
  });

  it("is deterministic for a seed, differs across seeds, and restarts the dice on setFaults", async () => {
    const faults = { throttleRate: 0.3, transientRate: 0.2 };
    const a = await outcomes(withFaults({ ...faults, seed: 42 }), 60);
    expect(await outcomes(withFaults({ ...faults, seed: 42 }), 60)).toEqual(a);
    expect(await outcomes(withFaults({ ...faults, seed: 43 }), 60)).not.toEqual(a);
    const dir = withFaults({ ...faults, seed: 42 });
    await outcomes(dir, 17);
    dir.admin.setFaults({ ...faults, seed: 42 });
    expect(await outcomes(dir, 60)).toEqual(a);
    // Without a fault seed, the directory's seed decides.
    const bySeed = async (seed: number) => outcomes(makeTarget({ seed, faults }).dir, 60);
    expect(await bySeed(5)).toEqual(await bySeed(5));
  });

  it("adds latency through the clock's sleep (a manual clock advances)", async () => {
    const clock = createManualClock({ start: 0 });
    const dir = createMemoryDirectory({ tenant: { id: TARGET, displayName: "F", verifiedDomains: ["fabrikam.com"] }, clock, faults: { latencyMs: 250 } });
    await dir.getUser("x");
    await dir.describe();
    expect(clock.now().getTime()).toBe(500);
    dir.admin.setFaults({ latencyMs: { min: 100, max: 200 }, seed: 9 });
    for (let i = 0; i < 10; i++) await dir.getUser("x");
    const elapsed = clock.now().getTime() - 500;
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(elapsed).toBeLessThanOrEqual(2000);
    expect(dir.admin.stats().faults.delayed).toBe(12);
  });

  it("waits with the injected clock's sleep, passing the call's signal", async () => {
    const sleeps: number[] = [];
    const clock: Clock = { now: () => new Date(0), sleep: async (ms) => void sleeps.push(ms) };
    const dir = createMemoryDirectory({ tenant: { id: TARGET, displayName: "F", verifiedDomains: ["fabrikam.com"] }, clock, faults: { latencyMs: 30 } });
    await dir.getUser("x");
    await pages(dir.listUsers());
    expect(sleeps).toEqual([30, 30]);
  });

  it("fails every request after the K-th with the given error, or a TransientError", async () => {
    const dir = withFaults({ failAfter: { calls: 3 } });
    expect(await outcomes(dir, 6)).toEqual(["ok", "ok", "ok", "transient", "transient", "transient"]);
    const custom = new Error("boom");
    const dir2 = withFaults({ failAfter: { calls: 1, error: custom } });
    await dir2.getUser("x");
    expect(await rejection(dir2.getUser("x"))).toBe(custom);
    const dir3 = withFaults({ failAfter: { calls: 0, error: (method, n) => new Error(`${method} #${n}`) } });
    expect((await rejection(dir3.describe())) as Error).toMatchObject({ message: "describe #1" });
    expect((await rejection(dir3.describe())) as Error).toMatchObject({ message: "describe #2" });
  });

  it("counts each page of a paged read as a request", async () => {
    const dir = makeTarget({ pageSize: 2 }).dir;
    for (let i = 0; i < 5; i++) dir.admin.addUser({ userPrincipalName: `u${i}@fabrikam.com`, displayName: `U${i}` });
    dir.admin.setFaults({ failAfter: { calls: 2 } });
    const seen: number[] = [];
    const e = await (async () => {
      try {
        for await (const page of dir.listUsers()) seen.push(page.length);
      } catch (error) {
        return error;
      }
      return null;
    })();
    expect(seen).toEqual([2, 2]);
    expect(e).toBeInstanceOf(TransientError);
  });

  it("can be limited to writes or to given methods", async () => {
    const writes = withFaults({ failAfter: { calls: 0 }, writesOnly: true });
    expect(await outcomes(writes, 3)).toEqual(["ok", "ok", "ok"]);
    expect(await rejection(writes.createExternalUser(externalInput("s1", "adele"), fromSource))).toBeInstanceOf(TransientError);
    const some = withFaults({ failAfter: { calls: 0 }, methods: ["describe"] });
    expect(await outcomes(some, 2)).toEqual(["ok", "ok"]);
    expect(await rejection(some.describe())).toBeInstanceOf(TransientError);
  });

  it("a faulted write changes nothing", async () => {
    const dir = withFaults({ throttleRate: 1, writesOnly: true });
    const cursor = await dir.currentCursor();
    expect(await rejection(dir.createExternalUser(externalInput("s1", "adele"), fromSource))).toBeInstanceOf(ThrottledError);
    expect(dir.admin.snapshot().users).toEqual([]);
    expect(await dir.currentCursor()).toBe(cursor);
  });

  it("setFaults(null) stops injecting; admin calls are never faulted", async () => {
    const dir = withFaults({ throttleRate: 1 });
    expect(dir.admin.addUser({ userPrincipalName: "a@fabrikam.com", displayName: "A" }).id).toBeTruthy();
    expect(await rejection(dir.describe())).toBeInstanceOf(ThrottledError);
    dir.admin.setFaults(null);
    expect((await dir.describe()).id).toBe(TARGET);
  });

  it("refuses invalid fault options with ConfigError listing each", () => {
    const e = thrown(() => withFaults({ throttleRate: 2, transientRate: -1, latencyMs: { min: 5, max: 1 }, failAfter: { calls: 1.5 }, methods: ["nope" as never] }));
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).issues.map((i) => i.path.join("."))).toEqual(["throttleRate", "transientRate", "latencyMs", "failAfter.calls", "methods.0"]);
    const dir = makeTarget().dir;
    expect(thrown(() => dir.admin.setFaults({ retryAfterMs: -5 }))).toBeInstanceOf(ConfigError);
  });
});

describe("stats", () => {
  it("counts calls per port method, requests, users listed and changes read; resetStats starts over", async () => {
    const { dir } = makeTarget({ pageSize: 2 });
    const cursor = await dir.currentCursor();
    for (let i = 0; i < 3; i++) await dir.createExternalUser(externalInput(`s${i}`, `u${i}`), fromSource);
    dir.admin.addUser({ userPrincipalName: "admin-made@fabrikam.com", displayName: "Admin" });
    await pages(dir.listUsers());
    await pages(dir.readChanges(cursor));
    await dir.findUsers({ attribute: "mail", value: "u0@contoso.com" });
    const stats = dir.admin.stats();
    expect(stats.calls).toMatchObject({ currentCursor: 1, createExternalUser: 3, listUsers: 1, readChanges: 1, findUsers: 1, getUser: 0, updateUser: 0 });
    expect(stats.usersListed).toBe(4);
    expect(stats.changesRead).toBe(4);
    expect(stats.requests).toBe(1 + 3 + 2 + 2 + 1);
    dir.admin.resetStats();
    const cleared = dir.admin.stats();
    expect(Object.values(cleared.calls).every((n) => n === 0)).toBe(true);
    expect(cleared).toMatchObject({ requests: 0, usersListed: 0, changesRead: 0, faults: { throttled: 0, transient: 0, failed: 0, delayed: 0 } });
  });

  it("counts injected faults", async () => {
    const dir = withFaults({ seed: 2, throttleRate: 0.3, transientRate: 0.3 });
    const got = await outcomes(dir, 50);
    const { faults } = dir.admin.stats();
    expect(faults.throttled).toBe(count(got, "throttled"));
    expect(faults.transient).toBe(count(got, "transient"));
  });
});
