/**
 * A conformance suite for any DirectoryPort, written to move unchanged into
 * `@tenantsync/testkit`: it imports only vitest and `@tenantsync/core`.
 *
 * An adapter author supplies a factory that makes a fresh, empty-enough
 * directory per test and a *probe*: a backdoor that arranges data in the
 * backend and reads what was really stored, so no test trusts the adapter's
 * own reads to check its writes.
 */
import {
  AbortedError,
  CursorExpiredError,
  NotFoundError,
  PolicyError,
  type ChangePage,
  type CreateExternalUserInput,
  type DirectoryCapabilities,
  type DirectoryChange,
  type DirectoryPort,
  type PartnerSettings,
} from "@tenantsync/core";
import { afterEach, describe, expect, it } from "vitest";

/** A user as the backend really holds it, read through the backdoor. */
export interface ProbedUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  mail: string | null;
  jobTitle: string | null;
  department: string | null;
  managerId: string | null;
  origin: "internal" | "external";
  /** The anchor the adapter stamped, whatever attribute holds it in the backend. */
  alternativeSecurityId: { tenantId: string; userId: string } | null;
  /** True while the user sits in the soft-delete bin. */
  deleted: boolean;
}

/** What the probe can arrange: an internal member by default. */
export interface ProbeUserInput {
  userPrincipalName: string;
  displayName: string;
  mail?: string | null;
  jobTitle?: string | null;
  managerId?: string | null;
}

/** The backdoor of a backend: arranges data and reads what is really stored. */
export interface DirectoryProbe {
  addUser(input: ProbeUserInput): Promise<string>;
  updateUser(id: string, changes: { jobTitle?: string | null; department?: string | null }): Promise<void>;
  softDeleteUser(id: string): Promise<void>;
  hardDeleteUser(id: string): Promise<void>;
  addGroup(displayName: string, memberIds: readonly string[]): Promise<string>;
  addMember(groupId: string, memberId: string): Promise<void>;
  removeMember(groupId: string, memberId: string): Promise<void>;
  setPartnerSettings(settings: PartnerSettings): Promise<void>;
  readUser(id: string): Promise<ProbedUser | null>;
}

/** One fresh directory under test, its backend, and the tenants involved. */
export interface ContractSubject<Backend> {
  directory: DirectoryPort;
  backend: Backend;
  /** The tenant the directory stands for. */
  tenantId: string;
  /** A partner tenant (GUID) whose users are synced into this directory in target tests. */
  sourceTenantId: string;
  close?: () => Promise<void>;
}

/** The tests of the suite, by name, for `disable`. */
export type DirectoryContractTest =
  | "describe"
  | "listUsers"
  | "getUser"
  | "listGroupMembers"
  | "changeFeedUsers"
  | "changeFeedResume"
  | "changeFeedMemberships"
  | "changeFeedBadCursor"
  | "partnerSettings"
  | "createAndFind"
  | "createRequiresTrust"
  | "updateUser"
  | "setManager"
  | "softDeleteAndRestore"
  | "notFound"
  | "abort";

