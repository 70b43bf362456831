/**
 * A small, separately written model of the lifecycle rules R7–R20 of
 * LIFECYCLE.md (with the default mapping set of MAPPINGS.md and the cycle
 * semantics of ENGINE.md), for the model-based property test.
 *
 * It is written from the spec only: it does not import or mirror the engine.
 * It keeps, per source user, the model's own view of the source user and the
 * target account the rules say must exist (absent / live with expected
 * attributes / disabled / in the bin since T / purged), and advances that on
 * each cycle from its view of the source, the accounts it believes exist,
 * the target administrator's actions and the trust settings.
 *
 * Modelling decisions (each is a reading of the spec; the comments at the
 * code say which rule):
 *
 * - Scope (R2, R7): internal members only; assigned = a direct assignment in
 *   the job's config or direct membership of one of the two assigned groups;
 *   the scoping filter is `department NOT EQUALS Legal`. Disabled users are in
 *   scope (R8 only stops their *creation*, R12 flows the disable).
 * - Which users a cycle looks at (ENGINE.md "Cycles"): a full cycle (the first
 *   one, and the first one after the job's scope changed, R22) looks at every
 *   user; an incremental cycle looks only at users with a source change since
 *   the last cycle that ran (attribute, enable/disable, manager, delete,
 *   restore, purge, membership of an assigned group). A cycle blocked by R3
 *   looks at nobody and loses nothing: its changes wait for the next cycle
 *   that runs.
 * - "Changed" (R11): a user changed when the values the mappings produce now
 *   differ from what the job last wrote to its account. The values the model
 *   tracks are displayName, department, jobTitle, accountEnabled and the
 *   manager (a manager change is a change of the user, R20). A full cycle
 *   rewrites every in-scope user (R11 "or a full restart", R20 "a full restart
 *   re-applies the manager", R22 "changing a job's scope implies [a full
 *   cycle]").
 * - A write brings the account to exactly the mapped values (R11), including
 *   accountEnabled = true over a sign-in block set in the target.
 * - Leaving scope (R13) soft-deletes, except R14: when the source user still
 *   exists and the last values the job wrote had accountEnabled = false, the
 *   account is left disabled ("parked"). A user deleted in the source is
 *   soft-deleted even if its disable had flowed (R13 names deletion first;
 *   R14's example is a scope exit of a user who still exists).
 *   A parked user returning to scope is rewritten.
 * - Returning to scope (R15): an account the job soft-deleted is restored (same
 *   account) and rewritten; an account the target's administrator
 *   soft-deleted stays in the bin, with no duplicate.
 * - Purge (R16): an account in the bin is gone 30 days after its soft delete
 *   (at exactly 30 days, as the memory directory does). A new account is
 *   created when the user is next looked at in scope and the job had deleted
 *   the account, or the user changed, or the cycle is full, or the user left
 *   scope (and so returned) after the target's administrator deleted the
 *   account — before or after the purge. A user that neither changed nor left
 *   scope is not touched (R11), so its purged account is not replaced yet.
 * - R8: a disabled user with no account is not created; it is created once it
 *   is enabled.
 * - Manager (R20): when a user is written and its source manager is null, the
 *   target manager is left as it was. When the manager is in scope with a live
 *   account, the target manager is that account. When the manager is not in
 *   scope / has no account, the target manager is left as it was and is wired
 *   up in the first later cycle after which the manager has an account
 *   (**beyond**), as long as the user is still in scope and its source manager
 *   did not change. When the manager's account is purged the target drops the
 *   reference (no manager) and the report waits for the manager's next account
 *   the same way. The rules do not determine the manager — and the model stops
 *   checking it until the user is next written — when the manager is in scope
 *   but its account sits in the target administrator's bin or was purged from
 *   it (the job still believes in that account).
 * - Target-side effects the model mirrors from the directory, not from the
 *   engine: the source bin is purged after 30 days too (memberships go, reports
 *   lose their manager and, when live, that is a change).
 * - Not modelled (the command generator never produces them): a source user
 *   deleted while its account is parked (R13 vs R14 is ambiguous there), the
 *   target administrator restoring by hand, errors and escrows.
 */

