/**
 * The soft-delete marker a `deprovision: "disable"` directory stamps on a
 * user it soft-deletes: `<deletedDateTime ISO 8601>;active=<true|false>`,
 * the second part being the account state before the delete (restore puts it
 * back).
 */
export interface SoftDeleteMarker {
  deletedDateTime: string;
  wasActive: boolean;
}

/**
 * Formats a marker value.
 *
 * @example
 * ```ts
 * formatSoftDeleteMarker({ deletedDateTime: "2026-01-01T00:00:00.000Z", wasActive: true }); // "2026-01-01T00:00:00.000Z;active=true"
 * ```
 */
export function formatSoftDeleteMarker(marker: SoftDeleteMarker): string {
  return `${marker.deletedDateTime};active=${marker.wasActive}`;
}

/**
 * Reads a marker value; null when absent or not a marker.
 *
 * @example
 * ```ts
 * readSoftDeleteMarker("2026-01-01T00:00:00.000Z;active=false"); // { deletedDateTime: "2026-01-01T00:00:00.000Z", wasActive: false }
 * ```
 */
export function readSoftDeleteMarker(value: unknown): SoftDeleteMarker | null {
  if (typeof value !== "string") return null;
  const match = /^(\d{4}-\d{2}-\d{2}T[^;]+);active=(true|false)$/.exec(value.trim());
  if (!match || !Number.isFinite(Date.parse(match[1]!))) return null;
  return { deletedDateTime: match[1]!, wasActive: match[2] === "true" };
}
