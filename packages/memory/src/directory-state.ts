import { ConfigError, ConflictError, DirectoryUser as DirectoryUserSchema, InvalidValueError, NotFoundError } from "@tenantsync/core";
import type { Clock, DirectoryUser, Group, PartnerSettings, Tenant } from "@tenantsync/core";
import { ChangeLog } from "./change-log.ts";
import { MultiIndex } from "./multi-index.ts";
import { createSeededRandom, type SeededRandom } from "./seeded-random.ts";

/**
 * How long a soft-deleted user stays in the bin before it is purged (Entra: 30 days).
 *
 * @example
 * ```ts
 * clock.advance(BIN_RETENTION_MS); // every user deleted before now is purged on the next call
 * ```
 */
export const BIN_RETENTION_MS: number = 30 * 24 * 60 * 60 * 1000;

/**
 * The user properties that are unique (case-insensitive) across live and soft-deleted users.
 *
 * @example
 * ```ts
 * if (error instanceof ConflictError && UNIQUE_PROPERTIES.includes(error.property as never)) console.log("name taken");
 * ```
 */
export const UNIQUE_PROPERTIES = ["userPrincipalName", "mail", "mailNickname"] as const;
type UniqueProperty = (typeof UNIQUE_PROPERTIES)[number];
/** Lower-cased userPrincipalName, mail, mailNickname of a user. */
type UniqueKeys = [string, string | null, string | null];

/** Attribute names findUsers accepts (Graph names), keyed by their lower-case form. */
const QUERY_ATTRIBUTES: ReadonlyMap<string, string> = new Map(
  Object.keys(DirectoryUserSchema.shape)
    .filter((k) => k !== "alternativeSecurityId" && k !== "extensions" && k !== "deletedDateTime")
    .map((k) => [k.toLowerCase(), k] as const),
);

/** A group as stored: direct members (user and group ids) in insertion order. */
export interface StoredGroup {
  id: string;
  displayName: string;
  members: Set<string>;
}

/** A soft-deleted user and when it was deleted (epoch ms). */
export interface BinEntry {
  user: DirectoryUser;
  deletedAtMs: number;
}

/**
 * The whole state of one in-memory tenant and the primitive operations on it
 * (no policy, no faults, no statistics: those live in the directory). Every
 * mutation keeps the indexes and the change log up to date. Stored user
 * records are never changed in place: a change stores a new object, so they
 * can be handed around without copying inside the package.
 */
export class DirectoryState {
  readonly users: Map<string, DirectoryUser> = new Map();
  /** Soft-deleted users in deletion order, so purging looks only at the front. */
  readonly bin: Map<string, BinEntry> = new Map();
  readonly groups: Map<string, StoredGroup> = new Map();
  /** Partner settings keyed by the partner's lower-case tenant id. */
  readonly partnerSettings: Map<string, PartnerSettings> = new Map();
  readonly log: ChangeLog = new ChangeLog();

  private readonly retiredGroupIds = new Set<string>();
  /** member id → ids of the groups it is a direct member of. */
  private readonly memberOf = new Map<string, Set<string>>();
  /** manager id → ids of its direct reports (live and soft-deleted). */
  private readonly reports = new MultiIndex();
  private readonly unique: Record<UniqueProperty, Map<string, string>> = {
    userPrincipalName: new Map(),
    mail: new Map(),
    mailNickname: new Map(),
  };
  /** alternativeSecurityId: source tenant id (lower-case) → source user id → user ids. */
  private readonly altSec = new Map<string, MultiIndex>();
  /** Indexes for other findUsers attributes, built on first use and maintained on every write. */
  private readonly attributeIndexes = new Map<string, MultiIndex>();
  private readonly random: SeededRandom;

  constructor(
    readonly tenant: Tenant,
    readonly clock: Clock,
    seed: number,
  ) {
    this.random = createSeededRandom(seed);
  }

  get tenantId(): string {
    return this.tenant.id;
  }

  private lastNowMs = Number.NaN;
  private lastNowIso = "";

  /** The clock's time as ISO 8601 (the string is reused while the time stands still). */
  nowIso(): string {
    const ms = this.clock.now().getTime();
    if (ms !== this.lastNowMs) {
      this.lastNowMs = ms;
      this.lastNowIso = new Date(ms).toISOString();
    }
    return this.lastNowIso;
  }

  /** True once an object was added with an id of the caller's choosing. */
  private explicitIds = false;

