import type { PlannedAction } from "./plan-types.ts";

/**
 * The accidental-deletion guard (R25): counts the deletions and disables a
 * cycle planned; when the count exceeds the threshold, none of them is made
 * (unless an operator forced them with `restart({ forceDeletes: true })`).
 *
 * @example
 * ```ts
 * const verdict = evaluateGuard(actions, { enabled: true, deletionThreshold: 500 }, false);
 * if (verdict.hold) console.log(`${verdict.count} deletions held`);
 * ```
 */
export function evaluateGuard(
  actions: readonly PlannedAction[],
  settings: { enabled: boolean; deletionThreshold: number },
  forced: boolean,
): { count: number; threshold: number; hold: boolean } {
  let count = 0;
  for (const a of actions) if (a.kind === "softDelete" || (a.kind === "update" && a.disables)) count++;
  return { count, threshold: settings.deletionThreshold, hold: settings.enabled && !forced && count > settings.deletionThreshold };
}
