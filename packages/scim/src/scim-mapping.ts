import { ConfigError, DirectoryUser as DirectoryUserSchema, EXTENSION_ATTRIBUTE_PATTERN, AdapterError, type ConfigIssue, type DirectoryUser } from "@tenantsync/core";
import { decodeExternalId } from "./external-id.ts";
import { SCIM_ENTERPRISE_USER_SCHEMA, SCIM_USER_SCHEMA, findKey, parseScimPath, readScimPath, writeScimPath, type ScimPath } from "./scim-path.ts";
import { readSoftDeleteMarker } from "./soft-delete-marker.ts";

/**
 * One attribute mapping: a user attribute (core's Graph name, such as
 * `givenName`, `businessPhones` or `extension_<appId>_<name>`) and the SCIM
 * path that holds it (`name.givenName`, `phoneNumbers[type eq "work"].value`,
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`).
 *
 * @example
 * ```ts
 * const mapping: ScimAttributeMapping = { attribute: "jobTitle", scimPath: "title" };
 * ```
 */
export interface ScimAttributeMapping {
  attribute: string;
  scimPath: string;
}

const ENTERPRISE = SCIM_ENTERPRISE_USER_SCHEMA;

/**
 * The default mapping, after Microsoft Entra's default attribute mappings for
 * SCIM apps ("Develop and plan provisioning for a SCIM endpoint", the user
 * attribute table): userPrincipalName → userName, mail → work email,
 * phones, the work address, and employeeId, department and companyName in
 * the enterprise extension. Two differences: `externalId` holds the
 * cross-tenant anchor (Entra maps mailNickname there), and `userType` is
 * written so guests stay guests. `accountEnabled` ↔ `active` and the manager
 * are handled by the adapter, not by this list.
 *
 * @example
 * ```ts
 * const mapping = [...DEFAULT_SCIM_MAPPING, { attribute: "extension_0123456789abcdef0123456789abcdef_costCenter", scimPath: `${ENTERPRISE}:costCenter` }];
 * ```
 */
export const DEFAULT_SCIM_MAPPING: readonly ScimAttributeMapping[] = Object.freeze([
  { attribute: "userPrincipalName", scimPath: "userName" },
  { attribute: "displayName", scimPath: "displayName" },
  { attribute: "givenName", scimPath: "name.givenName" },
  { attribute: "surname", scimPath: "name.familyName" },
  { attribute: "jobTitle", scimPath: "title" },
  { attribute: "mail", scimPath: 'emails[type eq "work"].value' },
  { attribute: "businessPhones", scimPath: 'phoneNumbers[type eq "work"].value' },
  { attribute: "mobilePhone", scimPath: 'phoneNumbers[type eq "mobile"].value' },
  { attribute: "streetAddress", scimPath: 'addresses[type eq "work"].streetAddress' },
  { attribute: "city", scimPath: 'addresses[type eq "work"].locality' },
  { attribute: "state", scimPath: 'addresses[type eq "work"].region' },
  { attribute: "postalCode", scimPath: 'addresses[type eq "work"].postalCode' },
  { attribute: "country", scimPath: 'addresses[type eq "work"].country' },
  { attribute: "officeLocation", scimPath: 'addresses[type eq "other"].formatted' },
  { attribute: "preferredLanguage", scimPath: "preferredLanguage" },
  { attribute: "userType", scimPath: "userType" },
  { attribute: "employeeId", scimPath: `${ENTERPRISE}:employeeNumber` },
  { attribute: "department", scimPath: `${ENTERPRISE}:department` },
  { attribute: "companyName", scimPath: `${ENTERPRISE}:organization` },
].map((m) => Object.freeze(m)));

/** The default path of the manager reference (the enterprise extension's `manager`, a complex `{ value }`). */
export const DEFAULT_SCIM_MANAGER_PATH = `${ENTERPRISE}:manager`;

/** Attributes a mapping may name besides extension attributes. */
const MAPPABLE = new Set([
  "userPrincipalName",
  "displayName",
  "givenName",
  "surname",
  "jobTitle",
  "mail",
  "businessPhones",
  "mobilePhone",
  "streetAddress",
  "city",
  "state",
  "postalCode",
  "country",
  "officeLocation",
  "preferredLanguage",
  "userType",
  "employeeId",
  "department",
  "companyName",
]);
/** SCIM attributes the adapter owns: no mapping may write them. */
const RESERVED_SCIM = new Set(["id", "externalid", "active", "meta", "schemas", "password", "groups"]);

/** One compiled mapping entry. */
export interface CompiledScimAttribute {
  attribute: string;
  path: ScimPath;
}

