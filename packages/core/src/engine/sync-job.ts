import { EventEmitter } from "eventemitter3";
import { AbortedError, AdapterError, CursorExpiredError, TenantSyncError, isTenantSyncError } from "../errors/errors.ts";
import { jobIdOf, parseSyncJobConfig, type SyncJobConfig, type SyncJobConfigInput } from "../model/sync-job-config.ts";
import type { DirectoryUser } from "../model/user.ts";
import { systemClock, type Clock } from "../ports/clock.ts";
import type { DirectoryPort } from "../ports/directory-port.ts";
import {
  newJobRecord,
  type CycleCounts,
  type Escrow,
  type ExecutionSummary,
  type JobRecord,
  type Link,
  type LogEntry,
  type LogQuery,
  type ProvisioningStep,
  type StateStore,
} from "../ports/state-store.ts";
import { createMemoryStateStore } from "../state/memory-state-store.ts";
import { parseDuration } from "../util/duration.ts";
import { errorInfo, softDeleteIfPresent, stopsCycle, withRetries, type RetryOptions } from "./apply.ts";
import { AssignmentTracker } from "./assignment.ts";
import { escrowDue, escrowExpired, nextEscrow } from "./escrow.ts";
import { compileJob, decideScope, mapUser, type JobCompilation } from "./evaluate.ts";
import type { SyncJobEvents } from "./events.ts";
import { evaluateGuard } from "./guard.ts";
import { createLimiter, type Limiter } from "./limiter.ts";
import { needsTargetRead, planUser } from "./plan.ts";
import type { ErrorInfo, LinkBookkeeping, MatchCandidate, ModifiedProperty, PlannedAction, SetManagerAction, UserObservation } from "./plan-types.ts";
import { WRITE_ACTION_KINDS } from "./plan-types.ts";
import { commitCycle } from "./commit.ts";
import { importAllUsers, importChanges } from "./source-import.ts";
import { preflight, type PreflightResult } from "./preflight.ts";
import { enterQuarantine, leaveQuarantine } from "./quarantine.ts";
import { PendingManagerIndex, mappedManagerOf } from "./references.ts";

/** A minimal structured logger; `console` fits. */
export interface SyncLogger {
  debug?(message: string, data?: Record<string, unknown>): void;
  info?(message: string, data?: Record<string, unknown>): void;
  warn?(message: string, data?: Record<string, unknown>): void;
  error?(message: string, data?: Record<string, unknown>): void;
}

/** Options of {@link createSyncJob}. */
export interface SyncJobOptions {
  /** The source tenant's directory. */
  source: DirectoryPort;
  /** The target tenant's directory. */
  target: DirectoryPort;
  /** The job configuration (validated; `ConfigError` lists every problem). */
  config: SyncJobConfigInput | SyncJobConfig;
  /** Where links, watermark, escrows, status and logs live. Default: in memory. */
  store?: StateStore;
  /** Time source. Default: the wall clock. */
  clock?: Clock;
  logger?: SyncLogger;
  /**
   * How often the scheduler wakes up (real ms) to see whether a cycle is due on
   * the job's clock, and, in change-driven mode, to look at the source's
   * change feed. Default 1000.
   */
  changePollIntervalMs?: number;
  /** Users read, evaluated and written per chunk. Default 500. */
  chunkSize?: number;
  /** Random source for backoff jitter and expression functions (Guid, RandomString). */
  random?: () => number;
}

/** Options of {@link SyncJob.runCycle} and {@link SyncJob.plan}. */
export interface CycleOptions {
  /** Stops the cycle at the next user boundary; state stays consistent. */
  signal?: AbortSignal;
}

/** What one cycle did. */
export interface CycleReport {
  cycleId: string;
  kind: "full" | "incremental";
  summary: ExecutionSummary;
  /** Deletions and disables the accidental-deletion guard held (R25). */
  heldDeletions: number;
  /** Why writes stopped early, or null. */
  stopped: "TrustSettingsMissing" | "CredentialsRejected" | "Aborted" | null;
  /** Whether the watermark moved. */
  committed: boolean;
}

/** A dry run: the actions a cycle would take now (R28). */
export interface JobPlan {
  kind: "full" | "incremental";
  /** Actions in the order a run executes them (references last). */
  actions: PlannedAction[];
  /** Link changes that write nothing to the target. */
  bookkeeping: LinkBookkeeping[];
  /** The accidental-deletion guard's view (R25). */
  guard: { deletions: number; threshold: number; wouldHold: boolean };
  /** Why the run would make no writes at all (preflight failure), or null. */
  blocked: ErrorInfo | null;
  warnings: string[];
}

/** The options of {@link SyncJob.restart}, mirroring Entra's. */
export interface RestartOptions {
  /** Forget the watermark: the next cycle is full and rewrites every in-scope user. */
  watermark?: boolean;
  /** Forget recorded per-user failures. */
  escrows?: boolean;
  /** Lift quarantine now. */
  quarantine?: boolean;
  /** Apply the deletions the guard held, once. */
  forceDeletes?: boolean;
  /** All of the above, and forget the links: every user is matched again. */
  full?: boolean;
}

/** One user's on-demand provisioning report (ENGINE.md). */
export interface OnDemandResult {
  sourceId: string;
  steps: ProvisioningStep[];
  /** The action taken, or `none`. */
  action: PlannedAction["kind"] | "none";
  status: "success" | "warning" | "failure" | "skipped";
  targetId: string | null;
}

/** A job's status: its record plus the running cycle's progress. */
export interface SyncJobStatus extends JobRecord {
  running: boolean;
  progress: { cycleId: string; phase: "import" | "apply" | "references"; done: number; total: number } | null;
  /** When the scheduler runs the next cycle (ISO), when started. */
  nextRunAt: string | null;
}

/**
 * One sync job: a source pushing its in-scope internal members into one
 * target as external users. Emits {@link SyncJobEvents}.
 */
export interface SyncJob extends EventEmitter<SyncJobEvents> {
  readonly id: string;
  readonly config: SyncJobConfig;
  readonly source: DirectoryPort;
  readonly target: DirectoryPort;
  /** Runs one cycle now (full or incremental, as the watermark says). Cycles of one job never overlap. */
  runCycle(options?: CycleOptions): Promise<CycleReport>;
  /** A dry run: what a cycle would do now; writes nothing, not even state. */
  plan(options?: CycleOptions): Promise<JobPlan>;
  /** Runs the whole pipeline now for the given source users and reports each step. */
  provisionOnDemand(userIds: readonly string[], options?: CycleOptions): Promise<OnDemandResult[]>;
  /** Resets parts of the job's state (Entra's restart options). A plain restart = watermark + escrows + quarantine. */
  restart(options?: RestartOptions): Promise<void>;
  status(): Promise<SyncJobStatus>;
  /** The job's provisioning log, newest first. */
  logs(query?: Omit<LogQuery, "jobId">): Promise<LogEntry[]>;
  /** Runs cycles on the schedule (and, with trigger "changes", as soon as the source changes). */
  start(): void;
  /** Stops scheduling; a running cycle stops at the next user boundary. Resolves when it has. */
  stop(): Promise<void>;
}

const EMPTY_COUNTS = (): CycleCounts => ({ imported: 0, inScope: 0, exported: 0, escrowed: 0, errors: 0, created: 0, updated: 0, disabled: 0, deleted: 0, restored: 0, skipped: 0 });

function fingerprintConfig(config: SyncJobConfig): string {
  return JSON.stringify([config.scope, config.scopingFilter, config.attributeMappings, config.userType]);
}

