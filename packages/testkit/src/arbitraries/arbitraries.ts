import { directory, group } from "./directory-state-arbitrary.ts";
import { jobConfig } from "./job-config-arbitrary.ts";
import { mesh } from "./mesh-arbitrary.ts";
import { operations } from "./source-operations.ts";
import { external, guest, internalMember, user, userAttributes } from "./user-arbitraries.ts";

/**
 * fast-check arbitraries for tenantsync's inputs, for your own property
 * tests. Every value they produce is valid for core's schemas
 * (`DirectoryUser`, `Group`, `SyncJobConfig`).
 *
 * - `user()`, `internalMember()`, `guest()`, `external()` — one user;
 * - `userAttributes()` — attribute bags as the engine writes them;
 * - `directory()` — a tenant's users (with managers) and groups (nested);
 * - `group()` — a group over given member ids;
 * - `jobConfig()` — a sync job configuration;
 * - `operations()` — sequences of source-tenant changes (see `applySourceOperations`);
 * - `mesh()` — tenants and the jobs between them.
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * import { arbitraries } from "@tenantsync/testkit";
 *
 * fc.assert(fc.property(arbitraries.internalMember(), (user) => isEligibleForSync(user)));
 * ```
 */
export const arbitraries: {
  readonly user: typeof user;
  readonly internalMember: typeof internalMember;
  readonly guest: typeof guest;
  readonly external: typeof external;
  readonly userAttributes: typeof userAttributes;
  readonly directory: typeof directory;
  readonly group: typeof group;
  readonly jobConfig: typeof jobConfig;
  readonly operations: typeof operations;
  readonly mesh: typeof mesh;
} = Object.freeze({ user, internalMember, guest, external, userAttributes, directory, group, jobConfig, operations, mesh });