/** What {@link compileScimMapping} needs. */
export interface ScimMappingOptions {
  /** The mapping (default {@link DEFAULT_SCIM_MAPPING}). */
  mapping?: readonly ScimAttributeMapping[] | undefined;
  /** The manager path, or null when the manager is not written (default {@link DEFAULT_SCIM_MANAGER_PATH}). */
  managerPath?: string | null | undefined;
  /** The soft-delete marker path, or null (see `ScimDirectoryOptions.softDeleteMarker`). */
  softDeleteMarker?: string | null | undefined;
  /** The tenant behind the service (its default domain names users whose userName is not alias@domain). */
  tenant: { id: string; verifiedDomains: readonly string[] };
}

/**
 * A mapping compiled once: it turns SCIM User resources into core's
 * `DirectoryUser` and user attributes into SCIM attribute writes. Exported so
 * tests and tools (a backdoor probe, a migration script) read SCIM data
 * exactly as the adapter does.
 */
export interface ScimUserMapper {
  readonly attributes: readonly CompiledScimAttribute[];
  /** The compiled entry of a user attribute, or undefined when it is not mapped. */
  entryOf(attribute: string): CompiledScimAttribute | undefined;
  readonly managerPath: ScimPath | null;
  readonly markerPath: ScimPath | null;
  /** User attributes the mapping writes (with `accountEnabled`). */
  readonly writableAttributes: readonly string[];
  /** Extension schema URNs the mapping (and marker, manager) can write. */
  readonly extensionSchemas: readonly string[];
  /** A SCIM User resource as a `DirectoryUser` (soft-deleted when the marker is set). */
  toUser(resource: Record<string, unknown>): DirectoryUser;
}

/**
 * Validates and compiles a SCIM attribute mapping. Throws `ConfigError`
 * listing every problem (unknown attribute, unsupported path, a path the
 * adapter owns such as `externalId` or `active`, a duplicate, no
 * `userPrincipalName → userName`).
 *
 * @example
 * ```ts
 * const mapper = compileScimMapping({ tenant: { id: tenantId, verifiedDomains: ["contoso.com"] } });
 * const user = mapper.toUser(scimResource);
 * ```
 */
