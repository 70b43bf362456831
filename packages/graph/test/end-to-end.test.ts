import { afterEach, describe, expect, it } from "vitest";
import { createMemoryStateStore, createSyncJob, type DirectoryUser, type SyncJob } from "@tenantsync/core";
import { ANCHOR, SOURCE, TARGET, emulatedTenants, type EmulatedTenants } from "./helpers/emulated-tenants.ts";

const DAY = 86_400_000;
let world: EmulatedTenants | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

async function setup(): Promise<{ w: EmulatedTenants; job: SyncJob; groupId: string; synced: () => DirectoryUser[]; copyOf: (id: string) => DirectoryUser | undefined }> {
  const w = await emulatedTenants();
  world = w;
  w.trust();
  w.sourceAdmin.setPartnerSettings({ tenantId: TARGET, automaticUserConsentSettings: { outboundAllowed: true } });
  const group = w.sourceAdmin.addGroup({ displayName: "Sync to Fabrikam" });
  const job = createSyncJob({
    source: w.source,
    target: w.target,
    clock: w.clock,
    store: createMemoryStateStore(),
    config: { sourceTenantId: SOURCE, targetTenantId: TARGET, scope: { mode: "assigned", groups: [group.id] } },
  });
  const all = () => {
    const s = w.targetAdmin.snapshot();
    return [...s.users, ...s.bin];
  };
  const synced = () => all().filter((u) => typeof u.extensions[ANCHOR] === "string");
  const copyOf = (id: string) => all().find((u) => u.extensions[ANCHOR] === `${SOURCE}:${id}`);
  return { w, job, groupId: group.id, synced, copyOf };
}

describe("end to end through Graph: two emulated tenants, a job from core", () => {
  it("R8 R11 R12 R13 R15 R16 creates, updates, disables, soft-deletes, restores and re-creates over HTTP", async () => {
    const { w, job, groupId, synced, copyOf } = await setup();
    const adele = w.sourceAdmin.addUser({ userPrincipalName: "adele@contoso.com", mail: "adele@contoso.com", displayName: "Adele Vance", department: "Sales", jobTitle: "Engineer" });
    const alex = w.sourceAdmin.addUser({ userPrincipalName: "alex@contoso.com", mail: "alex@contoso.com", displayName: "Alex Wilber", managerId: adele.id });
    w.sourceAdmin.addMember(groupId, adele.id);
    w.sourceAdmin.addMember(groupId, alex.id);

    const first = await job.runCycle();
    expect(first.kind).toBe("full");
    expect(first.summary.counts.created).toBe(2);
    const adeleCopy = copyOf(adele.id)!;
    expect(adeleCopy).toMatchObject({ origin: "external", userType: "Member", displayName: "Adele Vance", department: "Sales", accountEnabled: true });
    expect(adeleCopy.userPrincipalName).toMatch(/^adele_contoso\.com#EXT#@/);
    expect(copyOf(alex.id)?.managerId).toBe(adeleCopy.id);

    w.sourceAdmin.updateUser(adele.id, { jobTitle: "Lead" });
    const second = await job.runCycle();
    expect(second.kind).toBe("incremental");
    expect(second.summary.counts.updated).toBe(1);
    expect(copyOf(adele.id)?.jobTitle).toBe("Lead");

    w.sourceAdmin.disableUser(alex.id);
    expect((await job.runCycle()).summary.counts.disabled).toBe(1);
    expect(copyOf(alex.id)?.accountEnabled).toBe(false);

    w.sourceAdmin.removeMember(groupId, adele.id);
    expect((await job.runCycle()).summary.counts.deleted).toBe(1);
    expect(copyOf(adele.id)?.deletedDateTime).not.toBeNull();

    w.clock.advance(10 * DAY);
    w.sourceAdmin.addMember(groupId, adele.id);
    expect((await job.runCycle()).summary.counts.restored).toBe(1);
    expect(copyOf(adele.id)?.id).toBe(adeleCopy.id);
    expect(copyOf(adele.id)?.deletedDateTime).toBeNull();

    w.sourceAdmin.removeMember(groupId, adele.id);
    await job.runCycle();
    w.clock.advance(31 * DAY);
    w.sourceAdmin.addMember(groupId, adele.id);
    await job.runCycle();
    const fresh = copyOf(adele.id)!;
    expect(fresh.id).not.toBe(adeleCopy.id);
    expect(synced().filter((u) => u.deletedDateTime === null)).toHaveLength(2);
    expect(writes(await job.plan())).toEqual([]);
  });

  it("R23 converges through a throttling storm with Retry-After and transient 503s", async () => {
    const { w, job, groupId, synced } = await setup();
    for (let i = 0; i < 12; i++) {
      const u = w.sourceAdmin.addUser({ userPrincipalName: `user${i}@contoso.com`, mail: `user${i}@contoso.com`, displayName: `User ${i}` });
      w.sourceAdmin.addMember(groupId, u.id);
    }
    // Writes (and $batch items) throttled with a fractional Retry-After, or answered 503.
    w.emulator.setFaults({
      seed: 3,
      rules: [
        { status: 429, method: "POST", probability: 0.25, retryAfterSeconds: 1.5 },
        { status: 429, method: "PATCH", probability: 0.25, retryAfterSeconds: 1.5 },
        { status: 503, method: "PATCH", probability: 0.1 },
        { status: 503, method: "POST", probability: 0.1 },
      ],
    });
    for (let cycle = 0; cycle < 8 && synced().length < 12; cycle++) {
      await job.runCycle();
      w.clock.advance(DAY);
    }
    const faulted = w.emulator.stats();
    w.emulator.setFaults(null);
    await job.runCycle();
    expect(synced()).toHaveLength(12);
    expect(faulted.throttled).toBeGreaterThan(0);
    expect(faulted.byStatus["503"] ?? 0).toBeGreaterThan(0);
    expect(new Set(synced().map((u) => u.extensions[ANCHOR])).size).toBe(12);
  });

  it("R22 resyncs fully when Graph expires the delta token (410 / syncStateNotFound)", async () => {
    const { w, job, groupId, copyOf } = await setup();
    const u = w.sourceAdmin.addUser({ userPrincipalName: "adele@contoso.com", mail: "adele@contoso.com", displayName: "Adele Vance" });
    w.sourceAdmin.addMember(groupId, u.id);
    await job.runCycle();
    w.emulator.expireDeltaTokens();
    w.sourceAdmin.updateUser(u.id, { department: "Research" });
    const report = await job.runCycle();
    expect(report.kind).toBe("full");
    expect(copyOf(u.id)?.department).toBe("Research");
  });
});

function writes(plan: { actions: Array<{ kind: string }> }): string[] {
  return plan.actions.filter((a) => a.kind !== "skip" && a.kind !== "error").map((a) => a.kind);
}
