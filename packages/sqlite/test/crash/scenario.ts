import { createManualClock, type DirectoryUser, type Link, type ManualClock, type StateStore, type SyncJobConfigInput } from "@tenantsync/core";
import { createMemoryDirectory, type MemoryDirectory } from "@tenantsync/memory";
import { readJournal, replayJournal } from "./journaled-target.ts";

/**
 * The crash test's world: a source and a target tenant, built the same way in
 * every process from constants, and a source that changes in phases. Phase 0
 * is the initial state; phases 1 and 2 change the source (updates, disables,
 * deletions, scope exits and returns, restores, manager changes, new users).
 * A process working on phase k rebuilds the source as of phase k, and the
 * target by replaying the journal (see journaled-target.ts), each step at its
 * own time on one manual clock: phase p starts at {@link phaseTime}(p).
 */
export const SOURCE_TENANT = { id: "11111111-1111-4111-8111-111111111111", displayName: "Contoso", verifiedDomains: ["contoso.example"] };
export const TARGET_TENANT = { id: "22222222-2222-4222-8222-222222222222", displayName: "Fabrikam", verifiedDomains: ["fabrikam.example"] };
export const LAST_PHASE = 2;
export const JOB_ID = "crash-job";
const USERS = 25;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

export const phaseTime = (phase: number): string => new Date(T0 + phase * DAY).toISOString();
/** The id of source user `i` (fixed, so every process agrees without a generator). */
export const sourceUserId = (i: number): string => `5ca1ab1e-0000-4000-8000-${String(i).padStart(12, "0")}`;

export interface World {
  clock: ManualClock;
  source: MemoryDirectory;
  target: MemoryDirectory;
  groupId: string;
  config: SyncJobConfigInput;
}

/** Builds the world as of the start of `phase`'s run, with the target as the journal says. */
export async function buildWorld(phase: number, journalPath: string): Promise<World> {
  const clock = createManualClock({ start: phaseTime(0) });
  const source = createMemoryDirectory({ tenant: SOURCE_TENANT, clock, seed: 101 });
  const target = createMemoryDirectory({ tenant: TARGET_TENANT, clock, seed: 202 });
  target.admin.setPartnerSettings({ tenantId: SOURCE_TENANT.id, userSyncInbound: { isSyncAllowed: true }, automaticUserConsentSettings: { inboundAllowed: true } });
  source.admin.setPartnerSettings({ tenantId: TARGET_TENANT.id, automaticUserConsentSettings: { outboundAllowed: true } });
  const group = source.admin.addGroup({ id: "99999999-9999-4999-8999-999999999999", displayName: "Cross-tenant sync" });
  // An internal target user the job must never touch.
  target.admin.addUser({ id: "22222222-0000-4000-8000-000000000001", userPrincipalName: "admin@fabrikam.example", displayName: "Fabrikam Admin" });
  for (let i = 0; i < USERS; i++) addSourceUser(source, i);
  for (let i = 0; i < 20; i++) source.admin.addMember(group.id, sourceUserId(i));
  source.admin.disableUser(sourceUserId(3)); // R8: not created while disabled

  const journal = readJournal(journalPath);
  for (let p = 0; p <= phase; p++) {
    if (p > 0) {
      clock.set(phaseTime(p));
      changeSource(source, group.id, p);
    }
    await replayJournal(
      target,
      clock,
      journal.filter((e) => e.phase === p),
    );
  }
  return {
    clock,
    source,
    target,
    groupId: group.id,
    config: { id: JOB_ID, sourceTenantId: SOURCE_TENANT.id, targetTenantId: TARGET_TENANT.id, scope: { mode: "assigned", groups: [group.id] } },
  };
}

function addSourceUser(source: MemoryDirectory, i: number): void {
  const alias = `person${i}`;
  source.admin.addUser({
    id: sourceUserId(i),
    userPrincipalName: `${alias}@contoso.example`,
    mail: `${alias}@contoso.example`,
    mailNickname: alias,
    displayName: `Person ${i}`,
    givenName: "Person",
    surname: String(i),
    jobTitle: i === 0 ? "Chief Executive" : "Engineer",
    department: ["Sales", "Research", "Operations"][i % 3]!,
    employeeId: `E${i}`,
    // An org tree: user i reports to user floor((i-1)/4).
    managerId: i > 0 ? sourceUserId(Math.floor((i - 1) / 4)) : null,
  });
}