export function compileScimMapping(options: ScimMappingOptions): ScimUserMapper {
  const raw = options.mapping ?? DEFAULT_SCIM_MAPPING;
  const issues: ConfigIssue[] = [];
  const attributes: CompiledScimAttribute[] = [];
  const seenAttributes = new Set<string>();
  const seenPaths = new Set<string>();
  raw.forEach((m, i) => {
    const at = ["mapping", i];
    if (!MAPPABLE.has(m.attribute) && !EXTENSION_ATTRIBUTE_PATTERN.test(m.attribute)) {
      issues.push({ path: [...at, "attribute"], message: `'${m.attribute}' is not a user attribute the SCIM adapter can map (use one of ${[...MAPPABLE].join(", ")} or an extension_<appId>_<name> attribute)` });
      return;
    }
    let path: ScimPath;
    try {
      path = parseScimPath(m.scimPath, [...at, "scimPath"]);
    } catch (error) {
      if (error instanceof ConfigError) issues.push(...error.issues);
      return;
    }
    if (path.schema === null && RESERVED_SCIM.has(path.attribute.toLowerCase())) {
      issues.push({ path: [...at, "scimPath"], message: `'${m.scimPath}' is owned by the adapter (externalId holds the cross-tenant anchor, active the account state); map '${m.attribute}' elsewhere` });
      return;
    }
    if (seenAttributes.has(m.attribute)) issues.push({ path: [...at, "attribute"], message: `'${m.attribute}' is mapped twice; keep one mapping` });
    const key = path.text.replace(/\s+/g, "").toLowerCase();
    if (seenPaths.has(key)) issues.push({ path: [...at, "scimPath"], message: `'${m.scimPath}' is written by two mappings; keep one` });
    seenAttributes.add(m.attribute);
    seenPaths.add(key);
    attributes.push({ attribute: m.attribute, path });
  });
  const upn = attributes.find((a) => a.attribute === "userPrincipalName");
  if (!upn || upn.path.schema !== null || upn.path.attribute.toLowerCase() !== "username" || upn.path.sub !== null || upn.path.type !== null) {
    issues.push({ path: ["mapping"], message: "the mapping must map userPrincipalName to userName (SCIM's required, unique user name)" });
  }
  let managerPath: ScimPath | null = null;
  let markerPath: ScimPath | null = null;
  try {
    managerPath = options.managerPath === null ? null : parseScimPath(options.managerPath ?? DEFAULT_SCIM_MANAGER_PATH, ["managerPath"]);
  } catch (error) {
    if (error instanceof ConfigError) issues.push(...error.issues);
  }
  try {
    markerPath = options.softDeleteMarker ? parseScimPath(options.softDeleteMarker, ["softDeleteMarker"]) : null;
  } catch (error) {
    if (error instanceof ConfigError) issues.push(...error.issues);
  }
  if (issues.length > 0) throw new ConfigError(issues, "SCIM directory options");

  const byAttribute = new Map(attributes.map((a) => [a.attribute, a]));
  const extensionSchemas = [...new Set([...attributes.map((a) => a.path.schema), managerPath?.schema ?? null, markerPath?.schema ?? null].filter((s): s is string => s !== null))];
  const domain = options.tenant.verifiedDomains[0] ?? "scim.invalid";
  const writableAttributes = [...attributes.map((a) => a.attribute).filter((a) => a !== "userType"), "accountEnabled"];

  const toUser = (resource: Record<string, unknown>): DirectoryUser => {
    const id = resource.id;
    if (typeof id !== "string" || id.length === 0) throw new AdapterError("SCIM_BAD_RESOURCE", `The SCIM service returned a User without an id: ${JSON.stringify(resource).slice(0, 300)}`, { tenantId: options.tenant.id });
    const anchor = decodeExternalId(resource[findKey(resource, "externalId") ?? "externalId"]);
    const out: Record<string, unknown> = { id, extensions: {} };
    const extensions: Record<string, string | null> = {};
    for (const a of attributes) {
      const value = readScimPath(resource, a.path);
      if (a.attribute === "businessPhones") out.businessPhones = typeof value === "string" && value.length > 0 ? [value] : [];
      else if (EXTENSION_ATTRIBUTE_PATTERN.test(a.attribute)) {
        if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") extensions[a.attribute] = String(value);
      } else if (a.attribute === "userType") out.userType = value === "Guest" ? "Guest" : "Member";
      else out[a.attribute] = typeof value === "string" && value.length > 0 ? value : null;
    }
    out.extensions = extensions;
    const userName = out.userPrincipalName;
    out.userPrincipalName = typeof userName === "string" && /^[^@\s]+@[^@\s]+$/.test(userName) ? userName : `${String(userName ?? id).replace(/[@\s]/g, "_")}@${domain}`;
    if (typeof out.displayName !== "string" || out.displayName.length === 0) out.displayName = typeof userName === "string" && userName.length > 0 ? userName : id;
    const marker = markerPath ? readSoftDeleteMarker(readScimPath(resource, markerPath)) : null;
    const active = resource[findKey(resource, "active") ?? "active"];
    out.accountEnabled = marker ? marker.wasActive : active !== false;
    out.deletedDateTime = marker ? marker.deletedDateTime : null;
    out.origin = anchor ? "external" : "internal";
    out.homeTenantId = anchor?.tenantId ?? null;
    out.alternativeSecurityId = anchor;
    if (managerPath) {
      const manager = readScimPath(resource, managerPath);
      const managerId = typeof manager === "string" ? manager : typeof manager === "object" && manager !== null ? (manager as { value?: unknown }).value : null;
      out.managerId = typeof managerId === "string" && managerId.length > 0 ? managerId : null;
    }
    const meta = resource.meta as { created?: unknown } | undefined;
    out.createdDateTime = typeof meta?.created === "string" ? meta.created : null;
    const parsed = DirectoryUserSchema.safeParse(out);
    if (!parsed.success) {
      throw new AdapterError("SCIM_BAD_RESOURCE", `SCIM User ${id} cannot be read as a directory user: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`, { tenantId: options.tenant.id });
    }
    return parsed.data;
  };

  return {
    attributes,
    entryOf: (attribute) => byAttribute.get(attribute),
    managerPath,
    markerPath,
    writableAttributes,
    extensionSchemas,
    toUser,
  };
}

/**
 * Builds the body of `POST /Users` from attribute writes (path → value),
 * with `schemas` naming the core schema and every extension written.
 *
 * @example
 * ```ts
 * buildScimResource([[parseScimPath("userName"), "adele@contoso.com"]], { externalId: "…", active: true });
 * ```
 */
export function buildScimResource(writes: ReadonlyArray<readonly [ScimPath, unknown]>, top: Record<string, unknown>): Record<string, unknown> {
  const resource: Record<string, unknown> = { schemas: [SCIM_USER_SCHEMA] };
  for (const [key, value] of Object.entries(top)) if (value !== undefined) resource[key] = value;
  for (const [path, value] of writes) writeScimPath(resource, path, value);
  const schemas = resource.schemas as string[];
  for (const key of Object.keys(resource)) if (/^urn:/i.test(key) && !schemas.includes(key)) schemas.push(key);
  return resource;
}
