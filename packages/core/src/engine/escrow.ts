import type { Escrow } from "../ports/state-store.ts";
import type { ErrorInfo } from "./plan-types.ts";

const HOUR = 3_600_000;
/** Entra's escrow schedule (ENGINE.md): 6 h, 12 h, 24 h, then every 24 h. */
export const ESCROW_DELAYS_MS: readonly number[] = [6 * HOUR, 12 * HOUR, 24 * HOUR];
/** An escrow older than this is dropped and reported (28 days). */
export const ESCROW_MAX_AGE_MS = 28 * 24 * HOUR;

/**
 * The escrow after one more failure of `sourceId`'s `action`: attempts + 1,
 * next attempt on Entra's backoff schedule.
 *
 * @example
 * ```ts
 * const e = nextEscrow(undefined, "u1", "create", error, new Date()); // retried in 6 hours
 * ```
 */
export function nextEscrow(previous: Escrow | null | undefined, sourceId: string, action: string, error: ErrorInfo, now: Date): Escrow {
  const attempts = (previous?.attempts ?? 0) + 1;
  const delay = ESCROW_DELAYS_MS[Math.min(attempts - 1, ESCROW_DELAYS_MS.length - 1)]!;
  return {
    sourceId,
    action,
    attempts,
    firstFailureAt: previous?.firstFailureAt ?? now.toISOString(),
    nextAttemptAt: new Date(now.getTime() + delay).toISOString(),
    error,
  };
}

/** True when the escrow's retry is due at `now`. */
export function escrowDue(escrow: Escrow, now: Date): boolean {
  return escrow.nextAttemptAt <= now.toISOString();
}

/** True when the escrow has aged out (28 days) and must be dropped. */
export function escrowExpired(escrow: Escrow, now: Date): boolean {
  return now.getTime() - new Date(escrow.firstFailureAt).getTime() >= ESCROW_MAX_AGE_MS;
}
