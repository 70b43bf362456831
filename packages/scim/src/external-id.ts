import { InvalidValueError, type AlternativeSecurityId } from "@tenantsync/core";

/**
 * Encodes the cross-tenant anchor (core's `alternativeSecurityId`) as a SCIM
 * `externalId`: `<source tenant id, lower case>:<source user id>`. The tenant
 * id is a GUID and never holds a colon, so the first colon splits the two.
 *
 * @example
 * ```ts
 * encodeExternalId({ tenantId: "5CA1AB1E-0000-4000-8000-00000000C0DE", userId: "u1" });
 * // "5ca1ab1e-0000-4000-8000-00000000c0de:u1"
 * ```
 */
export function encodeExternalId(anchor: AlternativeSecurityId): string {
  if (anchor.tenantId.includes(":") || anchor.tenantId.length === 0 || anchor.userId.length === 0) {
    throw new InvalidValueError(`alternativeSecurityId ${JSON.stringify(anchor)} cannot be encoded as a SCIM externalId: the tenant id must be a GUID and the user id non-empty`, { property: "alternativeSecurityId" });
  }
  return `${anchor.tenantId.toLowerCase()}:${anchor.userId}`;
}

/**
 * Decodes an `externalId` written by {@link encodeExternalId}; null for any
 * other value (a user the SCIM service owns, or one another client made).
 *
 * @example
 * ```ts
 * decodeExternalId("5ca1ab1e-0000-4000-8000-00000000c0de:u1"); // { tenantId: "5ca1ab1e-…", userId: "u1" }
 * decodeExternalId("bjensen"); // null
 * ```
 */
export function decodeExternalId(externalId: unknown): AlternativeSecurityId | null {
  if (typeof externalId !== "string") return null;
  const match = /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}):(.+)$/s.exec(externalId);
  if (!match) return null;
  return { tenantId: match[1]!.toLowerCase(), userId: match[2]! };
}