/** Options of {@link directoryContract}. */
export interface DirectoryContractOptions<Backend> {
  /** Shown in the suite's title. */
  name: string;
  /** Makes a fresh directory for one test. */
  create: () => Promise<ContractSubject<Backend>>;
  /** The backdoor over a subject's backend. */
  probe: (backend: Backend) => DirectoryProbe;
  /** What the adapter can do; tests of missing capabilities are not registered. Default: everything. */
  capabilities?: Partial<DirectoryCapabilities>;
  /** Tests to leave out, with the reason in a comment at the call site. */
  disable?: readonly DirectoryContractTest[];
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

async function changesOf(pages: AsyncIterable<ChangePage>): Promise<{ changes: DirectoryChange[]; cursor: string }> {
  const all = await collect(pages);
  const last = all[all.length - 1];
  if (!last) throw new Error("readChanges yielded no page: it must yield at least one, carrying the next cursor");
  return { changes: all.flatMap((p) => p.changes), cursor: last.cursor };
}

const userIdOf = (change: DirectoryChange): string | null => (change.type === "user" ? change.user.id : change.type === "userRemoved" ? change.userId : null);

/**
 * Registers the DirectoryPort conformance suite for one adapter.
 *
 * @example
 * ```ts
 * directoryContract({
 *   name: "memory",
 *   create: async () => { const d = createMemoryDirectory({ tenant }); return { directory: d, backend: d, tenantId: tenant.id, sourceTenantId: SOURCE }; },
 *   probe: (d) => memoryProbe(d),
 * });
 * ```
 */
export function directoryContract<Backend>(options: DirectoryContractOptions<Backend>): void {
  const caps = { source: true, target: true, changeFeed: true, restore: true, manager: true, transitiveMembers: true, partnerSettings: true, ...options.capabilities };
  const disabled = new Set(options.disable ?? []);
  let current: ContractSubject<Backend> | undefined;

  const setup = async () => {
    current = await options.create();
    return { subject: current, directory: current.directory, probe: options.probe(current.backend) };
  };
  const test = (name: DirectoryContractTest, title: string, needs: boolean, body: () => Promise<void>) => {
    if (!needs || disabled.has(name)) return;
    it(`${name}: ${title}`, body);
  };
  const trust = (probe: DirectoryProbe, subject: ContractSubject<Backend>) =>
    probe.setPartnerSettings({ tenantId: subject.sourceTenantId, userSyncInbound: { isSyncAllowed: true }, automaticUserConsentSettings: { inboundAllowed: true, outboundAllowed: false } });
  const newUser = (subject: ContractSubject<Backend>, userId: string, extra: Partial<CreateExternalUserInput["attributes"]> = {}): CreateExternalUserInput => ({
    alternativeSecurityId: { tenantId: subject.sourceTenantId, userId },
    userType: "Member",
    attributes: { userPrincipalName: `${userId}@source.example.com`, mail: `${userId}@source.example.com`, displayName: `Contract ${userId}`, jobTitle: "Tester", ...extra },
  });

  describe(`DirectoryPort contract: ${options.name}`, () => {
    afterEach(async () => {
      await current?.close?.();
      current = undefined;
    });

    test("describe", "describes its tenant", true, async () => {
      const { subject, directory } = await setup();
      const tenant = await directory.describe();
      expect(tenant.id.toLowerCase()).toBe(subject.tenantId.toLowerCase());
      expect(tenant.verifiedDomains.length).toBeGreaterThan(0);
    });

    test("listUsers", "lists every live user once, in pages, and no soft-deleted one", caps.source, async () => {
      const { directory, probe } = await setup();
      const ids = [];
      for (let i = 0; i < 7; i++) ids.push(await probe.addUser({ userPrincipalName: `list${i}@contract.example.com`, displayName: `List ${i}` }));
      await probe.softDeleteUser(ids[6] as string);
      const pages = await collect(directory.listUsers({ pageSize: 3 }));
      const listed = pages.flat().map((u) => u.id);
      expect(new Set(listed).size).toBe(listed.length);
      for (const id of ids.slice(0, 6)) expect(listed).toContain(id);
      expect(listed).not.toContain(ids[6]);
    });

    test("getUser", "gets a user, null when missing, a soft-deleted one only with includeDeleted", caps.source, async () => {
      const { directory, probe } = await setup();
      const boss = await probe.addUser({ userPrincipalName: "boss@contract.example.com", displayName: "Boss" });
      const id = await probe.addUser({ userPrincipalName: "get@contract.example.com", displayName: "Get", jobTitle: "Analyst", managerId: boss });
      const user = await directory.getUser(id);
      expect(user).toMatchObject({ id, displayName: "Get", jobTitle: "Analyst", origin: "internal", deletedDateTime: null, ...(caps.manager ? { managerId: boss } : {}) });
      expect(await directory.getUser("00000000-0000-4000-8000-00000000dead")).toBeNull();
      await probe.softDeleteUser(id);
      expect(await directory.getUser(id)).toBeNull();
      expect((await directory.getUser(id, { includeDeleted: true }))?.deletedDateTime).not.toBeNull();
    });

    test("listGroupMembers", "lists direct members, transitive ones when asked, NotFoundError for a missing group", caps.source, async () => {
      const { directory, probe } = await setup();
      const a = await probe.addUser({ userPrincipalName: "ga@contract.example.com", displayName: "GA" });
      const b = await probe.addUser({ userPrincipalName: "gb@contract.example.com", displayName: "GB" });
      const inner = await probe.addGroup("Inner", [b]);
      const outer = await probe.addGroup("Outer", [a, inner]);
      expect((await collect(directory.listGroupMembers(outer))).flat()).toEqual([a]);
      if (caps.transitiveMembers) expect((await collect(directory.listGroupMembers(outer, { transitive: true }))).flat().sort()).toEqual([a, b].sort());
      await expect(collect(directory.listGroupMembers("00000000-0000-4000-8000-00000000beef"))).rejects.toBeInstanceOf(NotFoundError);
    });

    test("changeFeedUsers", "reports changed users and soft (restorable) vs permanent removals after a cursor", caps.changeFeed, async () => {
      const { directory, probe } = await setup();
      const a = await probe.addUser({ userPrincipalName: "fa@contract.example.com", displayName: "FA" });
      const b = await probe.addUser({ userPrincipalName: "fb@contract.example.com", displayName: "FB" });
      const c = await probe.addUser({ userPrincipalName: "fc@contract.example.com", displayName: "FC" });
      const cursor = await directory.currentCursor();
      await probe.updateUser(a, { jobTitle: "Changed" });
      await probe.softDeleteUser(b);
      await probe.hardDeleteUser(c);
      const { changes } = await changesOf(directory.readChanges(cursor));
      const last = (id: string) => changes.filter((ch) => userIdOf(ch) === id).at(-1);
      const changed = last(a);
      expect(changed?.type === "user" && changed.user.jobTitle).toBe("Changed");
      expect(last(b)).toEqual({ type: "userRemoved", userId: b, permanent: false });
      expect(last(c)).toEqual({ type: "userRemoved", userId: c, permanent: true });
    });

    test("changeFeedResume", "a returned cursor resumes after what was read (nothing twice when idle)", caps.changeFeed, async () => {
      const { directory, probe } = await setup();
      const cursor = await directory.currentCursor();
      const id = await probe.addUser({ userPrincipalName: "resume@contract.example.com", displayName: "Resume" });
      const first = await changesOf(directory.readChanges(cursor));
      expect(first.changes.map(userIdOf)).toContain(id);
      const again = await changesOf(directory.readChanges(first.cursor));
      expect(again.changes.map(userIdOf)).not.toContain(id);
    });

    test("changeFeedMemberships", "reports membership changes of the groups asked for, not of others", caps.changeFeed, async () => {
      const { directory, probe } = await setup();
      const a = await probe.addUser({ userPrincipalName: "ma@contract.example.com", displayName: "MA" });
      const b = await probe.addUser({ userPrincipalName: "mb@contract.example.com", displayName: "MB" });
      const assigned = await probe.addGroup("Assigned", [a]);
      const other = await probe.addGroup("Other", []);
      const cursor = await directory.currentCursor({ groupIds: [assigned] });
      await probe.addMember(assigned, b);
      await probe.removeMember(assigned, a);
      await probe.addMember(other, a);
      const { changes } = await changesOf(directory.readChanges(cursor, { groupIds: [assigned] }));
      const memberships = changes.filter((c) => c.type === "membership");
      expect(memberships).toContainEqual({ type: "membership", groupId: assigned, memberId: b, removed: false });
      expect(memberships).toContainEqual({ type: "membership", groupId: assigned, memberId: a, removed: true });
      expect(memberships.some((m) => m.type === "membership" && m.groupId === other)).toBe(false);
    });

    test("changeFeedBadCursor", "rejects a cursor it did not issue with CursorExpiredError", caps.changeFeed, async () => {
      const { directory } = await setup();
      await expect(changesOf(directory.readChanges("not-a-cursor"))).rejects.toBeInstanceOf(CursorExpiredError);
    });

    test("partnerSettings", "reads the trust settings it holds about a partner, null when none", caps.partnerSettings, async () => {
      const { subject, directory, probe } = await setup();
      expect(await directory.getPartnerSettings(subject.sourceTenantId)).toBeNull();
      await trust(probe, subject);
      expect(await directory.getPartnerSettings(subject.sourceTenantId)).toEqual({
        tenantId: subject.sourceTenantId,
        userSyncInbound: { isSyncAllowed: true },
        automaticUserConsentSettings: { inboundAllowed: true, outboundAllowed: false },
      });
    });

    test("createAndFind", "creates an external user that the backend holds with its anchor, found by it", caps.target, async () => {
      const { subject, directory, probe } = await setup();
      await trust(probe, subject);
      const created = await directory.createExternalUser(newUser(subject, "create-1"), { sourceTenantId: subject.sourceTenantId });
      expect(created).toMatchObject({ origin: "external", userType: "Member", displayName: "Contract create-1", jobTitle: "Tester", alternativeSecurityId: { tenantId: subject.sourceTenantId, userId: "create-1" } });
      expect(created.userPrincipalName).toContain("#EXT#");
      const stored = await probe.readUser(created.id);
      expect(stored).toMatchObject({ origin: "external", deleted: false, jobTitle: "Tester", alternativeSecurityId: { tenantId: subject.sourceTenantId, userId: "create-1" } });
      const found = await directory.findUsers({ alternativeSecurityId: { tenantId: subject.sourceTenantId, userId: "create-1" } });
      expect(found.map((u) => u.id)).toEqual([created.id]);
      expect(await directory.findUsers({ alternativeSecurityId: { tenantId: subject.sourceTenantId, userId: "nobody" } })).toEqual([]);
    });

    test("createRequiresTrust", "refuses sync writes the target's trust settings do not allow (PolicyError), writing nothing", caps.target, async () => {
      const { subject, directory } = await setup();
      await expect(directory.createExternalUser(newUser(subject, "untrusted"), { sourceTenantId: subject.sourceTenantId })).rejects.toBeInstanceOf(PolicyError);
      expect(await directory.findUsers({ attribute: "mail", value: "untrusted@source.example.com", includeDeleted: true })).toEqual([]);
    });

    test("updateUser", "writes attributes (null clears) and returns the user as stored", caps.target, async () => {
      const { subject, directory, probe } = await setup();
      await trust(probe, subject);
      const created = await directory.createExternalUser(newUser(subject, "update-1", { department: "R&D" }), { sourceTenantId: subject.sourceTenantId });
      const updated = await directory.updateUser(created.id, { jobTitle: "Lead", department: null }, { sourceTenantId: subject.sourceTenantId });
      expect(updated).toMatchObject({ id: created.id, jobTitle: "Lead", department: null });
      expect(await probe.readUser(created.id)).toMatchObject({ jobTitle: "Lead", department: null });
    });

    test("setManager", "sets and clears a manager reference", caps.target && caps.manager, async () => {
      const { subject, directory, probe } = await setup();
      await trust(probe, subject);
      const write = { sourceTenantId: subject.sourceTenantId };
      const boss = await directory.createExternalUser(newUser(subject, "mgr-boss"), write);
      const report = await directory.createExternalUser(newUser(subject, "mgr-report"), write);
      await directory.setManager(report.id, boss.id, write);
      expect((await probe.readUser(report.id))?.managerId).toBe(boss.id);
      await directory.setManager(report.id, null, write);
      expect((await probe.readUser(report.id))?.managerId).toBeNull();
    });

    test("softDeleteAndRestore", "soft-deletes into the bin (findable with includeDeleted) and restores the same account", caps.target && caps.restore, async () => {
      const { subject, directory, probe } = await setup();
      await trust(probe, subject);
      const write = { sourceTenantId: subject.sourceTenantId };
      const anchor = { tenantId: subject.sourceTenantId, userId: "bin-1" };
      const created = await directory.createExternalUser(newUser(subject, "bin-1"), write);
      await directory.softDeleteUser(created.id, write);
      expect((await probe.readUser(created.id))?.deleted).toBe(true);
      expect(await directory.findUsers({ alternativeSecurityId: anchor })).toEqual([]);
      expect((await directory.findUsers({ alternativeSecurityId: anchor, includeDeleted: true })).map((u) => u.id)).toEqual([created.id]);
      const restored = await directory.restoreUser(created.id, write);
      expect(restored).toMatchObject({ id: created.id, deletedDateTime: null, jobTitle: "Tester" });
      expect((await probe.readUser(created.id))?.deleted).toBe(false);
    });

    test("notFound", "answers writes to missing users with NotFoundError", caps.target, async () => {
      const { subject, directory, probe } = await setup();
      await trust(probe, subject);
      const write = { sourceTenantId: subject.sourceTenantId };
      const missing = "00000000-0000-4000-8000-00000000f00d";
      await expect(directory.updateUser(missing, { jobTitle: "x" }, write)).rejects.toBeInstanceOf(NotFoundError);
      await expect(directory.softDeleteUser(missing, write)).rejects.toBeInstanceOf(NotFoundError);
      if (caps.restore) await expect(directory.restoreUser(missing, write)).rejects.toBeInstanceOf(NotFoundError);
    });

    test("abort", "rejects with AbortedError when the signal is already aborted", true, async () => {
      const { directory } = await setup();
      const signal = AbortSignal.abort(new Error("stop"));
      await expect(directory.describe({ signal })).rejects.toBeInstanceOf(AbortedError);
      if (caps.source) await expect(collect(directory.listUsers({ signal }))).rejects.toBeInstanceOf(AbortedError);
    });
  });
}
