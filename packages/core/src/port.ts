/**
 * `@tenantsync/core/port` — what adapter authors need: the port interfaces,
 * capability defaults, the typed errors, and the model types. Users of the
 * SDK import from `@tenantsync/core`.
 *
 * @module
 */
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
export { Cloud, Guid, Tenant, parseTenant, sameCloud } from "./model/tenant.ts";
export { AlternativeSecurityId, DirectoryUser, EXTENSION_ATTRIBUTE_PATTERN, USER_STRING_ATTRIBUTES, UserType, isEligibleForSync, parseDirectoryUser } from "./model/user.ts";
export type { DirectoryUserInput, UserAttributes } from "./model/user.ts";
export { Group } from "./model/group.ts";
export { PartnerSettings } from "./model/partner-settings.ts";
export { createSemaphore } from "./util/semaphore.ts";
export type { Semaphore } from "./util/semaphore.ts";
