/**
 * `@tenantsync/testkit` — the conformance kit of tenantsync: Vitest suites
 * every `DirectoryPort` and `StateStore` adapter runs, and fast-check
 * arbitraries for users, groups, job configs, operation sequences and meshes.
 * `vitest` and `fast-check` are peer dependencies.
 *
 * @example
 * ```ts
 * import { runDirectoryConformance } from "@tenantsync/testkit";
 * runDirectoryConformance({ name: "my-directory", create, probe });
 * ```
 *
 * @module
 */
// ---- directory conformance ----
export { runDirectoryConformance } from "./directory/directory-conformance.ts";
export type { DirectoryConformanceOptions, DirectoryKit } from "./directory/directory-conformance.ts";
export type { DirectoryFactoryContext, DirectoryProbe, SeedUserInput } from "./directory/directory-probe.ts";
export type { DirectoryFixture } from "./directory/directory-fixture.ts";
export { DIRECTORY_CONFORMANCE_TESTS } from "./directory/directory-test-keys.ts";
export type { DirectoryConformanceTest } from "./directory/directory-test-keys.ts";

// ---- state store conformance ----
export { runStateStoreConformance } from "./state/state-store-conformance.ts";
export type { StateStoreConformanceOptions, StateStoreKit } from "./state/state-store-conformance.ts";
export type { StateStoreFixture, StateStoreProbe } from "./state/state-store-fixture.ts";
export { STATE_STORE_CONFORMANCE_TESTS } from "./state/state-store-test-keys.ts";
export type { StateStoreConformanceTest } from "./state/state-store-test-keys.ts";

// ---- arbitraries ----
export { arbitraries } from "./arbitraries/arbitraries.ts";
export { TESTKIT_EXTENSION_PREFIX } from "./arbitraries/user-arbitraries.ts";
export type { ExternalUserArbitraryOptions, UserArbitraryOptions, UserAttributesArbitraryOptions } from "./arbitraries/user-arbitraries.ts";
export type { DirectoryArbitraryOptions, GeneratedDirectory } from "./arbitraries/directory-state-arbitrary.ts";
export type { JobConfigArbitraryOptions } from "./arbitraries/job-config-arbitrary.ts";
export { applySourceOperations } from "./arbitraries/source-operations.ts";
export type { AppliedOperations, OperationsArbitraryOptions, SourceOperation } from "./arbitraries/source-operations.ts";
export type { GeneratedMesh, GeneratedMeshTenant, MeshArbitraryOptions } from "./arbitraries/mesh-arbitrary.ts";
