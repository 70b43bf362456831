// The directory kit's own tests: every key has exactly one test, `disable`
// is checked, and — most important — each kit test fails against a memory
// directory with one planted defect (a "mutant") while it passes against the
// healthy one. A kit test that no mutant can fail would be a test that cannot fail.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConflictError, NotFoundError, InvalidValueError, type ChangePage, type DirectoryPort, type DirectoryUser } from "@tenantsync/core";
import { createMemoryDirectory, type MemoryDirectory } from "@tenantsync/memory";
import { directoryCases } from "../src/directory/directory-conformance.ts";
import { makeDirectoryFixture, type DirectoryFixtureSource } from "../src/directory/directory-fixture.ts";
import type { DirectoryFactoryContext, DirectoryProbe } from "../src/directory/directory-probe.ts";
import { DIRECTORY_CONFORMANCE_TESTS, type DirectoryConformanceTest } from "../src/directory/directory-test-keys.ts";
import { registerCases } from "../src/internal/conformance-case.ts";

// Deterministic: a fixed seed, the runs this file asks for (not FC_RUNS), and no
// shrinking (a mutant only has to fail once; shrinking reruns whole engine cycles).
const savedRuns = process.env.FC_RUNS;
beforeAll(() => {
  delete process.env.FC_RUNS;
  fc.configureGlobal({ seed: 20260101, endOnFailure: true });
});
afterAll(() => {
  if (savedRuns !== undefined) process.env.FC_RUNS = savedRuns;
  fc.resetConfigureGlobal();
});

const TENANT = { id: "7a46e7a4-0000-4000-8000-0000000000e1", displayName: "Kit Target", verifiedDomains: ["kit-target.example.com"] };

function trustedMemory(context: DirectoryFactoryContext): MemoryDirectory {
  const directory = createMemoryDirectory({ tenant: TENANT, clock: context.clock });
  directory.admin.setPartnerSettings({ tenantId: context.sourceTenantId, userSyncInbound: { isSyncAllowed: true }, automaticUserConsentSettings: { inboundAllowed: true } });
  return directory;
}

function memoryProbe(directory: MemoryDirectory): DirectoryProbe {
  const admin = directory.admin;
  return {
    seedUser: async (input) => admin.addUser(input),
    getUser: async (id) => admin.getUser(id),
    listUsers: async () => [...admin.snapshot().users, ...admin.snapshot().bin],
    updateUser: async (id, changes) => void admin.updateUser(id, changes),
    softDeleteUser: async (id) => void admin.deleteUser(id),
    restoreUser: async (id) => void admin.restoreUser(id),
    hardDeleteUser: async (id) => admin.hardDeleteUser(id),
    addGroup: async (input) => admin.addGroup(input),
    addMember: async (g, m) => admin.addMember(g, m),
    removeMember: async (g, m) => admin.removeMember(g, m),
    setPartnerSettings: async (s) => void admin.setPartnerSettings(s),
  };
}

/** A memory directory with some port methods replaced. */
function mutant(change: (d: MemoryDirectory, context: DirectoryFactoryContext) => Partial<DirectoryPort>): DirectoryFixtureSource<MemoryDirectory> {
  return {
    create: (context) => {
      const d = trustedMemory(context);
      return { ...d, ...change(d, context) } as MemoryDirectory;
    },
    probe: (d) => memoryProbe(d),
  };
}

const healthy: DirectoryFixtureSource<MemoryDirectory> = { create: trustedMemory, probe: memoryProbe };

async function runCase(key: DirectoryConformanceTest, source: DirectoryFixtureSource<MemoryDirectory>): Promise<void> {
  const c = directoryCases({ numRuns: 10, modelRuns: 50, convergenceRuns: 10 }).find((x) => x.key === key);
  if (!c) throw new Error(`no case ${key}`);
  const fx = await makeDirectoryFixture(source);
  try {
    const reason = c.requires?.(fx) ?? null;
    if (reason !== null) throw new Error(`the case is gated off: ${reason}`);
    await c.run(fx);
  } finally {
    await fx.release();
  }
}

const mapPages = <T>(pages: AsyncIterable<T>, f: (page: T) => T): AsyncIterable<T> => ({
  async *[Symbol.asyncIterator]() {
    for await (const page of pages) yield f(page);
  },
});
const withoutSignal = <O extends { signal?: AbortSignal | undefined }>(o: O | undefined): O => ({ ...(o as O), signal: undefined });
const mapChanges = (d: MemoryDirectory, f: (page: ChangePage) => ChangePage): Partial<DirectoryPort> => ({
  readChanges: (cursor, o) => mapPages(d.readChanges(cursor, o), f),
});

