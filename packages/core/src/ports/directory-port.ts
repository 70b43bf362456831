import type { AlternativeSecurityId, DirectoryUser, UserAttributes, UserType } from "../model/user.ts";
import type { PartnerSettings } from "../model/partner-settings.ts";
import type { Tenant } from "../model/tenant.ts";

/** Options every I/O call accepts. */
export interface CallOptions {
  /** Stops the call; the adapter rejects with `AbortedError`. */
  signal?: AbortSignal | undefined;
}

/**
 * Options of every write. `sourceTenantId` names the tenant on whose behalf
 * the write is made, so a target can refuse writes its trust settings do not
 * allow (defence in depth for R3).
 */
export interface WriteOptions extends CallOptions {
  sourceTenantId: string;
}

/**
 * What a directory adapter can do. Declared up front so that a job refuses a
 * configuration the adapter cannot serve (a named error at configuration
 * time, never a silent no-op during a cycle). Start from
 * {@link DEFAULT_DIRECTORY_CAPABILITIES} so new flags never break your adapter.
 */
export interface DirectoryCapabilities {
  /** Can be a job's source: listUsers, getUser, listGroupMembers. */
  source: boolean;
  /** Can be a job's target: findUsers, createExternalUser, updateUser, softDeleteUser. */
  target: boolean;
  /** currentCursor and readChanges work (incremental cycles). Without it every cycle is full. */
  changeFeed: boolean;
  /** restoreUser works and soft-deleted users stay findable with `includeDeleted`. */
  restore: boolean;
  /** managerId is read (source) and setManager works (target). */
  manager: boolean;
  /**
   * `createExternalUser` honours `attributes.managerId` (the manager's id in
   * this directory), writing the new user and its manager together. When the
   * manager cannot be set (it does not exist, say) the user is still created
   * and the returned user's `managerId` says what was written; the engine
   * then writes the manager with `setManager`, as without this flag. With it,
   * a new user whose manager already has an account costs one write instead
   * of two. Default false (absent): managers are written with `setManager`.
   *
   * @example
   * ```ts
   * const capabilities = { ...DEFAULT_DIRECTORY_CAPABILITIES, managerOnCreate: true };
   * ```
   */
  managerOnCreate?: boolean;
  /** listGroupMembers supports `transitive: true`. */
  transitiveMembers: boolean;
  /** getPartnerSettings returns real trust settings; without it, R3 checks are skipped with a warning. */
  partnerSettings: boolean;
  /** Target attributes the adapter can write; `null` means every user attribute. */
  writableAttributes: readonly string[] | null;
}

/**
 * Capabilities of an adapter that does everything; spread it and switch off
 * what yours lacks.
 *
 * @example
 * ```ts
 * const capabilities = { ...DEFAULT_DIRECTORY_CAPABILITIES, restore: false };
 * ```
 */
export const DEFAULT_DIRECTORY_CAPABILITIES: DirectoryCapabilities = Object.freeze({
  source: true,
  target: true,
  changeFeed: true,
  restore: true,
  manager: true,
  transitiveMembers: true,
  partnerSettings: true,
  writableAttributes: null,
});

/** Options of {@link DirectoryPort.listUsers}. */
export interface ListUsersOptions extends CallOptions {
  /** Attribute names the caller needs; adapters may return more. */
  select?: readonly string[] | undefined;
  /** Page size hint. */
  pageSize?: number | undefined;
}

/** Options of {@link DirectoryPort.getUser}. */
export interface GetUserOptions extends CallOptions {
  /** Also return the user when it is soft-deleted (then `deletedDateTime` is set). */
  includeDeleted?: boolean | undefined;
  select?: readonly string[] | undefined;
}

/** Options of the change feed. */
export interface ChangeFeedOptions extends CallOptions {
  /** Groups whose membership changes the caller wants (the job's assigned groups). */
  groupIds?: readonly string[] | undefined;
  select?: readonly string[] | undefined;
}

/**
 * One change read from a directory's change feed. A user that was created,
 * updated or restored arrives as `user` with its current state; a removal
 * says whether it was a soft delete (`permanent: false`) or a hard delete.
 * Feeds may repeat, reorder and replay changes: consumers are idempotent.
 */
export type DirectoryChange =
  | { type: "user"; user: DirectoryUser }
  | { type: "userRemoved"; userId: string; permanent: boolean }
  | { type: "membership"; groupId: string; memberId: string; removed: boolean }
  | { type: "groupRemoved"; groupId: string };

/** A page of changes and the cursor that resumes after it. */
export interface ChangePage {
  changes: DirectoryChange[];
  /** Resume reading after this page by passing it to readChanges. */
  cursor: string;
}