let idCounter = 0;
function newId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  return c?.randomUUID ? c.randomUUID() : `id-${Date.now().toString(36)}-${(idCounter++).toString(36)}`;
}

/**
 * UUID-shaped ids for one cycle's log entries: a fresh random UUID whose last
 * 12 hex digits then count up. One `randomUUID()` per cycle instead of two per
 * entry (a million-user cycle writes two million entries); entries of one
 * cycle stay unique, and cycles differ in the 74 random bits of the prefix.
 */
function idSequence(): () => string {
  const base = newId();
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(base)) return newId;
  const prefix = base.slice(0, 24);
  let n = Number.parseInt(base.slice(24), 16);
  return () => {
    n = n >= 0xffffffffffff ? 0 : n + 1;
    return prefix + n.toString(16).padStart(12, "0");
  };
}

/**
 * Creates a sync job. The configuration is validated and compiled (mappings,
 * filter) once, here.
 *
 * @example
 * ```ts
 * const job = createSyncJob({ source, target, config: { sourceTenantId, targetTenantId, scope: { mode: "all" } } });
 * const report = await job.runCycle();
 * console.log(report.summary.counts.created);
 * ```
 */
export function createSyncJob(options: SyncJobOptions): SyncJob {
  return new SyncJobImpl(options);
}

type Entry = [sourceId: string, user: DirectoryUser | null | undefined];

/** Marks a per-user read that failed after its retries. */
const READ_FAILED: unique symbol = Symbol("read failed");

/** The log's action for each planned action kind (an update that disables logs as `disable`). */
const KIND_TO_LOG: Record<PlannedAction["kind"], LogEntry["action"]> = {
  create: "create",
  link: "update",
  update: "update",
  restore: "restore",
  softDelete: "delete",
  setManager: "update",
  skip: "skip",
  error: "other",
};

const NOT_MAPPED = Object.freeze({ mapped: null, error: null });

class SyncJobImpl extends EventEmitter<SyncJobEvents> implements SyncJob {
  readonly id: string;
  readonly config: SyncJobConfig;
  readonly source: DirectoryPort;
  readonly target: DirectoryPort;
  readonly store: StateStore;
  readonly clock: Clock;
  readonly logger: SyncLogger;
  readonly compiled: JobCompilation;
  readonly chunkSize: number;
  readonly random: () => number;
  readonly pollMs: number;
  readonly intervalMs: number;
  readonly tracker: AssignmentTracker;
  readonly managers = new PendingManagerIndex();
  private queue: Promise<unknown> = Promise.resolve();
  private current: { cycleId: string; phase: "import" | "apply" | "references"; done: number; total: number } | null = null;
  private scheduler: { timer: ReturnType<typeof setTimeout> | null; abort: AbortController; nextRunAt: string | null; stopped: boolean } | null = null;

  constructor(options: SyncJobOptions) {
    super();
    this.config = parseSyncJobConfig(options.config);
    this.id = jobIdOf(this.config);
    this.source = options.source;
    this.target = options.target;
    this.store = options.store ?? createMemoryStateStore();
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? {};
    this.chunkSize = options.chunkSize ?? 500;
    this.random = options.random ?? Math.random;
    this.pollMs = options.changePollIntervalMs ?? 1000;
    this.intervalMs = parseDuration(this.config.schedule.interval) ?? 40 * 60_000;
    this.compiled = compileJob(this.config, this.target.capabilities.writableAttributes);
    this.tracker = new AssignmentTracker(this.config.scope);
    if (!this.source.capabilities.source) throw new TenantSyncError("CAPABILITY_MISSING", `The ${this.source.name} adapter cannot be a job's source`);
    if (!this.target.capabilities.target) throw new TenantSyncError("CAPABILITY_MISSING", `The ${this.target.name} adapter cannot be a job's target`);
  }

  // ---------------------------------------------------------------- public API

  runCycle(options: CycleOptions = {}): Promise<CycleReport> {
    return this.serial(() => new Cycle(this, "apply", options.signal).run() as Promise<CycleReport>);
  }

  plan(options: CycleOptions = {}): Promise<JobPlan> {
    return this.serial(() => new Cycle(this, "plan", options.signal).run() as Promise<JobPlan>);
  }

  provisionOnDemand(userIds: readonly string[], options: CycleOptions = {}): Promise<OnDemandResult[]> {
    return this.serial(() => new Cycle(this, "apply", options.signal).onDemand(userIds));
  }

  restart(options: RestartOptions = { watermark: true, escrows: true, quarantine: true }): Promise<void> {
    return this.serial(async () => {
      const o = options.full ? { watermark: true, escrows: true, quarantine: true, forceDeletes: true } : options;
      let record = (await this.store.getJob(this.id)) ?? newJobRecord(this.id);
      if (o.watermark) record = { ...record, watermark: null };
      if (o.quarantine) {
        const was = record.quarantine !== null;
        record = { ...leaveQuarantine(record), failureSeries: { exports: 0, failures: 0 } };
        if (was) this.emit("quarantineLifted", { jobId: this.id });
      }
      if (o.forceDeletes) record = { ...record, forceDeletes: true };
      const deleteEscrows = o.escrows ? (await this.store.listEscrows(this.id)).map((e) => e.sourceId) : [];
      const deleteLinks: string[] = [];
      if (options.full) {
        for await (const page of this.store.listLinks(this.id)) for (const l of page) deleteLinks.push(l.sourceId);
        this.managers.reset();
      }
      await this.store.write(this.id, { job: record, deleteEscrows, deleteLinks });
    });
  }

  async status(): Promise<SyncJobStatus> {
    const record = (await this.store.getJob(this.id)) ?? newJobRecord(this.id);
    return { ...record, running: this.current !== null, progress: this.current ? { ...this.current } : null, nextRunAt: this.scheduler?.nextRunAt ?? null };
  }

  logs(query: Omit<LogQuery, "jobId"> = {}): Promise<LogEntry[]> {
    return this.store.queryLogs({ ...query, jobId: this.id });
  }

  start(): void {
    if (this.scheduler && !this.scheduler.stopped) return;
    const s = { timer: null as ReturnType<typeof setTimeout> | null, abort: new AbortController(), nextRunAt: null as string | null, stopped: false };
    this.scheduler = s;
    const schedule = (ms: number) => {
      if (s.stopped) return;
      s.nextRunAt = new Date(this.clock.now().getTime() + ms).toISOString();
      s.timer = setTimeout(tick, ms);
    };
    const tick = async () => {
      s.timer = null;
      if (s.stopped) return;
      try {
        const record = (await this.store.getJob(this.id)) ?? newJobRecord(this.id);
        const now = this.clock.now().getTime();
        if (record.state === "Disabled") return schedule(this.intervalMs);
        const dueAt = record.quarantine ? new Date(record.quarantine.nextAttemptAt).getTime() : 0;
        const lastEnd = record.lastExecution ? new Date(record.lastExecution.end).getTime() : 0;
        const intervalDue = !record.lastExecution || now - lastEnd >= this.intervalMs;
        let run = record.quarantine ? now >= dueAt : intervalDue;
        if (!run && !record.quarantine && this.config.schedule.trigger === "changes" && record.watermark) run = await this.sourceHasChanges(record.watermark, s.abort.signal);
        if (run) await this.runCycle({ signal: s.abort.signal });
      } catch (error) {
        if (!(error instanceof AbortedError)) this.logger.error?.(`job ${this.id}: scheduled cycle failed`, { error: errorInfo(error) });
      }
      schedule(this.pollMs);
    };
    schedule(0);
  }

