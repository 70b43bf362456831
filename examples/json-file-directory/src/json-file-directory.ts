import { randomUUID } from "node:crypto";
import {
  ConflictError,
  CursorExpiredError,
  DEFAULT_DIRECTORY_CAPABILITIES,
  EXTENSION_ATTRIBUTE_PATTERN,
  InvalidValueError,
  NotFoundError,
  PolicyError,
  USER_STRING_ATTRIBUTES,
  systemClock,
  throwIfAborted,
  type CallOptions,
  type ChangeFeedOptions,
  type ChangePage,
  type Clock,
  type CreateExternalUserInput,
  type DirectoryCapabilities,
  type DirectoryChange,
  type DirectoryPort,
  type DirectoryUser,
  type GetUserOptions,
  type ListUsersOptions,
  type UserAttributes,
  type UserQuery,
  type WriteOptions,
} from "@tenantsync/core";
import { readDirectoryFile, recordChange, updateDirectoryFile, type DirectoryFile } from "./directory-file.ts";

/** Options of {@link createJsonFileDirectory}. */
export interface JsonFileDirectoryOptions {
  /** The JSON file (create it with `createDirectoryFile`). */
  path: string;
  /** Time for createdDateTime and deletedDateTime. Default: the wall clock. */
  clock?: Clock;
  /** Page size of listUsers and readChanges when the caller gives none. Default 100. */
  pageSize?: number;
}

/** A {@link DirectoryPort} over a JSON file, and the file it reads. */
export interface JsonFileDirectory extends DirectoryPort {
  readonly path: string;
}

// This adapter can do everything the port asks, so it declares every capability.
// An adapter that cannot would spread the defaults and switch flags off:
// { ...DEFAULT_DIRECTORY_CAPABILITIES, changeFeed: false }.
const CAPABILITIES: DirectoryCapabilities = Object.freeze({ ...DEFAULT_DIRECTORY_CAPABILITIES });

const STRING_ATTRIBUTES = new Set<string>(USER_STRING_ATTRIBUTES);
const UNIQUE = ["userPrincipalName", "mail", "mailNickname"] as const;
const CURSOR_PREFIX = "jsonfile:";
const same = (a: string | null | undefined, b: string | null | undefined) => a != null && b != null && a.toLowerCase() === b.toLowerCase();

/**
 * A tenantsync directory kept in one JSON file: users (live and
 * soft-deleted), groups, partner settings and a change log. It serves as a
 * job's source and as its target, and passes `@tenantsync/testkit`'s
 * conformance suite. Built step by step in docs/writing-an-adapter.md.
 *
 * @example
 * ```ts
 * await createDirectoryFile("./fabrikam.json", tenant, [{ tenantId: source, userSyncInbound: { isSyncAllowed: true }, automaticUserConsentSettings: { inboundAllowed: true, outboundAllowed: false } }]);
 * const target = createJsonFileDirectory({ path: "./fabrikam.json" });
 * const job = createSyncJob({ source, target, config: { sourceTenantId: source, targetTenantId: tenant.id, scope: { mode: "all" } } });
 * ```
 */