/** How a target finds existing users when matching (R9). */
export type UserQuery =
  | { alternativeSecurityId: AlternativeSecurityId; includeDeleted?: boolean }
  | { attribute: string; value: string; includeDeleted?: boolean };

/** What the engine passes to create an external user in a target. */
export interface CreateExternalUserInput {
  /** The source identity; the adapter stores it so findUsers can find the user by it. */
  alternativeSecurityId: AlternativeSecurityId;
  /** Member (default for cross-tenant sync) or Guest. */
  userType: UserType;
  /**
   * Mapped attributes. `userPrincipalName`/`mailNickname` carry the *source*
   * values; the adapter derives the target's external form
   * (`alias_domain#EXT#@targetdomain`).
   */
  attributes: UserAttributes;
}

/**
 * Everything the engine needs from one directory, as a *source* (read users,
 * groups and changes) and as a *target* (match, create, update, soft-delete,
 * restore). Every method returns a Promise or an async iterable and accepts an
 * optional `AbortSignal`. Errors are core's typed errors (`NotFoundError`,
 * `ConflictError`, `ThrottledError`, `PolicyError`, …) with `retryable` set.
 *
 * @example
 * ```ts
 * for await (const page of directory.listUsers({ select: ["displayName", "mail"] })) {
 *   for (const user of page) console.log(user.userPrincipalName);
 * }
 * ```
 */
export interface DirectoryPort {
  /** The adapter's name, used in messages (`memory`, `graph`, `scim`). */
  readonly name: string;
  readonly capabilities: DirectoryCapabilities;

  /** The tenant behind this directory: id, cloud, verified domains. */
  describe(options?: CallOptions): Promise<Tenant>;
  /** The trust settings this tenant holds about `partnerTenantId`, or null when it holds none. */
  getPartnerSettings(partnerTenantId: string, options?: CallOptions): Promise<PartnerSettings | null>;

  // ---- source role ----
  /** Every live user, in pages. */
  listUsers(options?: ListUsersOptions): AsyncIterable<DirectoryUser[]>;
  /** One user by id, or null when it does not exist (or is soft-deleted, unless `includeDeleted`). */
  getUser(id: string, options?: GetUserOptions): Promise<DirectoryUser | null>;
  /** Ids of the users that are members of a group (direct, or transitive when asked), in pages. Throws NotFoundError for a missing group. */
  listGroupMembers(groupId: string, options?: CallOptions & { transitive?: boolean }): AsyncIterable<string[]>;
  /** A cursor at the current end of the change feed ("from now on"). */
  currentCursor(options?: ChangeFeedOptions): Promise<string>;
  /** The changes after `cursor`, in pages, each with the cursor that resumes after it. Throws CursorExpiredError when the cursor is no longer valid. */
  readChanges(cursor: string, options?: ChangeFeedOptions): AsyncIterable<ChangePage>;

  // ---- target role ----
  /** Users matching a query (live ones; soft-deleted ones too with `includeDeleted`). */
  findUsers(query: UserQuery, options?: CallOptions): Promise<DirectoryUser[]>;
  /**
   * Optional batch form of {@link findUsers}: the results of several queries
   * in one call, in the order of the queries (each exactly what `findUsers`
   * would return for it). The engine matches a chunk of users (R9) through
   * it when present and falls back to one `findUsers` per user when absent,
   * so implement it only when one call is cheaper than many (one `$batch`,
   * one `$filter … in (…)`, one SQL query). A failure fails the whole call
   * (typed errors as for `findUsers`; the engine retries retryable ones).
   *
   * @example
   * ```ts
   * const [first, second] = await directory.findUsersBatch!([
   *   { alternativeSecurityId: { tenantId: source, userId: "u1" }, includeDeleted: true },
   *   { alternativeSecurityId: { tenantId: source, userId: "u2" }, includeDeleted: true },
   * ]);
   * ```
   */
  findUsersBatch?(queries: readonly UserQuery[], options?: CallOptions): Promise<DirectoryUser[][]>;
  /** Creates an external (B2B) user, already redeemed. */
  createExternalUser(input: CreateExternalUserInput, options: WriteOptions): Promise<DirectoryUser>;
  /** Writes attributes; a `null` value clears it. Returns the user after the write. */
  updateUser(id: string, changes: UserAttributes, options: WriteOptions): Promise<DirectoryUser>;
  /** Sets (or with null clears) the user's manager. */
  setManager(id: string, managerId: string | null, options: WriteOptions): Promise<void>;
  /** Moves the user to the soft-delete bin. */
  softDeleteUser(id: string, options: WriteOptions): Promise<void>;
  /** Brings a soft-deleted user back. */
  restoreUser(id: string, options: WriteOptions): Promise<DirectoryUser>;
}