  /**
   * A fresh object id: a GUID from the seeded generator, never one in use.
   * While every id came from the generator (whose 128-bit state does not
   * repeat), no lookup is needed.
   */
  newId(): string {
    for (;;) {
      const id = this.random.guid();
      if (!this.explicitIds || !this.isIdUsed(id)) return id;
    }
  }

  isIdUsed(id: string): boolean {
    return this.users.has(id) || this.bin.has(id) || this.groups.has(id) || this.retiredGroupIds.has(id);
  }

  /** A live or soft-deleted user. */
  anyUser(id: string): DirectoryUser | undefined {
    return this.users.get(id) ?? this.bin.get(id)?.user;
  }

  // ---------------------------------------------------------------- users

  /**
   * Throws ConflictError when one of `user`'s unique values belongs to another
   * user (live or soft-deleted). Returns the lower-cased keys, for {@link index}.
   */
  assertUnique(user: DirectoryUser, action: string): UniqueKeys {
    const keys: UniqueKeys = [caseKey(user.userPrincipalName), user.mail === null ? null : caseKey(user.mail), user.mailNickname === null ? null : caseKey(user.mailNickname)];
    for (let i = 0; i < UNIQUE_PROPERTIES.length; i++) {
      const key = keys[i];
      if (key === null || key === undefined) continue;
      const property = UNIQUE_PROPERTIES[i]!;
      const owner = this.unique[property].get(key);
      if (owner === undefined || owner === user.id) continue;
      const inBin = this.bin.has(owner);
      throw new ConflictError(
        `memory directory ${this.tenantId}: cannot ${action}: ${property} '${user[property]}' is already used by user ${owner}` +
          (inBin ? " (in the soft-delete bin: restore or hard-delete it first)" : "") +
          ". Values of userPrincipalName, mail and mailNickname are unique in a tenant, case-insensitively.",
        { property, value: user[property] ?? undefined, conflictingObjectId: owner, tenantId: this.tenantId, status: 400 },
      );
    }
    return keys;
  }

  /**
   * Adds a new live user. `idIsFresh` skips the id check for ids that
   * {@link newId} just produced.
   */
  insertUser(user: DirectoryUser, idIsFresh = false): void {
    if (!idIsFresh) this.claimExplicitId(user.id, `create user ${user.userPrincipalName}`);
    const keys = this.assertUnique(user, `create user ${user.userPrincipalName}`);
    this.users.set(user.id, user);
    this.index(user, keys);
    this.log.user(user.id);
  }

  /** Checks that an id chosen by the caller is free (ConflictError otherwise). */
  private claimExplicitId(id: string, action: string): void {
    this.explicitIds = true;
    if (this.isIdUsed(id)) {
      throw new ConflictError(`memory directory ${this.tenantId}: cannot ${action}: object id ${id} is (or was) already in use`, {
        property: "id",
        value: id,
        conflictingObjectId: id,
        tenantId: this.tenantId,
        status: 400,
      });
    }
  }

  /** Stores `next` in place of the live user `previous` (no-op when they are the same object). */
  replaceUser(previous: DirectoryUser, next: DirectoryUser): DirectoryUser {
    if (next === previous) return previous;
    if (
      previous.userPrincipalName === next.userPrincipalName &&
      previous.mail === next.mail &&
      previous.mailNickname === next.mailNickname &&
      previous.alternativeSecurityId === next.alternativeSecurityId &&
      this.attributeIndexes.size === 0
    ) {
      // The unique values and the anchor are the ones this user already holds (so
      // they are still unique and indexed): only the manager index can change.
      this.users.set(next.id, next);
      if (previous.managerId !== next.managerId) {
        if (previous.managerId !== null) this.reports.remove(previous.managerId, next.id);
        if (next.managerId !== null) this.reports.add(next.managerId, next.id);
      }
      this.log.user(next.id);
      return next;
    }
    const keys = this.assertUnique(next, `update user ${previous.id}`);
    this.unindex(previous);
    this.users.set(next.id, next);
    this.index(next, keys);
    this.log.user(next.id);
    return next;
  }

  setManager(user: DirectoryUser, managerId: string | null): DirectoryUser {
    if (user.managerId === managerId) return user;
    return this.replaceUser(user, { ...user, managerId });
  }

  softDelete(user: DirectoryUser): DirectoryUser {
    const now = this.clock.now();
    const deleted: DirectoryUser = { ...user, deletedDateTime: now.toISOString() };
    this.users.delete(user.id);
    this.bin.set(user.id, { user: deleted, deletedAtMs: now.getTime() });
    this.log.user(user.id);
    // Like Graph, a soft-deleted user drops out of its groups' member lists
    // (and out of members@delta) until it is restored; the membership itself
    // is kept for the restore.
    this.logMemberships(user.id);
    return deleted;
  }

