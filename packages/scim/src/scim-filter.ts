import type { ScimPath } from "./scim-path.ts";

/**
 * Quotes a value for a SCIM filter (RFC 7644 §3.4.2.2): a JSON string
 * literal, so `"` and `\` are escaped and control characters encoded.
 *
 * @example
 * ```ts
 * quoteScimFilterValue('a"b\\c'); // "\"a\\\"b\\\\c\""
 * ```
 */
export function quoteScimFilterValue(value: string): string {
  return JSON.stringify(value);
}

/**
 * An equality filter on a parsed path, in RFC 7644 grammar: `userName eq "v"`,
 * `name.givenName eq "v"`, `urn:…:User:department eq "v"`, and for a typed
 * multi-valued attribute the value-path form
 * `emails[type eq "work" and value eq "v"]`.
 *
 * @example
 * ```ts
 * scimEqualityFilter(parseScimPath('emails[type eq "work"].value'), "a@b.c");
 * // 'emails[type eq "work" and value eq "a@b.c"]'
 * ```
 */
export function scimEqualityFilter(path: ScimPath, value: string): string {
  const prefix = path.schema === null ? "" : `${path.schema}:`;
  if (path.type !== null) {
    return `${prefix}${path.attribute}[type eq ${quoteScimFilterValue(path.type)} and ${path.sub ?? "value"} eq ${quoteScimFilterValue(value)}]`;
  }
  return `${prefix}${path.attribute}${path.sub === null ? "" : `.${path.sub}`} eq ${quoteScimFilterValue(value)}`;
}
