/**
 * `@tenantsync/graph` — the tenantsync `DirectoryPort` (from `@tenantsync/core`) over Microsoft
 * Graph v1.0: delta queries, paging, `$batch`, throttling with Retry-After
 * and client-side quotas, invitations, soft delete and restore, manager
 * references, cross-tenant access policy reads, national clouds.
 *
 * @example
 * ```ts
 * import { createGraphDirectory } from "@tenantsync/graph";
 * const source = createGraphDirectory({ tenantId, credential, cloud: "commercial" });
 * for await (const page of source.listUsers()) console.log(page.length);
 * ```
 *
 * @module
 */
export { createGraphDirectory } from "./graph-directory.ts";
export type { GraphDirectory, GraphDirectoryOptions } from "./graph-directory.ts";
export { graphEndpointsFor } from "./clouds/national-clouds.ts";
export type { GraphCloudEndpoints } from "./clouds/national-clouds.ts";
export { createTokenProvider } from "./auth/token-provider.ts";
export type { GraphAccessToken, GraphGetTokenOptions, GraphTokenCredential, TokenProvider, TokenProviderOptions } from "./auth/token-provider.ts";
export { GRAPH_INVITATION_QUOTA, GRAPH_WRITE_QUOTA, createGraphTransport } from "./transport/graph-transport.ts";
export type { GraphBatchResult, GraphMethod, GraphQuotaOptions, GraphRequest, GraphResponse, GraphTransport, GraphTransportOptions } from "./transport/graph-transport.ts";
export { createTokenBucket } from "./transport/token-bucket.ts";
export type { RateQuota, TokenBucket } from "./transport/token-bucket.ts";
export { mapGraphError, parseGraphError, parseRetryAfter } from "./transport/graph-error.ts";
export type { GraphErrorContext, GraphErrorDetail, GraphErrorInfo } from "./transport/graph-error.ts";
export { DEFAULT_ANCHOR_EXTENSION_NAME, formatAnchor, parseAnchor, resolveAnchorAttribute } from "./users/anchor-attribute.ts";
export type { AnchorAttribute } from "./users/anchor-attribute.ts";
export { GRAPH_USER_SELECT, classifyGraphUser, externalNames, graphUserToDirectoryUser, toGraphUserPatch } from "./users/user-mapping.ts";
export { partnerSettingsFromGraph } from "./policies/partner-settings.ts";
export { readDeltaPage } from "./delta/delta-page.ts";
export type { DeltaEntry, DeltaLinks } from "./delta/delta-page.ts";
