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

  /** Scans the job's links once (the first cycle of a process). */
  async ensureLoaded(store: StateStore, jobId: string, signal?: AbortSignal): Promise<void> {
    if (this.loaded) return;
    for await (const page of store.listLinks(jobId, { signal })) for (const link of page) this.track(link);
    this.loaded = true;
  }

  /** Keeps the index in step with a link write (null = the link was deleted). */
  track(link: Link | null, sourceId: string = link?.sourceId ?? ""): void {
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

  /** Forgets everything (after `restart({ full: true })`). */
  reset(): void {
    this.byManager.clear();
    this.managerOf.clear();
    this.loaded = false;
  }
}
