import { throwIfAborted } from "../errors/errors.ts";
import type { CallOptions } from "../ports/directory-port.ts";
import type { Escrow, JobRecord, Link, LogEntry, LogQuery, ProvisioningStep, StateStore, StateWrite } from "../ports/state-store.ts";

interface JobData {
  record: JobRecord | null;
  links: Map<string, Link>;
  escrows: Map<string, Escrow>;
  logs: LogRing;
}

/**
 * The provisioning log of one job: entries in the order written, at most
 * `max` of them. Dropping the oldest is amortised O(1) (a start offset,
 * compacted once per `max` drops), so a cycle that writes millions of entries
 * does not shift a 100,000-entry array on every write.
 */
class LogRing {
  private entries: StoredLog[] = [];
  private start = 0;
  /** The earliest `time` of the kept entries (a lower bound), so pruning with nothing to prune is O(1). */
  private oldest = "";

  constructor(private readonly max: number) {}

  get size(): number {
    return this.entries.length - this.start;
  }

  push(entry: StoredLog): void {
    if (this.size === 0 || entry.time < this.oldest) this.oldest = entry.time;
    this.entries.push(entry);
    if (this.size > this.max) {
      this.start++;
      if (this.start >= this.max) {
        this.entries = this.entries.slice(this.start);
        this.start = 0;
      }
    }
  }

  /** Entry `i` counting from the oldest kept one. */
  at(i: number): StoredLog {
    return this.entries[this.start + i]!;
  }

  toArray(): StoredLog[] {
    return this.entries.slice(this.start);
  }

  /** Drops entries older than `before`; returns how many. */
  prune(before: string): number {
    if (this.size === 0 || this.oldest >= before) return 0;
    const keep = this.entries.slice(this.start).filter((e) => e.time >= before);
    const dropped = this.size - keep.length;
    this.entries = keep;
    this.start = 0;
    this.oldest = keep.reduce((min, e) => (e.time < min ? e.time : min), keep[0]?.time ?? "");
    return dropped;
  }
}

/** A copy of a value held in a log entry (primitives as they are; objects deep-copied). */
function copyValue(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  // The usual object value is a short list of strings (businessPhones): slice it.
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== "object")) return value.slice();
  return structuredClone(value);
}

/**
 * A log entry as the store keeps it: one flat object, and the modified
 * properties as one flat array `[name, oldValue, newValue, …]` instead of an
 * object each. A create logs some twenty properties, and the store keeps up to
 * 100,000 entries per job: this keeps a few objects per entry instead of
 * dozens, which is most of what the garbage collector has to move during a
 * big cycle. Values are copied in, and copied again on the way out.
 */
class StoredLog {
  readonly id: string;
  readonly time: string;
  readonly jobId: string;
  readonly cycleId: string;
  readonly changeId: string;
  readonly action: LogEntry["action"];
  readonly status: LogEntry["status"];
  readonly sourceTenantId: string;
  readonly sourceUserId: string;
  readonly sourceDisplayName: string | null;
  readonly targetTenantId: string;
  readonly targetUserId: string | null;
  readonly steps: ProvisioningStep[] | null;
  readonly modified: unknown[] | null;
  readonly reason: string | null;
  readonly error: LogEntry["error"];
  readonly durationMs: number;

  constructor(e: LogEntry) {
    this.id = e.id;
    this.time = e.time;
    this.jobId = e.jobId;
    this.cycleId = e.cycleId;
    this.changeId = e.changeId;
    this.action = e.action;
    this.status = e.status;
    this.sourceTenantId = e.source.tenantId;
    this.sourceUserId = e.source.userId;
    this.sourceDisplayName = e.source.displayName;
    this.targetTenantId = e.target.tenantId;
    this.targetUserId = e.target.userId;
    this.steps = e.steps.length === 0 ? null : structuredClone(e.steps);
    const m = e.modifiedProperties;
    if (m.length === 0) this.modified = null;
    else {
      const flat = new Array<unknown>(m.length * 3);
      for (let i = 0, j = 0; i < m.length; i++, j += 3) {
        const p = m[i]!;
        flat[j] = p.name;
        flat[j + 1] = copyValue(p.oldValue);
        flat[j + 2] = copyValue(p.newValue);
      }
      this.modified = flat;
    }
    this.reason = e.reason;
    this.error = e.error === null ? null : { code: e.error.code, message: e.error.message, retryable: e.error.retryable };
    this.durationMs = e.durationMs;
  }

  /** A fresh LogEntry the caller may change freely. */
  toEntry(): LogEntry {
    const flat = this.modified;
    const modifiedProperties: LogEntry["modifiedProperties"] = [];
    if (flat !== null) for (let j = 0; j < flat.length; j += 3) modifiedProperties.push({ name: flat[j] as string, oldValue: copyValue(flat[j + 1]), newValue: copyValue(flat[j + 2]) });
    return {
      id: this.id,
      time: this.time,
      jobId: this.jobId,
      cycleId: this.cycleId,
      changeId: this.changeId,
      action: this.action,
      status: this.status,
      source: { tenantId: this.sourceTenantId, userId: this.sourceUserId, displayName: this.sourceDisplayName },
      target: { tenantId: this.targetTenantId, userId: this.targetUserId },
      steps: this.steps === null ? [] : structuredClone(this.steps),
      modifiedProperties,
      reason: this.reason,
      error: this.error === null ? null : { ...this.error },
      durationMs: this.durationMs,
    };
  }
}

