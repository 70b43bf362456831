import { EXTENSION_ATTRIBUTE_PATTERN, USER_STRING_ATTRIBUTES } from "../model/user.ts";

/**
 * What tenantsync knows about the attributes of a user, under the names
 * Entra's synchronization schema uses (Graph names, plus the few synthetic
 * ones of the Entra provisioning engine: `netId`, `objectId`,
 * `telephoneNumber`, `manager`, `IsSoftDeleted`).
 *
 * - `string`: single-valued text.
 * - `boolean`: `true`/`false` (expressions see them as booleans; `"True"`/`"False"` strings are accepted where a boolean is expected).
 * - `multi`: multi-valued (an array). Cannot be used in scoping clauses.
 * - `date`: a date-time. Cannot be used in scoping clauses.
 * - `reference`: a reference to another object (`manager`). Cannot be used in scoping clauses.
 * - `enum`: `userType`. Cannot be used in scoping clauses.
 */
export type AttributeKind = "string" | "boolean" | "multi" | "date" | "reference" | "enum";

const KINDS = new Map<string, AttributeKind>();
for (const name of USER_STRING_ATTRIBUTES) KINDS.set(name, "string");
for (const name of ["id", "netId", "objectId", "telephoneNumber"]) KINDS.set(name, "string");
for (const name of ["accountEnabled", "showInAddressList", "IsSoftDeleted"]) KINDS.set(name, "boolean");
KINDS.set("userType", "enum");
KINDS.set("manager", "reference");
// Multi-valued attributes of a Graph user (https://learn.microsoft.com/graph/api/resources/user).
for (const name of [
  "businessPhones",
  "otherMails",
  "proxyAddresses",
  "imAddresses",
  "identities",
  "assignedLicenses",
  "assignedPlans",
  "provisionedPlans",
  "memberOf",
  "appRoleAssignments",
  "interests",
  "pastProjects",
  "responsibilities",
  "schools",
  "skills",
  "onPremisesProvisioningErrors",
]) {
  KINDS.set(name, "multi");
}
// Date-typed attributes of a Graph user.
for (const name of [
  "createdDateTime",
  "deletedDateTime",
  "employeeHireDate",
  "employeeLeaveDateTime",
  "lastPasswordChangeDateTime",
  "onPremisesLastSyncDateTime",
  "refreshTokensValidFromDateTime",
  "signInSessionsValidFromDateTime",
  "externalUserStateChangeDateTime",
  "birthday",
  "hireDate",
]) {
  KINDS.set(name, "date");
}

/**
 * The kind of a source attribute, or `undefined` when tenantsync does not
 * know it (extension attributes are `string`; names ending in `DateTime` are
 * `date`).
 *
 * @example
 * ```ts
 * attributeKind("businessPhones"); // "multi"
 * attributeKind("extension_0123456789abcdef0123456789abcdef_costCenter"); // "string"
 * ```
 */
export function attributeKind(name: string): AttributeKind | undefined {
  const known = KINDS.get(name);
  if (known !== undefined) return known;
  if (EXTENSION_ATTRIBUTE_PATTERN.test(name)) return "string";
  if (/DateTime$/.test(name)) return "date";
  return undefined;
}

/** How a mapping target is written. */
export type TargetKind =
  /** A single-valued string attribute of the user (DirectoryUser field of the same name). */
  | "string"
  /** A boolean attribute (`accountEnabled`, `showInAddressList`). */
  | "boolean"
  /** `telephoneNumber`: written as `businessPhones: [value]`. */
  | "telephoneNumber"
  /** `businessPhones`: multi-valued strings. */
  | "multi"
  /** A directory extension attribute, written under `extensions`. */
  | "extension"
  /** Handled by the engine, never written as an attribute: `alternativeSecurityIds`, `IsSoftDeleted`, `userType`, `manager`. */
  | "special";

const SPECIAL_TARGETS = new Set(["alternativeSecurityIds", "IsSoftDeleted", "userType", "manager"]);
const STRING_TARGETS = new Set<string>(USER_STRING_ATTRIBUTES);

/** The result of {@link classifyTarget}: a kind, or why the attribute cannot be a target. */
export type TargetClassification = { ok: true; kind: TargetKind } | { ok: false; reason: string };

/**
 * Says whether `name` can be the target of a mapping, and how it is written.
 *
 * @example
 * ```ts
 * classifyTarget("telephoneNumber"); // { ok: true, kind: "telephoneNumber" }
 * classifyTarget("otherMails");      // { ok: false, reason: "otherMails is computed by the target directory …" }
 * ```
 */
export function classifyTarget(name: string): TargetClassification {
  if (SPECIAL_TARGETS.has(name)) return { ok: true, kind: "special" };
  if (STRING_TARGETS.has(name)) return { ok: true, kind: "string" };
  if (name === "accountEnabled" || name === "showInAddressList") return { ok: true, kind: "boolean" };
  if (name === "telephoneNumber") return { ok: true, kind: "telephoneNumber" };
  if (name === "businessPhones") return { ok: true, kind: "multi" };
  if (EXTENSION_ATTRIBUTE_PATTERN.test(name)) return { ok: true, kind: "extension" };
  const lower = name.toLowerCase();
  if (lower === "thumbnailphoto" || lower === "photo" || lower === "photos" || lower === "jpegphoto") {
    return { ok: false, reason: `'${name}' is a photo; photos cannot be synchronized (R19). Remove this mapping` };
  }
  if (lower.startsWith("customsecurityattribute")) {
    return { ok: false, reason: `'${name}' is a custom security attribute; these cannot be synchronized (R19). Remove this mapping` };
  }
  if (lower === "passwordprofile" || lower === "password" || lower === "passwordpolicies") {
    return { ok: false, reason: `'${name}' is a password setting; passwords cannot be synchronized (R19). Remove this mapping` };
  }
  if (lower === "othermails" || lower === "proxyaddresses") {
    return { ok: false, reason: `'${name}' is computed by the target directory and cannot be a mapping target (map 'mail' instead)` };
  }
  if (lower === "id" || lower === "objectid" || lower === "netid") {
    return { ok: false, reason: `'${name}' is assigned by the target directory and cannot be a mapping target` };
  }
  return { ok: false, reason: `'${name}' is not an attribute the target directory declares; a target must be a user attribute (${[...STRING_TARGETS, "accountEnabled", "showInAddressList", "telephoneNumber", "businessPhones", ...SPECIAL_TARGETS].join(", ")}) or a directory extension attribute extension_<appId>_<name>` };
}

/** The DirectoryUser field a target writes (`telephoneNumber` → `businessPhones`, extensions → `extensions`). */
export function fieldOfTarget(name: string, kind: TargetKind): string {
  if (kind === "telephoneNumber") return "businessPhones";
  if (kind === "extension") return "extensions";
  return name;
}