  async stop(): Promise<void> {
    const s = this.scheduler;
    if (!s) return;
    s.stopped = true;
    if (s.timer) clearTimeout(s.timer);
    s.abort.abort(new AbortedError("the job was stopped"));
    s.nextRunAt = null;
    await this.queue.catch(() => undefined);
  }

  // ---------------------------------------------------------------- internals

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async sourceHasChanges(watermark: string, signal: AbortSignal): Promise<boolean> {
    try {
      for await (const page of this.source.readChanges(watermark, { groupIds: this.tracker.groupIds, select: this.compiled.select, signal })) {
        if (page.changes.length > 0) return true;
      }
      const escrows = await this.store.listEscrows(this.id);
      const now = this.clock.now();
      return escrows.some((e) => escrowDue(e, now));
    } catch (error) {
      return error instanceof CursorExpiredError;
    }
  }

  setProgress(p: SyncJobImpl["current"]): void {
    this.current = p;
  }
}

/** Observation with the plan-relevant extras the cycle keeps. */
interface Observed {
  observation: UserObservation;
  actions: PlannedAction[];
  bookkeeping: LinkBookkeeping[];
}

/** The state of one cycle (or plan, or on-demand run). */
class Cycle {
  readonly job: SyncJobImpl;
  readonly mode: "apply" | "plan";
  readonly signal: AbortSignal | undefined;
  readonly cycleId = newId();
  private readonly logId = idSequence();
  readonly startedAt: Date;
  readonly limit: Limiter;
  record!: JobRecord;
  kind: "full" | "incremental" = "full";
  forceWrite = false;
  counts = EMPTY_COUNTS();
  attempted = 0;
  failed = 0;
  stopped: CycleReport["stopped"] = null;
  stopError: TenantSyncError | null = null;
  /** Links written (or planned) in this cycle, overriding the store. */
  readonly cycleLinks = new Map<string, Link | null>();
  readonly escrows = new Map<string, Escrow>();
  readonly deferred: PlannedAction[] = [];
  readonly managerActions: SetManagerAction[] = [];
  /** Users whose manager step already ran during the chunks (not queued again by the reference pass). */
  readonly managersWired = new Set<string>();
  readonly planned: PlannedAction[] = [];
  readonly plannedBookkeeping: LinkBookkeeping[] = [];
  /** In-scope users seen this cycle: their waiting reports are wired in the reference pass. */
  readonly possibleManagers = new Set<string>();
  /** Users seen out of scope this cycle: not a manager anyone is wired to (R20). */
  readonly outOfScope = new Set<string>();
  /** Users who got a new account after their old one was purged (R16): their reports are rewired. */
  readonly newAccounts = new Set<string>();
  readonly seen = new Set<string>();
  warnings: string[] = [];
  done = 0;
  total = 0;

  constructor(job: SyncJobImpl, mode: "apply" | "plan", signal: AbortSignal | undefined) {
    this.job = job;
    this.mode = mode;
    this.signal = signal;
    this.startedAt = job.clock.now();
    this.limit = createLimiter(job.config.options.concurrency);
    this.retry = { clock: job.clock, maxAttempts: job.config.options.maxAttemptsPerCycle, signal, random: job.random };
  }

  /** How writes are retried within the cycle (the same for every action of the cycle). */
  readonly retry: RetryOptions;

  private lastNowMs = Number.NaN;
  private lastNowIso = "";

  /** The job clock's time as ISO 8601 (the string is reused while the time stands still). */
  get nowIso(): string {
    const ms = this.job.clock.now().getTime();
    if (ms !== this.lastNowMs) {
      this.lastNowMs = ms;
      this.lastNowIso = new Date(ms).toISOString();
    }
    return this.lastNowIso;
  }

  // ------------------------------------------------------------ the pipeline

  async run(): Promise<CycleReport | JobPlan> {
    const job = this.job;
    this.record = (await job.store.getJob(job.id)) ?? newJobRecord(job.id);
    const pre = await this.preflightWithRetries();
    this.warnings.push(...pre.warnings);
    const configFingerprint = fingerprintConfig(job.config);
    this.kind = this.record.watermark === null || this.record.configFingerprint !== configFingerprint || !job.source.capabilities.changeFeed ? "full" : "incremental";
    this.forceWrite = this.record.watermark === null || this.record.configFingerprint !== configFingerprint;

    if (!pre.ok) {
      if (this.mode === "plan") return this.planResult(errorInfo(pre.error));
      return this.failWholesale(pre.reason, pre.error);
    }
    if (this.mode === "apply") {
      job.emit("cycleStarted", { jobId: job.id, cycleId: this.cycleId, kind: this.kind });
      job.setProgress({ cycleId: this.cycleId, phase: "import", done: 0, total: 0 });
    }
    try {
      await job.managers.ensureLoaded(job.store, job.id, this.signal);
      for (const e of await job.store.listEscrows(job.id, { signal: this.signal })) this.escrows.set(e.sourceId, e);
      const cursor = await this.importAndProcess();
      await this.applyDeferred();
      await this.references();
      if (this.mode === "plan") return this.planResult(null);
      return await this.commit(cursor, configFingerprint);
    } catch (error) {
      if (this.mode === "plan") throw error;
      const stop = stopsCycle(error);
      if (stop) {
        this.stopped = stop;
        this.stopError = isTenantSyncError(error) ? error : null;
        return await this.commit(null, configFingerprint);
      }
      const info = errorInfo(error);
      job.emit("cycleFailed", { jobId: job.id, cycleId: this.cycleId, error: info });
      await this.finish("failed", info, null);
      throw error;
    } finally {
      job.setProgress(null);
    }
  }

  /** Import (full or incremental), evaluate, observe, plan, apply — chunk by chunk. Returns the cursor to commit. */
  private async importAndProcess(): Promise<string | null> {
    const job = this.job;
    const source = job.source;
    const now = job.clock.now();
    // Due escrows are retried; expired ones are dropped and reported.
    const dueEscrows: string[] = [];
    for (const e of this.escrows.values()) {
      if (escrowExpired(e, now)) {
        if (this.mode === "apply") await this.dropEscrow(e);
      } else if (escrowDue(e, now)) dueEscrows.push(e.sourceId);
    }

    if (this.kind === "incremental") {
      let imported: Awaited<ReturnType<typeof importChanges>>;
      try {
        imported = await importChanges({ source, tracker: job.tracker, watermark: this.record.watermark!, select: job.compiled.select, retry: this.retry, signal: this.signal });
      } catch (error) {
        if (!(error instanceof CursorExpiredError)) throw error;
        this.warnings.push(`the change-feed cursor expired (${error.message}); running a full cycle`);
        this.kind = "full";
        return this.importFull(dueEscrows);
      }
      const { affected, cursor } = imported;
      for (const id of dueEscrows) if (!affected.has(id)) affected.set(id, undefined);
      const entries = [...affected];
      this.total = entries.length;
      this.counts.imported = entries.length;
      for (let i = 0; i < entries.length; i += job.chunkSize) await this.processChunk(entries.slice(i, i + job.chunkSize));
      return cursor;
    }
    return this.importFull(dueEscrows);
  }

