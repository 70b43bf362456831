import { throwIfAborted } from "../errors/errors.ts";
import type { CallOptions } from "../ports/directory-port.ts";
import type { Escrow, JobRecord, Link, LogEntry, LogQuery, StateStore, StateWrite } from "../ports/state-store.ts";

interface JobData {
  record: JobRecord | null;
  links: Map<string, Link>;
  escrows: Map<string, Escrow>;
  logs: LogEntry[];
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
      d = { record: null, links: new Map(), escrows: new Map(), logs: [] };
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
      if (w.appendLogs?.length) {
        for (const e of w.appendLogs) d.logs.push(clone(e));
        if (d.logs.length > maxLogs) d.logs.splice(0, d.logs.length - maxLogs);
      }
      if (w.job) d.record = clone(w.job);
    },
    async queryLogs(q: LogQuery, opts?: CallOptions) {
      throwIfAborted(opts?.signal);
      const limit = q.limit ?? 100;
      const out: LogEntry[] = [];
      const sources = q.jobId ? [jobs.get(q.jobId)?.logs ?? []] : [...jobs.values()].map((j) => j.logs);
      const all = sources.length === 1 ? sources[0]! : sources.flat().sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
      for (let i = all.length - 1; i >= 0 && out.length < limit; i--) {
        const e = all[i]!;
        if (q.cycleId && e.cycleId !== q.cycleId) continue;
        if (q.userId && e.source.userId !== q.userId && e.target.userId !== q.userId) continue;
        if (q.action && e.action !== q.action) continue;
        if (q.status && e.status !== q.status) continue;
        if (q.since && e.time < q.since) continue;
        out.push(clone(e));
      }
      return out;
    },
    async pruneLogs(jobId, before, opts?: CallOptions) {
      throwIfAborted(opts?.signal);
      const d = jobs.get(jobId);
      if (!d) return 0;
      const keep = d.logs.filter((e) => e.time >= before);
      const dropped = d.logs.length - keep.length;
      d.logs = keep;
      return dropped;
    },
    async deleteJob(jobId, opts?: CallOptions) {
      throwIfAborted(opts?.signal);
      jobs.delete(jobId);
    },
  };
}