  private logMemberships(userId: string): void {
    const groups = this.memberOf.get(userId);
    if (groups) for (const groupId of groups) this.log.membership(groupId, userId);
  }

  restore(id: string): DirectoryUser {
    const entry = this.bin.get(id);
    if (!entry) throw this.notInBin(id);
    // Uniqueness spans the bin, so the values are still this user's; the check
    // stays as a guard in case that invariant is ever relaxed.
    this.assertUnique(entry.user, `restore user ${id}`);
    const restored: DirectoryUser = { ...entry.user, deletedDateTime: null };
    this.bin.delete(id);
    this.users.set(id, restored);
    this.log.user(id);
    this.logMemberships(id);
    return restored;
  }

  /** Deletes a live or soft-deleted user permanently. */
  hardDelete(id: string): void {
    const user = this.anyUser(id);
    if (!user) throw this.userNotFound(id);
    this.removePermanently(user);
  }

  /** Purges users whose soft delete is 30 days old or more; returns their ids. */
  purgeExpired(): string[] {
    if (this.bin.size === 0) return [];
    const now = this.clock.now().getTime();
    const purged: string[] = [];
    for (const entry of this.bin.values()) {
      if (now - entry.deletedAtMs < BIN_RETENTION_MS) break;
      purged.push(entry.user.id);
      this.removePermanently(entry.user);
    }
    return purged;
  }

  private removePermanently(user: DirectoryUser): void {
    const id = user.id;
    this.users.delete(id);
    this.bin.delete(id);
    this.unindex(user);
    const groups = this.memberOf.get(id);
    if (groups) {
      for (const groupId of groups) {
        this.groups.get(groupId)?.members.delete(id);
        this.log.membership(groupId, id);
      }
      this.memberOf.delete(id);
    }
    // Reports lose their manager reference.
    for (const reportId of this.reports.get(id)) {
      const live = this.users.get(reportId);
      if (live) {
        this.replaceUser(live, { ...live, managerId: null });
        continue;
      }
      const entry = this.bin.get(reportId);
      if (entry) {
        entry.user = { ...entry.user, managerId: null };
        this.reports.remove(id, reportId);
      }
    }
    this.log.user(id);
  }

  private index(user: DirectoryUser, keys: UniqueKeys): void {
    const id = user.id;
    this.unique.userPrincipalName.set(keys[0], id);
    if (keys[1] !== null) this.unique.mail.set(keys[1], id);
    if (keys[2] !== null) this.unique.mailNickname.set(keys[2], id);
    const alt = user.alternativeSecurityId;
    if (alt !== null) {
      const tenantKey = alt.tenantId.toLowerCase();
      let byUser = this.altSec.get(tenantKey);
      if (!byUser) this.altSec.set(tenantKey, (byUser = new MultiIndex()));
      byUser.add(alt.userId, id);
    }
    if (user.managerId !== null) this.reports.add(user.managerId, id);
    if (this.attributeIndexes.size > 0) {
      for (const [attribute, index] of this.attributeIndexes) for (const v of attributeValues(user, attribute)) index.add(v, id);
    }
  }

  private unindex(user: DirectoryUser): void {
    const id = user.id;
    for (const property of UNIQUE_PROPERTIES) {
      const value = user[property];
      if (value === null) continue;
      const key = caseKey(value);
      if (this.unique[property].get(key) === id) this.unique[property].delete(key);
    }
    const alt = user.alternativeSecurityId;
    if (alt !== null) this.altSec.get(alt.tenantId.toLowerCase())?.remove(alt.userId, id);
    if (user.managerId !== null) this.reports.remove(user.managerId, id);
    if (this.attributeIndexes.size > 0) {
      for (const [attribute, index] of this.attributeIndexes) for (const v of attributeValues(user, attribute)) index.remove(v, id);
    }
  }

  // ---------------------------------------------------------------- lookups

  /** Ids of live and soft-deleted users with this alternative security id. */
  findByAlternativeSecurityId(tenantId: string, userId: string): string[] {
    return this.altSec.get(tenantId.toLowerCase())?.get(userId) ?? [];
  }