/** Each kit test, and a defect it must catch. */
const MUTANTS: Array<{ key: DirectoryConformanceTest; defect: string; source: DirectoryFixtureSource<MemoryDirectory> }> = [
  { key: "describe.tenant", defect: "describe() changes between calls", source: mutant((d) => { let n = 0; return { describe: async () => ({ ...(await d.describe()), displayName: `Kit ${n++}` }) }; }) },
  { key: "capabilities.declared", defect: "a capability flag is missing", source: mutant((d) => ({ capabilities: { ...d.capabilities, changeFeed: undefined as unknown as boolean } })) },
  { key: "capabilities.honest", defect: "restore declared false but restoreUser works", source: mutant((d) => ({ capabilities: { ...d.capabilities, restore: false } })) },
  { key: "partnerSettings.trustedSource", defect: "getPartnerSettings always null", source: mutant(() => ({ getPartnerSettings: async () => null })) },
  { key: "partnerSettings.unknownPartner", defect: "settings invented for unknown partners", source: mutant((d) => ({ getPartnerSettings: async (id, o) => (await d.getPartnerSettings(id, o)) ?? { tenantId: id, userSyncInbound: { isSyncAllowed: false }, automaticUserConsentSettings: { inboundAllowed: false, outboundAllowed: false } } })) },
  { key: "partnerSettings.readsBackend", defect: "settings cached after the first read", source: mutant((d) => { const cache = new Map<string, Awaited<ReturnType<DirectoryPort["getPartnerSettings"]>>>(); return { getPartnerSettings: async (id, o) => { const k = id.toLowerCase(); if (!cache.has(k)) cache.set(k, await d.getPartnerSettings(id, o)); return cache.get(k)!; } }; }) },
  { key: "listUsers.everyUser", defect: "guests left out", source: mutant((d) => ({ listUsers: (o) => mapPages(d.listUsers(o), (p) => p.filter((u) => u.userType !== "Guest")) })) },
  { key: "listUsers.pageSize", defect: "pageSize ignored", source: mutant((d) => ({ listUsers: (o) => d.listUsers({ ...o, pageSize: 1000 }) })) },
  { key: "listUsers.excludesSoftDeleted", defect: "soft-deleted users listed", source: mutant((d) => ({ listUsers: (o) => mapPages(d.listUsers(o), (p) => [...p, ...d.admin.snapshot().bin]) })) },
  { key: "getUser.returnsStored", defect: "city not read", source: mutant((d) => ({ getUser: async (id, o) => { const u = await d.getUser(id, o); return u && { ...u, city: null }; } })) },
  { key: "getUser.unknownIsNull", defect: "unknown id throws", source: mutant((d) => ({ getUser: async (id, o) => { const u = await d.getUser(id, o); if (!u) throw new NotFoundError("user", id); return u; } })) },
  { key: "getUser.hidesSoftDeleted", defect: "includeDeleted always on", source: mutant((d) => ({ getUser: (id, o) => d.getUser(id, { ...o, includeDeleted: true }) })) },
  { key: "getUser.includeDeleted", defect: "includeDeleted ignored", source: mutant((d) => ({ getUser: (id, o) => d.getUser(id, { ...o, includeDeleted: false }) })) },
  { key: "getUser.manager", defect: "managerId not read", source: mutant((d) => ({ getUser: async (id, o) => { const u = await d.getUser(id, o); return u && { ...u, managerId: null }; } })) },
  { key: "groups.directMembers", defect: "always transitive", source: mutant((d) => ({ listGroupMembers: (g, o) => d.listGroupMembers(g, { ...o, transitive: true }) })) },
  { key: "groups.transitiveMembers", defect: "transitive ignored", source: mutant((d) => ({ listGroupMembers: (g, o) => d.listGroupMembers(g, { ...o, transitive: false }) })) },
  { key: "groups.unknownGroup", defect: "an unknown group has no members", source: mutant((d) => ({ listGroupMembers: (g, o) => (d.admin.getGroup(g) ? d.listGroupMembers(g, o) : mapPages<string[]>((async function* () {})(), (p) => p)) })) },
  { key: "changes.fromNow", defect: "currentCursor is the start of the feed", source: mutant((d) => { const start = d.currentCursor(); return { currentCursor: () => start }; }) },
  { key: "changes.userCreated", defect: "user changes dropped", source: mutant((d) => mapChanges(d, (p) => ({ ...p, changes: p.changes.filter((c) => c.type !== "user") }))) },
  { key: "changes.userUpdated", defect: "user changes leave out jobTitle", source: mutant((d) => mapChanges(d, (p) => ({ ...p, changes: p.changes.map((c) => (c.type === "user" ? { type: "user", user: { ...c.user, jobTitle: null } } : c)) }))) },
  { key: "changes.userSoftDeleted", defect: "soft deletes reported as permanent", source: mutant((d) => mapChanges(d, (p) => ({ ...p, changes: p.changes.map((c) => (c.type === "userRemoved" ? { ...c, permanent: true } : c)) }))) },
  { key: "changes.userRestored", defect: "restores not reported", source: mutant((d) => mapChanges(d, (p) => ({ ...p, changes: p.changes.filter((c) => c.type !== "user") }))) },
  { key: "changes.userHardDeleted", defect: "hard deletes reported as soft", source: mutant((d) => mapChanges(d, (p) => ({ ...p, changes: p.changes.map((c) => (c.type === "userRemoved" ? { ...c, permanent: false } : c)) }))) },
  { key: "changes.membership", defect: "membership changes dropped", source: mutant((d) => mapChanges(d, (p) => ({ ...p, changes: p.changes.filter((c) => c.type !== "membership") }))) },
  { key: "changes.resume", defect: "page cursors do not advance", source: mutant((d) => ({ readChanges: (cursor, o) => mapPages(d.readChanges(cursor, o), (p) => ({ ...p, cursor })) })) },
  { key: "changes.replay", defect: "a cursor can be read only once", source: mutant((d) => { const used = new Set<string>(); return { readChanges: (cursor, o) => { if (used.has(cursor)) return d.readChanges("garbled!", o); used.add(cursor); return d.readChanges(cursor, o); } }; }) },
  { key: "changes.garbledCursor", defect: "a garbled cursor reads nothing", source: mutant((d) => ({ readChanges: (cursor, o) => (cursor.startsWith("not-a-cursor") ? mapPages<ChangePage>((async function* () {})(), (p) => p) : d.readChanges(cursor, o)) })) },
  { key: "findUsers.byAlternativeSecurityId", defect: "matching ignores the source user id", source: mutant((d) => ({ findUsers: async (q, o) => ("alternativeSecurityId" in q ? d.admin.snapshot().users.filter((u) => u.alternativeSecurityId?.tenantId === q.alternativeSecurityId.tenantId) : d.findUsers(q, o)) })) },
  { key: "findUsers.byAttribute", defect: "internal users left out", source: mutant((d) => ({ findUsers: async (q, o) => (await d.findUsers(q, o)).filter((u) => u.origin !== "internal") })) },
  { key: "findUsers.includeDeleted", defect: "includeDeleted ignored", source: mutant((d) => ({ findUsers: (q, o) => d.findUsers({ ...q, includeDeleted: false }, o) })) },
  { key: "createExternalUser.external", defect: "the returned user lacks homeTenantId", source: mutant((d) => ({ createExternalUser: async (i, o) => ({ ...(await d.createExternalUser(i, o)), homeTenantId: null }) })) },
  { key: "createExternalUser.guest", defect: "userType forced to Member", source: mutant((d) => ({ createExternalUser: (i, o) => d.createExternalUser({ ...i, userType: "Member" }, o) })) },
  { key: "createExternalUser.attributes", defect: "mobilePhone dropped", source: mutant((d) => ({ createExternalUser: (i, o) => d.createExternalUser({ ...i, attributes: { ...i.attributes, mobilePhone: null } }, o) })) },
  { key: "createExternalUser.externalUserPrincipalName", defect: "the source UPN is stored as is", source: mutant((d) => ({ createExternalUser: async (i, o) => { const u = await d.createExternalUser(i, o); return d.admin.updateUser(u.id, { userPrincipalName: String(i.attributes.userPrincipalName) }); } })) },
  { key: "createExternalUser.conflict", defect: "a conflict returns the existing user", source: mutant((d) => ({ createExternalUser: async (i, o) => { try { return await d.createExternalUser(i, o); } catch (e) { if (e instanceof ConflictError && e.conflictingObjectId) return d.admin.getUser(e.conflictingObjectId)!; throw e; } } })) },
  { key: "createExternalUser.invalid", defect: "a missing UPN is invented", source: mutant((d) => ({ createExternalUser: (i, o) => d.createExternalUser({ ...i, attributes: { userPrincipalName: `${i.alternativeSecurityId.userId}@fallback.example.com`, ...i.attributes } }, o) })) },
  { key: "createExternalUser.withManager", defect: "the manager is dropped", source: mutant((d) => ({ createExternalUser: (i, o) => { const { managerId: _m, ...attributes } = i.attributes; return d.createExternalUser({ ...i, attributes }, o); } })) },
  { key: "createExternalUser.withUnknownManager", defect: "the returned user claims the unknown manager", source: mutant((d) => ({ createExternalUser: async (i, o) => ({ ...(await d.createExternalUser(i, o)), managerId: i.attributes.managerId ?? null }) })) },
  { key: "updateUser.writes", defect: "city dropped", source: mutant((d) => ({ updateUser: (id, c, o) => { const { city: _city, ...rest } = c; return d.updateUser(id, rest, o); } })) },
  { key: "updateUser.clears", defect: "nulls ignored", source: mutant((d) => ({ updateUser: (id, c, o) => d.updateUser(id, Object.fromEntries(Object.entries(c).filter(([, v]) => v !== null)), o) })) },
  { key: "updateUser.extensions", defect: "extensions replaced, not merged", source: mutant((d) => ({ updateUser: (id, c, o) => { if (!c.extensions) return d.updateUser(id, c, o); const current = d.admin.getUser(id)?.extensions ?? {}; const cleared = Object.fromEntries(Object.keys(current).map((k) => [k, null])); return d.updateUser(id, { ...c, extensions: { ...cleared, ...c.extensions } }, o); } })) },
  { key: "updateUser.userPrincipalName", defect: "UPN changes ignored", source: mutant((d) => ({ updateUser: (id, c, o) => { const { userPrincipalName: _u, ...rest } = c; return d.updateUser(id, rest, o); } })) },
  { key: "updateUser.unknownUser", defect: "a plain Error for a missing user", source: mutant((d) => ({ updateUser: async (id, c, o) => { try { return await d.updateUser(id, c, o); } catch (e) { throw new Error(`failed: ${(e as Error).message}`); } } })) },
  { key: "updateUser.softDeletedUser", defect: "soft-deleted users are restored and updated", source: mutant((d) => ({ updateUser: (id, c, o) => { if (d.admin.getUser(id)?.deletedDateTime) d.admin.restoreUser(id); return d.updateUser(id, c, o); } })) },
  { key: "updateUser.conflict", defect: "a conflict writes the rest", source: mutant((d) => ({ updateUser: async (id, c, o) => { try { return await d.updateUser(id, c, o); } catch (e) { if (!(e instanceof ConflictError)) throw e; const { mail: _m, ...rest } = c; return d.updateUser(id, rest, o); } } })) },
  { key: "setManager.setsAndClears", defect: "null ignored", source: mutant((d) => ({ setManager: async (id, m, o) => { if (m !== null) await d.setManager(id, m, o); } })) },
  { key: "setManager.unknownManager", defect: "an unknown manager clears the manager", source: mutant((d) => ({ setManager: (id, m, o) => d.setManager(id, m !== null && !d.admin.getUser(m) ? null : m, o) })) },
  { key: "setManager.unknownUser", defect: "an unknown user is ignored", source: mutant((d) => ({ setManager: async (id, m, o) => { if (d.admin.getUser(id)) await d.setManager(id, m, o); } })) },
  { key: "softDeleteUser.moves", defect: "soft delete deletes for good", source: mutant((d) => ({ softDeleteUser: async (id) => d.admin.hardDeleteUser(id) })) },
  { key: "softDeleteUser.unknownUser", defect: "an unknown user is ignored", source: mutant((d) => ({ softDeleteUser: async (id, o) => { if (d.admin.getUser(id)) await d.softDeleteUser(id, o); } })) },
  { key: "softDeleteUser.alreadyDeleted", defect: "deleting twice succeeds", source: mutant((d) => ({ softDeleteUser: async (id, o) => { if (!d.admin.getUser(id)?.deletedDateTime) await d.softDeleteUser(id, o); } })) },
  { key: "restoreUser.restores", defect: "restore loses jobTitle", source: mutant((d) => ({ restoreUser: async (id, o) => { await d.restoreUser(id, o); return d.admin.updateUser(id, { jobTitle: null }); } })) },
  { key: "restoreUser.liveUser", defect: "restoring a live user succeeds", source: mutant((d) => ({ restoreUser: async (id, o) => { const u = d.admin.getUser(id); return u && !u.deletedDateTime ? u : d.restoreUser(id, o); } })) },
  { key: "restoreUser.unknownUser", defect: "the wrong error type", source: mutant((d) => ({ restoreUser: async (id, o) => { try { return await d.restoreUser(id, o); } catch { throw new InvalidValueError(`cannot restore ${id}`); } } })) },
  { key: "trust.untrustedSource", defect: "writes made as the trusted tenant whoever asks", source: mutant((d, ctx) => ({ updateUser: (id, c, o) => d.updateUser(id, c, { ...o, sourceTenantId: ctx.sourceTenantId }) })) },
  { key: "trust.withdrawn", defect: "trust re-granted before each write", source: mutant((d, ctx) => { const regrant = () => d.admin.setPartnerSettings({ tenantId: ctx.sourceTenantId, userSyncInbound: { isSyncAllowed: true }, automaticUserConsentSettings: { inboundAllowed: true } }); return { softDeleteUser: (id, o) => (regrant(), d.softDeleteUser(id, o)) }; }) },
  { key: "abort.reads", defect: "getUser ignores its signal", source: mutant((d) => ({ getUser: (id, o) => d.getUser(id, withoutSignal(o)) })) },
  { key: "abort.writes", defect: "setManager ignores its signal", source: mutant((d) => ({ setManager: (id, m, o) => d.setManager(id, m, withoutSignal(o)) })) },
  { key: "abort.betweenPages", defect: "listUsers reads the signal only before the first page", source: mutant((d) => ({ listUsers: (o) => { const inner = d.listUsers(withoutSignal(o)); return { async *[Symbol.asyncIterator]() { if (o?.signal?.aborted) throw o.signal.reason; yield* inner; } }; } })) },
  { key: "properties.writeRoundTrip", defect: "updateUser drops preferredLanguage", source: mutant((d) => ({ updateUser: (id, c, o) => { const { preferredLanguage: _p, ...rest } = c; return d.updateUser(id, rest, o); } })) },
  { key: "properties.model", defect: "a second update of a user returns the first update's result", source: mutant((d) => { const last = new Map<string, DirectoryUser>(); return { updateUser: async (id, c, o) => { const u = await d.updateUser(id, c, o); const stale = last.get(id); last.set(id, u); return stale ?? u; } }; }) },
  { key: "convergence.fromScratch", defect: "getUser shows a stale displayName", source: mutant((d) => ({ getUser: async (id, o) => { const u = await d.getUser(id, o); return u && { ...u, displayName: `${u.displayName}!` }; } })) },
  { key: "convergence.afterSourceChanges", defect: "softDeleteUser does nothing", source: mutant((d) => ({ softDeleteUser: async (id, o) => { await d.getUser(id, o); } })) },
];

