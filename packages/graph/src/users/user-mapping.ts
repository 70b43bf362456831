import {
  AdapterError,
  ConfigError,
  EXTENSION_ATTRIBUTE_PATTERN,
  USER_STRING_ATTRIBUTES,
  parseDirectoryUser,
  type DirectoryUser,
  type UserAttributes,
} from "@tenantsync/core";
import { parseAnchor, readAnchorValue, type AnchorAttribute } from "./anchor-attribute.ts";

/**
 * The user properties the adapter reads (`$select`). Graph returns only 11
 * properties by default; everything else must be selected (user.md).
 *
 * @example
 * ```ts
 * const select = GRAPH_USER_SELECT.join(","); // for a $select of your own
 * ```
 */
export const GRAPH_USER_SELECT: readonly string[] = Object.freeze([
  "id",
  ...USER_STRING_ATTRIBUTES,
  "businessPhones",
  "accountEnabled",
  "userType",
  "creationType",
  "externalUserState",
  "showInAddressList",
  "createdDateTime",
  "deletedDateTime",
]);

const SELECTABLE = new Set([...GRAPH_USER_SELECT, "onPremisesExtensionAttributes", "identities"]);

/**
 * The `$select` list for a read: the adapter's set, the anchor attribute, and
 * any requested directory extensions (other requested names are already in
 * the set or are not Graph user properties, and are left out).
 *
 * @example
 * ```ts
 * userSelect(anchor, ["displayName", "extension_b7d8…_costCenter"]);
 * ```
 */
export function userSelect(anchor: AnchorAttribute | null, requested: readonly string[] = []): string[] {
  const select = new Set(GRAPH_USER_SELECT);
  if (anchor?.kind === "extension") select.add(anchor.name);
  if (anchor?.kind === "extensionAttribute") select.add("onPremisesExtensionAttributes");
  for (const name of requested) {
    if (EXTENSION_ATTRIBUTE_PATTERN.test(name) || SELECTABLE.has(name)) select.add(name);
  }
  return [...select];
}

/** Graph's creationType values of accounts whose home is elsewhere (user.md). */
const EXTERNAL_CREATION_TYPES = new Set(["invitation", "selfservicesignup", "emailverified"]);

/**
 * Tells an internal user from an external (B2B) one, from the signals
 * GRAPH.md §2 lists: `creationType` Invitation (or self-service/e-mail
 * verified sign-up), `#EXT#` in the UPN, a pending or accepted
 * `externalUserState`, an `ExternalAzureAD`/federated identity, or a
 * tenantsync anchor. `userType` alone says nothing about origin.
 *
 * @example
 * ```ts
 * classifyGraphUser({ userPrincipalName: "a_contoso.com#EXT#@fabrikam.com" }); // "external"
 * ```
 */
export function classifyGraphUser(raw: Record<string, unknown>, anchor: AnchorAttribute | null = null): "internal" | "external" {
  const creationType = raw["creationType"];
  if (typeof creationType === "string" && EXTERNAL_CREATION_TYPES.has(creationType.toLowerCase())) return "external";
  const upn = raw["userPrincipalName"];
  if (typeof upn === "string" && upn.toUpperCase().includes("#EXT#")) return "external";
  const state = raw["externalUserState"];
  if (typeof state === "string" && state.length > 0) return "external";
  const identities = raw["identities"];
  if (Array.isArray(identities)) {
    for (const identity of identities) {
      if (typeof identity !== "object" || identity === null) continue;
      const { issuer, signInType } = identity as Record<string, unknown>;
      if (issuer === "ExternalAzureAD" || signInType === "federated") return "external";
    }
  }
  if (anchor && parseAnchor(readAnchorValue(raw, anchor))) return "external";
  return "internal";
}

function managerIdOf(raw: Record<string, unknown>): string | null {
  // $expand=manager gives an object; delta gives manager@delta (an array of links).
  const manager = raw["manager"];
  if (typeof manager === "object" && manager !== null && typeof (manager as Record<string, unknown>)["id"] === "string") {
    return (manager as Record<string, unknown>)["id"] as string;
  }
  const delta = raw["manager@delta"];
  if (Array.isArray(delta)) {
    for (const link of delta) {
      if (typeof link !== "object" || link === null) continue;
      const entry = link as Record<string, unknown>;
      if (entry["@removed"] === undefined && typeof entry["id"] === "string") return entry["id"];
    }
  }
  return null;
}

