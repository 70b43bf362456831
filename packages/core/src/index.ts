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
// ---- end scoping and mappings ----

// ---- engine ----
// ---- end engine ----

// ---- state ----
export { createMemoryStateStore } from "./state/memory-state-store.ts";
export type { MemoryStateStoreOptions } from "./state/memory-state-store.ts";
