import { describe, expect, it } from "vitest";
import { createMemoryStateStore, createSyncJob, systemClock } from "@tenantsync/core";
import { createMemoryDirectory } from "@tenantsync/memory";
import { SOURCE_ID, TARGET_ID, createWorld, grantTrust } from "./support.ts";

/** Waits (bounded: a no-hang guard, not a timing assertion) until `check` holds. */
async function eventually(check: () => boolean | Promise<boolean>, what: string, limitMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("scheduling", () => {
  it("R22 runs a cycle when the interval has passed on the job's clock, and not before", async () => {
    const w = createWorld();
    const job = createSyncJob({ source: w.source, target: w.target, store: w.store, clock: w.clock, changePollIntervalMs: 5, config: { ...w.job.config, schedule: { interval: "PT40M", trigger: "interval" } } });
    const cycles: string[] = [];
    job.on("cycleCompleted", ({ summary }) => cycles.push(summary.kind));
    w.member("Adele Vance");
    job.start();
    await eventually(() => cycles.length === 1, "the first cycle");
    w.member("Alex Wilber");
    await new Promise((r) => setTimeout(r, 50));
    expect(cycles).toHaveLength(1); // 40 minutes have not passed on the job's clock
    w.clock.advance(40 * 60_000);
    await eventually(() => cycles.length === 2, "the cycle after 40 minutes");
    await job.stop();
    expect(cycles).toEqual(["full", "incremental"]);
    expect(w.syncedUsers()).toHaveLength(2);
    expect((await job.status()).nextRunAt).toBeNull();
  });

  it("R22 change-driven mode carries a source change to the target without waiting for the interval", async () => {
    const source = createMemoryDirectory({ tenant: { id: SOURCE_ID, displayName: "Contoso", verifiedDomains: ["contoso.com"] }, clock: systemClock });
    const target = createMemoryDirectory({ tenant: { id: TARGET_ID, displayName: "Fabrikam", verifiedDomains: ["fabrikam.com"] }, clock: systemClock });
    grantTrust(source, target);
    const job = createSyncJob({
      source,
      target,
      store: createMemoryStateStore(),
      changePollIntervalMs: 10,
      config: { sourceTenantId: SOURCE_ID, targetTenantId: TARGET_ID, scope: { mode: "all" }, schedule: { interval: "P1D", trigger: "changes" } },
    });
    job.start();
    await eventually(async () => (await job.status()).lastExecution !== null, "the first cycle");
    const u = source.admin.addUser({ userPrincipalName: "new.hire@contoso.com", displayName: "New Hire" });
    await eventually(() => target.admin.snapshot().users.some((t) => t.alternativeSecurityId?.userId === u.id), "the new hire in the target");
    source.admin.updateUser(u.id, { jobTitle: "Promoted" });
    await eventually(() => target.admin.snapshot().users.some((t) => t.alternativeSecurityId?.userId === u.id && t.jobTitle === "Promoted"), "the update in the target");
    await job.stop();
  });

  it("stop() ends a running cycle at a user boundary and keeps the state consistent", async () => {
    const w = createWorld({ config: { options: { concurrency: 1 } } });
    for (let i = 0; i < 40; i++) w.member(`User ${i}`);
    const controller = new AbortController();
    let actions = 0;
    w.job.on("action", () => {
      if (++actions === 5) controller.abort();
    });
    const report = await w.job.runCycle({ signal: controller.signal });
    expect(report.stopped).toBe("Aborted");
    expect(report.committed).toBe(false);
    const created = w.syncedUsers().length;
    expect(created).toBeGreaterThanOrEqual(5);
    expect(created).toBeLessThan(40);
    const links: number[] = [];
    for await (const page of w.store.listLinks(w.job.id)) links.push(page.length);
    expect(links.reduce((a, b) => a + b, 0)).toBe(created); // every write was recorded
    await w.job.runCycle();
    expect(w.syncedUsers()).toHaveLength(40);
  });
});

describe("cost", () => {
  it("R22 an incremental cycle reads and writes in proportion to the changes, not the tenant", async () => {
    const w = createWorld({ config: { scope: { mode: "all" } } });
    for (let i = 0; i < 300; i++) w.member(`User ${i}`, {}, { assign: false });
    await w.job.runCycle();
    w.source.admin.resetStats();
    w.target.admin.resetStats();
    const changed = w.source.admin.snapshot().users.slice(0, 3);
    for (const u of changed) w.source.admin.updateUser(u.id, { jobTitle: "Changed" });
    const report = await w.job.runCycle();
    expect(report.kind).toBe("incremental");
    expect(report.summary.counts.updated).toBe(3);
    const s = w.source.admin.stats();
    const t = w.target.admin.stats();
    expect(s.usersListed).toBe(0);
    expect(s.changesRead).toBe(3);
    expect(t.calls.getUser).toBe(3);
    expect(t.calls.updateUser).toBe(3);
    expect(t.requests).toBeLessThanOrEqual(8);
  });
});
