import type { ExecutionSummary, QuarantineInfo } from "../ports/state-store.ts";
import type { ErrorInfo, PlannedAction } from "./plan-types.ts";

/**
 * The events a sync job emits (eventemitter3). Listen with `job.on(name, fn)`.
 *
 * @example
 * ```ts
 * job.on("cycleCompleted", ({ summary }) => console.log(summary.counts));
 * job.on("action", ({ action, status }) => console.log(action.kind, action.sourceId, status));
 * ```
 */
export interface SyncJobEvents {
  cycleStarted: (event: { jobId: string; cycleId: string; kind: "full" | "incremental" }) => void;
  cycleProgress: (event: { jobId: string; cycleId: string; done: number; total: number; phase: "import" | "apply" | "references" }) => void;
  action: (event: { jobId: string; cycleId: string; action: PlannedAction; status: "success" | "failure" | "skipped" | "warning"; targetId: string | null; error: ErrorInfo | null }) => void;
  escrowed: (event: { jobId: string; cycleId: string; sourceId: string; error: ErrorInfo; attempts: number; nextAttemptAt: string }) => void;
  stagedDeletes: (event: { jobId: string; cycleId: string; count: number; threshold: number }) => void;
  quarantined: (event: { jobId: string; quarantine: QuarantineInfo }) => void;
  quarantineLifted: (event: { jobId: string }) => void;
  cycleCompleted: (event: { jobId: string; summary: ExecutionSummary }) => void;
  cycleFailed: (event: { jobId: string; cycleId: string; error: ErrorInfo }) => void;
}