function nullableString(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

/**
 * Maps a Graph user object to core's {@link DirectoryUser}: the Graph
 * properties by name, `origin` from {@link classifyGraphUser},
 * `alternativeSecurityId`/`homeTenantId` from the anchor, directory
 * extensions into `extensions` (the anchor excluded), `managerId` from
 * `manager` or `manager@delta`.
 *
 * @example
 * ```ts
 * const user = graphUserToDirectoryUser(await (await fetch(url)).json(), { anchor: null, tenantId });
 * ```
 */
export function graphUserToDirectoryUser(raw: Record<string, unknown>, context: { anchor: AnchorAttribute | null; tenantId: string }): DirectoryUser {
  const { anchor, tenantId } = context;
  const alternativeSecurityId = anchor ? parseAnchor(readAnchorValue(raw, anchor)) : null;
  const extensions: Record<string, string | number | boolean | null> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!EXTENSION_ATTRIBUTE_PATTERN.test(key) || key === anchor?.name) continue;
    if (value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean") extensions[key] = value;
  }
  const origin = classifyGraphUser(raw, anchor);
  const input: Record<string, unknown> = {
    id: raw["id"],
    userPrincipalName: raw["userPrincipalName"],
    displayName: typeof raw["displayName"] === "string" && raw["displayName"].length > 0 ? raw["displayName"] : raw["userPrincipalName"],
    businessPhones: Array.isArray(raw["businessPhones"]) ? raw["businessPhones"].filter((p): p is string => typeof p === "string") : [],
    origin,
    homeTenantId: alternativeSecurityId?.tenantId ?? null,
    alternativeSecurityId,
    extensions,
    managerId: managerIdOf(raw),
    createdDateTime: nullableString(raw["createdDateTime"]),
    deletedDateTime: nullableString(raw["deletedDateTime"]),
  };
  for (const name of USER_STRING_ATTRIBUTES) {
    if (name !== "userPrincipalName" && name !== "displayName") input[name] = nullableString(raw[name]);
  }
  if (typeof raw["accountEnabled"] === "boolean") input["accountEnabled"] = raw["accountEnabled"];
  if (raw["userType"] === "Member" || raw["userType"] === "Guest") input["userType"] = raw["userType"];
  if (typeof raw["showInAddressList"] === "boolean") input["showInAddressList"] = raw["showInAddressList"];
  try {
    return parseDirectoryUser(input);
  } catch (error) {
    const detail = error instanceof ConfigError ? error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") : String(error);
    throw new AdapterError("GRAPH_BAD_USER", `Graph returned user '${String(raw["id"])}' in tenant ${tenantId} that tenantsync cannot read (${detail}).`, { tenantId, cause: error });
  }
}

/**
 * The external form of a source UPN in a target tenant, as Entra derives it:
 * `alias@domain` → `alias_domain#EXT#@<targetDomain>`, mailNickname
 * `alias_domain#EXT#`. Values that already contain `#EXT#` are kept.
 *
 * @example
 * ```ts
 * externalNames("adele@contoso.com", "fabrikam.onmicrosoft.com").userPrincipalName;
 * // "adele_contoso.com#EXT#@fabrikam.onmicrosoft.com"
 * ```
 */
export function externalNames(sourceUserPrincipalName: string, targetDomain: string): { userPrincipalName: string; mailNickname: string } {
  const at = sourceUserPrincipalName.lastIndexOf("@");
  if (sourceUserPrincipalName.toUpperCase().includes("#EXT#")) {
    return { userPrincipalName: sourceUserPrincipalName, mailNickname: at > 0 ? sourceUserPrincipalName.slice(0, at) : sourceUserPrincipalName };
  }
  const nickname = at > 0 ? `${sourceUserPrincipalName.slice(0, at)}_${sourceUserPrincipalName.slice(at + 1)}#EXT#` : `${sourceUserPrincipalName}#EXT#`;
  return { userPrincipalName: `${nickname}@${targetDomain}`, mailNickname: nickname };
}

/**
 * Turns core attribute changes into a Graph `PATCH /users/{id}` body.
 * `managerId` is left out (it is written through `manager/$ref`).
 * With `externalDomain`, a source `userPrincipalName` becomes its external
 * form and `mailNickname` is derived from it (a source `mailNickname` alone is
 * not written: the target's is derived from the UPN). Directory extensions
 * become top-level properties; `null` clears a value.
 *
 * @example
 * ```ts
 * toGraphUserPatch({ jobTitle: "CTO", extensions: { extension_b7d8…_costCenter: "42" } }, {});
 * // { jobTitle: "CTO", extension_b7d8…_costCenter: "42" }
 * ```
 */
export function toGraphUserPatch(changes: UserAttributes, context: { externalDomain?: string | undefined }): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined || key === "managerId" || key === "extensions") continue;
    body[key] = value;
  }
  for (const [key, value] of Object.entries(changes.extensions ?? {})) {
    if (value !== undefined) body[key] = value;
  }
  if (context.externalDomain !== undefined) {
    const upn = changes.userPrincipalName;
    delete body["mailNickname"];
    if (typeof upn === "string") {
      const names = externalNames(upn, context.externalDomain);
      body["userPrincipalName"] = names.userPrincipalName;
      body["mailNickname"] = names.mailNickname;
    } else if (typeof changes.mailNickname === "string" && changes.mailNickname.toUpperCase().includes("#EXT#")) {
      body["mailNickname"] = changes.mailNickname;
    }
  }
  return body;
}
