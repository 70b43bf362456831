/**
 * `@tenantsync/scim` — a target-role `DirectoryPort` over any SCIM 2.0
 * service (RFC 7643, RFC 7644): the engine creates, updates, disables,
 * deprovisions and restores synced users in an app that speaks SCIM.
 *
 * @example
 * ```ts
 * import { createScimDirectory, scimJobMappings } from "@tenantsync/scim";
 * const target = createScimDirectory({ baseUrl, token, tenant, deprovision: "disable" });
 * const job = createSyncJob({ source, target, config: { sourceTenantId, targetTenantId: target.tenant.id, attributeMappings: scimJobMappings(target) } });
 * ```
 *
 * @module
 */
export { createScimDirectory, patchOperations, DEFAULT_SOFT_DELETE_MARKER } from "./scim-directory.ts";
export type { ScimCredential, ScimDirectory, ScimDirectoryOptions, ScimServiceFeatures, ScimTenantInput } from "./scim-directory.ts";
export { DEFAULT_SCIM_MAPPING, DEFAULT_SCIM_MANAGER_PATH, buildScimResource, compileScimMapping } from "./scim-mapping.ts";
export type { CompiledScimAttribute, ScimAttributeMapping, ScimMappingOptions, ScimUserMapper } from "./scim-mapping.ts";
export { SCIM_ENTERPRISE_USER_SCHEMA, SCIM_PATCH_OP_SCHEMA, SCIM_USER_SCHEMA, parseScimPath, readScimPath, writeScimPath } from "./scim-path.ts";
export type { ScimPath } from "./scim-path.ts";
export { quoteScimFilterValue, scimEqualityFilter } from "./scim-filter.ts";
export { decodeExternalId, encodeExternalId } from "./external-id.ts";
export { formatSoftDeleteMarker, readSoftDeleteMarker } from "./soft-delete-marker.ts";
export type { SoftDeleteMarker } from "./soft-delete-marker.ts";
export { parseRetryAfter, scimError } from "./scim-error.ts";
export type { ScimErrorBody, ScimErrorContext } from "./scim-error.ts";
export { createScimTransport } from "./scim-transport.ts";
export type { ScimRequest, ScimResponse, ScimTransport, ScimTransportOptions, ScimTransportStats } from "./scim-transport.ts";
export { scimJobMappings } from "./scim-job-mappings.ts";
export type { ScimJobMappingsOptions } from "./scim-job-mappings.ts";
