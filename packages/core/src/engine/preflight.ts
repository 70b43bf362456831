import { AuthError, ConfigError, PolicyError, TenantSyncError, isTenantSyncError } from "../errors/errors.ts";
import type { SyncJobConfig } from "../model/sync-job-config.ts";
import { sameCloud, type Tenant } from "../model/tenant.ts";
import type { DirectoryPort } from "../ports/directory-port.ts";

/** The outcome of the preflight step. */
export type PreflightResult =
  | { ok: true; sourceTenant: Tenant; targetTenant: Tenant; warnings: string[] }
  | { ok: false; reason: "TrustSettingsMissing" | "CrossCloud" | "CredentialsRejected" | "WrongTenant" | "PreflightFailed"; error: TenantSyncError; warnings: string[] };

/**
 * Checks, before any write, that the two tenants are who the config says, are
 * in the same cloud (R4), and that both agree to the sync (R3): the target
 * allows inbound user sync and automatic redemption inbound from the source,
 * and the source allows automatic redemption outbound to the target. Every
 * missing setting is named.
 *
 * @example
 * ```ts
 * const result = await preflight({ source, target, config });
 * if (!result.ok) console.log(result.error.message);
 * ```
 */
export async function preflight(args: { source: DirectoryPort; target: DirectoryPort; config: SyncJobConfig; signal?: AbortSignal | undefined }): Promise<PreflightResult> {
  const { source, target, config, signal } = args;
  const warnings: string[] = [];
  try {
    const [sourceTenant, targetTenant] = await Promise.all([source.describe({ signal }), target.describe({ signal })]);
    const wrong: Array<{ path: string[]; message: string }> = [];
    if (sourceTenant.id.toLowerCase() !== config.sourceTenantId.toLowerCase()) wrong.push({ path: ["sourceTenantId"], message: `the source directory is tenant ${sourceTenant.id}, not ${config.sourceTenantId}` });
    if (targetTenant.id.toLowerCase() !== config.targetTenantId.toLowerCase()) wrong.push({ path: ["targetTenantId"], message: `the target directory is tenant ${targetTenant.id}, not ${config.targetTenantId}` });
    if (wrong.length) return { ok: false, reason: "WrongTenant", error: new ConfigError(wrong, "sync job configuration"), warnings };

    const crossCloud = crossCloudError(sourceTenant, targetTenant, config.options.allowCrossCloud);
    if (crossCloud) return { ok: false, reason: "CrossCloud", error: crossCloud, warnings };

    const missing: string[] = [];
    if (!target.capabilities.partnerSettings || !source.capabilities.partnerSettings) {
      warnings.push(`trust settings not checked: the ${!target.capabilities.partnerSettings ? target.name : source.name} adapter cannot read partner settings`);
    }
    const [inbound, outbound] = await Promise.all([
      target.capabilities.partnerSettings ? target.getPartnerSettings(sourceTenant.id, { signal }) : Promise.resolve(undefined),
      source.capabilities.partnerSettings ? source.getPartnerSettings(targetTenant.id, { signal }) : Promise.resolve(undefined),
    ]);
    if (inbound !== undefined) {
      if (!inbound?.userSyncInbound.isSyncAllowed) missing.push(`target tenant ${targetTenant.id} does not allow user sync from ${sourceTenant.id} (identitySynchronization.userSyncInbound.isSyncAllowed)`);
      if (!inbound?.automaticUserConsentSettings.inboundAllowed) missing.push(`target tenant ${targetTenant.id} does not redeem invitations from ${sourceTenant.id} automatically (automaticUserConsentSettings.inboundAllowed)`);
    }
    if (outbound !== undefined && !outbound?.automaticUserConsentSettings.outboundAllowed) {
      missing.push(`source tenant ${sourceTenant.id} does not redeem invitations to ${targetTenant.id} automatically (automaticUserConsentSettings.outboundAllowed)`);
    }
    if (missing.length) {
      return {
        ok: false,
        reason: "TrustSettingsMissing",
        error: new PolicyError(`R3: trust settings missing, no writes made: ${missing.join("; ")}`, { code: "TRUST_SETTINGS_MISSING", tenantId: targetTenant.id, partnerTenantId: sourceTenant.id }),
        warnings,
      };
    }
    return { ok: true, sourceTenant, targetTenant, warnings };
  } catch (error) {
    if (error instanceof AuthError) return { ok: false, reason: "CredentialsRejected", error, warnings };
    if (isTenantSyncError(error) && error.code === "ABORTED") throw error;
    const wrapped = isTenantSyncError(error) ? error : new TenantSyncError("PREFLIGHT_FAILED", `preflight failed: ${(error as Error)?.message ?? String(error)}`, { cause: error, retryable: true });
    return { ok: false, reason: "PreflightFailed", error: wrapped, warnings };
  }
}

/**
 * The R4 error for a job between two tenants in different clouds, or null
 * when the pair is allowed (`allowCrossCloud` is the documented opt-in).
 *
 * @example
 * ```ts
 * crossCloudError(contoso, fabrikamGov, false)?.message; // "R4: … commercial … gcch …"
 * ```
 */
export function crossCloudError(source: Tenant, target: Tenant, allowCrossCloud: boolean): PolicyError | null {
  if (allowCrossCloud || sameCloud(source.cloud, target.cloud)) return null;
  const china = source.cloud === "china" || target.cloud === "china";
  return new PolicyError(
    `R4: a job from tenant ${source.id} (cloud ${source.cloud}) to tenant ${target.id} (cloud ${target.cloud}) crosses clouds${china ? "; the China cloud is not supported" : ""}. Set options.allowCrossCloud only if both adapters can reach both clouds`,
    { code: "CROSS_CLOUD", tenantId: target.id, partnerTenantId: source.id, setting: "options.allowCrossCloud" },
  );
}