  private async importFull(dueEscrows: string[]): Promise<string | null> {
    const job = this.job;
    const source = job.source;
    const cursor = source.capabilities.changeFeed ? await withRetries(() => source.currentCursor({ groupIds: job.tracker.groupIds, select: job.compiled.select, signal: this.signal }), this.retry) : null;
    await withRetries(() => job.tracker.load(source, this.signal), this.retry);
    let buffer: Entry[] = [];
    // A listing that fails transiently starts again; users already seen are skipped.
    for await (const page of importAllUsers({ source, select: job.compiled.select, retry: this.retry, signal: this.signal })) {
      for (const user of page) {
        if (this.seen.has(user.id)) continue;
        this.seen.add(user.id);
        buffer.push([user.id, user]);
      }
      this.counts.imported += page.length;
      this.total = this.counts.imported;
      while (buffer.length >= job.chunkSize) await this.processChunk(buffer.splice(0, job.chunkSize));
    }
    if (buffer.length) await this.processChunk(buffer);
    buffer = [];
    // Linked users the source no longer lists: deleted (R13). Escrowed ones it does not list are gone too.
    const missing: Entry[] = [];
    for await (const page of job.store.listLinks(job.id, { signal: this.signal })) {
      for (const link of page) if (!this.seen.has(link.sourceId)) missing.push([link.sourceId, null]);
    }
    for (const id of dueEscrows) if (!this.seen.has(id) && !missing.some(([m]) => m === id)) missing.push([id, null]);
    this.total += missing.length;
    for (let i = 0; i < missing.length; i += job.chunkSize) await this.processChunk(missing.slice(i, i + job.chunkSize));
    return cursor;
  }

  /** Evaluate, observe, plan and apply one chunk of users. */
  private async processChunk(entries: Entry[]): Promise<void> {
    if (this.signal?.aborted) throw new AbortedError("the cycle was aborted", { cause: this.signal.reason });
    const observed = await this.observeChunk(entries);
    const immediate: PlannedAction[] = [];
    const chunkManagers: SetManagerAction[] = [];
    for (const o of observed) {
      for (const b of o.bookkeeping) this.plannedBookkeeping.push(b);
      for (const a of o.actions) {
        // A create that carries the manager wires it (R20): the reference pass need not.
        if (a.kind === "create" && a.managerSourceId !== undefined) this.managersWired.add(a.sourceId);
        if (a.kind === "softDelete" || (a.kind === "update" && a.disables)) this.deferred.push(a);
        else if (a.kind === "setManager") chunkManagers.push(a);
        else immediate.push(a);
      }
      // Any in-scope user seen this cycle may be a manager others wait for: one
      // that came into scope, or one whose wiring a crashed cycle never did (R20, R27).
      if (o.observation.scope.inScope) {
        this.counts.inScope++;
        this.possibleManagers.add(o.observation.sourceId);
      }
      // A new account for a user who had one (R16): its reports point nowhere now.
      if (o.observation.link && o.actions.some((a) => a.kind === "create")) this.newAccounts.add(o.observation.sourceId);
    }
    if (this.mode === "plan") {
      for (const a of chunkManagers) this.managerActions.push(a);
      this.planned.push(...immediate);
      // The dry run keeps the links as the run would leave them, so the reference
      // pass below sees what the run's would (R28).
      for (const o of observed) {
        for (const b of o.bookkeeping) this.cycleLinks.set(b.sourceId, b.link);
        for (const a of o.actions) if (a.kind !== "setManager" && a.kind !== "error" && !this.deferred.includes(a)) this.overlayPlannedLink(a);
      }
      return;
    }
    const withActions = new Set(immediate.map((a) => a.sourceId));
    await Promise.all([
      ...immediate.map((a) => this.limit(() => this.execute(a))),
      ...observed.flatMap((o) => o.bookkeeping.map((b) => this.limit(() => this.keepBooks(b)))),
      // A due escrow whose user now needs nothing is settled.
      ...observed
        .filter((o) => o.observation.escrow && o.actions.length === 0 && !withActions.has(o.observation.sourceId))
        .map((o) => this.limit(() => this.settleEscrow(o.observation.sourceId))),
    ]);
    // R20: reports whose manager got an active account earlier in this cycle (created,
    // linked, restored or updated in this chunk or an earlier one) are wired now, after
    // their own writes; the others wait for the reference pass, which runs after the
    // deferred deletions as before. Same writes as wiring them all at the end, without
    // holding a cycle's worth of manager actions (and target users to rewrite) in memory.
    const now: SetManagerAction[] = [];
    for (const a of chunkManagers) (this.managerReady(a.managerSourceId) ? now : this.managerActions).push(a);
    if (now.length > 0) {
      for (const a of now) this.managersWired.add(a.sourceId);
      await this.executeAll(now);
    }
    this.done += entries.length;
    this.job.setProgress({ cycleId: this.cycleId, phase: "apply", done: this.done, total: Math.max(this.total, this.done) });
    this.job.emit("cycleProgress", { jobId: this.job.id, cycleId: this.cycleId, done: this.done, total: Math.max(this.total, this.done), phase: "apply" });
  }

  /** Reads what planning needs for a chunk, then plans it. */
  private async observeChunk(entries: Entry[], explain = false): Promise<Observed[]> {
    const job = this.job;
    const ids = entries.map(([id]) => id);
    // Users the feed named without their state are read now. A read that still
    // fails after the in-cycle retries escrows that user (R23), not the cycle.
    const readFailures = new Map<string, ErrorInfo>();
    const guarded = async <T>(sourceId: string, read: () => Promise<T>): Promise<T | typeof READ_FAILED> => {
      try {
        return await withRetries(read, this.retry);
      } catch (error) {
        if (stopsCycle(error) || !isTenantSyncError(error)) throw error;
        readFailures.set(sourceId, errorInfo(error));
        return READ_FAILED;
      }
    };
    await Promise.all(
      entries.map((entry) =>
        entry[1] === undefined
          ? this.limit(async () => {
              const user = await guarded(entry[0], () => job.source.getUser(entry[0], { select: job.compiled.select, signal: this.signal }));
              entry[1] = user === READ_FAILED ? undefined : user;
            })
          : undefined,
      ),
    );
    const stored = await job.store.getLinks(job.id, ids, { signal: this.signal });
    const linkOf = (id: string): Link | null => (this.cycleLinks.has(id) ? this.cycleLinks.get(id)! : (stored.get(id) ?? null));
    const mapContext = { now: () => job.clock.now(), random: job.random, sourceTenantId: job.config.sourceTenantId };
    const evaluated = entries.map(([id, user]) => {
      const scope = decideScope(job.compiled, user ?? null, job.tracker.isAssigned(id), explain);
      const m = scope.inScope && user ? mapUser(job.compiled, user, mapContext) : NOT_MAPPED;
      return { id, user: user ?? null, scope, mapped: m.mapped, error: m.error, link: linkOf(id) };
    });
    // Users seen out of scope this cycle are nobody's manager now (R20), even
    // when their own exit could not be completed (an escrowed read or write).
    for (const e of evaluated) {
      if (e.scope.inScope) this.outOfScope.delete(e.id);
      else this.outOfScope.add(e.id);
    }
    // Managers' links, for the reference pass.
    const managerIds = [...new Set(evaluated.map((e) => e.mapped?.managerSourceId).filter((x): x is string => typeof x === "string"))];
    const managerStored = managerIds.length ? await job.store.getLinks(job.id, managerIds.filter((m) => !this.cycleLinks.has(m)), { signal: this.signal }) : new Map<string, Link>();
    const managerLink = (mid: string): Link | null => (this.outOfScope.has(mid) ? null : this.cycleLinks.has(mid) ? this.cycleLinks.get(mid)! : (managerStored.get(mid) ?? null));
    const byAnchor = await this.prefetchAnchors(evaluated.filter((e) => e.scope.inScope && e.mapped && !e.link).map((e) => e.id));
    const noAttributeMatching = job.compiled.mappings.matchingAttributes.length === 0;

    const observe = (e: (typeof evaluated)[number], linkedTarget: DirectoryUser | null | undefined, candidates: MatchCandidate[] | undefined): UserObservation => ({
      sourceId: e.id,
      source: e.user,
      scope: e.scope,
      mapped: e.mapped,
      mappingError: e.error,
      link: e.link,
      linkedTarget,
      candidates,
      escrow: this.escrows.get(e.id) ?? null,
    });
    const observations = await Promise.all(
      evaluated.map((e) => {
        const read = needsTargetRead(e.link, e.scope.inScope, e.mapped?.fingerprint ?? null, this.forceWrite);
        const matching = e.scope.inScope && e.mapped && !e.link;
        const known = byAnchor?.get(e.id);
        // Users that need neither a target read nor matching (or whose match the chunk's batch
        // already settled) are observed without I/O and without a limiter slot.
        if (!read && !matching) return observe(e, undefined, undefined);
        if (!read && known && (known.length > 0 || noAttributeMatching)) return observe(e, undefined, anchorCandidates(known));
        if (readFailures.has(e.id)) return observe(e, undefined, undefined);
        return this.limit(async (): Promise<UserObservation> => {
          let linkedTarget: DirectoryUser | null | undefined;
          if (read) {
            const t = await guarded(e.id, () => job.target.getUser(e.link!.targetId, { includeDeleted: true, signal: this.signal }));
            if (t === READ_FAILED) return observe(e, undefined, undefined);
            linkedTarget = t;
          }
          let candidates: MatchCandidate[] | undefined;
          if (e.scope.inScope && e.mapped && (!e.link || linkedTarget === null)) {
            const c = await guarded(e.id, () => this.match(e.id, e.user!, known));
            if (c === READ_FAILED) return observe(e, linkedTarget, undefined);
            candidates = c;
          }
          return observe(e, linkedTarget, candidates);
        });
      }),
    );
    const ctx = {
      now: this.nowIso,
      forceWrite: this.forceWrite,
      mapsManager: job.compiled.mappings.mapsManager,
      managerLink,
      ...(job.target.capabilities.managerOnCreate === true ? { managerOnCreate: this.settledManagerLink } : {}),
    };
    return observations.map((observation) => {
      const failure = readFailures.get(observation.sourceId);
      if (!failure) return { observation, ...planUser(observation, ctx) };
      const error: PlannedAction = {
        kind: "error",
        sourceId: observation.sourceId,
        displayName: observation.source?.displayName ?? null,
        targetId: observation.link?.targetId ?? null,
        error: failure,
        reason: "reading the user failed; retried in a later cycle (R23)",
        nextLink: observation.link,
      };
      return { observation, actions: [error], bookkeeping: [] };
    });
  }

