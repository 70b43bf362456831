import type { CallOptions } from "./directory-port.ts";

/**
 * The engine's record that source user `sourceId` is represented by target
 * user `targetId`.
 *
 * - `state` — `active` (in scope, written), `disabled` (parked: out of scope
 *   and not deleted by the job — left disabled by R14, or already deleted by
 *   the target's administrator), `softDeleted` (the engine soft-deleted the
 *   target user).
 * - `softDeletedAt` — when the engine soft-deleted it (ISO), for the 30-day window.
 * - `fingerprint` — a hash of what the engine last wrote, so unchanged users
 *   are not touched (R11) and replayed changes are no-ops.
 * - `disabledFlowed` — the source's `accountEnabled = false` reached the target (R14).
 * - `managerSourceId` — the source manager still to wire up (R20 beyond), or null.
 */
export interface Link {
  sourceId: string;
  targetId: string;
  state: "active" | "disabled" | "softDeleted";
  softDeletedAt: string | null;
  fingerprint: string;
  disabledFlowed: boolean;
  managerSourceId: string | null;
}

/** A per-user failure waiting for its retry (R23). */
export interface Escrow {
  sourceId: string;
  /** What was being done. */
  action: string;
  attempts: number;
  firstFailureAt: string;
  nextAttemptAt: string;
  error: { code: string; message: string; retryable: boolean };
}

/** State of a job, in the words of Entra's synchronizationStatus. */
export type JobState = "NotRun" | "Active" | "Paused" | "Quarantine" | "Disabled";

/** Counts of one cycle. */
export interface CycleCounts {
  imported: number;
  inScope: number;
  exported: number;
  escrowed: number;
  errors: number;
  created: number;
  updated: number;
  disabled: number;
  deleted: number;
  restored: number;
  skipped: number;
}

/** One cycle's execution summary. */
export interface ExecutionSummary {
  cycleId: string;
  kind: "full" | "incremental";
  begin: string;
  end: string;
  state: "succeeded" | "warning" | "failed";
  counts: CycleCounts;
  error?: { code: string; message: string } | undefined;
}

/** Why and since when a job is quarantined (R24, R25). */
export interface QuarantineInfo {
  reason: "TrustSettingsMissing" | "CredentialsRejected" | "TooManyDeletes" | "TooManyFailures" | "TargetRefusesWrites" | "CrossCloud" | string;
  message: string;
  since: string;
  nextAttemptAt: string;
  /** How many quarantined cycles have run in a row. */
  seriesCount: number;
}

/** Everything a job keeps about itself between cycles. */
export interface JobRecord {
  jobId: string;
  /** The change-feed cursor the last committed cycle reached; null means the next cycle is full. */
  watermark: string | null;
  /** A fingerprint of the mappings and scope the watermark belongs to; a change forces a full cycle. */
  configFingerprint: string | null;
  state: JobState;
  lastExecution: ExecutionSummary | null;
  lastSuccessfulExecution: ExecutionSummary | null;
  quarantine: QuarantineInfo | null;
  successiveFailures: number;
  steadyStateFirstAchievedAt: string | null;
  steadyStateLastAchievedAt: string | null;
  /** Set by `restart({ forceDeletes: true })`: the next cycle applies deletions the guard held. */
  forceDeletes: boolean;
  /** Exports attempted and failed in the current failure series (quarantine by proportion). */
  failureSeries: { exports: number; failures: number };
}

/** What a provisioning-log entry records (ENGINE.md). */
export type LogAction = "create" | "update" | "delete" | "disable" | "restore" | "stagedDelete" | "skip" | "other";
/** Outcome of a logged action. */
export type LogStatus = "success" | "warning" | "failure" | "skipped";

/** One step of provisioning a user, as on-demand provisioning reports it. */
export interface ProvisioningStep {
  name: "import" | "scope" | "match" | "action" | "references";
  status: "success" | "warning" | "failure" | "skipped";
  description: string;
  details: Record<string, unknown>;
}

