import {
  CapabilityError,
  ConfigError,
  DEFAULT_DIRECTORY_CAPABILITIES,
  InvalidValueError,
  PartnerSettings as PartnerSettingsSchema,
  PolicyError,
  parseDirectoryUser,
  parseTenant,
  systemClock,
} from "@tenantsync/core";
import type {
  CallOptions,
  ChangeFeedOptions,
  ChangePage,
  Clock,
  Cloud,
  ConfigIssue,
  CreateExternalUserInput,
  DirectoryCapabilities,
  DirectoryChange,
  DirectoryPort,
  DirectoryUser,
  DirectoryUserInput,
  GetUserOptions,
  Group,
  ListUsersOptions,
  PartnerSettings,
  Tenant,
  UserAttributes,
  UserQuery,
  WriteOptions,
} from "@tenantsync/core";
import { EntryKind, decodeCursor, encodeCursor } from "./change-log.ts";
import { DirectoryState } from "./directory-state.ts";
import { externalUserPrincipalName } from "./external-user-principal-name.ts";
import { MEMORY_PORT_METHODS, checkFaultOptions, createFaultInjector, type FaultCounts, type FaultInjector, type FaultOptions, type MemoryPortMethod } from "./fault-injector.ts";
import { seedFromString } from "./seeded-random.ts";
import { applyUserAttributes, assignNewUserAttributes, blankUser, checkUserAttributes, copyUser } from "./user-attributes.ts";

/**
 * The tenant a memory directory stands for (validated like core's `Tenant`; `verifiedDomains[0]` is the default domain).
 *
 * @example
 * ```ts
 * const tenant: MemoryTenantInput = { id: "22222222-2222-4222-8222-222222222222", displayName: "Fabrikam", verifiedDomains: ["fabrikam.com"] };
 * ```
 */
export interface MemoryTenantInput {
  id: string;
  displayName: string;
  cloud?: Cloud;
  verifiedDomains: readonly string[];
}

/**
 * Options of {@link createMemoryDirectory}.
 *
 * @example
 * ```ts
 * const options: MemoryDirectoryOptions = { tenant, clock: createManualClock(), pageSize: 100, seed: 1 };
 * ```
 */
export interface MemoryDirectoryOptions {
  /** The tenant: id (GUID), display name, cloud, verified domains. */
  tenant: MemoryTenantInput;
  /** Time for deletedDateTime, createdDateTime, the 30-day purge and fault latency. Default `systemClock`. */
  clock?: Clock;
  /** Page size of listUsers, listGroupMembers and readChanges. Default 1000. */
  pageSize?: number;
  /** Faults injected into port calls (see {@link FaultOptions}). Default none. */
  faults?: FaultOptions;
  /** Seed of the id generator (and default seed of faults). Default: derived from the tenant id. */
  seed?: number;
}

/**
 * What {@link MemoryDirectoryAdmin.addUser} accepts: core's `DirectoryUserInput` with an optional id (a seeded GUID when absent).
 *
 * @example
 * ```ts
 * const input: MemoryUserInput = { userPrincipalName: "adele@fabrikam.com", displayName: "Adele Vance", department: "Sales" };
 * ```
 */
export type MemoryUserInput = Omit<DirectoryUserInput, "id"> & { id?: string };

/**
 * What {@link MemoryDirectoryAdmin.addGroup} accepts.
 *
 * @example
 * ```ts
 * const group = directory.admin.addGroup({ displayName: "Sales", members: [adele.id, nestedGroup.id] });
 * ```
 */
export interface MemoryGroupInput {
  /** Default: a seeded GUID. */
  id?: string;
  displayName: string;
  /** Direct members (user or group ids) added in order. */
  members?: readonly string[];
}

/**
 * What {@link MemoryDirectoryAdmin.setPartnerSettings} accepts: core's `PartnerSettings` with every flag optional (default false).
 *
 * @example
 * ```ts
 * directory.admin.setPartnerSettings({ tenantId: SOURCE, userSyncInbound: { isSyncAllowed: true }, automaticUserConsentSettings: { inboundAllowed: true } });
 * ```
 */
export interface PartnerSettingsInput {
  tenantId: string;
  userSyncInbound?: { isSyncAllowed?: boolean };
  automaticUserConsentSettings?: { inboundAllowed?: boolean; outboundAllowed?: boolean };
}