function changeSource(source: MemoryDirectory, groupId: string, phase: number): void {
  const u = sourceUserId;
  const a = source.admin;
  if (phase === 1) {
    a.updateUser(u(1), { jobTitle: "Principal Engineer" });
    a.updateUser(u(2), { department: "Research" });
    a.updateUser(u(4), { displayName: "Renamed Four" });
    a.disableUser(u(5));
    a.disableUser(u(6));
    a.deleteUser(u(7)); // R13
    a.deleteUser(u(8));
    a.removeMember(groupId, u(10)); // R13 by scope exit
    a.removeMember(groupId, u(11));
    a.addMember(groupId, u(20)); // new in scope
    a.addMember(groupId, u(21));
    a.setManager(u(13), u(2)); // R20
    a.enableUser(u(3)); // now created; its reports get their manager (R20 beyond)
    addSourceUser(source, 25);
    a.addMember(groupId, u(25));
  } else if (phase === 2) {
    a.restoreUser(u(7)); // R15: the same target account comes back
    a.addMember(groupId, u(10)); // back in scope: restored
    a.enableUser(u(5));
    a.removeMember(groupId, u(6)); // disabled and that flowed: R14, left disabled
    a.deleteUser(u(14));
    a.deleteUser(u(15));
    a.updateUser(u(1), { jobTitle: "Distinguished Engineer" });
    a.updateUser(u(25), { officeLocation: "B2" });
    a.setManager(u(16), null); // R20: the target keeps its manager
    a.removeMember(groupId, u(20));
  }
}

/**
 * The end state that must not depend on crashes: every target user (synced
 * ones keyed by their source id, with the manager as a source id and without
 * ids and timestamps that depend on timing), the links (without target ids
 * and soft-delete times), the watermark and the escrows.
 */
export async function endState(world: World, store: StateStore) {
  const snap = world.target.admin.snapshot();
  const all: Array<DirectoryUser & { deleted: boolean }> = [...snap.users.map((x) => ({ ...x, deleted: false })), ...snap.bin.map((x) => ({ ...x, deleted: true }))];
  const sourceIdOf = new Map(all.map((x) => [x.id, x.alternativeSecurityId?.userId ?? `internal:${x.userPrincipalName}`]));
  const users = all
    .map(({ id: _id, createdDateTime: _c, deletedDateTime: _d, managerId, ...rest }) => ({ ...rest, manager: managerId === null ? null : (sourceIdOf.get(managerId) ?? "unknown") }))
    .sort((x, y) => key(x).localeCompare(key(y)));
  const links: Array<Omit<Link, "targetId" | "softDeletedAt"> & { targetIsSourcesAccount: boolean }> = [];
  for await (const page of store.listLinks(JOB_ID)) {
    for (const { targetId, softDeletedAt: _s, ...rest } of page) links.push({ ...rest, targetIsSourcesAccount: sourceIdOf.get(targetId) === rest.sourceId });
  }
  links.sort((x, y) => x.sourceId.localeCompare(y.sourceId));
  const record = await store.getJob(JOB_ID);
  return { users, links, watermark: record?.watermark ?? null, escrows: await store.listEscrows(JOB_ID) };
}

const key = (x: { alternativeSecurityId: { userId: string } | null; userPrincipalName: string }) => x.alternativeSecurityId?.userId ?? `internal:${x.userPrincipalName}`;

/** Source ids that have more than one target account (live or in the bin): duplicates R27 forbids. */
export function duplicateAccounts(world: World): string[] {
  const snap = world.target.admin.snapshot();
  const counts = new Map<string, number>();
  for (const x of [...snap.users, ...snap.bin]) {
    const id = x.alternativeSecurityId?.userId;
    if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return [...counts].filter(([, n]) => n > 1).map(([id]) => id);
}