export function createJsonFileDirectory(options: JsonFileDirectoryOptions): JsonFileDirectory {
  const { path } = options;
  const clock = options.clock ?? systemClock;
  const defaultPageSize = options.pageSize ?? 100;
  const where = `json-file directory ${path}`;

  // ---- helpers: errors that say what, where, and what to do ----

  const notFound = (id: string, detail: string, tenantId: string) => new NotFoundError("user", id, { tenantId, message: `${where}: user ${id} ${detail}` });

  /** A write must come from a tenant this one allows inbound user sync from (R3, defence in depth). */
  const authorize = (file: DirectoryFile, method: string, writeOptions: WriteOptions): string => {
    const source = writeOptions?.sourceTenantId;
    const settings = file.partnerSettings.find((p) => same(p.tenantId, source));
    if (!source || !settings?.userSyncInbound.isSyncAllowed) {
      throw new PolicyError(`${where}: ${method} refused: tenant ${file.tenant.id} does not allow user sync from tenant ${source || "(none given)"}. Its administrator must allow inbound user sync for that tenant.`, {
        tenantId: file.tenant.id,
        ...(source ? { partnerTenantId: source } : {}),
        setting: "userSyncInbound.isSyncAllowed",
      });
    }
    return source;
  };

  const liveUser = (file: DirectoryFile, id: string): DirectoryUser => {
    const user = file.users.find((u) => u.id === id);
    if (!user) throw notFound(id, "does not exist", file.tenant.id);
    if (user.deletedDateTime !== null) throw notFound(id, "is soft-deleted (restore it first)", file.tenant.id);
    return user;
  };

  /** UPN, mail and mailNickname are unique in a tenant (soft-deleted users keep theirs). */
  const assertUnique = (file: DirectoryFile, user: DirectoryUser): void => {
    for (const property of UNIQUE) {
      const value = user[property];
      const owner = file.users.find((u) => u.id !== user.id && same(u[property], value));
      if (owner) {
        throw new ConflictError(`${where}: ${property} '${value}' is already used by user ${owner.id}${owner.deletedDateTime ? " (soft-deleted)" : ""}`, {
          property,
          ...(value ? { value } : {}),
          conflictingObjectId: owner.id,
          tenantId: file.tenant.id,
        });
      }
    }
  };

  /** Entra's B2B names: `alias@domain` becomes `alias_domain#EXT#@<default domain>`. */
  const externalNames = (file: DirectoryFile, sourceUpn: string) => {
    const at = sourceUpn.lastIndexOf("@");
    const nickname = `${sourceUpn.slice(0, at)}_${sourceUpn.slice(at + 1)}#EXT#`;
    return { userPrincipalName: `${nickname}@${file.tenant.verifiedDomains[0]}`, mailNickname: nickname };
  };

  /** Checks an attribute bag and returns it applied to `user` (a new object). */
  const applyAttributes = (file: DirectoryFile, user: DirectoryUser, changes: UserAttributes, method: string): DirectoryUser => {
    const next: DirectoryUser = { ...user, extensions: { ...user.extensions }, businessPhones: [...user.businessPhones] };
    const invalid = (property: string, why: string) => new InvalidValueError(`${where}: ${method}: ${property} ${why}`, { property, tenantId: file.tenant.id });
    for (const [key, value] of Object.entries(changes ?? {})) {
      if (value === undefined) continue;
      if (key === "userPrincipalName") {
        if (typeof value !== "string" || !/^[^@\s]+@[^@\s]+$/.test(value)) throw invalid(key, "must look like alias@domain");
        Object.assign(next, externalNames(file, value));
      } else if (key === "mailNickname") {
        continue; // derived from the UPN for external users
      } else if (STRING_ATTRIBUTES.has(key)) {
        if (value !== null && typeof value !== "string") throw invalid(key, "must be a string or null");
        if (key === "displayName" && (typeof value !== "string" || value.length === 0)) throw invalid(key, "cannot be empty");
        (next as unknown as Record<string, unknown>)[key] = value;
      } else if (key === "businessPhones") {
        next.businessPhones = Array.isArray(value) ? value.map(String) : [];
      } else if (key === "accountEnabled" || key === "showInAddressList") {
        if (typeof value !== "boolean" && !(key === "showInAddressList" && value === null)) throw invalid(key, "must be a boolean");
        (next as unknown as Record<string, unknown>)[key] = value;
      } else if (key === "userType") {
        if (value !== "Member" && value !== "Guest") throw invalid(key, "must be Member or Guest");
        next.userType = value;
      } else if (key === "extensions") {
        for (const [name, v] of Object.entries(value as Record<string, string | number | boolean | null>)) {
          if (!EXTENSION_ATTRIBUTE_PATTERN.test(name)) throw invalid(`extensions.${name}`, "must be extension_<appId>_<name>");
          if (v === null) delete next.extensions[name];
          else next.extensions[name] = v;
        }
      } else {
        throw invalid(key, key === "managerId" ? "is a reference: use setManager" : "cannot be written");
      }
    }
    return next;
  };

  const copy = (user: DirectoryUser): DirectoryUser => structuredClone(user);

  // ---- the change feed: cursors are "jsonfile:<tenant id>:<last seq read>" ----

  const encodeCursor = (file: DirectoryFile, seq: number) => `${CURSOR_PREFIX}${file.tenant.id}:${seq}`;
  const decodeCursor = (file: DirectoryFile, cursor: string): number => {
    const match = /^jsonfile:([0-9a-fA-F-]+):(\d+)$/.exec(String(cursor));
    const seq = match ? Number(match[2]) : NaN;
    if (!match || !same(match[1], file.tenant.id) || !(seq < file.nextSeq)) {
      throw new CursorExpiredError(`${where}: cursor '${String(cursor).slice(0, 80)}' was not issued by this directory; run a full read and take currentCursor() again`, { tenantId: file.tenant.id });
    }
    return seq;
  };

  /** The current state of one changed object, as the port reports it. */
  const changeOf = (file: DirectoryFile, entry: DirectoryFile["changes"][number]): DirectoryChange => {
    if (entry.kind === "membership") {
      const group = file.groups.find((g) => g.id === entry.id);
      return { type: "membership", groupId: entry.id, memberId: entry.memberId, removed: !group?.members.includes(entry.memberId) };
    }
    const user = file.users.find((u) => u.id === entry.id);
    if (!user) return { type: "userRemoved", userId: entry.id, permanent: true };
    if (user.deletedDateTime !== null) return { type: "userRemoved", userId: entry.id, permanent: false };
    return { type: "user", user: copy(user) };
  };

  return {
    name: "json-file",
    capabilities: CAPABILITIES,
    path,

    async describe(o?: CallOptions) {
      throwIfAborted(o?.signal);
      return (await readDirectoryFile(path)).tenant;
    },

    async getPartnerSettings(partnerTenantId: string, o?: CallOptions) {
      throwIfAborted(o?.signal);
      const file = await readDirectoryFile(path);
      return file.partnerSettings.find((p) => same(p.tenantId, partnerTenantId)) ?? null;
    },

    // ---- source role ----

    async *listUsers(o?: ListUsersOptions) {
      throwIfAborted(o?.signal);
      const size = o?.pageSize ?? defaultPageSize;
      const live = (await readDirectoryFile(path)).users.filter((u) => u.deletedDateTime === null);
      for (let i = 0; i < live.length; i += size) {
        throwIfAborted(o?.signal);
        yield live.slice(i, i + size);
      }
    },

    async getUser(id: string, o?: GetUserOptions) {
      throwIfAborted(o?.signal);
      const user = (await readDirectoryFile(path)).users.find((u) => u.id === id);
      return user && (user.deletedDateTime === null || o?.includeDeleted) ? user : null;
    },

    async *listGroupMembers(groupId: string, o?: CallOptions & { transitive?: boolean }) {
      throwIfAborted(o?.signal);
      const file = await readDirectoryFile(path);
      const groups = new Map(file.groups.map((g) => [g.id, g]));
      const live = new Set(file.users.filter((u) => u.deletedDateTime === null).map((u) => u.id));
      if (!groups.has(groupId)) throw new NotFoundError("group", groupId, { tenantId: file.tenant.id, message: `${where}: group ${groupId} does not exist` });
      const members = new Set<string>();
      const visited = new Set([groupId]);
      const queue = [groupId];
      while (queue.length > 0) {
        for (const member of groups.get(queue.shift()!)!.members) {
          if (live.has(member)) members.add(member);
          else if (o?.transitive && groups.has(member) && !visited.has(member)) {
            visited.add(member);
            queue.push(member);
          }
        }
      }
      yield [...members];
    },

    async currentCursor(o?: ChangeFeedOptions) {
      throwIfAborted(o?.signal);
      const file = await readDirectoryFile(path);
      return encodeCursor(file, file.nextSeq - 1);
    },

    async *readChanges(cursor: string, o?: ChangeFeedOptions): AsyncIterable<ChangePage> {
      throwIfAborted(o?.signal);
      const file = await readDirectoryFile(path);
      const tracked = new Set(o?.groupIds ?? []);
      let position = decodeCursor(file, cursor);
      const pending = file.changes.filter((c) => c.seq > position && (c.kind === "user" || tracked.has(c.id)));
      do {
        throwIfAborted(o?.signal);
        const page = pending.splice(0, defaultPageSize);
        // Report each object once per page, in its current state.
        const seen = new Set<string>();
        const changes: DirectoryChange[] = [];
        for (const entry of page) {
          const key = entry.kind === "user" ? `u:${entry.id}` : `m:${entry.id}:${entry.memberId}`;
          if (!seen.has(key)) changes.push(changeOf(file, entry));
          seen.add(key);
        }
        position = page.at(-1)?.seq ?? file.nextSeq - 1;
        yield { changes, cursor: encodeCursor(file, position) };
      } while (pending.length > 0);
    },

    // ---- target role ----

    async findUsers(query: UserQuery, o?: CallOptions) {
      throwIfAborted(o?.signal);
      const file = await readDirectoryFile(path);
      const visible = file.users.filter((u) => u.deletedDateTime === null || query.includeDeleted);
      if ("alternativeSecurityId" in query) {
        const { tenantId, userId } = query.alternativeSecurityId;
        return visible.filter((u) => same(u.alternativeSecurityId?.tenantId, tenantId) && u.alternativeSecurityId?.userId === userId);
      }
      if (!STRING_ATTRIBUTES.has(query.attribute)) {
        throw new InvalidValueError(`${where}: findUsers cannot match on '${query.attribute}'; use one of ${[...STRING_ATTRIBUTES].join(", ")}`, { property: query.attribute });
      }
      return visible.filter((u) => same((u as unknown as Record<string, string | null>)[query.attribute], query.value));
    },

    async createExternalUser(input: CreateExternalUserInput, w: WriteOptions) {
      throwIfAborted(w?.signal);
      return updateDirectoryFile(path, (file) => {
        const source = authorize(file, "createExternalUser", w);
        const upn = input.attributes?.userPrincipalName;
        if (typeof upn !== "string") throw new InvalidValueError(`${where}: createExternalUser needs attributes.userPrincipalName (the source UPN)`, { property: "userPrincipalName" });
        if (typeof input.attributes.displayName !== "string") throw new InvalidValueError(`${where}: createExternalUser needs attributes.displayName`, { property: "displayName" });
        const blank: DirectoryUser = {
          id: randomUUID(),
          userPrincipalName: upn,
          mail: null, mailNickname: null, displayName: input.attributes.displayName, givenName: null, surname: null, jobTitle: null, department: null, companyName: null,
          employeeId: null, officeLocation: null, streetAddress: null, city: null, state: null, postalCode: null, country: null, businessPhones: [], mobilePhone: null,
          preferredLanguage: null, accountEnabled: true, userType: input.userType, origin: "external", homeTenantId: source,
          alternativeSecurityId: { ...input.alternativeSecurityId }, showInAddressList: null, extensions: {}, managerId: null,
          createdDateTime: clock.now().toISOString(), deletedDateTime: null,
        };
        const user = applyAttributes(file, blank, input.attributes, "createExternalUser");
        user.userType = input.userType;
        assertUnique(file, user);
        file.users.push(user);
        recordChange(file, { kind: "user", id: user.id });
        return copy(user);
      });
    },

    async updateUser(id: string, changes: UserAttributes, w: WriteOptions) {
      throwIfAborted(w?.signal);
      return updateDirectoryFile(path, (file) => {
        authorize(file, "updateUser", w);
        const user = liveUser(file, id);
        const next = applyAttributes(file, user, changes, "updateUser");
        assertUnique(file, next);
        file.users[file.users.indexOf(user)] = next;
        recordChange(file, { kind: "user", id });
        return copy(next);
      });
    },

    async setManager(id: string, managerId: string | null, w: WriteOptions) {
      throwIfAborted(w?.signal);
      await updateDirectoryFile(path, (file) => {
        authorize(file, "setManager", w);
        const user = liveUser(file, id);
        if (managerId !== null) {
          if (managerId === id) throw new InvalidValueError(`${where}: user ${id} cannot be its own manager`, { property: "managerId" });
          liveUser(file, managerId);
        }
        user.managerId = managerId;
        recordChange(file, { kind: "user", id });
      });
    },

    async softDeleteUser(id: string, w: WriteOptions) {
      throwIfAborted(w?.signal);
      await updateDirectoryFile(path, (file) => {
        authorize(file, "softDeleteUser", w);
        liveUser(file, id).deletedDateTime = clock.now().toISOString();
        recordChange(file, { kind: "user", id });
      });
    },

    async restoreUser(id: string, w: WriteOptions) {
      throwIfAborted(w?.signal);
      return updateDirectoryFile(path, (file) => {
        authorize(file, "restoreUser", w);
        const user = file.users.find((u) => u.id === id);
        if (!user || user.deletedDateTime === null) throw notFound(id, user ? "is not soft-deleted" : "is not in the soft-delete bin", file.tenant.id);
        assertUnique(file, user);
        user.deletedDateTime = null;
        recordChange(file, { kind: "user", id });
        return copy(user);
      });
    },
  };
}
