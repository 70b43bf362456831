import type { DirectoryUser, DirectoryUserInput, Group, ManualClock, PartnerSettings, UserAttributes } from "@tenantsync/core";

/**
 * A user to create straight in the backend through {@link DirectoryProbe.seedUser}:
 * core's `DirectoryUserInput` without an id (the backend assigns it). Internal
 * users carry `origin: "internal"` (the default); external (B2B) users carry
 * `origin: "external"`, a `homeTenantId` and, when sync made them, an
 * `alternativeSecurityId`. `managerId`, when set, names a user seeded before.
 *
 * @example
 * ```ts
 * const input: SeedUserInput = { userPrincipalName: "adele@contoso.com", displayName: "Adele Vance", origin: "internal" };
 * ```
 */
export type SeedUserInput = Omit<DirectoryUserInput, "id" | "createdDateTime" | "deletedDateTime">;

/**
 * The backdoor into the backend behind your adapter. The kit uses it to set
 * up state and to check what a write really stored, so a test never trusts
 * the adapter's own reads (the idea of Auth.js's adapter tests). Implement it
 * against the backend directly: an admin API, SQL, the file on disk — never
 * through the adapter under test.
 *
 * Three members are required; the rest are optional, and each test that needs
 * a missing one is skipped with a note that names it.
 *
 * @example
 * ```ts
 * const probe: DirectoryProbe = {
 *   async seedUser(input) { return backend.insertUser(input); },
 *   async getUser(id) { return backend.findUser(id) ?? null; },
 *   async listUsers() { return backend.allUsers(); },
 *   async softDeleteUser(id) { backend.markDeleted(id); },
 * };
 * ```
 */
export interface DirectoryProbe {
  /**
   * Creates a user directly in the backend (it bypasses trust settings and
   * ownership rules, like an administrator would) and returns it as stored,
   * with the id the backend gave it.
   */
  seedUser(input: SeedUserInput): Promise<DirectoryUser>;
  /** The user as stored, live or soft-deleted (then `deletedDateTime` is set), or null when the backend has no such user. */
  getUser(id: string): Promise<DirectoryUser | null>;
  /** Every user in the backend, live and soft-deleted, in any order. */
  listUsers(): Promise<DirectoryUser[]>;

  /** Changes attributes directly in the backend (`null` clears). Enables change-feed tests of updates. */
  updateUser?(id: string, changes: UserAttributes): Promise<void>;
  /** Moves a live user to the backend's soft-delete bin. Enables tests of soft-deleted users in source reads and the change feed. */
  softDeleteUser?(id: string): Promise<void>;
  /** Brings a soft-deleted user back. Enables the change-feed restore test. */
  restoreUser?(id: string): Promise<void>;
  /** Deletes a user for good. Enables the change-feed hard-delete test. */
  hardDeleteUser?(id: string): Promise<void>;
  /** Creates a group with direct members (user or group ids) and returns it. Enables the group tests. */
  addGroup?(input: { displayName: string; members?: readonly string[] }): Promise<Group>;
  /** Adds a direct member (user or group) to a group. */
  addMember?(groupId: string, memberId: string): Promise<void>;
  /** Removes a direct member from a group. */
  removeMember?(groupId: string, memberId: string): Promise<void>;
  /** Creates or replaces the trust settings the tenant holds about `settings.tenantId`. Enables the partner-settings and trust-withdrawal tests. */
  setPartnerSettings?(settings: PartnerSettings): Promise<void>;
}

/**
 * What the kit hands your factory for each test. Build a *fresh* directory
 * (an empty backend, or one only your test owns) that:
 *
 * - accepts writes made on behalf of `sourceTenantId`: it allows inbound user
 *   sync and automatic redemption from that tenant (the partner settings
 *   `userSyncInbound.isSyncAllowed` and `automaticUserConsentSettings.inboundAllowed`);
 * - holds no partner settings about `untrustedTenantId` (the kit checks that
 *   writes on its behalf are refused);
 * - uses `clock` for the times it stamps, when the backend takes a clock.
 *
 * @example
 * ```ts
 * create: ({ sourceTenantId, clock }) => {
 *   const directory = createMemoryDirectory({ tenant, clock });
 *   directory.admin.setPartnerSettings({ tenantId: sourceTenantId, userSyncInbound: { isSyncAllowed: true }, automaticUserConsentSettings: { inboundAllowed: true } });
 *   return directory;
 * }
 * ```
 */
export interface DirectoryFactoryContext {
  /** The tenant the kit writes on behalf of (the job's source). A v4 GUID. */
  readonly sourceTenantId: string;
  /** A tenant the directory does not trust. A v4 GUID. */
  readonly untrustedTenantId: string;
  /** A manual clock starting at 2026-01-01T00:00:00Z. */
  readonly clock: ManualClock;
}
