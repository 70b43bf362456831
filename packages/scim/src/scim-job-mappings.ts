import { defaultMappings, type AttributeMapping, type DirectoryCapabilities, type UserType } from "@tenantsync/core";

/** Targets the engine handles itself (never written as attributes). */
const ENGINE_TARGETS = new Set(["alternativeSecurityIds", "IsSoftDeleted", "userType"]);

/** Options of {@link scimJobMappings}. */
export interface ScimJobMappingsOptions {
  /** userType of the users the job creates; default `Member`. */
  userType?: UserType | undefined;
}

/**
 * Core's default cross-tenant mapping set, keeping only what a target can
 * write (its `writableAttributes`; `telephoneNumber` counts as
 * `businessPhones`; `manager` only with the `manager` capability). Use it as
 * a job's `attributeMappings` when the target is a SCIM directory: the full
 * default set names attributes SCIM's mapping does not hold
 * (`showInAddressList`, `mailNickname`, …) and would not compile.
 *
 * @example
 * ```ts
 * const job = createSyncJob({ source, target: scim, config: { sourceTenantId, targetTenantId, attributeMappings: scimJobMappings(scim) } });
 * ```
 */
export function scimJobMappings(target: { capabilities: DirectoryCapabilities }, options: ScimJobMappingsOptions = {}): AttributeMapping[] {
  const writable = target.capabilities.writableAttributes === null ? null : new Set(target.capabilities.writableAttributes);
  return defaultMappings({ userType: options.userType }).filter((m) => {
    const name = m.targetAttributeName;
    if (ENGINE_TARGETS.has(name)) return true;
    if (name === "manager") return target.capabilities.manager;
    if (writable === null) return true;
    return writable.has(name) || (name === "telephoneNumber" && writable.has("businessPhones"));
  });
}
