import type { AdapterConfig, TenantConfig } from "../config/tenantsync-config.ts";
import { openGraphTenant } from "./graph-tenant.ts";
import { openMemoryTenant } from "./memory-tenant.ts";
import { openModuleTenant } from "./module-tenant.ts";
import { openScimTenant } from "./scim-tenant.ts";
import type { AdapterContext, AdapterFactory, OpenedTenant } from "./tenant-adapter.ts";

/**
 * The built-in adapter factories, by `adapter.type`. The extension point for
 * a new directory type: add its config variant to `AdapterConfig` and its
 * factory here. Any other adapter plugs in through `module`.
 */
export const BUILT_IN_ADAPTERS: Readonly<Record<AdapterConfig["type"], AdapterFactory>> = Object.freeze({
  memory: openMemoryTenant,
  graph: openGraphTenant,
  scim: openScimTenant,
  module: openModuleTenant,
});

/**
 * Opens one tenant of the config with the factory its adapter type names.
 *
 * @example
 * ```ts
 * const { directory, save } = await openTenant(config.tenants[0], { path: ["tenants", 0], tenantIds, resolvePath, warn: console.warn, persistentState: null, writes: true });
 * ```
 */
export function openTenant(entry: TenantConfig, context: AdapterContext): Promise<OpenedTenant> {
  return BUILT_IN_ADAPTERS[entry.adapter.type](entry, context);
}