  /**
   * Ids of live and soft-deleted users whose `attribute` equals `value`
   * (case-insensitive; multi-valued attributes match on any value).
   * userPrincipalName, mail and mailNickname use the uniqueness indexes; any
   * other attribute gets an index built on its first query and maintained on
   * every write after that.
   */
  findByAttribute(attribute: string, value: string): string[] {
    const name = canonicalQueryAttribute(attribute, this.tenantId);
    const key = String(value).toLowerCase();
    if (name === "id") return this.anyUser(value) ? [value] : [];
    if (name === "userPrincipalName" || name === "mail" || name === "mailNickname") {
      const owner = this.unique[name].get(caseKey(value));
      return owner === undefined ? [] : [owner];
    }
    let index = this.attributeIndexes.get(name);
    if (!index) {
      index = new MultiIndex();
      for (const user of this.users.values()) for (const v of attributeValues(user, name)) index.add(v, user.id);
      for (const { user } of this.bin.values()) for (const v of attributeValues(user, name)) index.add(v, user.id);
      this.attributeIndexes.set(name, index);
    }
    return index.get(key);
  }

  // ---------------------------------------------------------------- groups

  addGroup(id: string, displayName: string, idIsFresh = false): StoredGroup {
    if (!idIsFresh) this.claimExplicitId(id, `create group '${displayName}'`);
    const group: StoredGroup = { id, displayName, members: new Set() };
    this.groups.set(id, group);
    return group;
  }

  deleteGroup(id: string): void {
    const group = this.group(id);
    for (const member of group.members) this.unlinkMember(member, id);
    const parents = this.memberOf.get(id);
    if (parents) {
      for (const parentId of parents) {
        this.groups.get(parentId)?.members.delete(id);
        this.log.membership(parentId, id);
      }
      this.memberOf.delete(id);
    }
    this.groups.delete(id);
    this.retiredGroupIds.add(id);
    this.log.group(id);
  }

  addMember(groupId: string, memberId: string): void {
    const group = this.group(groupId);
    if (memberId === groupId) {
      throw new ConfigError([{ path: ["memberId"], message: `group ${groupId} cannot be a member of itself` }], "group membership");
    }
    if (!this.users.has(memberId) && !this.groups.has(memberId)) {
      const why = this.bin.has(memberId) ? "is soft-deleted; restore it first" : "does not exist";
      throw new NotFoundError("directoryObject", memberId, {
        tenantId: this.tenantId,
        status: 404,
        message: `memory directory ${this.tenantId}: cannot add ${memberId} to group ${groupId}: the object ${why}`,
      });
    }
    if (group.members.has(memberId)) {
      throw new ConflictError(`memory directory ${this.tenantId}: ${memberId} is already a member of group ${groupId}`, {
        property: "members",
        value: memberId,
        conflictingObjectId: groupId,
        tenantId: this.tenantId,
        status: 400,
      });
    }
    group.members.add(memberId);
    let parents = this.memberOf.get(memberId);
    if (!parents) this.memberOf.set(memberId, (parents = new Set()));
    parents.add(groupId);
    this.log.membership(groupId, memberId);
  }

  removeMember(groupId: string, memberId: string): void {
    const group = this.group(groupId);
    if (!group.members.delete(memberId)) {
      throw new NotFoundError("member", memberId, {
        tenantId: this.tenantId,
        status: 404,
        message: `memory directory ${this.tenantId}: ${memberId} is not a direct member of group ${groupId}`,
      });
    }
    this.unlinkMember(memberId, groupId);
    this.log.membership(groupId, memberId);
  }

  private unlinkMember(memberId: string, groupId: string): void {
    const parents = this.memberOf.get(memberId);
    if (!parents) return;
    parents.delete(groupId);
    if (parents.size === 0) this.memberOf.delete(memberId);
  }

  group(id: string): StoredGroup {
    const group = this.groups.get(id);
    if (!group) {
      throw new NotFoundError("group", id, { tenantId: this.tenantId, status: 404, message: `memory directory ${this.tenantId}: group ${id} does not exist` });
    }
    return group;
  }

