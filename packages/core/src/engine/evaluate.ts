import { isTenantSyncError } from "../errors/errors.ts";
import { compileMappings, diffMappedUser, resolveUserType, sourceAttributesOf, REDACTED } from "../mapping/index.ts";
import type { CompiledMappings, MappedUser } from "../mapping/index.ts";
import { compileScopingFilter } from "../scoping/index.ts";
import type { CompiledScopingFilter } from "../scoping/index.ts";
import type { SyncJobConfig } from "../model/sync-job-config.ts";
import { isEligibleForSync, type DirectoryUser } from "../model/user.ts";
import type { ErrorInfo, MappedValues, ModifiedProperty, ScopeDecision } from "./plan-types.ts";

/** A job's mappings and filter, compiled once (never per user). */
export interface JobCompilation {
  mappings: CompiledMappings;
  filter: CompiledScopingFilter;
  /** Source attributes the job reads (for `$select`). */
  select: string[];
}

/**
 * Compiles a job's mappings and scoping filter once. Throws `ConfigError`
 * listing every problem with its path (`$.attributeMappings[2].source`, …).
 *
 * @example
 * ```ts
 * const compiled = compileJob(config, target.capabilities.writableAttributes);
 * ```
 */
export function compileJob(config: SyncJobConfig, writableAttributes: readonly string[] | null = null): JobCompilation {
  const mappings = compileMappings({ attributeMappings: config.attributeMappings, userType: config.userType }, { writableAttributes, pathPrefix: ["attributeMappings"] });
  const filter = compileScopingFilter(config.scopingFilter, ["scopingFilter"]);
  const select = [...new Set(["id", "userPrincipalName", "displayName", "accountEnabled", "userType", ...mappings.sourceAttributes, ...filter.references])];
  return { mappings, filter, select };
}

const NO_ATTRIBUTES: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/**
 * Decides scope (R2, R7) for a source user (null = deleted or gone).
 *
 * @example
 * ```ts
 * const scope = decideScope(compiled, user, tracker.isAssigned(user.id), false);
 * ```
 */
export function decideScope(compiled: JobCompilation, user: DirectoryUser | null, assigned: boolean, explain: boolean): ScopeDecision {
  if (user === null || user.deletedDateTime !== null) {
    return { inScope: false, exists: false, eligible: false, assigned, passesFilter: false, filterClauses: {}, reason: "R13: deleted in the source" };
  }
  const eligible = isEligibleForSync(user);
  // A filter without clauses reads nothing: skip building the attribute view.
  const attributes = explain ? sourceAttributesOf(user) : eligible && assigned ? (compiled.filter.references.length === 0 ? NO_ATTRIBUTES : sourceAttributesOf(user)) : null;
  const passesFilter = attributes !== null && eligible && assigned ? compiled.filter.evaluate(attributes) : false;
  const filterClauses = explain && attributes ? compiled.filter.explain(attributes) : {};
  let reason: string | null = null;
  if (!eligible) reason = `R2: not an internal member (origin ${user.origin}, userType ${user.userType})`;
  else if (!assigned) reason = "R13: not assigned to the job";
  else if (!passesFilter) reason = "R13: does not pass the scoping filter";
  return { inScope: eligible && assigned && passesFilter, exists: true, eligible, assigned, passesFilter, filterClauses, reason };
}

/**
 * Evaluates the mappings of an in-scope user into the planner's
 * {@link MappedValues}; a failing expression is a per-user error, not a crash.
 */
export function mapUser(compiled: JobCompilation, user: DirectoryUser, context: { now: () => Date; random?: () => number; sourceTenantId: string }): { mapped: MappedValues | null; error: ErrorInfo | null } {
  try {
    const mu = compiled.mappings.evaluate(user, context);
    return { mapped: toMappedValues(compiled.mappings, mu), error: null };
  } catch (error) {
    const info: ErrorInfo = isTenantSyncError(error)
      ? { code: error.code, message: error.message, retryable: false }
      : { code: "MAPPING_FAILED", message: `mapping user ${user.id} failed: ${(error as Error)?.message ?? String(error)}`, retryable: false };
    return { mapped: null, error: info };
  }
}

/** The planner's view of a mapped user (methods on the prototype: no closures per user). */
class Mapped implements MappedValues {
  readonly createAttributes: MappedValues["createAttributes"];
  readonly userType: MappedValues["userType"];
  readonly managerSourceId: MappedValues["managerSourceId"];
  readonly fingerprint: string;
  private readonly mu: MappedUser;
  private readonly compiled: CompiledMappings;

  constructor(compiled: CompiledMappings, mu: MappedUser) {
    this.compiled = compiled;
    this.mu = mu;
    this.createAttributes = mu.createAttributes;
    this.userType = mu.userType;
    this.managerSourceId = mu.managerSourceId;
    this.fingerprint = `${mu.fingerprint}|m:${mu.managerSourceId ?? ""}`;
  }

  diff(target: DirectoryUser): ReturnType<MappedValues["diff"]> {
    return diffMappedUser(this.mu, target, this.compiled);
  }

  createProperties(): ModifiedProperty[] {
    return createProperties(this.mu);
  }

  userTypeFor(existing: DirectoryUser | null): ReturnType<MappedValues["userTypeFor"]> {
    return resolveUserType(this.mu, existing);
  }
}

function toMappedValues(compiled: CompiledMappings, mu: MappedUser): MappedValues {
  return new Mapped(compiled, mu);
}

function createProperties(mu: MappedUser): ModifiedProperty[] {
  const out: ModifiedProperty[] = [];
  const attributes = mu.createAttributes as Record<string, unknown>;
  const redacted = mu.redacted;
  const anyRedacted = redacted.size > 0;
  for (const name in attributes) {
    const value = attributes[name];
    if (name === "extensions" && value && typeof value === "object") {
      for (const [ext, v] of Object.entries(value)) out.push({ name: ext, oldValue: null, newValue: anyRedacted && redacted.has(ext) ? REDACTED : v });
      continue;
    }
    out.push({ name, oldValue: null, newValue: anyRedacted && redacted.has(name) ? REDACTED : value });
  }
  out.push({ name: "userType", oldValue: null, newValue: mu.userType.value });
  return out;
}
