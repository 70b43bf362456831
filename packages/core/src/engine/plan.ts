import type { Link } from "../ports/state-store.ts";
import type { MappedValues, PlannedAction, UserObservation, UserPlan } from "./plan-types.ts";

/** What the planner needs besides the observation. Plain data: planning does no I/O. */
export interface PlanContext {
  /** The cycle's time (ISO), stamped into links. */
  now: string;
  /** Rewrite every in-scope user even when its source did not change (initial cycle, restart, new mappings). */
  forceWrite: boolean;
  /** The mappings carry a manager mapping. */
  mapsManager: boolean;
  /** The manager's link, for users whose manager is mapped (by manager source id). */
  managerLink(managerSourceId: string): Link | null;
  /**
   * Present when the target takes `managerId` in `createExternalUser`
   * (capability `managerOnCreate`): the manager's link when its active account
   * is settled for this cycle (written earlier in the cycle), else null. A new
   * user whose manager it returns gets the manager in the create: one write
   * instead of two. Absent: managers are always a separate step.
   */
  managerOnCreate?: (managerSourceId: string) => Link | null;
}

/**
 * True when planning this user needs its linked target account read: every
 * out-of-scope link, and in-scope links that changed, are not active, or when
 * the cycle rewrites everything. The observe step and the planner agree
 * through this one function.
 *
 * @example
 * ```ts
 * if (needsTargetRead(link, inScope, fingerprint, forceWrite)) target = await port.getUser(link.targetId, { includeDeleted: true });
 * ```
 */
export function needsTargetRead(link: Link | null, inScope: boolean, fingerprint: string | null, forceWrite: boolean): boolean {
  if (!link) return false;
  if (!inScope) return true;
  return forceWrite || link.state !== "active" || fingerprint === null || link.fingerprint !== fingerprint;
}

function freshLink(sourceId: string, targetId: string): Link {
  return { sourceId, targetId, state: "active", softDeletedAt: null, fingerprint: "", disabledFlowed: false, managerSourceId: null };
}

/**
 * Decides what to do for one source user: a pure function of the
 * observation and the context (DESIGN.md step 4). Deterministic, no I/O; the
 * dry run shows exactly its output (R28).
 *
 * @example
 * ```ts
 * const { actions, bookkeeping } = planUser(observation, { now, forceWrite: false, mapsManager: true, managerLink });
 * ```
 */
