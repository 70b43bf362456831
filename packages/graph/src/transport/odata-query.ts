/**
 * An OData string literal: single quotes, with inner quotes doubled.
 *
 * @example
 * ```ts
 * odataString("O'Brien"); // "'O''Brien'"
 * ```
 */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * A path with a query string. Option names are kept as they are (`$select`),
 * values are percent-encoded; undefined values are left out.
 *
 * @example
 * ```ts
 * withQuery("/users", { $select: "id,displayName", $top: 999 }); // "/users?$select=id%2CdisplayName&$top=999"
 * ```
 */
export function withQuery(path: string, query: Record<string, string | number | boolean | undefined>): string {
  const parts = Object.entries(query)
    .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`);
  return parts.length === 0 ? path : `${path}?${parts.join("&")}`;
}

/** A path segment for an id or UPN (`#EXT#` becomes `%23EXT%23`, as Graph requires). */
export function segment(value: string): string {
  return encodeURIComponent(value);
}
