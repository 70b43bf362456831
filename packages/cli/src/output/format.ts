import type { CycleCounts } from "@tenantsync/core";

const NUMBER = new Intl.NumberFormat("en-US");

/** `12345` → `12,345`. */
export function formatCount(n: number): string {
  return NUMBER.format(n);
}

/** `1234` → `1.2 s`, `72000` → `1m 12s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return `${m}m ${String(s).padStart(2, "0")}s`;
}

/** A value for a table cell: strings quoted only when they could be mistaken, null as `—`. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "string") return value === "" ? '""' : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/** The counts every summary shows, in a fixed order. */
export const COUNT_COLUMNS = ["created", "updated", "disabled", "deleted", "restored", "skipped", "errors"] as const satisfies ReadonlyArray<keyof CycleCounts>;

/** Adds counts together. */
export function addCounts(a: CycleCounts, b: CycleCounts): CycleCounts {
  const out = { ...a };
  for (const k of Object.keys(b) as Array<keyof CycleCounts>) out[k] = (a[k] ?? 0) + b[k];
  return out;
}

/** Zero counts. */
export function emptyCounts(): CycleCounts {
  return { imported: 0, inScope: 0, exported: 0, escrowed: 0, errors: 0, created: 0, updated: 0, disabled: 0, deleted: 0, restored: 0, skipped: 0 };
}