export function planUser(o: UserObservation, ctx: PlanContext): UserPlan {
  // Actions spell out sourceId and displayName rather than spreading a shared
  // base object: in V8 (Node 20), `{ ...base, kind, … }` adds each new key to
  // the clone through a fresh map, which cost microseconds per action.
  const plan: UserPlan = { actions: [], bookkeeping: [] };
  const displayName = o.source?.displayName ?? null;
  const link = o.link;
  const target = o.linkedTarget;

  // ---- out of scope: deprovisioning (R13, R14, R16) ----
  if (!o.scope.inScope) {
    if (!link) return plan;
    if (target === undefined) return plan; // not observed
    if (target === null) {
      plan.bookkeeping.push({ sourceId: o.sourceId, link: null, reason: "the target account no longer exists (purged or hard-deleted)" });
      return plan;
    }
    const inBin = target.deletedDateTime !== null;
    if (link.state === "softDeleted") {
      if (inBin) return plan;
      // The job recorded a soft delete that the target does not show: either the
      // write never happened (a crash between intent and call) or an administrator
      // restored the account while the user is still out of scope. Out of scope
      // means deleted, so delete (again).
      plan.actions.push({ sourceId: o.sourceId, displayName, kind: "softDelete", targetId: link.targetId, reason: o.scope.reason ?? "out of scope", nextLink: { ...link, softDeletedAt: link.softDeletedAt ?? ctx.now } });
      return plan;
    }
    if (inBin) {
      // The target's administrator deleted it: nothing to do while out of scope.
      // Park the link (out of scope, not deleted by the job): nobody is wired to
      // it as a manager, and a return to scope looks at the target again
      // (restore refused, R15; or a new account once purged, R16).
      if (link.state !== "disabled" || link.fingerprint !== "") plan.bookkeeping.push({ sourceId: o.sourceId, link: { ...link, state: "disabled", fingerprint: "" }, reason: "out of scope; the target's administrator deleted the account" });
      return plan;
    }
    if (link.state === "disabled") return plan; // R14: already parked disabled
    if (o.source !== null && link.disabledFlowed) {
      plan.actions.push({
        sourceId: o.sourceId, displayName,
        kind: "skip",
        targetId: link.targetId,
        status: "skipped",
        reason: `R14: the account was disabled and that reached the target before it left scope (${o.scope.reason ?? "out of scope"}); it stays disabled and is not deleted`,
        nextLink: { ...link, state: "disabled" },
      });
      return plan;
    }
    plan.actions.push({
      sourceId: o.sourceId, displayName,
      kind: "softDelete",
      targetId: link.targetId,
      reason: o.scope.reason ?? "out of scope",
      nextLink: { ...link, state: "softDeleted", softDeletedAt: ctx.now },
    });
    return plan;
  }

  // ---- in scope ----
  if (o.mappingError || !o.mapped) {
    plan.actions.push({ sourceId: o.sourceId, displayName, kind: "error", targetId: link?.targetId ?? null, error: o.mappingError ?? { code: "MAPPING_FAILED", message: "no mapped values", retryable: false }, reason: "the attribute mappings failed for this user", nextLink: link });
    return plan;
  }
  const m = o.mapped;
  // A linked, active user whose mapped values did not change is not touched (R11):
  // the observe step does not even read its target.
  if (link && target === undefined) {
    // Unchanged, but a manager may still be waiting (a later manager, or a
    // cycle that died between the user's write and its manager's, R27).
    if (link.managerSourceId !== null && link.state === "active" && m.managerSourceId === link.managerSourceId) {
      const pending = setManagerPlan(o, m, ctx, link.targetId, null, link);
      if (pending) plan.actions.push(pending);
    }
    return plan;
  }
  const enabled = m.createAttributes.accountEnabled !== false;

  if (link && target) {
    if (target.deletedDateTime !== null) {
      if (link.state === "softDeleted") {
        const { changes, modifiedProperties } = m.diff(target);
        const next: Link = { ...link, state: "active", softDeletedAt: null, fingerprint: m.fingerprint, disabledFlowed: !enabled };
        plan.actions.push({ sourceId: o.sourceId, displayName, kind: "restore", targetId: link.targetId, changes, modifiedProperties, reason: "R15: back in scope within 30 days of the soft delete", nextLink: next });
        attachManager(plan.actions, next, setManagerPlan(o, m, ctx, link.targetId, target.managerId, next));
      } else {
        plan.actions.push({
          sourceId: o.sourceId, displayName,
          kind: "skip",
          targetId: link.targetId,
          status: "warning",
          reason: "R15: the target's administrator soft-deleted this account; sync does not restore it and creates no duplicate while it is in the bin. Restore it in the target or wait for the purge",
          nextLink: link,
        });
      }
      return plan;
    }
    const changed = ctx.forceWrite || link.fingerprint !== m.fingerprint || link.state !== "active";
    if (!changed) return plan;
    const { changes, modifiedProperties } = m.diff(target);
    const next: Link = { ...link, state: "active", softDeletedAt: null, fingerprint: m.fingerprint, disabledFlowed: !enabled };
    const managerStep: PlannedAction[] = [];
    attachManager(managerStep, next, setManagerPlan(o, m, ctx, link.targetId, target.managerId, next));
    if (Object.keys(changes).length > 0) {
      const disables = changes.accountEnabled === false;
      plan.actions.push({ sourceId: o.sourceId, displayName, kind: "update", targetId: link.targetId, changes, modifiedProperties, disables, reason: disables ? "R12: disabled in the source" : "the source user changed", nextLink: next });
    } else if (!sameLink(link, next)) {
      plan.bookkeeping.push({ sourceId: o.sourceId, link: next, reason: "already up to date" });
    }
    plan.actions.push(...managerStep);
    return plan;
  }

  // ---- no usable link: match, then create (R8, R9, R16) ----
  const candidates = o.candidates ?? [];
  const internal = candidates.find((c) => c.user.origin === "internal");
  if (internal) {
    plan.actions.push({
      sourceId: o.sourceId, displayName,
      kind: "error",
      targetId: internal.user.id,
      error: { code: "INTERNAL_USER_CONFLICT", message: `R9: target user ${internal.user.id} (${internal.user.userPrincipalName}) matches by ${internal.matchedBy} but is internal to the target; internal users are never taken over`, retryable: false },
      reason: "conflict with an internal target user",
      nextLink: null,
    });
    return plan;
  }
  const foreign = candidates.find((c) => c.user.alternativeSecurityId !== null && c.user.alternativeSecurityId.userId !== o.sourceId);
  if (foreign) {
    plan.actions.push({
      sourceId: o.sourceId, displayName,
      kind: "error",
      targetId: foreign.user.id,
      error: { code: "MATCHED_OTHER_SOURCE_USER", message: `target user ${foreign.user.id} matches by ${foreign.matchedBy} but already represents source user ${foreign.user.alternativeSecurityId?.userId} of tenant ${foreign.user.alternativeSecurityId?.tenantId}`, retryable: false },
      reason: "the matching target user belongs to another source user",
      nextLink: null,
    });
    return plan;
  }
  const ids = new Set(candidates.map((c) => c.user.id));
  if (ids.size > 1) {
    plan.actions.push({
      sourceId: o.sourceId, displayName,
      kind: "error",
      targetId: null,
      error: { code: "MULTIPLE_MATCHES", message: `${ids.size} target users match by ${candidates[0]?.matchedBy}: ${[...ids].join(", ")}`, retryable: false },
      reason: "several target users match",
      nextLink: null,
    });
    return plan;
  }
  const match = candidates[0];
  if (match) {
    if (match.user.deletedDateTime !== null) {
      plan.actions.push({
        sourceId: o.sourceId, displayName,
        kind: "skip",
        targetId: match.user.id,
        status: "warning",
        reason: "R15: a matching account sits in the target's soft-delete bin and this job did not delete it; no duplicate is created. Restore it in the target or wait for the purge",
        nextLink: null,
      });
      return plan;
    }
    const { changes, modifiedProperties } = m.diff(match.user);
    const userType = m.userTypeFor(match.user);
    if (userType !== match.user.userType && !("userType" in changes)) {
      changes.userType = userType;
      modifiedProperties.push({ name: "userType", oldValue: match.user.userType, newValue: userType });
    }
    const next: Link = { ...freshLink(o.sourceId, match.user.id), fingerprint: m.fingerprint, disabledFlowed: !enabled };
    plan.actions.push({ sourceId: o.sourceId, displayName, kind: "link", targetId: match.user.id, matchedBy: match.matchedBy, changes, modifiedProperties, reason: `R9: matched an existing external user by ${match.matchedBy}`, nextLink: next });
    attachManager(plan.actions, next, setManagerPlan(o, m, ctx, match.user.id, match.user.managerId, next));
    return plan;
  }
  if (!enabled) {
    plan.actions.push({ sourceId: o.sourceId, displayName, kind: "skip", targetId: null, status: "skipped", reason: "R8: the source account is disabled; it is created once enabled", nextLink: link && target === null ? null : link });
    return plan;
  }
  const next: Link = { ...freshLink(o.sourceId, ""), fingerprint: m.fingerprint, disabledFlowed: false };
  const reason = link ? "R16: the previous target account was purged; a new one is created" : "R8: in scope with no target account";
  const manager = setManagerPlan(o, m, ctx, null, null, next);
  const settled = manager && ctx.managerOnCreate ? ctx.managerOnCreate(manager.managerSourceId) : null;
  if (manager && settled) {
    // R20 in the same write: the manager's account is settled for this cycle.
    const modifiedProperties = m.createProperties();
    modifiedProperties.push({ name: "manager", oldValue: null, newValue: settled.targetId });
    plan.actions.push({
      sourceId: o.sourceId, displayName,
      kind: "create",
      attributes: { ...m.createAttributes, managerId: settled.targetId },
      userType: m.userTypeFor(null),
      modifiedProperties,
      managerSourceId: manager.managerSourceId,
      reason,
      nextLink: next,
    });
    return plan;
  }
  plan.actions.push({
    sourceId: o.sourceId, displayName,
    kind: "create",
    attributes: m.createAttributes,
    userType: m.userTypeFor(null),
    modifiedProperties: m.createProperties(),
    reason,
    nextLink: next,
  });
  attachManager(plan.actions, next, manager);
  return plan;
}

