/**
 * `@tenantsync/graph/emulator` — a Microsoft Graph emulator on loopback HTTP
 * over `@tenantsync/memory` directories, for testing the Graph adapter (and
 * your own code) without a tenant: delta queries with opaque tokens,
 * `$batch`, invitations, deletedItems, `manager/$ref`, cross-tenant access
 * policies, fault injection and an enforceable write quota.
 *
 * @example
 * ```ts
 * import { startGraphEmulator, createEmulatorCredential } from "@tenantsync/graph/emulator";
 * const emulator = await startGraphEmulator({ tenants: [{ id: tenantId, displayName: "Contoso", verifiedDomains: ["contoso.com"] }] });
 * const credential = createEmulatorCredential({ tenantId });
 * // … createGraphDirectory({ tenantId, credential, baseUrl: emulator.url, appId })
 * await emulator.close();
 * ```
 *
 * @module
 */
export { startGraphEmulator } from "./emulator/graph-emulator.ts";
export type { GraphEmulator, GraphEmulatorFaultRule, GraphEmulatorFaults, GraphEmulatorOptions, GraphEmulatorQuota, GraphEmulatorStats } from "./emulator/graph-emulator.ts";
export { createEmulatorCredential, createEmulatorToken, readEmulatorToken } from "./emulator/emulator-token.ts";
export type { EmulatorCredential, EmulatorTokenClaims } from "./emulator/emulator-token.ts";
export { matchesFilter, parseFilter } from "./emulator/odata-filter.ts";
export type { FilterNode } from "./emulator/odata-filter.ts";