/** One day in ms. */
export const MODEL_DAY = 86_400_000;
/** R16: the bin keeps a soft-deleted user this long. */
export const BIN_RETENTION = 30 * MODEL_DAY;
/** The department the job's scoping filter keeps out (R7). */
export const FILTERED_OUT_DEPARTMENT = "Legal";
/** The two groups assigned to the job. */
export const ASSIGNED_GROUPS = ["G1", "G2"] as const;
export type GroupName = (typeof ASSIGNED_GROUPS)[number];

/** What the target manager of an account is expected to be. */
export type ManagerExpectation = { kind: "none" } | { kind: "unknown" } | { kind: "account"; key: string; gen: number };

/** The values of the default mappings the model follows. */
export interface MappedValues {
  displayName: string;
  department: string;
  jobTitle: string;
  accountEnabled: boolean;
  managerKey: string | null;
}

/** The target account the rules say a source user has. */
export interface ModelAccount {
  /** 1 for the first account, +1 for each new one after a purge (R16). */
  gen: number;
  state: "live" | "bin" | "purged";
  /** Time of the soft delete (ms), while in the bin or after purge. */
  binSince: number | null;
  deletedBy: "job" | "admin" | null;
  /** R14: left disabled out of scope. */
  parked: boolean;
  accountEnabled: boolean;
  displayName: string;
  department: string;
  jobTitle: string;
  manager: ManagerExpectation;
}

/** One source user as the model sees it, and its sync state. */
export interface ModelUser {
  /** The model's name for the user (u1, u2 …). */
  key: string;
  /** The source object id (the handle the model shares with the real system). */
  id: string;
  kind: "member" | "guest" | "external";
  state: "live" | "deleted" | "purged";
  deletedAt: number | null;
  accountEnabled: boolean;
  displayName: string;
  department: string;
  jobTitle: string;
  managerKey: string | null;
  groups: Set<GroupName>;
  // ---- sync state
  account: ModelAccount | null;
  /** The values the job last wrote to the current account. */
  lastWritten: MappedValues | null;
  /** R20 beyond: the manager to wire up once it has an account. */
  pendingManager: string | null;
  /** A source change the next cycle must look at. */
  touched: boolean;
  /** In scope at the last cycle that looked at the user. */
  wasInScope: boolean;
  /** Target ids seen per account generation. */
  targetIds: Map<number, string>;
  /** R8: skipped while disabled with no account; created once enabled. */
  createWhenEnabled: boolean;
  /** A cycle looked at the user out of scope while its account was in the target admin's bin or purged from it. */
  leftScopeAfterAdminDelete: boolean;
}

/** The trust settings R3 needs. */
export interface ModelTrust {
  /** Target: userSyncInbound.isSyncAllowed for the source. */
  inboundSync: boolean;
  /** Target: automatic redemption inbound from the source. */
  redemptionInbound: boolean;
  /** Source: automatic redemption outbound to the target. */
  redemptionOutbound: boolean;
}

/** What a model cycle did. */
export interface ModelCycleResult {
  /** False when R3 blocked the cycle. */
  ran: boolean;
  full: boolean;
}

function sameValues(a: MappedValues, b: MappedValues | null): boolean {
  return b !== null && a.displayName === b.displayName && a.department === b.department && a.jobTitle === b.jobTitle && a.accountEnabled === b.accountEnabled && a.managerKey === b.managerKey;
}

/** The model: source view, expected target accounts, trust, time. */
export class LifecycleModel {
  now: number;
  readonly users: ModelUser[] = [];
  /** Keys of the users assigned directly in the job's config. */
  readonly direct = new Set<string>();
  /** How often each rule branch was taken (for measuring what the runs exercise). */
  readonly events = new Map<string, number>();
  trust: ModelTrust = { inboundSync: true, redemptionInbound: true, redemptionOutbound: true };
  /** The direct assignments of the last cycle that ran; null before the first (R22: that one is full). */
  private ranWithDirect: string | null = null;

