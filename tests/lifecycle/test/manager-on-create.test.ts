// Managers written with the create (capability managerOnCreate): a new user
// whose manager's account was settled earlier in the same cycle costs one
// write; otherwise the manager is a separate step, as on targets without it.
import { describe, expect, it } from "vitest";
import { createManualClock, createMemoryStateStore, createSyncJob, type DirectoryPort } from "@tenantsync/core";
import { createMemoryDirectory, type MemoryDirectory } from "@tenantsync/memory";
import { SOURCE_ID, TARGET_ID, grantTrust } from "./support.ts";

interface Chain {
  source: MemoryDirectory;
  target: MemoryDirectory;
  ids: { boss: string; lead: string; worker: string };
}

/** boss ← lead ← worker, listed in that order (managers first, as an org tree usually is). */
function chain(): Chain {
  const clock = createManualClock({ start: "2026-01-01T00:00:00Z" });
  const source = createMemoryDirectory({ tenant: { id: SOURCE_ID, displayName: "Contoso", verifiedDomains: ["contoso.com"] }, clock });
  const target = createMemoryDirectory({ tenant: { id: TARGET_ID, displayName: "Fabrikam", verifiedDomains: ["fabrikam.com"] }, clock });
  grantTrust(source, target);
  const add = (alias: string, managerId: string | null) => source.admin.addUser({ userPrincipalName: `${alias}@contoso.com`, mail: `${alias}@contoso.com`, displayName: alias, managerId }).id;
  const boss = add("boss", null);
  const lead = add("lead", boss);
  const worker = add("worker", lead);
  return { source, target, ids: { boss, lead, worker } };
}

function job(c: Chain, target: DirectoryPort, chunkSize: number) {
  const store = createMemoryStateStore();
  return { store, job: createSyncJob({ source: c.source, target, store, chunkSize, config: { sourceTenantId: SOURCE_ID, targetTenantId: TARGET_ID, scope: { mode: "all" } } }) };
}

/** The target seen through a proxy that overrides some members. */
function through(target: MemoryDirectory, overrides: Partial<DirectoryPort>): DirectoryPort {
  return new Proxy(target, {
    get(t, prop, receiver) {
      if (prop in overrides) return (overrides as Record<string | symbol, unknown>)[prop];
      const v = Reflect.get(t, prop, receiver);
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}

function targetManagers(c: Chain): Record<string, string | null> {
  const bySource = new Map(c.target.admin.snapshot().users.map((u) => [u.alternativeSecurityId?.userId, u]));
  const name = (targetId: string | null) => (targetId === null ? null : (c.target.admin.snapshot().users.find((u) => u.id === targetId)?.displayName ?? "?"));
  return Object.fromEntries(Object.entries(c.ids).map(([k, id]) => [k, name(bySource.get(id)?.managerId ?? null)]));
}

describe("managers with the create", () => {
  it("R20 writes a new user's manager with its create when the manager's account was made earlier in the cycle: one write per user", async () => {
    const c = chain();
    const { job: j } = job(c, c.target, 1);
    c.target.admin.resetStats();
    const report = await j.runCycle();
    expect(report.summary.counts.created).toBe(3);
    expect(targetManagers(c)).toEqual({ boss: null, lead: "boss", worker: "lead" });
    const calls = c.target.admin.stats().calls;
    expect(calls.createExternalUser).toBe(3);
    expect(calls.setManager).toBe(0);
    const logs = await j.logs({ cycleId: report.cycleId });
    expect(logs.map((l) => l.action).sort()).toEqual(["create", "create", "create"]);
    const leadTarget = c.target.admin.snapshot().users.find((u) => u.displayName === "lead")!;
    const workerLog = logs.find((l) => l.source.userId === c.ids.worker)!;
    expect(workerLog.modifiedProperties).toContainEqual({ name: "manager", oldValue: null, newValue: leadTarget.id });
  });

  it("R20 wires a manager created in the same chunk with a separate write after the chunk", async () => {
    const c = chain();
    const { job: j } = job(c, c.target, 500);
    c.target.admin.resetStats();
    await j.runCycle();
    expect(targetManagers(c)).toEqual({ boss: null, lead: "boss", worker: "lead" });
    expect(c.target.admin.stats().calls.setManager).toBe(2);
  });

  it("R20 on a target without managerOnCreate every manager is its own write, with the same end state", async () => {
    const c = chain();
    const plain = through(c.target, { capabilities: { ...c.target.capabilities, managerOnCreate: false } });
    const { job: j } = job(c, plain, 1);
    c.target.admin.resetStats();
    const report = await j.runCycle();
    expect(targetManagers(c)).toEqual({ boss: null, lead: "boss", worker: "lead" });
    expect(c.target.admin.stats().calls.setManager).toBe(2);
    expect((await j.logs({ cycleId: report.cycleId })).filter((l) => l.action === "create")).toHaveLength(3);
  });

  it("R20 a dry run shows the manager in the create exactly as the run then writes it", async () => {
    const c = chain();
    const { job: j } = job(c, c.target, 1);
    const plan = await j.plan();
    const creates = plan.actions.filter((a) => a.kind === "create");
    expect(creates).toHaveLength(3);
    expect(plan.actions.filter((a) => a.kind === "setManager")).toHaveLength(0);
    const workerCreate = creates.find((a) => a.sourceId === c.ids.worker);
    expect(workerCreate && "managerSourceId" in workerCreate ? workerCreate.managerSourceId : undefined).toBe(c.ids.lead);
    c.target.admin.resetStats();
    await j.runCycle();
    expect(c.target.admin.stats().calls.setManager).toBe(0);
  });

  it("R20 when the target creates the user without the manager, the link keeps the manager pending and it is wired once the manager is seen again", async () => {
    const c = chain();
    // A target that advertises managerOnCreate but could not set it (the returned user says so).
    const dropping = through(c.target, {
      createExternalUser: (input, options) => {
        const { managerId: _dropped, ...attributes } = input.attributes;
        return c.target.createExternalUser({ ...input, attributes }, options);
      },
    });
    const { job: j, store } = job(c, dropping, 1);
    const report = await j.runCycle();
    expect(report.summary.counts.errors).toBe(0);
    expect(targetManagers(c)).toEqual({ boss: null, lead: null, worker: null });
    const links = await store.getLinks(j.id, [c.ids.lead, c.ids.worker]);
    expect(links.get(c.ids.lead)?.managerSourceId).toBe(c.ids.boss);
    expect(links.get(c.ids.worker)?.managerSourceId).toBe(c.ids.lead);
    // The managers show up in the next cycle's changes: their reports are wired then (with setManager).
    c.source.admin.updateUser(c.ids.boss, { jobTitle: "Chief" });
    c.source.admin.updateUser(c.ids.lead, { jobTitle: "Lead" });
    await j.runCycle();
    expect(targetManagers(c)).toEqual({ boss: null, lead: "boss", worker: "lead" });
  });
});
