import { ConfigError } from "@tenantsync/core";

/** The SCIM core User schema URN. */
export const SCIM_USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
/** The SCIM enterprise User extension URN (RFC 7643 §4.3). */
export const SCIM_ENTERPRISE_USER_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/** The PatchOp message URN (RFC 7644 §3.5.2). */
export const SCIM_PATCH_OP_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/**
 * A parsed SCIM attribute path of the forms the adapter reads and writes:
 * `attr`, `attr.sub`, `attr[type eq "work"].sub` and each of them behind an
 * extension schema URN (`urn:…:User:attr`).
 */
export interface ScimPath {
  /** The path as written. */
  text: string;
  /** The extension schema URN, or null for core attributes. */
  schema: string | null;
  /** The attribute (`emails`, `name`, `title`, `department`). */
  attribute: string;
  /** The `type` a multi-valued attribute's entry is selected by, or null. */
  type: string | null;
  /** The sub-attribute, or null. For a typed entry, null means `value`. */
  sub: string | null;
}

const NAME = "[A-Za-z$][A-Za-z0-9_$-]*";
const PATH_RE = new RegExp(`^(${NAME})(?:\\[\\s*type\\s+eq\\s+"((?:[^"\\\\]|\\\\.)*)"\\s*\\])?(?:\\.(${NAME}))?$`);

/**
 * Parses a SCIM attribute path (throws `ConfigError` naming the path when it
 * is not one of the supported forms).
 *
 * @example
 * ```ts
 * parseScimPath('emails[type eq "work"].value'); // { attribute: "emails", type: "work", sub: "value", schema: null, … }
 * parseScimPath("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department");
 * ```
 */
export function parseScimPath(text: string, configPath: ReadonlyArray<string | number> = ["scimPath"]): ScimPath {
  let schema: string | null = null;
  let rest = text.trim();
  if (/^urn:/i.test(rest)) {
    // The attribute follows the last colon that is not inside a [filter].
    const bracket = rest.indexOf("[");
    const head = bracket >= 0 ? rest.slice(0, bracket) : rest;
    const colon = head.lastIndexOf(":");
    schema = rest.slice(0, colon);
    rest = rest.slice(colon + 1);
  }
  const match = PATH_RE.exec(rest);
  if (!match || (schema !== null && schema.length === 0)) {
    throw new ConfigError([{ path: configPath, message: `'${text}' is not a SCIM attribute path the adapter supports (attr, attr.sub, attr[type eq "x"].sub, optionally behind an extension schema URN)` }], "SCIM attribute mapping");
  }
  const type = match[2] === undefined ? null : match[2].replace(/\\(.)/g, "$1");
  return { text, schema, attribute: match[1]!, type, sub: match[3] ?? null };
}