  constructor(now: number) {
    this.now = now;
  }

  private count(event: string): void {
    this.events.set(event, (this.events.get(event) ?? 0) + 1);
  }

  user(key: string): ModelUser {
    const u = this.users.find((x) => x.key === key);
    if (!u) throw new Error(`model: no user ${key}`);
    return u;
  }

  // ------------------------------------------------------------ scope (R2, R7)

  eligible(u: ModelUser): boolean {
    return u.state === "live" && u.kind === "member"; // R2: internal members only; a deleted user is out (R13)
  }

  assigned(u: ModelUser): boolean {
    return this.direct.has(u.key) || u.groups.size > 0;
  }

  passesFilter(u: ModelUser): boolean {
    return u.department !== FILTERED_OUT_DEPARTMENT;
  }

  inScope(u: ModelUser): boolean {
    return this.eligible(u) && this.assigned(u) && this.passesFilter(u);
  }

  mapped(u: ModelUser): MappedValues {
    return { displayName: u.displayName, department: u.department, jobTitle: u.jobTitle, accountEnabled: u.accountEnabled, managerKey: u.managerKey };
  }

  get trustOk(): boolean {
    return this.trust.inboundSync && this.trust.redemptionInbound && this.trust.redemptionOutbound;
  }

  // ------------------------------------------------------------ source operations

  addUser(input: { key: string; id: string; kind: ModelUser["kind"]; accountEnabled: boolean; displayName: string; department: string; jobTitle: string; managerKey: string | null; groups: GroupName[] }): ModelUser {
    const u: ModelUser = {
      ...input,
      groups: new Set(input.groups),
      state: "live",
      deletedAt: null,
      account: null,
      lastWritten: null,
      pendingManager: null,
      touched: true,
      wasInScope: false,
      targetIds: new Map(),
      createWhenEnabled: false,
      leftScopeAfterAdminDelete: false,
    };
    this.users.push(u);
    return u;
  }

  setAttribute(key: string, attribute: "displayName" | "jobTitle" | "department", value: string): void {
    const u = this.user(key);
    u[attribute] = value;
    u.touched = true;
  }

  setEnabled(key: string, enabled: boolean): void {
    const u = this.user(key);
    u.accountEnabled = enabled;
    u.touched = true;
  }

  setManager(key: string, managerKey: string | null): void {
    const u = this.user(key);
    u.managerKey = managerKey;
    u.touched = true;
  }

  deleteInSource(key: string): void {
    const u = this.user(key);
    u.state = "deleted";
    u.deletedAt = this.now;
    u.touched = true;
  }

  restoreInSource(key: string): void {
    const u = this.user(key);
    u.state = "live";
    u.deletedAt = null;
    u.touched = true; // memberships were kept in the bin
  }

  setMembership(key: string, group: GroupName, member: boolean): void {
    const u = this.user(key);
    if (member) u.groups.add(group);
    else u.groups.delete(group);
    u.touched = true;
  }

  /** Assign or unassign directly: a change of the job's scope. */
  setDirect(key: string, assigned: boolean): void {
    if (assigned) this.direct.add(key);
    else this.direct.delete(key);
  }

  /** R22: the next cycle that runs is full: the first one, or the job's scope differs from the last cycle's. */
  get needFull(): boolean {
    return this.ranWithDirect !== this.directKey();
  }

  private directKey(): string {
    return [...this.direct].sort().join(",");
  }

  // ------------------------------------------------------------ target administrator

  adminEdit(key: string, attribute: "displayName" | "jobTitle" | "department", value: string): void {
    this.liveAccount(key)[attribute] = value;
  }

  adminBlockSignIn(key: string): void {
    this.liveAccount(key).accountEnabled = false;
  }

  adminSoftDelete(key: string): void {
    const a = this.liveAccount(key);
    a.state = "bin";
    a.binSince = this.now;
    a.deletedBy = "admin";
  }

