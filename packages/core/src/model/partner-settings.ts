import { z } from "zod";
import { Guid } from "./tenant.ts";

/**
 * The trust settings one tenant holds about a partner tenant, in Entra's
 * shape (`crossTenantAccessPolicyConfigurationPartner` and its
 * `identitySynchronization`):
 *
 * - `userSyncInbound.isSyncAllowed` — this tenant accepts users synced from the partner;
 * - `automaticUserConsentSettings.inboundAllowed` — users arriving from the partner are redeemed without a consent prompt;
 * - `automaticUserConsentSettings.outboundAllowed` — this tenant's users going to the partner are redeemed without a prompt.
 *
 * A job needs, in the target about the source, `isSyncAllowed` and
 * `inboundAllowed`; in the source about the target, `outboundAllowed` (R3).
 *
 * @example
 * ```ts
 * const settings: PartnerSettings = {
 *   tenantId: "22222222-2222-4222-8222-222222222222",
 *   userSyncInbound: { isSyncAllowed: true },
 *   automaticUserConsentSettings: { inboundAllowed: true, outboundAllowed: false },
 * };
 * ```
 */
export const PartnerSettings = z.object({
  /** The partner tenant these settings are about. */
  tenantId: Guid,
  userSyncInbound: z.object({ isSyncAllowed: z.boolean().default(false) }).default({ isSyncAllowed: false }),
  automaticUserConsentSettings: z
    .object({ inboundAllowed: z.boolean().default(false), outboundAllowed: z.boolean().default(false) })
    .default({ inboundAllowed: false, outboundAllowed: false }),
});
/** @see {@link PartnerSettings} */
export type PartnerSettings = z.infer<typeof PartnerSettings>;