  /**
   * Ids of the live users that are members of the group: direct user members,
   * or with `transitive` the users of nested groups too (each once, cycle-safe).
   */
  groupMemberIds(groupId: string, transitive: boolean): string[] {
    const root = this.group(groupId);
    const out: string[] = [];
    if (!transitive) {
      for (const m of root.members) if (this.users.has(m)) out.push(m);
      return out;
    }
    const seenUsers = new Set<string>();
    const seenGroups = new Set<string>([groupId]);
    const queue: StoredGroup[] = [root];
    for (let i = 0; i < queue.length; i++) {
      for (const m of queue[i]!.members) {
        if (this.users.has(m)) {
          if (!seenUsers.has(m)) {
            seenUsers.add(m);
            out.push(m);
          }
        } else if (!seenGroups.has(m)) {
          const nested = this.groups.get(m);
          seenGroups.add(m);
          if (nested) queue.push(nested);
        }
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- errors

  userNotFound(id: string, detail = "does not exist"): NotFoundError {
    return new NotFoundError("user", id, { tenantId: this.tenantId, status: 404, message: `memory directory ${this.tenantId}: user ${id} ${detail}` });
  }

  notInBin(id: string): NotFoundError {
    const detail = this.users.has(id) ? "is not soft-deleted (it is live)" : "is not in the soft-delete bin (never existed, or already purged)";
    return this.userNotFound(id, detail);
  }

  /** The live user, or NotFoundError (saying when it sits in the bin). */
  liveUser(id: string): DirectoryUser {
    const user = this.users.get(id);
    if (user) return user;
    throw this.userNotFound(id, this.bin.has(id) ? "is soft-deleted (restore it first)" : "does not exist");
  }

  // ---------------------------------------------------------------- snapshot

  toSnapshot(): { users: DirectoryUser[]; bin: DirectoryUser[]; groups: Group[]; partnerSettings: PartnerSettings[] } {
    const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    return {
      users: [...this.users.values()].map(plainUser).sort(byId),
      bin: [...this.bin.values()].map((e) => plainUser(e.user)).sort(byId),
      groups: [...this.groups.values()].map((g) => ({ id: g.id, displayName: g.displayName, members: [...g.members].sort() })).sort(byId),
      partnerSettings: [...this.partnerSettings.values()]
        .map((p) => ({
          tenantId: p.tenantId,
          userSyncInbound: { ...p.userSyncInbound },
          automaticUserConsentSettings: { ...p.automaticUserConsentSettings },
        }))
        .sort((a, b) => (a.tenantId < b.tenantId ? -1 : a.tenantId > b.tenantId ? 1 : 0)),
    };
  }
}

/** A deterministic plain copy (extension keys sorted). */
function plainUser(user: DirectoryUser): DirectoryUser {
  const extensions: DirectoryUser["extensions"] = {};
  for (const key of Object.keys(user.extensions).sort()) extensions[key] = user.extensions[key]!;
  return {
    ...user,
    businessPhones: [...user.businessPhones],
    extensions,
    alternativeSecurityId: user.alternativeSecurityId === null ? null : { ...user.alternativeSecurityId },
  };
}

/**
 * The case-insensitive key of a unique value: lower case, except that the
 * `#EXT#` marker of external users' names stays upper case. Values already in
 * that form (the usual case) are returned as they are, without allocating.
 */
export function caseKey(value: string): string {
  // Hot path (three calls per write): no closures, no allocation when the value is canonical.
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 127 || (c >= 65 && c <= 90 && !isExtMarkerAt(value, i))) return foldCase(value);
  }
  return value.includes("#ext#") ? foldCase(value) : value;
}

function foldCase(value: string): string {
  return value.toLowerCase().replace(/#ext#/g, "#EXT#");
}

/** True when the upper-case letter at `i` belongs to a `#EXT#` marker. */
function isExtMarkerAt(value: string, i: number): boolean {
  const c = value.charCodeAt(i);
  const start = c === 69 /* E */ ? (value.charCodeAt(i - 1) === 35 /* # */ ? i - 1 : i - 3) : c === 88 /* X */ ? i - 2 : c === 84 /* T */ ? i - 3 : -1;
  return start >= 0 && value.startsWith("#EXT#", start);
}

/** The canonical Graph name of a findUsers attribute, or InvalidValueError. */
function canonicalQueryAttribute(attribute: string, tenantId: string): string {
  if (typeof attribute === "string" && attribute.startsWith("extension_")) return attribute;
  const name = typeof attribute === "string" ? QUERY_ATTRIBUTES.get(attribute.toLowerCase()) : undefined;
  if (name === undefined) {
    throw new InvalidValueError(
      `memory directory ${tenantId}: findUsers cannot query attribute '${String(attribute)}': use a Graph user property name (for example mail, employeeId) or extension_<appId>_<name>`,
      { property: String(attribute), tenantId, status: 400 },
    );
  }
  return name;
}

/** The lower-cased values of an attribute of a user (none when null; one per element for arrays). */
function attributeValues(user: DirectoryUser, attribute: string): string[] {
  const value: unknown = attribute.startsWith("extension_") ? user.extensions[attribute] : (user as unknown as Record<string, unknown>)[attribute];
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.map((v) => String(v).toLowerCase());
  return [String(value).toLowerCase()];
}