  private liveAccount(key: string): ModelAccount {
    const a = this.user(key).account;
    if (!a || a.state !== "live") throw new Error(`model: ${key} has no live account`);
    return a;
  }

  // ------------------------------------------------------------ time

  advance(ms: number): void {
    this.now += ms;
    this.purge();
  }

  /** Both bins forget what they held 30 days or more (R16; the source bin alike). */
  purge(): void {
    for (const u of this.users) {
      if (u.state === "deleted" && u.deletedAt !== null && this.now - u.deletedAt >= BIN_RETENTION) {
        u.state = "purged";
        u.groups.clear(); // memberships go with the object (a change of the groups: looked at)
        u.touched = true;
        for (const r of this.users) {
          if (r.managerKey !== u.key) continue;
          r.managerKey = null; // reports lose the reference
          if (r.state === "live") r.touched = true;
        }
      }
      const a = u.account;
      if (a && a.state === "bin" && a.binSince !== null && this.now - a.binSince >= BIN_RETENTION) {
        a.state = "purged";
        for (const r of this.users) {
          const m = r.account?.manager;
          if (!m || m.kind !== "account" || m.key !== u.key || m.gen !== a.gen) continue;
          // The target drops references to a purged account; the report waits
          // for the manager's next account (R20 beyond), if the source still
          // names that manager.
          r.account!.manager = { kind: "none" };
          if (r.lastWritten?.managerKey === u.key) r.pendingManager = u.key;
        }
      }
    }
  }

  // ------------------------------------------------------------ one cycle

  cycle(): ModelCycleResult {
    this.purge();
    // R3: with any trust setting missing the cycle makes no writes; nothing is lost.
    if (!this.trustOk) {
      this.count("R3 blocked cycle");
      return { ran: false, full: this.needFull };
    }
    this.count(this.needFull ? "R22 full cycle" : "R22 incremental cycle");
    const full = this.needFull;
    const written: ModelUser[] = [];
    const write = (u: ModelUser, a: ModelAccount) => {
      // R11/R12/R19: the account is brought to exactly what the mappings produce.
      const v = this.mapped(u);
      a.accountEnabled = v.accountEnabled;
      a.displayName = v.displayName;
      a.department = v.department;
      a.jobTitle = v.jobTitle;
      a.parked = false;
      u.lastWritten = v;
      written.push(u);
    };

    for (const u of this.users) {
      if (!full && !u.touched) continue;
      const inScope = this.inScope(u);
      const a = u.account;
      if (inScope) {
        const v = this.mapped(u);
        if (!a || a.state === "purged") {
          // R8 / R16: a new account, unless the user neither returned to scope nor changed.
          // R16: back in scope after leaving it since the administrator's delete (before or after the purge).
          const returned = u.leftScopeAfterAdminDelete;
          const due = !a || a.deletedBy === "job" || full || returned || u.createWhenEnabled || !sameValues(v, u.lastWritten);
          if (due && !v.accountEnabled) {
            this.count("R8 disabled user not created");
            u.createWhenEnabled = true; // R8: "skipped ... until it is enabled"
          }
          if (due && v.accountEnabled) {
            const fresh: ModelAccount = {
              gen: (a?.gen ?? 0) + 1,
              state: "live",
              binSince: null,
              deletedBy: null,
              parked: false,
              accountEnabled: true,
              displayName: v.displayName,
              department: v.department,
              jobTitle: v.jobTitle,
              manager: { kind: "none" },
            };
            u.account = fresh;
            u.leftScopeAfterAdminDelete = false;
            u.createWhenEnabled = false;
            this.count(fresh.gen > 1 ? "R16 new account after purge" : "R8 create");
            write(u, fresh);
          }
        } else if (a.state === "bin") {
          if (a.deletedBy === "job") {
            // R15: the same account is restored, then updated.
            a.state = "live";
            a.binSince = null;
            a.deletedBy = null;
            this.count("R15 restore");
            write(u, a);
          } else this.count("R15 admin-deleted account left in the bin");
          // R15: an account the target's administrator deleted stays in the bin.
        } else if (full || a.parked || !sameValues(v, u.lastWritten)) {
          this.count(a.parked ? "R14 parked account back in scope" : !sameValues(v, u.lastWritten) ? (v.accountEnabled !== u.lastWritten?.accountEnabled ? "R12 enable/disable flows" : "R11 update") : "R22 full cycle rewrite");
          if (a.accountEnabled !== v.accountEnabled || a.displayName !== v.displayName || a.department !== v.department || a.jobTitle !== v.jobTitle) {
            if (sameValues(v, u.lastWritten) || a.accountEnabled !== u.lastWritten?.accountEnabled || a.jobTitle !== u.lastWritten.jobTitle) this.count("R11 target edit overwritten");
          }
          write(u, a); // R11, R12; a parked account back in scope is rewritten
        } else if (a.accountEnabled !== v.accountEnabled || a.displayName !== v.displayName || a.department !== v.department || a.jobTitle !== v.jobTitle) this.count("R11 target edit kept (no source change)");
      } else if (a && a.state === "purged") {
        if (a.deletedBy === "admin") u.leftScopeAfterAdminDelete = true;
      } else if (a && a.state === "bin" && a.deletedBy === "admin") {
        u.leftScopeAfterAdminDelete = true;
      } else if (a && a.state === "live" && !a.parked) {
        if (u.state === "live" && u.lastWritten?.accountEnabled === false) {
          a.parked = true; // R14
          this.count("R14 parked");
        } else {
          this.count(u.state === "live" ? "R13 soft delete (scope exit)" : "R13 soft delete (deleted in source)");
          a.state = "bin"; // R13
          a.binSince = this.now;
          a.deletedBy = "job";
        }
      }
      u.wasInScope = inScope;
    }

    // R20: references, after every account of the cycle exists.
    for (const u of written) this.wireManager(u, u.lastWritten!.managerKey, true);
    for (const u of this.users) {
      if (u.pendingManager === null || !this.inScope(u) || u.account?.state !== "live") continue;
      this.wireManager(u, u.pendingManager, false);
    }
    for (const u of this.users) u.touched = false;
    this.ranWithDirect = this.directKey();
    return { ran: true, full };
  }

