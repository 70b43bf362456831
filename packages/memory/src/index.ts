/**
 * `@tenantsync/memory` — a faithful in-memory tenant implementing core's
 * `DirectoryPort`, with an admin API for tests and simulations, fault
 * injection, and a builder for meshes of tenants.
 *
 * @example
 * ```ts
 * import { createMesh } from "@tenantsync/memory";
 * const mesh = createMesh({ seed: 1, tenants: 2, usersPerTenant: 100 });
 * const [source, target] = mesh.tenants;
 * for await (const page of source.listUsers()) console.log(page.length);
 * ```
 *
 * @module
 */
export { createMemoryDirectory } from "./memory-directory.ts";
export type {
  MemoryDirectory,
  MemoryDirectoryAdmin,
  MemoryDirectoryOptions,
  MemoryDirectorySnapshot,
  MemoryDirectoryStats,
  MemoryGroupInput,
  MemoryTenantInput,
  MemoryUserInput,
  PartnerSettingsInput,
} from "./memory-directory.ts";
export { BIN_RETENTION_MS, UNIQUE_PROPERTIES } from "./directory-state.ts";
export { MEMORY_PORT_METHODS, MEMORY_PORT_WRITE_METHODS } from "./fault-injector.ts";
export type { FaultCounts, FaultOptions, MemoryPortMethod } from "./fault-injector.ts";
export { createMesh } from "./mesh.ts";
export type { Mesh, MeshOptions, MeshTenantInput, MeshTrust } from "./mesh.ts";
export { externalUserPrincipalName } from "./external-user-principal-name.ts";
export type { ExternalUserNames } from "./external-user-principal-name.ts";
export { createSeededRandom, seedFromString } from "./seeded-random.ts";
export type { SeededRandom } from "./seeded-random.ts";