  /**
   * R9's first step for a chunk in one call, when the target offers
   * `findUsersBatch`: the users holding each source user's alternative
   * security id. Null when the target has no batch form (or nobody needs matching).
   */
  private async prefetchAnchors(sourceIds: readonly string[]): Promise<Map<string, DirectoryUser[]> | null> {
    const target = this.job.target;
    if (!target.findUsersBatch || sourceIds.length === 0) return null;
    const tenantId = this.job.config.sourceTenantId;
    const queries = sourceIds.map((userId) => ({ alternativeSecurityId: { tenantId, userId }, includeDeleted: true }));
    const results = await withRetries(() => target.findUsersBatch!(queries, { signal: this.signal }), this.retry);
    if (results.length !== queries.length) {
      throw new AdapterError("ADAPTER_BAD_RESULT", `The ${target.name} adapter's findUsersBatch returned ${results.length} results for ${queries.length} queries in tenant ${this.job.config.targetTenantId}; it must return one result per query, in order (fix the adapter)`, { tenantId: this.job.config.targetTenantId });
    }
    const out = new Map<string, DirectoryUser[]>();
    sourceIds.forEach((id, i) => out.set(id, results[i]!));
    return out;
  }

  /** R9: by the alternative security id (unless `byAnchorKnown` already says), then by the matching attributes in priority order. */
  private async match(sourceId: string, user: DirectoryUser, byAnchorKnown?: readonly DirectoryUser[]): Promise<MatchCandidate[]> {
    const target = this.job.target;
    const byAnchor =
      byAnchorKnown ??
      (await withRetries(
        () => target.findUsers({ alternativeSecurityId: { tenantId: this.job.config.sourceTenantId, userId: sourceId }, includeDeleted: true }, { signal: this.signal }),
        this.retry,
      ));
    if (byAnchor.length) return anchorCandidates(byAnchor);
    const mu = this.job.compiled.mappings;
    if (mu.matchingAttributes.length === 0) return [];
    const keys = mu.evaluate(user, { now: () => this.job.clock.now(), random: this.job.random, sourceTenantId: this.job.config.sourceTenantId }).matchKeys;
    for (const key of keys) {
      const found = await withRetries(() => target.findUsers({ attribute: key.attribute, value: key.value, includeDeleted: true }, { signal: this.signal }), this.retry);
      if (found.length) return found.map((u) => ({ user: u, matchedBy: key.attribute }));
    }
    return [];
  }

  // ------------------------------------------------------------ apply

  /** Executes one action and records its outcome. Never throws for per-user failures. */
  private async execute(action: PlannedAction): Promise<void> {
    if (this.stopped || this.signal?.aborted) {
      if (this.signal?.aborted && !this.stopped) this.stopped = "Aborted";
      return;
    }
    const job = this.job;
    const target = job.target;
    const w = { sourceTenantId: job.config.sourceTenantId, signal: this.signal };
    const started = Date.now();
    let nextLink: Link | null = action.nextLink;
    let targetId: string | null = "targetId" in action ? action.targetId : null;
    const writes = WRITE_ACTION_KINDS.has(action.kind);
    let managerFallback: string | null = null;
    try {
      switch (action.kind) {
        case "create": {
          this.attempted++;
          const user = await withRetries(
            () => target.createExternalUser({ alternativeSecurityId: { tenantId: job.config.sourceTenantId, userId: action.sourceId }, userType: action.userType, attributes: action.attributes }, w),
            this.retry,
          );
          // The target could not set the manager with the create (its account is in the bin, say):
          // the link records the manager as pending, wired once it can be (R20), as when a manager write fails.
          if (action.managerSourceId !== undefined && user.managerId !== action.attributes.managerId) managerFallback = action.managerSourceId;
          targetId = user.id;
          nextLink = managerFallback === null ? { ...action.nextLink!, targetId: user.id } : { ...action.nextLink!, targetId: user.id, managerSourceId: managerFallback };
          this.counts.created++;
          break;
        }
        case "link":
          this.attempted++;
          if (Object.keys(action.changes).length) await withRetries(() => target.updateUser(action.targetId, action.changes, w), this.retry);
          this.counts.updated++;
          break;
        case "update":
          this.attempted++;
          await withRetries(() => target.updateUser(action.targetId, action.changes, w), this.retry);
          if (action.disables) this.counts.disabled++;
          else this.counts.updated++;
          break;
        case "restore":
          this.attempted++;
          await withRetries(() => target.restoreUser(action.targetId, w), this.retry);
          if (Object.keys(action.changes).length) await withRetries(() => target.updateUser(action.targetId, action.changes, w), this.retry);
          this.counts.restored++;
          break;
        case "softDelete": {
          this.attempted++;
          // Intent first: a crash between this write and the call leaves a link
          // that says "deleted by the job", which the next cycle completes.
          await this.writeState({ putLinks: [action.nextLink!] }, action.sourceId, action.nextLink);
          const existed = await softDeleteIfPresent(target, action.targetId, job.config.sourceTenantId, this.retry);
          if (!existed) nextLink = null;
          this.counts.deleted++;
          break;
        }
        case "setManager":
          await this.executeSetManager(action);
          return;
        case "skip":
          this.counts.skipped++;
          break;
        case "error":
          this.counts.errors++;
          await this.recordFailure(action, action.error, started);
          return;
      }
    } catch (error) {
      const stop = stopsCycle(error);
      if (stop) {
        this.stopped = stop;
        this.stopError = isTenantSyncError(error) ? error : null;
        if (stop !== "Aborted") {
          this.failed += writes ? 1 : 0;
          await this.log(action, "failure", targetId, errorInfo(error), started, []);
        }
        return;
      }
      if (writes) this.failed++;
      this.counts.errors++;
      await this.recordFailure(action, errorInfo(error), started);
      return;
    }
    if (writes) this.counts.exported++;
    const status = action.kind === "skip" ? action.status : "success";
    let modified = "modifiedProperties" in action ? action.modifiedProperties : [];
    if (managerFallback !== null) modified = modified.filter((p) => p.name !== "manager");
    const entry = this.logEntry(action, status, targetId, null, started, modified);
    const hadEscrow = this.escrows.has(action.sourceId);
    await this.writeState(
      {
        ...(nextLink ? { putLinks: [nextLink] } : { deleteLinks: [action.sourceId] }),
        appendLogs: [entry],
        deleteEscrows: hadEscrow ? [action.sourceId] : [],
      },
      action.sourceId,
      nextLink,
    );
    if (hadEscrow) this.escrows.delete(action.sourceId);
    // The payload is built only when someone listens (a million-user cycle emits a million of them).
    if (job.listenerCount("action") > 0) job.emit("action", { jobId: job.id, cycleId: this.cycleId, action, status, targetId, error: null });
  }