/** A key of `object` equal to `name` ignoring case (SCIM attribute names are case-insensitive), or undefined. */
export function findKey(object: Record<string, unknown>, name: string): string | undefined {
  if (Object.hasOwn(object, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(object).find((k) => k.toLowerCase() === lower);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The object holding `path.attribute`: the resource or its extension object (undefined when absent). */
function containerOf(resource: Record<string, unknown>, path: ScimPath): Record<string, unknown> | undefined {
  if (path.schema === null) return resource;
  const key = findKey(resource, path.schema);
  const value = key === undefined ? undefined : resource[key];
  return isRecord(value) ? value : undefined;
}

/** The entry of a multi-valued attribute with the given type (case-insensitive). */
export function typedEntry(list: unknown, type: string): Record<string, unknown> | undefined {
  if (!Array.isArray(list)) return undefined;
  const lower = type.toLowerCase();
  return list.find((e): e is Record<string, unknown> => isRecord(e) && typeof e.type === "string" && e.type.toLowerCase() === lower);
}

/**
 * Reads the value at `path` in a SCIM resource (undefined when absent).
 *
 * @example
 * ```ts
 * readScimPath({ emails: [{ type: "work", value: "a@b.c" }] }, parseScimPath('emails[type eq "work"].value')); // "a@b.c"
 * ```
 */
export function readScimPath(resource: Record<string, unknown>, path: ScimPath): unknown {
  const container = containerOf(resource, path);
  if (!container) return undefined;
  const key = findKey(container, path.attribute);
  const value = key === undefined ? undefined : container[key];
  if (path.type !== null) {
    const entry = typedEntry(value, path.type);
    if (!entry) return undefined;
    const subKey = findKey(entry, path.sub ?? "value");
    return subKey === undefined ? undefined : entry[subKey];
  }
  if (path.sub !== null) {
    if (!isRecord(value)) return undefined;
    const subKey = findKey(value, path.sub);
    return subKey === undefined ? undefined : value[subKey];
  }
  return value;
}

/** True when a multi-valued entry still carries a value besides `type` and `primary`. */
function entryHasValues(entry: Record<string, unknown>): boolean {
  return Object.entries(entry).some(([k, v]) => k !== "type" && k !== "primary" && v !== undefined && v !== null && v !== "");
}

/**
 * Returns the new value of `path.attribute` (inside its container) after
 * writing `value` at `path` (null or undefined removes it): a complex value
 * for `attr.sub`, the whole list for `attr[type eq "x"].sub` (an entry left
 * without values is dropped; a work email is marked primary), the value itself
 * otherwise. `current` is the attribute's current value. Inputs are not changed.
 *
 * @example
 * ```ts
 * nextAttributeValue([{ type: "work", value: "a@b.c" }], parseScimPath('emails[type eq "work"].value'), null); // []
 * ```
 */
export function nextAttributeValue(current: unknown, path: ScimPath, value: unknown): unknown {
  const clear = value === null || value === undefined;
  if (path.type !== null) {
    const list: Array<Record<string, unknown>> = Array.isArray(current) ? current.filter(isRecord).map((e) => ({ ...e })) : [];
    const lower = path.type.toLowerCase();
    const index = list.findIndex((e) => typeof e.type === "string" && e.type.toLowerCase() === lower);
    const sub = path.sub ?? "value";
    const entry: Record<string, unknown> = index >= 0 ? list[index]! : { type: path.type };
    const subKey = findKey(entry, sub) ?? sub;
    if (clear) delete entry[subKey];
    else entry[subKey] = value;
    if (path.attribute.toLowerCase() === "emails" && lower === "work" && !clear) {
      // RFC 7643 §2.4: at most one primary value; the mapped work email takes it.
      entry.primary = true;
      for (const other of list) if (other !== entry && other.primary === true) other.primary = false;
    }
    if (index >= 0) {
      if (entryHasValues(entry)) list[index] = entry;
      else list.splice(index, 1);
    } else if (entryHasValues(entry)) list.push(entry);
    return list;
  }
  if (path.sub !== null) {
    const complex: Record<string, unknown> = isRecord(current) ? { ...current } : {};
    const subKey = findKey(complex, path.sub) ?? path.sub;
    if (clear) delete complex[subKey];
    else complex[subKey] = value;
    return complex;
  }
  return clear ? undefined : value;
}

/** The key of the attribute a path writes, in a resource: `schema` + attribute, for grouping writes. */
export function attributeKey(path: ScimPath): string {
  return `${path.schema?.toLowerCase() ?? ""}|${path.attribute.toLowerCase()}`;
}

/**
 * Writes `value` at `path` into a resource being built (mutates it); null or
 * undefined removes. Empty lists and empty complex values are dropped.
 *
 * @example
 * ```ts
 * const body = {}; writeScimPath(body, parseScimPath("name.givenName"), "Adele"); // { name: { givenName: "Adele" } }
 * ```
 */
export function writeScimPath(resource: Record<string, unknown>, path: ScimPath, value: unknown): void {
  let container: Record<string, unknown>;
  if (path.schema === null) container = resource;
  else {
    const key = findKey(resource, path.schema) ?? path.schema;
    const existing = resource[key];
    container = isRecord(existing) ? existing : {};
    resource[key] = container;
  }
  const key = findKey(container, path.attribute) ?? path.attribute;
  const next = nextAttributeValue(container[key], path, value);
  if (next === undefined || (Array.isArray(next) && next.length === 0) || (isRecord(next) && Object.keys(next).length === 0)) delete container[key];
  else container[key] = next;
  if (path.schema !== null && Object.keys(container).length === 0) delete resource[findKey(resource, path.schema)!];
}

/** The path text of a whole attribute (`emails`, `urn:…:User:manager`). */
export function attributePathText(path: ScimPath): string {
  return path.schema === null ? path.attribute : `${path.schema}:${path.attribute}`;
}