/** Options of {@link createMemoryStateStore}. */
export interface MemoryStateStoreOptions {
  /** Keep at most this many log entries per job (oldest dropped first). Default 100,000. */
  maxLogEntriesPerJob?: number;
}

/**
 * The default {@link StateStore}: everything in memory, gone with the process.
 * Values are copied on the way in and out, so callers cannot change stored
 * state by accident. Use `@tenantsync/sqlite` for state that survives restarts.
 *
 * @example
 * ```ts
 * const store = createMemoryStateStore();
 * const job = createSyncJob({ source, target, config, store });
 * ```
 */
export function createMemoryStateStore(options: MemoryStateStoreOptions = {}): StateStore {
  const maxLogs = options.maxLogEntriesPerJob ?? 100_000;
  const jobs = new Map<string, JobData>();
  const data = (jobId: string): JobData => {
    let d = jobs.get(jobId);
    if (!d) {
      d = { record: null, links: new Map(), escrows: new Map(), logs: new LogRing(maxLogs) };
      jobs.set(jobId, d);
    }
    return d;
  };
  const clone = structuredClone;

  return {
    name: "memory",
    async getJob(jobId, opts?: CallOptions) {
      throwIfAborted(opts?.signal);
      const r = jobs.get(jobId)?.record;
      return r ? clone(r) : null;
    },
    async getLinks(jobId, sourceIds, opts?: CallOptions) {
      throwIfAborted(opts?.signal);
      const out = new Map<string, Link>();
      const links = jobs.get(jobId)?.links;
      if (!links) return out;
      for (const id of sourceIds) {
        const l = links.get(id);
        if (l) out.set(id, { ...l });
      }
      return out;
    },
    async *listLinks(jobId, opts?: CallOptions) {
      throwIfAborted(opts?.signal);
      const links = [...(jobs.get(jobId)?.links.values() ?? [])];
      for (let i = 0; i < links.length; i += 1000) {
        throwIfAborted(opts?.signal);
        yield links.slice(i, i + 1000).map((l) => ({ ...l }));
      }
    },
    async listEscrows(jobId, opts?: CallOptions) {
      throwIfAborted(opts?.signal);
      return [...(jobs.get(jobId)?.escrows.values() ?? [])].map((e) => clone(e));
    },
    async write(jobId, w: StateWrite, opts?: CallOptions) {
      throwIfAborted(opts?.signal);
      // Validate everything first, then apply: all or nothing.
      for (const l of w.putLinks ?? []) if (!l.sourceId || !l.targetId) throw new TypeError(`StateStore.write: link without sourceId/targetId in job ${jobId}`);
      const d = data(jobId);
      for (const l of w.putLinks ?? []) d.links.set(l.sourceId, { ...l });
      for (const id of w.deleteLinks ?? []) d.links.delete(id);
      for (const e of w.putEscrows ?? []) d.escrows.set(e.sourceId, clone(e));
      for (const id of w.deleteEscrows ?? []) d.escrows.delete(id);
      if (w.appendLogs?.length) for (const e of w.appendLogs) d.logs.push(new StoredLog(e));
      if (w.job) d.record = clone(w.job);
    },
    async queryLogs(q: LogQuery, opts?: CallOptions) {
      throwIfAborted(opts?.signal);
      const limit = q.limit ?? 100;
      const out: LogEntry[] = [];
      let all: { size: number; at(i: number): StoredLog };
      if (q.jobId) all = jobs.get(q.jobId)?.logs ?? { size: 0, at: () => undefined as never };
      else {
        const merged = [...jobs.values()].flatMap((j) => j.logs.toArray()).sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
        all = { size: merged.length, at: (i) => merged[i]! };
      }
      for (let i = all.size - 1; i >= 0 && out.length < limit; i--) {
        const e = all.at(i);
        if (q.cycleId && e.cycleId !== q.cycleId) continue;
        if (q.userId && e.sourceUserId !== q.userId && e.targetUserId !== q.userId) continue;
        if (q.action && e.action !== q.action) continue;
        if (q.status && e.status !== q.status) continue;
        if (q.since && e.time < q.since) continue;
        out.push(e.toEntry());
      }
      return out;
    },
    async pruneLogs(jobId, before, opts?: CallOptions) {
      throwIfAborted(opts?.signal);
      return jobs.get(jobId)?.logs.prune(before) ?? 0;
    },
    async deleteJob(jobId, opts?: CallOptions) {
      throwIfAborted(opts?.signal);
      jobs.delete(jobId);
    },
  };
}