  private async executeSetManager(action: SetManagerAction): Promise<void> {
    const job = this.job;
    const started = Date.now();
    const userLink = this.cycleLinks.has(action.sourceId) ? this.cycleLinks.get(action.sourceId)! : await this.currentLink(action.sourceId);
    if (!userLink || userLink.state !== "active") return;
    const managerLink = this.cycleLinks.has(action.managerSourceId) ? this.cycleLinks.get(action.managerSourceId)! : await this.currentLink(action.managerSourceId);
    if (!managerLink || managerLink.state !== "active" || !managerLink.targetId || this.outOfScope.has(action.managerSourceId)) {
      // The manager is not provisioned (yet), or not in scope: remember it (R20 beyond).
      if (userLink.managerSourceId !== action.managerSourceId) await this.writeState({ putLinks: [{ ...userLink, managerSourceId: action.managerSourceId }] }, action.sourceId, { ...userLink, managerSourceId: action.managerSourceId });
      return;
    }
    try {
      this.attempted++;
      await withRetries(() => job.target.setManager(userLink.targetId, managerLink.targetId, { sourceTenantId: job.config.sourceTenantId, signal: this.signal }), this.retry);
    } catch (error) {
      const stop = stopsCycle(error);
      this.failed++;
      if (stop) {
        this.stopped = stop;
        return;
      }
      this.counts.errors++;
      await this.recordFailure({ ...action, targetId: userLink.targetId }, errorInfo(error), started);
      return;
    }
    this.counts.exported++;
    const next = { ...userLink, managerSourceId: null };
    const entry = this.logEntry({ ...action, targetId: userLink.targetId }, "success", userLink.targetId, null, started, [{ name: "manager", oldValue: null, newValue: managerLink.targetId }]);
    await this.writeState({ putLinks: [next], appendLogs: [entry] }, action.sourceId, next);
    if (job.listenerCount("action") > 0) {
      job.emit("action", { jobId: job.id, cycleId: this.cycleId, action: { ...action, targetId: userLink.targetId, managerTargetId: managerLink.targetId }, status: "success", targetId: userLink.targetId, error: null });
    }
  }

  /**
   * The manager's link when this cycle wrote (or, in a dry run, planned) it as
   * active, else null: each user is planned once per cycle, so no deferred
   * deletion of it can follow. A new user's create may carry such a manager.
   */
  private readonly settledManagerLink = (managerSourceId: string): Link | null => {
    const link = this.cycleLinks.get(managerSourceId);
    return link && link.state === "active" && !this.outOfScope.has(managerSourceId) ? link : null;
  };

  /** True when the manager's link is settled for this cycle and its account exists (a dry run's planned create has none yet). */
  private managerReady(managerSourceId: string): boolean {
    const link = this.settledManagerLink(managerSourceId);
    return link !== null && link.targetId !== "";
  }


  /** Preflight, its transient failures retried within the cycle like any read. */
  private async preflightWithRetries(): Promise<PreflightResult> {
    const job = this.job;
    for (let attempt = 1; ; attempt++) {
      const pre = await preflight({ source: job.source, target: job.target, config: job.config, signal: this.signal });
      if (pre.ok || pre.reason !== "PreflightFailed" || !pre.error.retryable || attempt >= job.config.options.maxAttemptsPerCycle) return pre;
      const hinted = (pre.error as { retryAfterMs?: unknown }).retryAfterMs;
      await job.clock.sleep(typeof hinted === "number" && hinted >= 0 ? hinted : 200 * 2 ** (attempt - 1) * (0.5 + job.random()), this.signal);
    }
  }

  /** Dry run: records the link a planned action would leave. */
  private overlayPlannedLink(a: PlannedAction): void {
    if (a.nextLink === null) this.cycleLinks.set(a.sourceId, null);
    else this.cycleLinks.set(a.sourceId, { ...a.nextLink, targetId: a.nextLink.targetId || ("targetId" in a && a.targetId ? a.targetId : "(new)") });
  }

  private async currentLink(sourceId: string): Promise<Link | null> {
    if (this.cycleLinks.has(sourceId)) return this.cycleLinks.get(sourceId)!;
    return (await this.job.store.getLinks(this.job.id, [sourceId], { signal: this.signal })).get(sourceId) ?? null;
  }

  private async keepBooks(b: LinkBookkeeping): Promise<void> {
    if (this.stopped) return;
    await this.writeState(b.link ? { putLinks: [b.link] } : { deleteLinks: [b.sourceId] }, b.sourceId, b.link);
    if (this.escrows.has(b.sourceId)) await this.settleEscrow(b.sourceId);
  }

  private async settleEscrow(sourceId: string): Promise<void> {
    await this.job.store.write(this.job.id, { deleteEscrows: [sourceId] }, { signal: this.signal });
    this.escrows.delete(sourceId);
  }

  private async dropEscrow(e: Escrow): Promise<void> {
    const entry: LogEntry = {
      id: this.logId(),
      time: this.nowIso,
      jobId: this.job.id,
      cycleId: this.cycleId,
      changeId: this.logId(),
      action: "other",
      status: "failure",
      source: { tenantId: this.job.config.sourceTenantId, userId: e.sourceId, displayName: null },
      target: { tenantId: this.job.config.targetTenantId, userId: null },
      steps: [],
      modifiedProperties: [],
      reason: `escrow dropped after 28 days and ${e.attempts} attempts; last error: ${e.error.message}`,
      error: e.error,
      durationMs: 0,
    };
    await this.job.store.write(this.job.id, { deleteEscrows: [e.sourceId], appendLogs: [entry] }, { signal: this.signal });
    this.escrows.delete(e.sourceId);
  }

