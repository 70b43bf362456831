import { StoredValueError } from "./sqlite-state-store-error.ts";

/**
 * Compact storage of directory object ids. Entra object ids are GUIDs; in
 * their canonical lowercase text form they take 36 bytes, as a blob 16. An id
 * in exactly that form is stored as a 16-byte blob, any other id (upper case,
 * braces, a non-GUID id of another directory) as text, so every id reads
 * back exactly as it was written. SQLite orders all text values before all
 * blobs, which keeps keyset paging well defined over the mix.
 */

const CANONICAL_GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A stored id: a 16-byte blob for a canonical GUID, otherwise the text. */
export type PackedId = string | Buffer;

/** Encodes an id for storage (see the module comment). */
export function packId(id: string): PackedId {
  if (id.length === 36 && CANONICAL_GUID.test(id)) return Buffer.from(id.replace(/-/g, ""), "hex");
  return id;
}

/** Encodes an id that may be null. */
export function packNullableId(id: string | null): PackedId | null {
  return id === null ? null : packId(id);
}

/** Decodes a stored id; throws on a blob that is not 16 bytes (a damaged file). */
export function unpackId(stored: unknown): string {
  if (typeof stored === "string") return stored;
  if (Buffer.isBuffer(stored) && stored.length === 16) {
    const h = stored.toString("hex");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  throw new StoredValueError(`stored id has an unexpected form (${Buffer.isBuffer(stored) ? `${stored.length}-byte blob` : typeof stored})`);
}

/** Decodes a stored id that may be null. */
export function unpackNullableId(stored: unknown): string | null {
  return stored === null ? null : unpackId(stored);
}

/**
 * SQL that renders a stored id as text (for the `*_readable` views an
 * operator can query with the sqlite3 shell).
 */
export function sqlIdAsText(column: string): string {
  const h = `hex(${column})`;
  return `CASE WHEN typeof(${column}) = 'blob' THEN lower(substr(${h},1,8)||'-'||substr(${h},9,4)||'-'||substr(${h},13,4)||'-'||substr(${h},17,4)||'-'||substr(${h},21)) ELSE ${column} END`;
}