/**
 * A plain, JSON-serializable copy of a whole tenant, in a deterministic order
 * (everything sorted by id; group members and extension keys sorted).
 *
 * @example
 * ```ts
 * const { users, bin, groups } = directory.admin.snapshot();
 * await writeFile("tenant.json", JSON.stringify(directory.admin.snapshot(), null, 2));
 * ```
 */
export interface MemoryDirectorySnapshot {
  tenant: Tenant;
  /** Live users. */
  users: DirectoryUser[];
  /** Soft-deleted users (deletedDateTime set). */
  bin: DirectoryUser[];
  /** Groups with their direct members (users of any state, and nested groups). */
  groups: Group[];
  /** The partner settings this tenant holds, sorted by partner tenant id. */
  partnerSettings: PartnerSettings[];
}

/**
 * Counters of port usage, for tests that prove work is proportional to change. Admin calls are not counted.
 *
 * @example
 * ```ts
 * directory.admin.resetStats();
 * await job.runCycle();
 * expect(directory.admin.stats().calls.updateUser).toBe(1);
 * ```
 */
export interface MemoryDirectoryStats {
  /** Invocations per port method (a paged read counts once). */
  calls: Record<MemoryPortMethod, number>;
  /** Requests: each promise-returning call plus each page of a paged read (the unit faults apply to). */
  requests: number;
  /** Users returned by listUsers. */
  usersListed: number;
  /** Changes returned by readChanges. */
  changesRead: number;
  /** Faults injected so far. */
  faults: FaultCounts;
}

/**
 * The tenant's own administrator: direct access for tests, simulations and the
 * Graph emulator. Admin calls are synchronous, bypass consent and ownership
 * checks and fault injection, are not counted in stats, but obey the
 * directory's rules (uniqueness, references, the bin) and appear in the
 * change feed like any other change. Errors are core's typed errors.
 *
 * @example
 * ```ts
 * const u = directory.admin.addUser({ userPrincipalName: "adele@contoso.com", displayName: "Adele Vance" });
 * directory.admin.deleteUser(u.id);
 * directory.admin.advanceClock(30 * 24 * 3600 * 1000); // purged
 * ```
 */
export interface MemoryDirectoryAdmin {
  /** Adds a user (validated with core's DirectoryUser schema: ConfigError; ConflictError on a taken id/UPN/mail/mailNickname; NotFoundError for a missing manager). */
  addUser(input: MemoryUserInput): DirectoryUser;
  /** Writes attributes of a live user as given (no `#EXT#` derivation); `null` clears. ConfigError on a bad value. */
  updateUser(id: string, changes: UserAttributes): DirectoryUser;
  /** accountEnabled = false. */
  disableUser(id: string): DirectoryUser;
  /** accountEnabled = true. */
  enableUser(id: string): DirectoryUser;
  /** Soft-deletes a live user (into the bin, purged after 30 days); returns it with deletedDateTime. */
  deleteUser(id: string): DirectoryUser;
  /** Restores a user from the bin (NotFoundError when it is not there). */
  restoreUser(id: string): DirectoryUser;
  /** Deletes a live or soft-deleted user permanently. */
  hardDeleteUser(id: string): void;
  /** A live or soft-deleted user, or null. */
  getUser(id: string): DirectoryUser | null;
  /** Sets (or with null clears) a live user's manager; the manager must be a live user. */
  setManager(id: string, managerId: string | null): DirectoryUser;
  /** Creates a group, optionally with direct members. */
  addGroup(input: MemoryGroupInput): Group;
  /** Deletes a group (it also leaves the groups it was nested in). */
  deleteGroup(id: string): void;
  /** Adds a live user or a group as a direct member (ConflictError when already a member). */
  addMember(groupId: string, memberId: string): void;
  /** Removes a direct member (NotFoundError when not a member). */
  removeMember(groupId: string, memberId: string): void;
  /** A group with its direct members, or null. */
  getGroup(id: string): Group | null;
  /** Creates or replaces the settings this tenant holds about a partner tenant. */
  setPartnerSettings(input: PartnerSettingsInput): PartnerSettings;
  /** Removes them; false when there were none. */
  removePartnerSettings(partnerTenantId: string): boolean;
  /** Moves a ManualClock forward (CapabilityError for other clocks), then purges the bin. */
  advanceClock(ms: number): void;
  /** Purges users soft-deleted 30 days ago or more; returns their ids. (Also done lazily on every call.) */
  purgeExpired(): string[];
  /** A deterministic plain copy of the whole tenant. */
  snapshot(): MemoryDirectorySnapshot;
  /** Port usage counters since creation or the last resetStats. */
  stats(): MemoryDirectoryStats;
  resetStats(): void;
  /** Replaces the fault options (null: no faults); the fault dice restart from the seed. */
  setFaults(faults: FaultOptions | null): void;
}

