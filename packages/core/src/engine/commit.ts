import type { ExecutionSummary, JobRecord, QuarantineInfo } from "../ports/state-store.ts";
import { enterQuarantine, failureVerdict, leaveQuarantine } from "./quarantine.ts";

/** What a cycle reports to the commit step. */
export interface CycleOutcome {
  summary: ExecutionSummary;
  /** The cursor and config fingerprint to commit, or null when the watermark must not move (R27). */
  commit: { cursor: string | null; configFingerprint: string } | null;
  /** Writes attempted and failed (quarantine by proportion). */
  attempted: number;
  failed: number;
  errors: number;
  /** Deletions and disables the guard held (R25). */
  heldDeletions: number;
  deletionThreshold: number;
  /** Why writes stopped early, and the error that stopped them. */
  stopped: "TrustSettingsMissing" | "CredentialsRejected" | "Aborted" | null;
  stopMessage: string | null;
  now: Date;
  intervalMs: number;
}

/**
 * The commit step (DESIGN.md step 8), as a pure function: the job record after
 * a cycle. The watermark moves only when the outcome says so — every action
 * recorded, nothing held, nothing stopped (R27); the quarantine rules apply
 * (R24, R25); steady state is stamped when a committed cycle had nothing to do.
 *
 * @example
 * ```ts
 * const { record, quarantined, lifted } = commitCycle(previousRecord, outcome);
 * await store.write(jobId, { job: record });
 * ```
 */
export function commitCycle(previous: JobRecord, o: CycleOutcome): { record: JobRecord; quarantined: QuarantineInfo | null; lifted: boolean } {
  let record: JobRecord = { ...previous, lastExecution: o.summary };
  if (o.commit) record = { ...record, watermark: o.commit.cursor, configFingerprint: o.commit.configFingerprint, forceDeletes: false };
  const verdict = failureVerdict(record.failureSeries, { attempted: o.attempted, failed: o.failed });
  record = { ...record, failureSeries: verdict.series };
  let quarantine: { reason: string; message: string } | null = verdict.quarantine;
  if (o.heldDeletions > 0) quarantine = { reason: "TooManyDeletes", message: `${o.heldDeletions} deletions and disables planned, more than the threshold of ${o.deletionThreshold}; held until restart({ forceDeletes: true })` };
  if (o.stopped === "TrustSettingsMissing") quarantine = { reason: "TrustSettingsMissing", message: o.stopMessage ?? "the target refused a write for lack of trust settings" };
  if (o.stopped === "CredentialsRejected") quarantine = { reason: "CredentialsRejected", message: o.stopMessage ?? "credentials rejected" };
  const state = o.summary.state;
  if (state === "failed" && !quarantine) record = { ...record, successiveFailures: record.successiveFailures + 1 };
  if (quarantine) {
    record = enterQuarantine({ ...record, successiveFailures: record.successiveFailures + 1 }, quarantine.reason, quarantine.message, o.now, o.intervalMs);
    return { record, quarantined: record.quarantine, lifted: false };
  }
  if (state === "failed") return { record, quarantined: null, lifted: false };
  const lifted = record.quarantine !== null;
  record = { ...leaveQuarantine(record), state: "Active", successiveFailures: 0, lastSuccessfulExecution: o.summary };
  if (o.attempted === 0 && o.errors === 0 && o.commit !== null) {
    record = { ...record, steadyStateFirstAchievedAt: record.steadyStateFirstAchievedAt ?? o.now.toISOString(), steadyStateLastAchievedAt: o.now.toISOString() };
  }
  return { record, quarantined: null, lifted };
}
