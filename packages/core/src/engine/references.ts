import type { Link, StateStore } from "../ports/state-store.ts";

/**
 * Which users wait for which manager (R20 **beyond**: a manager who comes into
 * scope later is wired up in that later cycle). Built once per process from
 * the links, then kept in step with every link the job writes.
 *
 * @example
 * ```ts
 * const index = new PendingManagerIndex();
 * await index.ensureLoaded(store, jobId);
 * index.dependentsOf("manager-source-id"); // source ids of users waiting for that manager
 * ```
 */
export class PendingManagerIndex {
  private readonly byManager = new Map<string, Set<string>>();
  private readonly managerOf = new Map<string, string>();
  private loaded = false;
  /**
   * Every linked user by its mapped source manager, built only when a manager
   * gets a new account after a purge (R16) — a rare event, so the memory is
   * paid only then — and kept in step afterwards.
   */
  private reports: Map<string, Set<string>> | null = null;
  private readonly reportsManagerOf = new Map<string, string>();

  /** Scans the job's links once (the first cycle of a process). */
  async ensureLoaded(store: StateStore, jobId: string, signal?: AbortSignal): Promise<void> {
    if (this.loaded) return;
    for await (const page of store.listLinks(jobId, { signal })) for (const link of page) this.track(link);
    this.loaded = true;
  }

  /** Keeps the index in step with a link write (null = the link was deleted). */
  track(link: Link | null, sourceId: string = link?.sourceId ?? ""): void {
    if (this.reports) this.trackReport(link, sourceId);
    const previous = this.managerOf.get(sourceId);
    if (previous !== undefined) {
      this.byManager.get(previous)?.delete(sourceId);
      if (this.byManager.get(previous)?.size === 0) this.byManager.delete(previous);
      this.managerOf.delete(sourceId);
    }
    if (link && link.managerSourceId && link.state === "active") {
      this.managerOf.set(sourceId, link.managerSourceId);
      let set = this.byManager.get(link.managerSourceId);
      if (!set) this.byManager.set(link.managerSourceId, (set = new Set()));
      set.add(sourceId);
    }
  }

  /** Users waiting for `managerSourceId`. */
  dependentsOf(managerSourceId: string): readonly string[] {
    return [...(this.byManager.get(managerSourceId) ?? [])];
  }

  /**
   * Linked users whose mapped manager is `managerSourceId`, wired or not: the
   * reports to rewire when the manager gets a new account (R16, R20). The
   * first call scans the links once.
   */
  async reportsOf(store: StateStore, jobId: string, managerSourceId: string, signal?: AbortSignal): Promise<readonly string[]> {
    if (!this.reports) {
      this.reports = new Map();
      for await (const page of store.listLinks(jobId, { signal })) for (const link of page) this.trackReport(link, link.sourceId);
    }
    return [...(this.reports.get(managerSourceId) ?? [])];
  }

  private trackReport(link: Link | null, sourceId: string): void {
    const reports = this.reports!;
    const previous = this.reportsManagerOf.get(sourceId);
    const next = link && link.state === "active" ? mappedManagerOf(link) : null;
    if (previous === next) return;
    if (previous !== undefined) {
      reports.get(previous)?.delete(sourceId);
      this.reportsManagerOf.delete(sourceId);
    }
    if (next) {
      let set = reports.get(next);
      if (!set) reports.set(next, (set = new Set()));
      set.add(sourceId);
      this.reportsManagerOf.set(sourceId, next);
    }
  }

  /** Forgets everything (after `restart({ full: true })`). */
  reset(): void {
    this.byManager.clear();
    this.managerOf.clear();
    this.reports = null;
    this.reportsManagerOf.clear();
    this.loaded = false;
  }
}

/**
 * The source manager a link's last write mapped, read from the fingerprint's
 * `|m:<manager source id>` suffix (see evaluate.ts), or null.
 */
export function mappedManagerOf(link: Link): string | null {
  const i = link.fingerprint.lastIndexOf("|m:");
  if (i < 0) return null;
  const id = link.fingerprint.slice(i + 3);
  return id === "" ? null : id;
}