/**
 * A faithful in-memory tenant: a `DirectoryPort` (name `memory`, every
 * capability) plus {@link MemoryDirectoryAdmin}.
 *
 * @example
 * ```ts
 * const directory: MemoryDirectory = createMemoryDirectory({ tenant, clock });
 * for await (const page of directory.listUsers()) console.log(page.length);
 * ```
 */
export interface MemoryDirectory extends DirectoryPort {
  readonly name: "memory";
  /**
   * Several `findUsers` queries answered in one call (core's optional batch
   * method; the engine matches a chunk of users through it). Counts as one
   * `findUsers` call and one request in stats and fault injection; a
   * malformed query fails the whole call with InvalidValueError.
   *
   * @example
   * ```ts
   * const [byAnchor, byMail] = await directory.findUsersBatch([
   *   { alternativeSecurityId: { tenantId: SOURCE, userId: "u1" }, includeDeleted: true },
   *   { attribute: "mail", value: "adele@contoso.com" },
   * ]);
   * ```
   */
  findUsersBatch(queries: readonly UserQuery[], options?: CallOptions): Promise<DirectoryUser[][]>;
  /** The tenant (frozen). */
  readonly tenant: Tenant;
  /** The clock the directory uses. */
  readonly clock: Clock;
  readonly admin: MemoryDirectoryAdmin;
}

const states = new WeakMap<MemoryDirectory, DirectoryState>();

/** The state behind a directory (package-internal: used by the mesh builder for fast bulk loading). */
export function stateOf(directory: MemoryDirectory): DirectoryState {
  const state = states.get(directory);
  if (!state) throw new TypeError("not a directory created by createMemoryDirectory");
  return state;
}

const CAPABILITIES: DirectoryCapabilities = Object.freeze({ ...DEFAULT_DIRECTORY_CAPABILITIES, managerOnCreate: true });

const emptyCalls = (): Record<MemoryPortMethod, number> => Object.fromEntries(MEMORY_PORT_METHODS.map((m) => [m, 0])) as Record<MemoryPortMethod, number>;

/**
 * Creates an in-memory tenant that implements core's `DirectoryPort` for
 * real: unique UPN/mail/mailNickname across live and soft-deleted users,
 * external users with Entra-style `#EXT#` names, groups with nested and
 * transitive membership, manager references, a soft-delete bin purged after
 * 30 days on the injected clock, a Graph-delta-like change feed with opaque
 * cursors, partner settings that the directory itself enforces on every
 * write, and deterministic fault injection. See docs/memory-directory.md.
 *
 * @example
 * ```ts
 * const target = createMemoryDirectory({
 *   tenant: { id: "22222222-2222-4222-8222-222222222222", displayName: "Fabrikam", verifiedDomains: ["fabrikam.com"] },
 *   clock: createManualClock(),
 * });
 * target.admin.setPartnerSettings({ tenantId: SOURCE, userSyncInbound: { isSyncAllowed: true } });
 * const user = await target.createExternalUser(
 *   { alternativeSecurityId: { tenantId: SOURCE, userId: "u1" }, userType: "Member", attributes: { userPrincipalName: "adele@contoso.com", displayName: "Adele" } },
 *   { sourceTenantId: SOURCE },
 * );
 * user.userPrincipalName; // "adele_contoso.com#EXT#@fabrikam.com"
 * ```
 */
