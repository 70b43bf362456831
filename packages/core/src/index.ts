/**
 * `@tenantsync/core` — the model, the ports, the expression language,
 * scoping, mappings and the reconcile engine of tenantsync.
 *
 * @example
 * ```ts
 * import { parseSyncJobConfig } from "@tenantsync/core";
 * const config = parseSyncJobConfig({ sourceTenantId, targetTenantId, scope: { mode: "all" } });
 * ```
 *
 * @module
 */
// ---- model ----
export { Cloud, DomainName, Guid, Tenant, parseTenant, sameCloud } from "./model/tenant.ts";
export { AlternativeSecurityId, DirectoryUser, EXTENSION_ATTRIBUTE_PATTERN, USER_STRING_ATTRIBUTES, UserType, isEligibleForSync, parseDirectoryUser } from "./model/user.ts";
export type { DirectoryUserInput, UserAttributes } from "./model/user.ts";
export { Group } from "./model/group.ts";
export { PartnerSettings } from "./model/partner-settings.ts";
export {
  AttributeMapping,
  AttributeMappingSource,
  FlowType,
  JobScope,
  ScopingClause,
  ScopingFilter,
  ScopingFilterGroup,
  SyncJobConfig,
  jobIdOf,
  parseSyncJobConfig,
  syncJobConfigJsonSchema,
} from "./model/sync-job-config.ts";
export type { AttributeMappingInput, SyncJobConfigInput } from "./model/sync-job-config.ts";
export { parseDuration } from "./util/duration.ts";
export { createSemaphore } from "./util/semaphore.ts";
export type { Semaphore } from "./util/semaphore.ts";

// ---- errors ----
export {
  AbortedError,
  AdapterError,
  AuthError,
  CapabilityError,
  ConfigError,
  ConflictError,
  CursorExpiredError,
  InvalidValueError,
  NotFoundError,
  PolicyError,
  TenantSyncError,
  ThrottledError,
  TransientError,
  formatPath,
  isTenantSyncError,
  throwIfAborted,
} from "./errors/errors.ts";
export type { ConfigIssue } from "./errors/errors.ts";

// ---- ports ----
export type {
  CallOptions,
  ChangeFeedOptions,
  ChangePage,
  CreateExternalUserInput,
  DirectoryCapabilities,
  DirectoryChange,
  DirectoryPort,
  GetUserOptions,
  ListUsersOptions,
  UserQuery,
  WriteOptions,
} from "./ports/directory-port.ts";
export { DEFAULT_DIRECTORY_CAPABILITIES } from "./ports/directory-port.ts";
export type {
  CycleCounts,
  Escrow,
  ExecutionSummary,
  JobRecord,
  JobState,
  Link,
  LogAction,
  LogEntry,
  LogQuery,
  LogStatus,
  ProvisioningStep,
  QuarantineInfo,
  StateStore,
  StateWrite,
} from "./ports/state-store.ts";
export { newJobRecord } from "./ports/state-store.ts";
export type { Clock, ManualClock, ManualClockOptions } from "./ports/clock.ts";
export { createManualClock, systemClock } from "./ports/clock.ts";

// ---- expressions (issue 3: edit only this section) ----
export {
  DotNetRegexError,
  ENUM_WORDS,
  ExpressionEvaluationError,
  ExpressionSyntaxError,
  IGNORE_FLOW,
  MAX_EXPRESSION_DEPTH,
  MAX_EXPRESSION_LENGTH,
  compileDotNetRegex,
  compileExpression,
  compileExpressionNode,
  expressionToMappingSource,
  mappingSourceToExpression,
  normalizeDiacritics,
  parseExpression,
  printExpression,
} from "./expressions/index.ts";
export type {
  AttributeNode,
  CallNode,
  ComparisonNode,
  ComparisonOperator,
  CompiledExpression,
  ConcatNode,
  DotNetMatch,
  DotNetRegex,
  DotNetRegexOptions,
  EnumNode,
  EnumWord,
  ExpressionContext,
  ExpressionNode,
  ExpressionSpan,
  ExpressionValue,
  IgnoreFlow,
  NumberNode,
  StringNode,
} from "./expressions/index.ts";
// ---- end expressions ----

// ---- scoping and mappings (issue 4: edit only this section) ----
export { SCOPING_OPERATORS, canonicalScopingOperator, compileScopingFilter } from "./scoping/index.ts";
export type { CompileScopingFilterOptions, CompiledScopingFilter, ScopingFilterInput, ScopingOperator } from "./scoping/index.ts";
export {
  ALT_SEC_ID_EXPRESSION,
  MappingError,
  REDACTED,
  compileMappings,
  defaultMappings,
  diffMappedUser,
  exportEntraSchema,
  importEntraSchema,
  resolveUserType,
  sourceAttributesOf,
} from "./mapping/index.ts";
export type {
  CompileMappingsInput,
  CompileMappingsOptions,
  CompiledMapping,
  CompiledMappings,
  DefaultMappingsOptions,
  EntraAttributeMapping,
  EntraFilterGroup,
  EntraObjectMapping,
  EntraSchemaExportInput,
  EntraSynchronizationSchema,
  ImportedEntraSchema,
  MappedUser,
  MappedUserDiff,
  MappingContext,
  SourceAttributesExtra,
} from "./mapping/index.ts";
// ---- end scoping and mappings ----

// ---- engine ----
export { createSyncJob } from "./engine/sync-job.ts";
export type { CycleOptions, CycleReport, JobPlan, OnDemandResult, RestartOptions, SyncJob, SyncJobOptions, SyncJobStatus, SyncLogger } from "./engine/sync-job.ts";
export { createTenantMesh } from "./engine/tenant-mesh.ts";
export type { MeshRound, TenantMesh, TenantMeshOptions } from "./engine/tenant-mesh.ts";
export type { SyncJobEvents } from "./engine/events.ts";
export { planUser, needsTargetRead } from "./engine/plan.ts";
export type { PlanContext } from "./engine/plan.ts";
export { WRITE_ACTION_KINDS } from "./engine/plan-types.ts";
export type {
  CreateAction,
  ErrorAction,
  ErrorInfo,
  LinkAction,
  LinkBookkeeping,
  MappedValues,
  MatchCandidate,
  ModifiedProperty,
  PlannedAction,
  RestoreAction,
  ScopeDecision,
  SetManagerAction,
  SkipAction,
  SoftDeleteAction,
  UpdateAction,
  UserObservation,
  UserPlan,
} from "./engine/plan-types.ts";
export { evaluateGuard } from "./engine/guard.ts";
export { ESCROW_DELAYS_MS, ESCROW_MAX_AGE_MS, nextEscrow } from "./engine/escrow.ts";
export { QUARANTINE_THRESHOLDS, enterQuarantine, failureVerdict, leaveQuarantine } from "./engine/quarantine.ts";
export { preflight, crossCloudError } from "./engine/preflight.ts";
export type { PreflightResult } from "./engine/preflight.ts";
export { withRetries } from "./engine/apply.ts";
export type { RetryOptions } from "./engine/apply.ts";
// ---- end engine ----

// ---- state ----
export { createMemoryStateStore } from "./state/memory-state-store.ts";
export type { MemoryStateStoreOptions } from "./state/memory-state-store.ts";
