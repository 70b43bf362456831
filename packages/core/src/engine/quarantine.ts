import type { JobRecord, QuarantineInfo } from "../ports/state-store.ts";

const DAY = 86_400_000;
/** A job quarantined this long is disabled (ENGINE.md). */
export const QUARANTINE_DISABLE_AFTER_MS = 28 * DAY;

/** Thresholds of quarantine by proportion (ENGINE.md, Entra's figures). */
export const QUARANTINE_THRESHOLDS = Object.freeze({
  /** The proportion rules apply once this many exports failed in the series. */
  minFailures: 5_000,
  failureRatio: 0.4,
  maxFailures: 40_000,
  /** Writes attempted in one cycle before "the target refuses every write" can be concluded. */
  refuseAllMinAttempts: 5,
});

/**
 * Puts a job in quarantine (or keeps it there, one step further along the
 * backoff: the interval doubles each cycle up to once a day). After four
 * weeks in quarantine the job is disabled.
 *
 * @example
 * ```ts
 * record = enterQuarantine(record, "TooManyDeletes", "612 deletions exceed the threshold of 500", now, 40 * 60_000);
 * ```
 */
export function enterQuarantine(record: JobRecord, reason: QuarantineInfo["reason"], message: string, now: Date, intervalMs: number): JobRecord {
  const previous = record.quarantine;
  const seriesCount = (previous?.seriesCount ?? 0) + 1;
  const backoff = Math.min(DAY, intervalMs * 2 ** Math.min(seriesCount, 20));
  const since = previous?.since ?? now.toISOString();
  const quarantine: QuarantineInfo = { reason, message, since, nextAttemptAt: new Date(now.getTime() + backoff).toISOString(), seriesCount };
  const disabled = now.getTime() - new Date(since).getTime() >= QUARANTINE_DISABLE_AFTER_MS;
  return { ...record, state: disabled ? "Disabled" : "Quarantine", quarantine };
}

/** Lifts quarantine (a successful cycle, or an operator's restart). */
export function leaveQuarantine(record: JobRecord): JobRecord {
  return { ...record, state: record.state === "Quarantine" || record.state === "Disabled" ? "Active" : record.state, quarantine: null };
}

/**
 * Decides quarantine by proportion after a cycle: the failure series
 * accumulates over failing cycles and resets after a cycle without failures.
 *
 * @example
 * ```ts
 * const verdict = failureVerdict(record.failureSeries, { attempted: 10, failed: 10 });
 * ```
 */
export function failureVerdict(
  series: JobRecord["failureSeries"],
  cycle: { attempted: number; failed: number },
): { series: JobRecord["failureSeries"]; quarantine: { reason: string; message: string } | null } {
  if (cycle.failed === 0) return { series: { exports: 0, failures: 0 }, quarantine: null };
  const next = { exports: series.exports + cycle.attempted, failures: series.failures + cycle.failed };
  if (cycle.attempted >= QUARANTINE_THRESHOLDS.refuseAllMinAttempts && cycle.failed === cycle.attempted) {
    return { series: next, quarantine: { reason: "TargetRefusesWrites", message: `all ${cycle.attempted} writes of the cycle failed` } };
  }
  if (next.failures >= QUARANTINE_THRESHOLDS.minFailures) {
    const ratio = next.failures / Math.max(1, next.exports);
    if (ratio > QUARANTINE_THRESHOLDS.failureRatio || next.failures > QUARANTINE_THRESHOLDS.maxFailures) {
      return { series: next, quarantine: { reason: "TooManyFailures", message: `${next.failures} of ${next.exports} exports failed in this series (${Math.round(ratio * 100)}%)` } };
    }
  }
  return { series: next, quarantine: null };
}
