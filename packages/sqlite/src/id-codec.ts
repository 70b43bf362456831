import { StoredValueError } from "./sqlite-state-store-error.ts";

/**
 * Compact storage of directory object ids. Entra object ids are GUIDs; in
 * their canonical lowercase text form they take 36 bytes, as a blob 16. An id
 * in exactly that form is stored as a 16-byte blob, any other id (upper case,
 * braces, a non-GUID id of another directory) as text, so every id reads
 * back exactly as it was written. SQLite orders all text values before all
 * blobs, which keeps keyset paging well defined over the mix.
 */

/** Value of each lowercase hex digit by char code, -1 for anything else. */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) HEX_VALUE["0123456789abcdef".charCodeAt(i)] = i;
/** Two hex digits for each byte value. */
const BYTE_HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));
/** Where each byte's two digits start in `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`. */
const DIGIT_OFFSETS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
const DASH = 45;

/** A stored id: a 16-byte blob for a canonical GUID, otherwise the text. */
export type PackedId = string | Buffer;

/**
 * Encodes an id for storage (see the module comment). Hand-rolled rather
 * than a regular expression and `Buffer.from(hex)`: it runs once per id of
 * every link read or written, and this is several times faster.
 */
export function packId(id: string): PackedId {
  if (id.length !== 36 || id.charCodeAt(8) !== DASH || id.charCodeAt(13) !== DASH || id.charCodeAt(18) !== DASH || id.charCodeAt(23) !== DASH) return id;
  const bytes = Buffer.allocUnsafe(16);
  for (let i = 0; i < 16; i++) {
    const at = DIGIT_OFFSETS[i]!;
    const hi = id.charCodeAt(at);
    const lo = id.charCodeAt(at + 1);
    const h = hi < 128 ? HEX_VALUE[hi]! : -1;
    const l = lo < 128 ? HEX_VALUE[lo]! : -1;
    if (h < 0 || l < 0) return id;
    bytes[i] = (h << 4) | l;
  }
  return bytes;
}

/** Encodes an id that may be null. */
export function packNullableId(id: string | null): PackedId | null {
  return id === null ? null : packId(id);
}

/** Decodes a stored id; throws on a blob that is not 16 bytes (a damaged file). */
export function unpackId(stored: unknown): string {
  if (typeof stored === "string") return stored;
  if (Buffer.isBuffer(stored) && stored.length === 16) {
    const h = (from: number, to: number) => {
      let out = "";
      for (let i = from; i < to; i++) out += BYTE_HEX[stored[i]!];
      return out;
    };
    return `${h(0, 4)}-${h(4, 6)}-${h(6, 8)}-${h(8, 10)}-${h(10, 16)}`;
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
