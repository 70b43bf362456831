import type { PartnerSettings } from "@tenantsync/core";

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * Builds core's {@link PartnerSettings} from Graph's partner configuration
 * (`GET /policies/crossTenantAccessPolicy/partners/{id}`) and its user
 * synchronization policy (`…/identitySynchronization`, null when the tenant
 * has none). A setting Graph leaves `null` inherits the default policy, which
 * for automatic redemption and inbound sync means "off", so it reads false.
 *
 * @example
 * ```ts
 * partnerSettingsFromGraph(partnerJson, { tenantId, userSyncInbound: { isSyncAllowed: true } });
 * // { tenantId, userSyncInbound: { isSyncAllowed: true }, automaticUserConsentSettings: { inboundAllowed: false, outboundAllowed: false } }
 * ```
 */
export function partnerSettingsFromGraph(partner: unknown, identitySynchronization: unknown | null): PartnerSettings {
  const p = record(partner) ?? {};
  const consent = record(p["automaticUserConsentSettings"]) ?? {};
  const sync = record(record(identitySynchronization)?.["userSyncInbound"]) ?? {};
  return {
    tenantId: String(p["tenantId"] ?? record(identitySynchronization)?.["tenantId"] ?? ""),
    userSyncInbound: { isSyncAllowed: sync["isSyncAllowed"] === true },
    automaticUserConsentSettings: {
      inboundAllowed: consent["inboundAllowed"] === true,
      outboundAllowed: consent["outboundAllowed"] === true,
    },
  };
}
