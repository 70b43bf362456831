import { ConfigError, type DirectoryPort } from "@tenantsync/core";
import type { ModuleAdapterConfig, TenantConfig } from "../config/tenantsync-config.ts";
import { loadModuleExport } from "./load-module-export.ts";
import type { AdapterContext, OpenedTenant } from "./tenant-adapter.ts";

const PORT_METHODS = ["describe", "getPartnerSettings", "listUsers", "getUser", "listGroupMembers", "currentCursor", "readChanges", "findUsers", "createExternalUser", "updateUser", "setManager", "softDeleteUser", "restoreUser"] as const;

/** Opens a tenant through a module of the user's: `export default (options, { tenantId, resolvePath }) => DirectoryPort`. */
export async function openModuleTenant(entry: TenantConfig, context: AdapterContext): Promise<OpenedTenant> {
  const config = entry.adapter as ModuleAdapterConfig;
  const path = [...context.path, "adapter"];
  const factory = await loadModuleExport(config.module, config.export, context.resolvePath, path);
  const port = (await factory(config.options ?? {}, { tenantId: entry.id, resolvePath: context.resolvePath })) as Partial<DirectoryPort> | null;
  const missing = port && typeof port === "object" ? PORT_METHODS.filter((m) => typeof port[m] !== "function") : [...PORT_METHODS];
  if (!port || missing.length > 0 || typeof port.capabilities !== "object" || port.capabilities === null) {
    throw new ConfigError(
      [{ path: [...path, "module"], message: `${config.module} did not return a DirectoryPort${missing.length ? ` (missing ${missing.join(", ")})` : " (no capabilities)"}` }],
      "module adapter",
    );
  }
  const directory = port as DirectoryPort;
  return {
    directory,
    label: entry.name ?? entry.id,
    ...(typeof (port as { close?: unknown }).close === "function" ? { close: async () => void (await (port as { close(): unknown }).close()) } : {}),
  };
}
