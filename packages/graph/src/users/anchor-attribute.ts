import { ConfigError, EXTENSION_ATTRIBUTE_PATTERN, type AlternativeSecurityId, type ConfigIssue } from "@tenantsync/core";

/**
 * Where the Graph adapter stamps a synced user's anchor (source tenant id and
 * source object id). Graph cannot write `alternativeSecurityIds`, the
 * attribute Entra's own cross-tenant sync matches on, so the adapter keeps the
 * anchor in an attribute it can write and filter on:
 *
 * - `extension`: a directory extension `extension_<appId without hyphens>_<name>` (default);
 * - `extensionAttribute`: one of `onPremisesExtensionAttributes.extensionAttribute1…15`
 *   (no app registration change needed, but filtering on it is an advanced
 *   query, so freshly stamped users can take a moment to be found).
 *
 * @example
 * ```ts
 * const anchor: AnchorAttribute = { kind: "extensionAttribute", name: "extensionAttribute13", index: 13 };
 * ```
 */
export type AnchorAttribute =
  | { kind: "extension"; name: string }
  | { kind: "extensionAttribute"; name: string; index: number };

/**
 * The property name of the default anchor extension, after `extension_<appId>_`.
 *
 * @example
 * ```ts
 * `extension_${appId.replace(/-/g, "")}_${DEFAULT_ANCHOR_EXTENSION_NAME}`;
 * ```
 */
export const DEFAULT_ANCHOR_EXTENSION_NAME = "tenantSyncAnchor";

const EXTENSION_ATTRIBUTE_N = /^(?:onPremisesExtensionAttributes[./])?extensionAttribute([1-9]|1[0-5])$/;

/**
 * Resolves the adapter's anchor attribute from its options. `anchorAttribute`
 * wins; otherwise `appId` gives `extension_<appId>_tenantSyncAnchor`; with
 * neither, returns null (the directory can then be a source only).
 *
 * @example
 * ```ts
 * resolveAnchorAttribute({ appId: "b7d8e648-520f-41d3-b9c0-fdeb91768a0a" });
 * // { kind: "extension", name: "extension_b7d8e648520f41d3b9c0fdeb91768a0a_tenantSyncAnchor" }
 * resolveAnchorAttribute({ anchorAttribute: "extensionAttribute13" });
 * // { kind: "extensionAttribute", name: "extensionAttribute13", index: 13 }
 * ```
 */
export function resolveAnchorAttribute(options: { anchorAttribute?: string | undefined; appId?: string | undefined }): AnchorAttribute | null {
  const issues: ConfigIssue[] = [];
  let result: AnchorAttribute | null = null;
  if (options.anchorAttribute !== undefined) {
    const value = options.anchorAttribute;
    const n = EXTENSION_ATTRIBUTE_N.exec(value);
    if (n) result = { kind: "extensionAttribute", name: `extensionAttribute${n[1]}`, index: Number(n[1]) };
    else if (EXTENSION_ATTRIBUTE_PATTERN.test(value)) result = { kind: "extension", name: value };
    else issues.push({ path: ["anchorAttribute"], message: `'${value}' is neither a directory extension (extension_<appId without hyphens>_<name>) nor extensionAttribute1…extensionAttribute15` });
  } else if (options.appId !== undefined) {
    const hex = options.appId.replace(/-/g, "");
    if (!/^[0-9a-fA-F]{32}$/.test(hex)) issues.push({ path: ["appId"], message: `'${options.appId}' is not an application (client) id GUID` });
    else result = { kind: "extension", name: `extension_${hex.toLowerCase()}_${DEFAULT_ANCHOR_EXTENSION_NAME}` };
  }
  if (issues.length > 0) throw new ConfigError(issues, "Graph directory options");
  return result;
}

/**
 * The anchor value stamped on a synced user: `<source tenant id>:<source object id>`.
 *
 * @example
 * ```ts
 * formatAnchor({ tenantId: "1111…", userId: "u1" }); // "1111…:u1"
 * ```
 */
export function formatAnchor(id: AlternativeSecurityId): string {
  return `${id.tenantId}:${id.userId}`;
}

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * Reads an anchor value (`<tenant GUID>:<object id>`); null when `value` is
 * not one, so unrelated data in a shared attribute is never taken for an anchor.
 *
 * @example
 * ```ts
 * parseAnchor("11111111-1111-4111-8111-111111111111:u1"); // { tenantId: "1111…", userId: "u1" }
 * parseAnchor("Contractor"); // null
 * ```
 */
export function parseAnchor(value: unknown): AlternativeSecurityId | null {
  if (typeof value !== "string") return null;
  const colon = value.indexOf(":");
  if (colon <= 0 || colon === value.length - 1) return null;
  const tenantId = value.slice(0, colon);
  return GUID.test(tenantId) ? { tenantId, userId: value.slice(colon + 1) } : null;
}

/** Reads the anchor value from a Graph user object, wherever the attribute lives. */
export function readAnchorValue(raw: Record<string, unknown>, anchor: AnchorAttribute): unknown {
  if (anchor.kind === "extension") return raw[anchor.name];
  const attributes = raw["onPremisesExtensionAttributes"];
  return typeof attributes === "object" && attributes !== null ? (attributes as Record<string, unknown>)[anchor.name] : undefined;
}

/** The PATCH body fragment that writes the anchor (or clears it with null). */
export function anchorPatch(anchor: AnchorAttribute, value: string | null): Record<string, unknown> {
  return anchor.kind === "extension" ? { [anchor.name]: value } : { onPremisesExtensionAttributes: { [anchor.name]: value } };
}

/** The `$filter` path of the anchor attribute, and whether it needs an advanced query (ConsistencyLevel: eventual). */
export function anchorFilterPath(anchor: AnchorAttribute): { path: string; advanced: boolean } {
  return anchor.kind === "extension" ? { path: anchor.name, advanced: false } : { path: `onPremisesExtensionAttributes/${anchor.name}`, advanced: true };
}
