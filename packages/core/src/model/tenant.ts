import { z } from "zod";
import { parseWith } from "./parse.ts";

/** A GUID in its canonical 8-4-4-4-12 hex form. */
export const Guid = z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, "must be a GUID (8-4-4-4-12 hex digits)");

/**
 * The cloud a tenant lives in. `commercial` and `gcc` share the worldwide
 * endpoints; `gcch` (GCC High) and `dod` are the US Government clouds; `china`
 * is operated by 21Vianet.
 */
export const Cloud = z.enum(["commercial", "gcc", "gcch", "dod", "china"]);
/** @see {@link Cloud} */
export type Cloud = z.infer<typeof Cloud>;

/** A DNS domain name such as `contoso.com`. */
export const DomainName = z
  .string()
  .min(1)
  .regex(/^(?=.{1,253}$)([a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}$/, "must be a domain name such as contoso.com");

/**
 * One directory (an Entra tenant, a SCIM service, an in-memory fake).
 * `verifiedDomains[0]` is the tenant's default domain, the one new external
 * users get their `#EXT#` UPN in.
 *
 * @example
 * ```ts
 * const tenant = parseTenant({ id: "11111111-1111-4111-8111-111111111111", displayName: "Contoso", cloud: "commercial", verifiedDomains: ["contoso.com"] });
 * ```
 */
export const Tenant = z.object({
  id: Guid,
  displayName: z.string().min(1),
  cloud: Cloud.default("commercial"),
  verifiedDomains: z.array(DomainName).min(1, "a tenant needs at least one verified domain"),
});
/** @see {@link Tenant} */
export type Tenant = z.infer<typeof Tenant>;

/**
 * Validates a tenant description, throwing `ConfigError` with every issue.
 *
 * @example
 * ```ts
 * parseTenant({ id: "11111111-1111-4111-8111-111111111111", displayName: "Contoso", verifiedDomains: ["contoso.com"] });
 * ```
 */
export function parseTenant(input: unknown): Tenant {
  return parseWith(Tenant, input, "tenant");
}

/**
 * True when a job from a tenant in `source` to one in `target` is allowed
 * (R4): commercial and GCC count as one cloud, GCC High and DoD sync only
 * within themselves, and China is not supported at all.
 *
 * @example
 * ```ts
 * sameCloud("commercial", "gcc"); // true
 * sameCloud("gcch", "dod");       // false
 * ```
 */
export function sameCloud(source: Cloud, target: Cloud): boolean {
  if (source === "china" || target === "china") return false;
  const group = (c: Cloud) => (c === "gcc" ? "commercial" : c);
  return group(source) === group(target);
}
