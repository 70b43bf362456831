import { createGraphDirectory } from "@tenantsync/graph";
import type { GraphAdapterConfig, TenantConfig } from "../config/tenantsync-config.ts";
import { createCredential } from "./credentials.ts";
import type { AdapterContext, OpenedTenant } from "./tenant-adapter.ts";

/** Opens a tenant over Microsoft Graph. No request is made until a command needs one. */
export async function openGraphTenant(entry: TenantConfig, context: AdapterContext): Promise<OpenedTenant> {
  const config = entry.adapter as GraphAdapterConfig;
  const credential = await createCredential(config.credential, {
    tenantId: entry.id,
    cloud: config.cloud,
    baseUrl: config.baseUrl,
    resolvePath: context.resolvePath,
    path: [...context.path, "adapter", "credential"],
  });
  const clientId = "clientId" in config.credential ? config.credential.clientId : undefined;
  const appId = config.appId ?? clientId;
  const directory = createGraphDirectory({
    tenantId: entry.id,
    credential,
    cloud: config.cloud,
    ...(config.baseUrl ? { baseUrl: config.baseUrl.replace(/\/+$/, "") } : {}),
    ...(appId ? { appId } : {}),
    ...(config.anchorAttribute ? { anchorAttribute: config.anchorAttribute } : {}),
    ...(config.concurrency ? { concurrency: config.concurrency } : {}),
    ...(config.pageSize ? { pageSize: config.pageSize } : {}),
    ...(config.maxRetries !== undefined ? { maxRetries: config.maxRetries } : {}),
    ...(config.requestTimeoutMs ? { requestTimeoutMs: config.requestTimeoutMs } : {}),
  });
  return { directory, label: entry.name ?? entry.id };
}