  private async recordFailure(action: PlannedAction, error: ErrorInfo, started: number): Promise<void> {
    const job = this.job;
    const escrow = nextEscrow(this.escrows.get(action.sourceId), action.sourceId, action.kind, error, job.clock.now());
    this.escrows.set(action.sourceId, escrow);
    this.counts.escrowed++;
    const entry = this.logEntry(action, "failure", "targetId" in action ? action.targetId : null, error, started, "modifiedProperties" in action ? action.modifiedProperties : []);
    await job.store.write(job.id, { putEscrows: [escrow], appendLogs: [entry] }, { signal: this.signal });
    job.emit("action", { jobId: job.id, cycleId: this.cycleId, action, status: "failure", targetId: "targetId" in action ? action.targetId : null, error });
    job.emit("escrowed", { jobId: job.id, cycleId: this.cycleId, sourceId: action.sourceId, error, attempts: escrow.attempts, nextAttemptAt: escrow.nextAttemptAt });
  }

  private async log(action: PlannedAction, status: LogEntry["status"], targetId: string | null, error: ErrorInfo | null, started: number, modified: ModifiedProperty[]): Promise<void> {
    await this.job.store.write(this.job.id, { appendLogs: [this.logEntry(action, status, targetId, error, started, modified)] });
  }

  private async writeState(write: Parameters<StateStore["write"]>[1], sourceId: string, link: Link | null | undefined): Promise<void> {
    await this.job.store.write(this.job.id, write);
    if (write.putLinks?.length || write.deleteLinks?.length) {
      this.cycleLinks.set(sourceId, link ?? null);
      this.job.managers.track(link ?? null, sourceId);
    }
  }

  logEntry(action: PlannedAction, status: LogEntry["status"], targetId: string | null, error: ErrorInfo | null, started: number, modified: ModifiedProperty[], steps: ProvisioningStep[] = []): LogEntry {
    const logAction = action.kind === "update" && action.disables ? "disable" : KIND_TO_LOG[action.kind];
    return {
      id: this.logId(),
      time: this.nowIso,
      jobId: this.job.id,
      cycleId: this.cycleId,
      changeId: this.logId(),
      action: logAction,
      status,
      source: { tenantId: this.job.config.sourceTenantId, userId: action.sourceId, displayName: action.displayName },
      target: { tenantId: this.job.config.targetTenantId, userId: targetId },
      steps,
      modifiedProperties: modified,
      reason: action.reason,
      error,
      durationMs: Date.now() - started,
    };
  }

  // ------------------------------------------------------------ guard, references, commit

  private heldDeletions = 0;

  private async applyDeferred(): Promise<void> {
    const job = this.job;
    const guard = evaluateGuard(this.deferred, job.config.accidentalDeletionPrevention, this.record.forceDeletes);
    if (this.mode === "plan") {
      this.planned.push(...this.deferred);
      if (!guard.hold) for (const a of this.deferred) this.overlayPlannedLink(a);
      return;
    }
    if (guard.hold) {
      this.heldDeletions = this.deferred.length;
      const entries = this.deferred.map((a) =>
        this.logEntry(a, "skipped", "targetId" in a ? a.targetId : null, null, Date.now(), [], []),
      ).map((e) => ({ ...e, action: "stagedDelete" as const, reason: `R25: held by the accidental-deletion guard (${guard.count} deletions and disables > threshold ${guard.threshold})` }));
      await job.store.write(job.id, { appendLogs: entries }, { signal: this.signal });
      job.emit("stagedDeletes", { jobId: job.id, cycleId: this.cycleId, count: guard.count, threshold: guard.threshold });
      return;
    }
    await this.executeAll(this.deferred);
  }

  /** Executes actions with the cycle's concurrency, a chunk at a time (so a million actions do not make a million pending promises at once). */
  private async executeAll(actions: readonly PlannedAction[]): Promise<void> {
    const size = Math.max(this.job.chunkSize, this.job.config.options.concurrency);
    for (let i = 0; i < actions.length; i += size) {
      const slice = actions.length <= size ? actions : actions.slice(i, i + size);
      await Promise.all(slice.map((a) => this.limit(() => this.execute(a))));
    }
  }

  private async references(): Promise<void> {
    const job = this.job;
    // Users waiting for a manager seen in scope this cycle (R20 beyond); the
    // manager step resolves through links and does nothing while the manager
    // has no active account.
    const queued = new Set([...this.managersWired, ...this.managerActions.map((a) => a.sourceId)]);
    const extra: SetManagerAction[] = [];
    for (const managerId of this.possibleManagers) {
      for (const dependent of job.managers.dependentsOf(managerId)) {
        if (queued.has(dependent)) continue;
        queued.add(dependent);
        extra.push({ kind: "setManager", sourceId: dependent, displayName: null, targetId: null, managerSourceId: managerId, managerTargetId: null, reason: "R20: the manager came into scope", nextLink: null });
      }
    }
    for (const managerId of this.newAccounts) {
      for (const report of await job.managers.reportsOf(job.store, job.id, managerId, this.signal)) {
        if (queued.has(report)) continue;
        // The index follows written links; a link this cycle wrote or (dry run) planned says whom
        // the user reports to now (R28: a plan must not wire a report whose manager just changed).
        const current = this.cycleLinks.get(report);
        if (current !== undefined && (current === null || mappedManagerOf(current) !== managerId)) continue;
        queued.add(report);
        extra.push({ kind: "setManager", sourceId: report, displayName: null, targetId: null, managerSourceId: managerId, managerTargetId: null, reason: "R16, R20: the manager has a new account", nextLink: null });
      }
    }
    const all = [...this.managerActions, ...extra];
    if (this.mode === "plan") {
      // Users the planned links leave waiting for a manager seen this cycle.
      for (const [sourceId, link] of this.cycleLinks) {
        if (!link || link.state !== "active" || !link.managerSourceId || queued.has(sourceId) || !this.possibleManagers.has(link.managerSourceId)) continue;
        queued.add(sourceId);
        all.push({ kind: "setManager", sourceId, displayName: null, targetId: null, managerSourceId: link.managerSourceId, managerTargetId: null, reason: "R20: the manager came into scope", nextLink: null });
      }
      // A run writes a manager only when both the user and the manager have an
      // active account by then, and the user still waits for that manager.
      for (const a of all) {
        const userLink = await this.currentLink(a.sourceId);
        const managerLink = await this.currentLink(a.managerSourceId);
        if (!userLink || userLink.state !== "active" || !managerLink || managerLink.state !== "active" || this.outOfScope.has(a.managerSourceId)) continue;
        const planned = this.cycleLinks.get(a.sourceId);
        if (planned && a.nextLink === null && planned.managerSourceId !== a.managerSourceId && !this.newAccounts.has(a.managerSourceId)) continue;
        this.planned.push(a);
      }
      return;
    }
    job.setProgress({ cycleId: this.cycleId, phase: "references", done: 0, total: all.length });
    await this.executeAll(all);
  }

  private planResult(blocked: ErrorInfo | null): JobPlan {
    const guard = evaluateGuard(this.deferred, this.job.config.accidentalDeletionPrevention, this.record.forceDeletes);
    return {
      kind: this.kind,
      actions: blocked ? [] : this.planned,
      bookkeeping: blocked ? [] : this.plannedBookkeeping,
      guard: { deletions: guard.count, threshold: guard.threshold, wouldHold: guard.hold },
      blocked,
      warnings: this.warnings,
    };
  }

  private async failWholesale(reason: string, error: TenantSyncError): Promise<CycleReport> {
    const job = this.job;
    const info = errorInfo(error);
    job.emit("cycleFailed", { jobId: job.id, cycleId: this.cycleId, error: info });
    const immediate = reason !== "PreflightFailed";
    let record = { ...this.record, successiveFailures: this.record.successiveFailures + 1 };
    if (immediate) {
      record = enterQuarantine(record, reason, error.message, job.clock.now(), job.intervalMs);
      job.emit("quarantined", { jobId: job.id, quarantine: record.quarantine! });
    }
    const summary = this.summary("failed", info);
    record = { ...record, lastExecution: summary };
    await job.store.write(job.id, { job: record });
    job.emit("cycleCompleted", { jobId: job.id, summary });
    return { cycleId: this.cycleId, kind: this.kind, summary, heldDeletions: 0, stopped: null, committed: false };
  }

