/**
 * Parses an ISO 8601 duration with day and time parts (`PT40M`, `P1D`,
 * `PT1H30M`, `PT0.5S`) into milliseconds. Returns `null` for anything else;
 * years, months and weeks are refused because their length is not fixed.
 *
 * @example
 * ```ts
 * parseDuration("PT40M"); // 2_400_000
 * ```
 */
export function parseDuration(text: string): number | null {
  const m = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  if (!m || text === "P" || text.endsWith("T")) return null;
  const [, d, h, min, s] = m;
  const ms = (Number(d ?? 0) * 24 * 3600 + Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(s ?? 0)) * 1000;
  return Number.isFinite(ms) ? Math.round(ms) : null;
}
