import { NotFoundError } from "../errors/errors.ts";
import type { JobScope } from "../model/sync-job-config.ts";
import type { DirectoryPort } from "../ports/directory-port.ts";

/**
 * Who is assigned to a job (R7): in `assigned` mode the listed users and the
 * members of the listed groups (direct members; transitive with
 * `expandNestedGroups`), in `all` mode everyone. Kept in memory by the job,
 * loaded once and then updated from membership changes, so incremental cycles
 * cost in proportion to the changes.
 *
 * @example
 * ```ts
 * const tracker = new AssignmentTracker(config.scope);
 * await tracker.load(source);
 * tracker.isAssigned("user-id");
 * ```
 */
export class AssignmentTracker {
  readonly scope: JobScope;
  private readonly direct: ReadonlySet<string>;
  private readonly groups = new Map<string, Set<string>>();
  private readonly counts = new Map<string, number>();
  private loaded = false;

  constructor(scope: JobScope) {
    this.scope = scope;
    this.direct = new Set(scope.mode === "assigned" ? scope.users : []);
  }

  /** True once members were loaded. */
  get isLoaded(): boolean {
    return this.loaded || this.scope.mode === "all";
  }

  /** The assigned group ids (empty in `all` mode). */
  get groupIds(): readonly string[] {
    return this.scope.mode === "assigned" ? this.scope.groups : [];
  }

  /** True when membership changes inside nested groups can only be seen by re-reading (expandNestedGroups). */
  get rereadsEachCycle(): boolean {
    return this.scope.mode === "assigned" && this.scope.expandNestedGroups && this.scope.groups.length > 0;
  }

  /**
   * Reads the members of every assigned group. Returns the users whose
   * assignment changed compared with what was loaded before.
   */
  async load(source: DirectoryPort, signal?: AbortSignal): Promise<Set<string>> {
    const changed = new Set<string>();
    if (this.scope.mode === "all") return changed;
    const transitive = this.scope.expandNestedGroups;
    for (const groupId of this.scope.groups) {
      const members = new Set<string>();
      try {
        for await (const page of source.listGroupMembers(groupId, { transitive, signal })) for (const id of page) members.add(id);
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error; // a deleted group assigns nobody
      }
      const before = this.groups.get(groupId) ?? new Set<string>();
      for (const id of members) if (!before.has(id)) this.add(groupId, id, changed);
      for (const id of before) if (!members.has(id)) this.remove(groupId, id, changed);
    }
    this.loaded = true;
    return changed;
  }

  /** Applies one membership change of an assigned group; returns the user id to re-evaluate. */
  applyMembership(groupId: string, memberId: string, removed: boolean): string | null {
    if (this.scope.mode === "all" || !this.scope.groups.includes(groupId)) return null;
    const changed = new Set<string>();
    if (removed) this.remove(groupId, memberId, changed);
    else this.add(groupId, memberId, changed);
    // Membership news always re-evaluates the user: evaluation is idempotent, and
    // a replayed change must still reach a user whose earlier cycle failed.
    return memberId;
  }

  /** An assigned group was deleted: its members are unassigned. Returns them. */
  groupRemoved(groupId: string): Set<string> {
    const changed = new Set<string>();
    const members = this.groups.get(groupId);
    if (members) for (const id of [...members]) this.remove(groupId, id, changed);
    return changed;
  }

  /** True when the user is assigned (R7). */
  isAssigned(userId: string): boolean {
    if (this.scope.mode === "all") return true;
    return this.direct.has(userId) || (this.counts.get(userId) ?? 0) > 0;
  }

  /** How the user is assigned, for on-demand reports. */
  explain(userId: string): string {
    if (this.scope.mode === "all") return "all users mode";
    if (this.direct.has(userId)) return "assigned directly";
    const via = [...this.groups].filter(([, m]) => m.has(userId)).map(([g]) => g);
    return via.length ? `member of assigned group${via.length > 1 ? "s" : ""} ${via.join(", ")}` : "not assigned (not listed and not a member of an assigned group)";
  }

  private add(groupId: string, userId: string, changed: Set<string>): void {
    let set = this.groups.get(groupId);
    if (!set) this.groups.set(groupId, (set = new Set()));
    if (set.has(userId)) return;
    set.add(userId);
    this.counts.set(userId, (this.counts.get(userId) ?? 0) + 1);
    changed.add(userId);
  }

  private remove(groupId: string, userId: string, changed: Set<string>): void {
    const set = this.groups.get(groupId);
    if (!set?.has(userId)) return;
    set.delete(userId);
    const n = (this.counts.get(userId) ?? 1) - 1;
    if (n <= 0) this.counts.delete(userId);
    else this.counts.set(userId, n);
    changed.add(userId);
  }
}