describe("directory kit", () => {
  it("has exactly one test per key, and every key has a mutant that it catches", () => {
    const keys = directoryCases().map((c) => c.key);
    expect([...keys].sort()).toEqual([...DIRECTORY_CONFORMANCE_TESTS].sort());
    const uncaught = DIRECTORY_CONFORMANCE_TESTS.filter((k) => !MUTANTS.some((m) => m.key === k));
    // groups.memberRemoved needs the backend itself to misbehave: no port-level mutant breaks it.
    expect(uncaught).toEqual(["groups.memberRemoved"]);
  });

  it("refuses unknown keys in disable, naming them", () => {
    expect(() =>
      registerCases([], { suite: "kit", known: DIRECTORY_CONFORMANCE_TESTS, disable: ["getUser.nope" as DirectoryConformanceTest], setup: async () => null, teardown: async () => {} }),
    ).toThrow(/unknown test keys in disable: "getUser.nope"/);
  });

  it("gates tests on the capabilities override and the probe, with a note naming what is missing", async () => {
    const fx = await makeDirectoryFixture({ ...healthy, capabilities: { changeFeed: false }, probe: (d) => { const { addGroup: _a, ...rest } = memoryProbe(d); return rest; } });
    try {
      const cases = directoryCases();
      const reason = (key: DirectoryConformanceTest) => cases.find((c) => c.key === key)!.requires?.(fx) ?? null;
      expect(reason("changes.fromNow")).toBe("not applicable: the adapter declares capabilities.changeFeed false");
      expect(reason("groups.directMembers")).toBe("not applicable: the probe has no probe.addGroup");
      expect(reason("getUser.returnsStored")).toBeNull();
      // capabilities.honest holds the adapter to what it declares itself, not to the override.
      await cases.find((c) => c.key === "capabilities.honest")!.run(fx);
    } finally {
      await fx.release();
    }
  });

  it.each(MUTANTS)("$key catches a directory where $defect", { timeout: 120_000 }, async ({ key, source }) => {
    await expect(runCase(key, source)).rejects.toThrow();
    await runCase(key, healthy);
  });
});