  private summary(state: ExecutionSummary["state"], error: ErrorInfo | null): ExecutionSummary {
    return {
      cycleId: this.cycleId,
      kind: this.kind,
      begin: this.startedAt.toISOString(),
      end: this.nowIso,
      state,
      counts: { ...this.counts },
      ...(error ? { error: { code: error.code, message: error.message } } : {}),
    };
  }

  private async commit(cursor: string | null, configFingerprint: string): Promise<CycleReport> {
    const held = this.heldDeletions > 0;
    // R27: the watermark moves last, only when every action of the cycle is recorded
    // (held deletions and stopped cycles are re-read next time).
    const committed = !this.stopped && !held;
    let error: ErrorInfo | null = null;
    if (this.stopped && this.stopped !== "Aborted") error = this.stopError ? errorInfo(this.stopError) : { code: this.stopped, message: this.stopped, retryable: false };
    const state: ExecutionSummary["state"] = this.stopped === "TrustSettingsMissing" || this.stopped === "CredentialsRejected" ? "failed" : this.counts.errors > 0 || held || this.stopped ? "warning" : "succeeded";
    await this.finish(state, error, committed ? { cursor, configFingerprint } : null);
    return { cycleId: this.cycleId, kind: this.kind, summary: this.lastSummary!, heldDeletions: this.heldDeletions, stopped: this.stopped, committed };
  }

  private lastSummary: ExecutionSummary | null = null;

  private async finish(state: ExecutionSummary["state"], error: ErrorInfo | null, commit: { cursor: string | null; configFingerprint: string } | null): Promise<void> {
    const job = this.job;
    const now = job.clock.now();
    const summary = this.summary(state, error);
    this.lastSummary = summary;
    const { record, quarantined, lifted } = commitCycle((await job.store.getJob(job.id)) ?? this.record, {
      summary,
      commit,
      attempted: this.attempted,
      failed: this.failed,
      errors: this.counts.errors,
      heldDeletions: this.heldDeletions,
      deletionThreshold: job.config.accidentalDeletionPrevention.deletionThreshold,
      stopped: this.stopped,
      stopMessage: this.stopError?.message ?? null,
      now,
      intervalMs: job.intervalMs,
    });
    if (quarantined) job.emit("quarantined", { jobId: job.id, quarantine: quarantined });
    if (lifted) job.emit("quarantineLifted", { jobId: job.id });
    await job.store.write(job.id, { job: record });
    const retention = new Date(now.getTime() - job.config.options.logRetentionDays * 86_400_000).toISOString();
    await job.store.pruneLogs(job.id, retention);
    job.emit("cycleCompleted", { jobId: job.id, summary });
  }

  // ------------------------------------------------------------ on demand

  async onDemand(userIds: readonly string[]): Promise<OnDemandResult[]> {
    const job = this.job;
    this.record = (await job.store.getJob(job.id)) ?? newJobRecord(job.id);
    this.forceWrite = true;
    const pre = await this.preflightWithRetries();
    if (!pre.ok) {
      const info = errorInfo(pre.error);
      return userIds.map((sourceId) => ({ sourceId, action: "none", status: "failure", targetId: null, steps: [{ name: "import", status: "failure", description: `preflight failed: ${info.message}`, details: { error: info } }] }));
    }
    if (!job.tracker.isLoaded) await job.tracker.load(job.source, this.signal);
    await job.managers.ensureLoaded(job.store, job.id, this.signal);
    for (const e of await job.store.listEscrows(job.id, { signal: this.signal })) this.escrows.set(e.sourceId, e);
    const results: OnDemandResult[] = [];
    for (const sourceId of userIds) {
      const steps: ProvisioningStep[] = [];
      const user = await job.source.getUser(sourceId, { select: job.compiled.select, signal: this.signal });
      if (!user) {
        steps.push({ name: "import", status: "failure", description: `source user ${sourceId} does not exist in tenant ${job.config.sourceTenantId}`, details: {} });
        results.push({ sourceId, steps, action: "none", status: "failure", targetId: null });
        continue;
      }
      steps.push({ name: "import", status: "success", description: `read ${user.userPrincipalName} from the source`, details: { attributes: pick(user, job.compiled.select) } });
      const [observed] = await this.observeChunk([[sourceId, user]], true);
      const o = observed!.observation;
      steps.push({
        name: "scope",
        status: o.scope.inScope ? "success" : "skipped",
        description: o.scope.inScope ? "in scope" : (o.scope.reason ?? "out of scope"),
        details: { eligible: o.scope.eligible, assigned: o.scope.assigned, assignment: job.tracker.explain(sourceId), active: user.accountEnabled, passesFilter: o.scope.passesFilter, filter: o.scope.filterClauses },
      });
      const candidates = o.candidates ?? [];
      steps.push({
        name: "match",
        status: candidates.length > 1 ? "failure" : "success",
        description: o.link
          ? `linked to target user ${o.link.targetId}`
          : candidates.length === 0
            ? "no matching target user"
            : candidates.length === 1
              ? `matched target user ${candidates[0]!.user.id} by ${candidates[0]!.matchedBy}`
              : `${candidates.length} target users match`,
        details: { link: o.link, candidates: candidates.map((c) => ({ id: c.user.id, matchedBy: c.matchedBy, origin: c.user.origin })) },
      });
      const main = observed!.actions.find((a) => a.kind !== "setManager");
      for (const b of observed!.bookkeeping) await this.keepBooks(b);
      let status: OnDemandResult["status"] = "skipped";
      let targetId: string | null = o.link?.targetId ?? null;
      if (main) {
        const before = this.counts.errors;
        await this.execute(main);
        const link = await this.currentLink(sourceId);
        targetId = link?.targetId ?? ("targetId" in main ? main.targetId : null);
        status = this.counts.errors > before ? "failure" : main.kind === "skip" ? main.status : main.kind === "error" ? "failure" : "success";
        steps.push({
          name: "action",
          status,
          description: `${main.kind}: ${main.reason}`,
          details: { action: main.kind, targetId, modifiedProperties: "modifiedProperties" in main ? main.modifiedProperties : [], error: main.kind === "error" ? main.error : null },
        });
      } else {
        steps.push({ name: "action", status: "skipped", description: o.scope.inScope ? "nothing to change" : "out of scope and not provisioned: nothing to do", details: {} });
      }
      for (const a of observed!.actions) if (a.kind === "setManager") await this.execute(a);
      for (const dependent of main && (main.kind === "create" || main.kind === "link" || main.kind === "restore") ? job.managers.dependentsOf(sourceId) : []) {
        await this.execute({ kind: "setManager", sourceId: dependent, displayName: null, targetId: null, managerSourceId: sourceId, managerTargetId: null, reason: "R20: the manager came into scope", nextLink: null });
      }
      results.push({ sourceId, steps, action: main?.kind ?? "none", status, targetId });
    }
    return results;
  }
}

/** Match candidates found by the alternative security id. */
function anchorCandidates(users: readonly DirectoryUser[]): MatchCandidate[] {
  return users.map((u) => ({ user: u, matchedBy: "alternativeSecurityId" }));
}

function pick(user: DirectoryUser, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const n of names) if (n in user) out[n] = (user as unknown as Record<string, unknown>)[n];
  return out;
}