export function createMemoryDirectory(options: MemoryDirectoryOptions): MemoryDirectory {
  const tenant = parseTenant(options?.tenant);
  Object.freeze(tenant.verifiedDomains);
  Object.freeze(tenant);
  const tenantId = tenant.id;
  const defaultDomain = tenant.verifiedDomains[0]!;
  const clock = options.clock ?? systemClock;
  const pageSize = options.pageSize ?? 1000;
  if (!(Number.isInteger(pageSize) && pageSize >= 1)) throw new ConfigError([{ path: ["pageSize"], message: "must be an integer >= 1" }], "memory directory options");
  const seed = options.seed ?? seedFromString(tenantId);
  if (!Number.isFinite(seed)) throw new ConfigError([{ path: ["seed"], message: "must be a finite number" }], "memory directory options");
  const state = new DirectoryState(tenant, clock, seed);
  const noFaults = (): FaultCounts => ({ throttled: 0, transient: 0, failed: 0, delayed: 0 });
  const faultCounts = noFaults();
  let faults: FaultInjector = createFaultInjector(options.faults ?? null, tenantId, clock, seed, faultCounts);
  let calls = emptyCalls();
  let counters = { requests: 0, usersListed: 0, changesRead: 0 };

  const where = `memory directory ${tenantId}`;

  /**
   * One request: faults (which may sleep or throw), then the lazy purge.
   * Returns a promise only when a fault needs to wait (no promise per call on
   * the fast path: callers `await` it either way).
   */
  const request = (method: MemoryPortMethod, signal: AbortSignal | undefined): Promise<void> | void => {
    counters.requests++;
    const pending = faults.before(method, signal);
    if (pending === undefined) {
      state.purgeExpired();
      return;
    }
    return pending.then(() => {
      state.purgeExpired();
    });
  };

  const invalid = (method: string, issues: ConfigIssue[]): InvalidValueError => {
    const first = issues[0]!;
    const lines = issues.map((i) => `${i.path.join(".") || "(input)"}: ${i.message}`).join("; ");
    return new InvalidValueError(`${where}: ${method} refused an invalid value: ${lines}`, { property: first.path.map(String).join(".") || undefined, tenantId, status: 400 });
  };

  /** R3 defence in depth: the write must come from a partner whose inbound user sync this tenant allows. */
  const authorize = (method: MemoryPortMethod, writeOptions: WriteOptions | undefined): string => {
    const source = writeOptions?.sourceTenantId;
    if (typeof source !== "string" || source.length === 0) {
      throw new PolicyError(`${where}: ${method} refused: options.sourceTenantId is missing; every sync write names the tenant it is made for`, {
        tenantId,
        setting: "userSyncInbound.isSyncAllowed",
      });
    }
    const settings = state.partnerSettings.get(source.toLowerCase());
    if (!settings?.userSyncInbound.isSyncAllowed) {
      const why = settings ? "its partner settings for that tenant have userSyncInbound.isSyncAllowed = false" : "it holds no partner settings for that tenant";
      throw new PolicyError(
        `${where}: ${method} refused: this tenant does not allow users to be synced in from tenant ${source} (${why}). The target's administrator must allow inbound user sync for the source tenant.`,
        { tenantId, partnerTenantId: source, setting: "userSyncInbound.isSyncAllowed" },
      );
    }
    return source;
  };

  /** A sync write may only touch external users whose home is the writing source (never internal users: R9). */
  const assertOwned = (method: MemoryPortMethod, user: DirectoryUser, source: string): void => {
    if (user.origin === "external" && user.homeTenantId !== null && user.homeTenantId.toLowerCase() === source.toLowerCase()) return;
    const why =
      user.origin === "internal"
        ? "it is an internal user of this tenant, and sync never writes or takes over internal users"
        : `it is an external user from tenant ${user.homeTenantId ?? "(unknown)"}, not from ${source}`;
    throw new PolicyError(`${where}: ${method} refused on user ${user.id} (${user.userPrincipalName}): ${why}`, {
      tenantId,
      partnerTenantId: source,
      setting: "homeTenantId",
      code: "POLICY_NOT_OWNER",
    });
  };

  /** For external users the target owns userPrincipalName and mailNickname: derive them from the source UPN. */
  const externalNames = (changes: UserAttributes): UserAttributes => {
    if (changes.userPrincipalName === undefined && changes.mailNickname === undefined) return changes;
    const out: UserAttributes = { ...changes };
    delete out.mailNickname;
    if (typeof changes.userPrincipalName === "string") {
      const names = externalUserPrincipalName(changes.userPrincipalName, defaultDomain);
      out.userPrincipalName = names.userPrincipalName;
      out.mailNickname = names.mailNickname;
    }
    return out;
  };

  const userChange = (id: string): DirectoryChange => {
    const live = state.users.get(id);
    if (live) return { type: "user", user: copyUser(live) };
    return { type: "userRemoved", userId: id, permanent: !state.bin.has(id) };
  };

  /** One page of the feed between `from` and `end`: each touched object's current state, de-duplicated. */
  const readPage = (from: number, end: number, tracked: ReadonlySet<string>): { changes: DirectoryChange[]; next: number } => {
    const { kinds, ids, members } = state.log;
    const seen = new Set<string>();
    const changes: DirectoryChange[] = [];
    let p = from;
    while (p < end && changes.length < pageSize) {
      const kind = kinds[p]!;
      const id = ids[p]!;
      const memberId = members[p]!;
      p++;
      if (kind === EntryKind.User) {
        if (seen.has(id)) continue;
        seen.add(id);
        changes.push(userChange(id));
      } else if (tracked.has(id)) {
        const key = kind === EntryKind.Membership ? `m\n${id}\n${memberId}` : `g\n${id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const group = state.groups.get(id);
        if (kind === EntryKind.Group) {
          if (!group) changes.push({ type: "groupRemoved", groupId: id });
        } else if (group) {
          // A member in the bin is not listed (listGroupMembers) and reads as removed.
          changes.push({ type: "membership", groupId: id, memberId, removed: !group.members.has(memberId) || state.bin.has(memberId) });
        }
      }
    }
    return { changes, next: p };
  };

  /** The users one findUsers query matches now (copies); InvalidValueError for a malformed query. */
  const findNow = (query: UserQuery, method: string, at: Array<string | number>): DirectoryUser[] => {
    let ids: string[];
    if (query && typeof query === "object" && "alternativeSecurityId" in query) {
      const alt = query.alternativeSecurityId;
      if (!alt || typeof alt.tenantId !== "string" || typeof alt.userId !== "string") {
        throw invalid(method, [{ path: [...at, "alternativeSecurityId"], message: "must be { tenantId, userId } strings" }]);
      }
      ids = state.findByAlternativeSecurityId(alt.tenantId, alt.userId);
    } else if (query && typeof query === "object" && "attribute" in query) {
      if (typeof query.value !== "string") throw invalid(method, [{ path: [...at, "value"], message: "must be a string" }]);
      ids = state.findByAttribute(query.attribute, query.value);
    } else {
      throw invalid(method, [{ path: at, message: "the query must be { alternativeSecurityId } or { attribute, value }" }]);
    }
    const out: DirectoryUser[] = [];
    for (const id of ids) {
      const user = state.users.get(id) ?? (query.includeDeleted ? state.bin.get(id)?.user : undefined);
      if (user) out.push(copyUser(user));
    }
    return out;
  };

  const admin: MemoryDirectoryAdmin = {
    addUser(input) {
      state.purgeExpired();
      const raw = input as MemoryUserInput | null;
      const generated = raw !== null && typeof raw === "object" && raw.id === undefined;
      const user = parseDirectoryUser(generated ? { ...raw, id: state.newId() } : raw);
      if (user.deletedDateTime !== null) {
        throw new ConfigError([{ path: ["deletedDateTime"], message: "add the user live, then soft-delete it with admin.deleteUser" }], "directory user");
      }
      if (user.managerId !== null) {
        if (user.managerId === user.id) throw new ConfigError([{ path: ["managerId"], message: "a user cannot be its own manager" }], "directory user");
        if (!state.users.has(user.managerId)) throw state.userNotFound(user.managerId, `(the manager of new user ${user.userPrincipalName}) is not a live user`);
      }
      user.createdDateTime ??= state.nowIso();
      state.insertUser(user, generated);
      return copyUser(user);
    },
    updateUser(id, changes) {
      state.purgeExpired();
      const user = state.liveUser(id);
      const issues = checkUserAttributes(changes, "update");
      if (issues.length > 0) throw new ConfigError(issues, `changes to user ${id}`);
      return copyUser(state.replaceUser(user, applyUserAttributes(user, changes)));
    },
    disableUser(id) {
      return admin.updateUser(id, { accountEnabled: false });
    },
    enableUser(id) {
      return admin.updateUser(id, { accountEnabled: true });
    },
    deleteUser(id) {
      state.purgeExpired();
      return copyUser(state.softDelete(state.liveUser(id)));
    },
    restoreUser(id) {
      state.purgeExpired();
      return copyUser(state.restore(id));
    },
    hardDeleteUser(id) {
      state.purgeExpired();
      state.hardDelete(id);
    },
    getUser(id) {
      state.purgeExpired();
      const user = state.anyUser(id);
      return user ? copyUser(user) : null;
    },
    setManager(id, managerId) {
      state.purgeExpired();
      const user = state.liveUser(id);
      if (managerId !== null) {
        if (managerId === id) throw new ConfigError([{ path: ["managerId"], message: `user ${id} cannot be its own manager` }], "manager reference");
        if (!state.users.has(managerId)) throw state.userNotFound(managerId, `cannot become the manager of ${id}: it is not a live user`);
      }
      return copyUser(state.setManager(user, managerId));
    },
    addGroup(input) {
      state.purgeExpired();
      const issues: ConfigIssue[] = [];
      if (!input || typeof input.displayName !== "string" || input.displayName.length === 0) issues.push({ path: ["displayName"], message: "is required" });
      if (input?.id !== undefined && (typeof input.id !== "string" || input.id.length === 0)) issues.push({ path: ["id"], message: "must be a non-empty string" });
      if (input?.members !== undefined && !Array.isArray(input.members)) issues.push({ path: ["members"], message: "must be an array of ids" });
      if (issues.length > 0) throw new ConfigError(issues, "group");
      const group = input.id === undefined ? state.addGroup(state.newId(), input.displayName, true) : state.addGroup(input.id, input.displayName);
      for (const member of input.members ?? []) state.addMember(group.id, member);
      return { id: group.id, displayName: group.displayName, members: [...group.members] };
    },
    deleteGroup(id) {
      state.purgeExpired();
      state.deleteGroup(id);
    },
    addMember(groupId, memberId) {
      state.purgeExpired();
      state.addMember(groupId, memberId);
    },
    removeMember(groupId, memberId) {
      state.purgeExpired();
      state.removeMember(groupId, memberId);
    },
    getGroup(id) {
      state.purgeExpired();
      const group = state.groups.get(id);
      return group ? { id: group.id, displayName: group.displayName, members: [...group.members] } : null;
    },
    setPartnerSettings(input) {
      const parsed = PartnerSettingsSchema.safeParse(input);
      if (!parsed.success) {
        throw new ConfigError(
          parsed.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === "symbol" ? String(p) : p)), message: i.message })),
          "partner settings",
        );
      }
      if (parsed.data.tenantId.toLowerCase() === tenantId.toLowerCase()) {
        throw new ConfigError([{ path: ["tenantId"], message: "a tenant holds partner settings about other tenants, not about itself" }], "partner settings");
      }
      state.partnerSettings.set(parsed.data.tenantId.toLowerCase(), parsed.data);
      return copySettings(parsed.data);
    },
    removePartnerSettings(partnerTenantId) {
      return state.partnerSettings.delete(String(partnerTenantId).toLowerCase());
    },
    advanceClock(ms) {
      const manual = clock as Partial<{ advance(ms: number): void }>;
      if (typeof manual.advance !== "function") {
        throw new CapabilityError("advanceClock", "memory", "the directory's clock cannot be moved; create the directory with clock: createManualClock()");
      }
      manual.advance.call(clock, ms);
      state.purgeExpired();
    },
    purgeExpired() {
      return state.purgeExpired();
    },
    snapshot() {
      state.purgeExpired();
      return { tenant: { ...tenant, verifiedDomains: [...tenant.verifiedDomains] }, ...state.toSnapshot() };
    },
    stats() {
      return { calls: { ...calls }, ...counters, faults: { ...faultCounts } };
    },
    resetStats() {
      calls = emptyCalls();
      counters = { requests: 0, usersListed: 0, changesRead: 0 };
      // Reset in place: the current injector keeps adding to this object.
      Object.assign(faultCounts, noFaults());
    },
    setFaults(next) {
      if (next !== null) checkFaultOptions(next);
      faults = createFaultInjector(next, tenantId, clock, seed, faultCounts);
    },
  };

  const directory: MemoryDirectory = {
    name: "memory",
    capabilities: CAPABILITIES,
    tenant,
    clock,
    admin,

    async describe(opts?: CallOptions) {
      calls.describe++;
      await request("describe", opts?.signal);
      return { ...tenant, verifiedDomains: [...tenant.verifiedDomains] };
    },

    async getPartnerSettings(partnerTenantId: string, opts?: CallOptions) {
      calls.getPartnerSettings++;
      await request("getPartnerSettings", opts?.signal);
      const settings = state.partnerSettings.get(String(partnerTenantId).toLowerCase());
      return settings ? copySettings(settings) : null;
    },

    listUsers(opts?: ListUsersOptions): AsyncIterable<DirectoryUser[]> {
      calls.listUsers++;
      const size = opts?.pageSize ?? pageSize;
      if (!(Number.isInteger(size) && size >= 1)) throw new ConfigError([{ path: ["pageSize"], message: "must be an integer >= 1" }], "listUsers options");
      return (async function* () {
        await request("listUsers", opts?.signal);
        // Walk the ids (Map iteration tolerates changes between pages) and
        // read each user when its page is built, so a page is current.
        const ids = state.users.keys();
        let pending = ids.next();
        for (;;) {
          const page: DirectoryUser[] = [];
          while (!pending.done && page.length < size) {
            const user = state.users.get(pending.value);
            if (user) page.push(copyUser(user));
            pending = ids.next();
          }
          if (page.length > 0) {
            counters.usersListed += page.length;
            yield page;
          }
          if (pending.done) return;
          await request("listUsers", opts?.signal);
        }
      })();
    },

    async getUser(id: string, opts?: GetUserOptions) {
      calls.getUser++;
      await request("getUser", opts?.signal);
      const user = state.users.get(id) ?? (opts?.includeDeleted ? state.bin.get(id)?.user : undefined);
      return user ? copyUser(user) : null;
    },

    listGroupMembers(groupId: string, opts?: CallOptions & { transitive?: boolean }): AsyncIterable<string[]> {
      calls.listGroupMembers++;
      return (async function* () {
        await request("listGroupMembers", opts?.signal);
        const ids = state.groupMemberIds(groupId, opts?.transitive === true);
        for (let i = 0; i < ids.length; i += pageSize) {
          if (i > 0) await request("listGroupMembers", opts?.signal);
          yield ids.slice(i, i + pageSize);
        }
      })();
    },

    async currentCursor(opts?: ChangeFeedOptions) {
      calls.currentCursor++;
      await request("currentCursor", opts?.signal);
      return encodeCursor(tenantId, state.log.head);
    },

    readChanges(cursor: string, opts?: ChangeFeedOptions): AsyncIterable<ChangePage> {
      calls.readChanges++;
      const tracked: ReadonlySet<string> = new Set(opts?.groupIds ?? []);
      return (async function* () {
        await request("readChanges", opts?.signal);
        let position = decodeCursor(cursor, tenantId, state.log.head);
        // Changes made while the pages are read belong to the next read.
        const end = state.log.head;
        for (;;) {
          const { changes, next } = readPage(position, end, tracked);
          position = next;
          counters.changesRead += changes.length;
          yield { changes, cursor: encodeCursor(tenantId, position) };
          if (position >= end) return;
          await request("readChanges", opts?.signal);
        }
      })();
    },

    async findUsers(query: UserQuery, opts?: CallOptions) {
      calls.findUsers++;
      await request("findUsers", opts?.signal);
      return findNow(query, "findUsers", []);
    },

    async findUsersBatch(queries: readonly UserQuery[], opts?: CallOptions) {
      // One call and one request, like one $batch against a real service.
      calls.findUsers++;
      await request("findUsers", opts?.signal);
      if (!Array.isArray(queries)) throw invalid("findUsersBatch", [{ path: [], message: "queries must be an array of findUsers queries" }]);
      // Answering has no side effects: a malformed query fails the whole call.
      const out: DirectoryUser[][] = [];
      for (let i = 0; i < queries.length; i++) out.push(findNow(queries[i]!, "findUsersBatch", [i]));
      return out;
    },

    async createExternalUser(input: CreateExternalUserInput, writeOptions: WriteOptions) {
      calls.createExternalUser++;
      await request("createExternalUser", writeOptions?.signal);
      const source = authorize("createExternalUser", writeOptions);
      const issues: ConfigIssue[] = [];
      const alt = input?.alternativeSecurityId;
      if (!alt || typeof alt.tenantId !== "string" || !alt.tenantId || typeof alt.userId !== "string" || !alt.userId) {
        issues.push({ path: ["alternativeSecurityId"], message: "must be { tenantId, userId } non-empty strings" });
      } else if (alt.tenantId.toLowerCase() !== source.toLowerCase()) {
        issues.push({ path: ["alternativeSecurityId", "tenantId"], message: `must be the writing source tenant ${source}, got ${alt.tenantId}` });
      }
      if (input?.userType !== "Member" && input?.userType !== "Guest") issues.push({ path: ["userType"], message: "must be 'Member' or 'Guest'" });
      const attributes = input?.attributes;
      for (const issue of checkUserAttributes(attributes, "create")) issues.push({ path: ["attributes", ...issue.path], message: issue.message });
      if (issues.length > 0) throw invalid("createExternalUser", issues);
      const names = externalUserPrincipalName(attributes.userPrincipalName!, defaultDomain);
      const user = blankUser(state.newId(), names.userPrincipalName, attributes.displayName!);
      assignNewUserAttributes(user, attributes);
      user.userPrincipalName = names.userPrincipalName;
      user.mailNickname = names.mailNickname;
      user.userType = input.userType;
      user.origin = "external";
      user.homeTenantId = source;
      user.alternativeSecurityId = { tenantId: alt!.tenantId, userId: alt!.userId };
      user.createdDateTime = state.nowIso();
      // A manager that is not a live user is not set (capability managerOnCreate: the
      // returned user says what was written, and the caller sets the manager on its own).
      if (typeof user.managerId === "string" && !state.users.has(user.managerId)) user.managerId = null;
      state.insertUser(user, true);
      return copyUser(user);
    },

    async updateUser(id: string, changes: UserAttributes, writeOptions: WriteOptions) {
      calls.updateUser++;
      await request("updateUser", writeOptions?.signal);
      const source = authorize("updateUser", writeOptions);
      const user = state.liveUser(id);
      assertOwned("updateUser", user, source);
      const issues = checkUserAttributes(changes, "update");
      if (issues.length > 0) throw invalid("updateUser", issues);
      return copyUser(state.replaceUser(user, applyUserAttributes(user, externalNames(changes))));
    },

    async setManager(id: string, managerId: string | null, writeOptions: WriteOptions) {
      calls.setManager++;
      await request("setManager", writeOptions?.signal);
      const source = authorize("setManager", writeOptions);
      const user = state.liveUser(id);
      assertOwned("setManager", user, source);
      if (managerId !== null) {
        if (managerId === id) throw invalid("setManager", [{ path: ["managerId"], message: `user ${id} cannot be its own manager` }]);
        if (!state.users.has(managerId)) throw state.userNotFound(managerId, `cannot become the manager of ${id}: it is not a live user`);
      }
      state.setManager(user, managerId);
    },

    async softDeleteUser(id: string, writeOptions: WriteOptions) {
      calls.softDeleteUser++;
      await request("softDeleteUser", writeOptions?.signal);
      const source = authorize("softDeleteUser", writeOptions);
      const user = state.liveUser(id);
      assertOwned("softDeleteUser", user, source);
      state.softDelete(user);
    },

    async restoreUser(id: string, writeOptions: WriteOptions) {
      calls.restoreUser++;
      await request("restoreUser", writeOptions?.signal);
      const source = authorize("restoreUser", writeOptions);
      const entry = state.bin.get(id);
      if (!entry) throw state.notInBin(id);
      assertOwned("restoreUser", entry.user, source);
      return copyUser(state.restore(id));
    },
  };
  states.set(directory, state);
  return directory;
}

function copySettings(settings: PartnerSettings): PartnerSettings {
  return {
    tenantId: settings.tenantId,
    userSyncInbound: { ...settings.userSyncInbound },
    automaticUserConsentSettings: { ...settings.automaticUserConsentSettings },
  };
}