  /** The manager's account when the rules say it is the target manager; "absent" to wait; "undetermined". */
  private managerStatus(key: string): { kind: "account"; account: ModelAccount } | { kind: "absent" } | { kind: "undetermined" } {
    const m = this.users.find((x) => x.key === key);
    if (!m || !this.inScope(m)) return { kind: "absent" };
    const a = m.account;
    if (a && a.state === "live" && !a.parked) return { kind: "account", account: a };
    if (a && a.deletedBy === "admin") return { kind: "undetermined" }; // in the admin's bin, or purged from it
    return { kind: "absent" };
  }

  private wireManager(u: ModelUser, managerKey: string | null, written: boolean): void {
    const a = u.account!;
    if (managerKey === null) {
      if (!written) return;
      if (a.manager.kind === "account") this.count("R20 manager removed, left as it was");
      // R20: manager removed in the source: target manager left as it was (and nothing waits any more).
      u.pendingManager = null;
      return;
    }
    const s = this.managerStatus(managerKey);
    if (s.kind === "account") {
      if (!written) this.count("R20 waiting manager wired up");
      else if (a.manager.kind !== "account" || a.manager.key !== managerKey || a.manager.gen !== s.account.gen) this.count("R20 manager set");
      a.manager = { kind: "account", key: managerKey, gen: s.account.gen };
      u.pendingManager = null;
    } else if (s.kind === "absent") {
      if (written) this.count("R20 manager waits");
      u.pendingManager = managerKey; // R20 beyond: left as it was, wired up when the manager arrives
    } else {
      a.manager = { kind: "unknown" };
      u.pendingManager = null;
    }
  }
}
