import type { DirectoryUser, UserAttributes, UserType } from "../model/user.ts";
import type { Escrow, Link } from "../ports/state-store.ts";

/** A plain-data error, as stored in logs, escrows and plans. */
export interface ErrorInfo {
  code: string;
  message: string;
  retryable: boolean;
}

/** Why a source user is or is not in scope (R2, R7). */
export interface ScopeDecision {
  inScope: boolean;
  /** The source user exists (not deleted). */
  exists: boolean;
  /** Internal member (R2). */
  eligible: boolean;
  /** Assigned directly, through a group, or by "all users" mode. */
  assigned: boolean;
  /** Passes the scoping filter. */
  passesFilter: boolean;
  /** Clause-by-clause result of the scoping filter, Entra's keys. */
  filterClauses: Record<string, boolean>;
  /** One sentence for logs: why the user is out of scope, or null. */
  reason: string | null;
}

/** One changed property of a user, as logs show it (`[Redact]` for redacted values). */
export interface ModifiedProperty {
  name: string;
  oldValue: unknown;
  newValue: unknown;
}

/** A target user the matching step found, and by what. */
export interface MatchCandidate {
  user: DirectoryUser;
  /** `alternativeSecurityId` or the matching attribute's name. */
  matchedBy: string;
}

/**
 * Everything the planner knows about one source user: what the import read,
 * what scope and mappings say, the link, and what the target holds. Built by
 * the observe step; the planner itself does no I/O.
 */
export interface UserObservation {
  sourceId: string;
  /** The source user, or null when it is deleted or gone. */
  source: DirectoryUser | null;
  scope: ScopeDecision;
  /** Mapped target values, or null when out of scope or the mapping failed. */
  mapped: MappedValues | null;
  mappingError: ErrorInfo | null;
  link: Link | null;
  /**
   * The linked target user (including a soft-deleted one, `deletedDateTime`
   * set); null when it no longer exists; undefined when there is no link.
   */
  linkedTarget: DirectoryUser | null | undefined;
  /** Matching results when the user needs matching, else undefined. */
  candidates: MatchCandidate[] | undefined;
  escrow: Escrow | null;
}

/** What the mappings produced for a user, in the planner's terms. */
export interface MappedValues {
  createAttributes: UserAttributes;
  userType: { value: UserType; flowType: string };
  managerSourceId: string | null | undefined;
  fingerprint: string;
  /** Changes an update of `target` must write, with the log's view of them. */
  diff(target: DirectoryUser): { changes: UserAttributes; modifiedProperties: ModifiedProperty[] };
  /** The create attributes as log lines. */
  createProperties(): ModifiedProperty[];
  /** userType for an existing matched user (R10). */
  userTypeFor(existing: DirectoryUser | null): UserType;
}

interface ActionBase {
  sourceId: string;
  displayName: string | null;
  /** The link to record once the action succeeds (null deletes it). */
  nextLink: Link | null;
  /** Why, in a sentence (for logs). */
  reason: string;
}

/** Create an external user in the target (R8). */
export interface CreateAction extends ActionBase {
  kind: "create";
  attributes: UserAttributes;
  userType: UserType;
  modifiedProperties: ModifiedProperty[];
  /**
   * Set when the manager is written with the create (`attributes.managerId`,
   * on targets whose capabilities say `managerOnCreate`): the manager's source
   * id, so that the engine can fall back to a separate manager write when the
   * target refuses the reference. Absent when the manager, if any, is written
   * by a separate `setManager` action.
   */
  managerSourceId?: string;
}
/** Adopt an existing external user found by matching (R9), then update it. */
export interface LinkAction extends ActionBase {
  kind: "link";
  targetId: string;
  matchedBy: string;
  changes: UserAttributes;
  modifiedProperties: ModifiedProperty[];
}
/** Bring a linked user to what the mappings say (R11, R12). `disables` marks a disable (R12). */
export interface UpdateAction extends ActionBase {
  kind: "update";
  targetId: string;
  changes: UserAttributes;
  modifiedProperties: ModifiedProperty[];
  disables: boolean;
}
/** Restore a user the job soft-deleted, then update it (R15). */
export interface RestoreAction extends ActionBase {
  kind: "restore";
  targetId: string;
  changes: UserAttributes;
  modifiedProperties: ModifiedProperty[];
}
/** Soft-delete the target user of a user that left scope (R13). */
export interface SoftDeleteAction extends ActionBase {
  kind: "softDelete";
  targetId: string;
}
/** Set the target manager to the target account of `managerSourceId` (R20). */
export interface SetManagerAction extends ActionBase {
  kind: "setManager";
  targetId: string | null;
  managerSourceId: string;
  /** The manager's target id when already known at plan time. */
  managerTargetId: string | null;
}
/** Nothing is written; logged when notable (R8 disabled, R14, R15 attention). */
export interface SkipAction extends ActionBase {
  kind: "skip";
  targetId: string | null;
  status: "skipped" | "warning";
}
/** A permanent per-user problem (R9 internal collision, several matches, mapping failure). */
export interface ErrorAction extends ActionBase {
  kind: "error";
  targetId: string | null;
  error: ErrorInfo;
}

/** The closed set of actions a plan holds. */
export type PlannedAction = CreateAction | LinkAction | UpdateAction | RestoreAction | SoftDeleteAction | SetManagerAction | SkipAction | ErrorAction;

/** Action kinds that write to the target. */
export const WRITE_ACTION_KINDS: ReadonlySet<PlannedAction["kind"]> = new Set(["create", "link", "update", "restore", "softDelete", "setManager"]);

/** Link changes that write nothing to the target. */
export interface LinkBookkeeping {
  sourceId: string;
  /** The link to store, or null to forget it. */
  link: Link | null;
  reason: string;
}

/** The planner's output for some users. */
export interface UserPlan {
  actions: PlannedAction[];
  bookkeeping: LinkBookkeeping[];
}