/** One record of the provisioning log (R26). */
export interface LogEntry {
  id: string;
  time: string;
  jobId: string;
  cycleId: string;
  changeId: string;
  action: LogAction;
  status: LogStatus;
  source: { tenantId: string; userId: string; displayName: string | null };
  target: { tenantId: string; userId: string | null };
  steps: ProvisioningStep[];
  modifiedProperties: Array<{ name: string; oldValue: unknown; newValue: unknown }>;
  reason: string | null;
  error: { code: string; message: string; retryable: boolean } | null;
  durationMs: number;
}

/** Filters of {@link StateStore.queryLogs}. */
export interface LogQuery {
  jobId?: string | undefined;
  cycleId?: string | undefined;
  /** Source or target user id. */
  userId?: string | undefined;
  action?: LogAction | undefined;
  status?: LogStatus | undefined;
  /** Entries at or after this time (ISO). */
  since?: string | undefined;
  /** At most this many entries, newest first. Default 100. */
  limit?: number | undefined;
}

/**
 * Changes to a job's state that must land together (one transaction). Every
 * field is optional; absent means unchanged.
 */
export interface StateWrite {
  putLinks?: readonly Link[] | undefined;
  deleteLinks?: readonly string[] | undefined;
  putEscrows?: readonly Escrow[] | undefined;
  deleteEscrows?: readonly string[] | undefined;
  appendLogs?: readonly LogEntry[] | undefined;
  /** Replaces the job record. */
  job?: JobRecord | undefined;
}

/**
 * What a job must remember between cycles: links, the watermark, escrows, its
 * status and the provisioning log. `write` applies a {@link StateWrite}
 * atomically: after a crash either all of it is there or none.
 *
 * @example
 * ```ts
 * await store.write(jobId, { putLinks: [link], appendLogs: [entry] });
 * const links = await store.getLinks(jobId, [link.sourceId]);
 * ```
 */
export interface StateStore {
  /** The store's name, used in messages (`memory`, `sqlite`). */
  readonly name: string;
  /** The job's record, or null for a job never seen. */
  getJob(jobId: string, options?: CallOptions): Promise<JobRecord | null>;
  /** Links of the given source users (absent ids are missing from the map). */
  getLinks(jobId: string, sourceIds: readonly string[], options?: CallOptions): Promise<Map<string, Link>>;
  /** Every link of the job, in pages. */
  listLinks(jobId: string, options?: CallOptions): AsyncIterable<Link[]>;
  /** Every escrow of the job. */
  listEscrows(jobId: string, options?: CallOptions): Promise<Escrow[]>;
  /** Applies the write atomically. */
  write(jobId: string, write: StateWrite, options?: CallOptions): Promise<void>;
  /** Provisioning-log entries matching the query, newest first. */
  queryLogs(query: LogQuery, options?: CallOptions): Promise<LogEntry[]>;
  /** Drops log entries older than `before` (ISO); returns how many were dropped. */
  pruneLogs(jobId: string, before: string, options?: CallOptions): Promise<number>;
  /** Forgets everything about a job. */
  deleteJob(jobId: string, options?: CallOptions): Promise<void>;
}

/**
 * A fresh job record: never run, no watermark.
 *
 * @example
 * ```ts
 * const record = (await store.getJob(jobId)) ?? newJobRecord(jobId);
 * ```
 */
export function newJobRecord(jobId: string): JobRecord {
  return {
    jobId,
    watermark: null,
    configFingerprint: null,
    state: "NotRun",
    lastExecution: null,
    lastSuccessfulExecution: null,
    quarantine: null,
    successiveFailures: 0,
    steadyStateFirstAchievedAt: null,
    steadyStateLastAchievedAt: null,
    forceDeletes: false,
    failureSeries: { exports: 0, failures: 0 },
  };
}
