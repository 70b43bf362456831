import type { ScimAdapterConfig, TenantConfig } from "../config/tenantsync-config.ts";
import type { AdapterContext, OpenedTenant } from "./tenant-adapter.ts";

/** Opens a SCIM 2.0 service as a target tenant. No request is made until a command needs one. */
export async function openScimTenant(entry: TenantConfig, _context: AdapterContext): Promise<OpenedTenant> {
  const config = entry.adapter as ScimAdapterConfig;
  const { createScimDirectory } = await import("@tenantsync/scim");
  const displayName = config.displayName ?? entry.name ?? `SCIM ${entry.id.slice(0, 8)}`;
  const host = new URL(config.baseUrl).hostname;
  const domain = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(host) && /[a-z]/i.test(host.split(".").pop() ?? "") ? host : "scim.invalid";
  const directory = createScimDirectory({
    baseUrl: config.baseUrl,
    token: config.token,
    tenant: { id: entry.id, displayName, cloud: config.cloud, verifiedDomains: config.verifiedDomains ?? [domain] },
    deprovision: config.deprovision,
    ...(config.userNameFormat ? { userNameFormat: config.userNameFormat } : {}),
    ...(config.etags ? { etags: config.etags } : {}),
    ...(config.pageSize ? { pageSize: config.pageSize } : {}),
    ...(config.maxRetries !== undefined ? { maxRetries: config.maxRetries } : {}),
    ...(config.concurrency ? { concurrency: config.concurrency } : {}),
    ...(config.requestsPerSecond ? { requestsPerSecond: config.requestsPerSecond } : {}),
    ...(config.timeoutMs ? { timeoutMs: config.timeoutMs } : {}),
  });
  return { directory, label: entry.name ?? displayName };
}