type SetManagerPlan = Extract<PlannedAction, { kind: "setManager" }> | null;

/** The manager action of an in-scope user (R20), or null when there is nothing to write. */
function setManagerPlan(o: UserObservation, m: MappedValues, ctx: PlanContext, targetId: string | null, currentManagerTargetId: string | null, nextLink: Link): SetManagerPlan {
  if (!ctx.mapsManager || m.managerSourceId === undefined || m.managerSourceId === null) return null;
  const managerLink = ctx.managerLink(m.managerSourceId);
  // Already pointing at the manager's account (whatever state the manager is in now): nothing to do.
  if (managerLink && currentManagerTargetId !== null && managerLink.targetId === currentManagerTargetId) return null;
  const managerTargetId = managerLink && managerLink.state === "active" ? managerLink.targetId : null;
  return {
    sourceId: o.sourceId,
    displayName: o.source?.displayName ?? null,
    kind: "setManager",
    targetId,
    managerSourceId: m.managerSourceId,
    managerTargetId,
    reason: managerTargetId ? "the manager changed in the source" : "the manager is not provisioned yet; wired up when it is (R20)",
    nextLink: { ...nextLink, managerSourceId: null },
  };
}

/**
 * Plans the manager step of a user whose main action writes `next`, and puts
 * the manager still to wire into `next` (R20, R27): the link that records the
 * new fingerprint also records the pending manager, so a crash between the
 * main write and the manager write leaves a marker the next cycle completes.
 */
function attachManager(list: PlannedAction[], next: Link, action: SetManagerPlan): void {
  next.managerSourceId = action ? action.managerSourceId : null;
  if (action) list.push(action);
}

function sameLink(a: Link, b: Link): boolean {
  return a.targetId === b.targetId && a.state === b.state && a.softDeletedAt === b.softDeletedAt && a.fingerprint === b.fingerprint && a.disabledFlowed === b.disabledFlowed && a.managerSourceId === b.managerSourceId;
}
