/**
 * The error hierarchy of tenantsync. Every error thrown by the SDK is a
 * {@link TenantSyncError} with a stable {@link TenantSyncError.code} that
 * programs can branch on, a {@link TenantSyncError.retryable} flag that says
 * whether trying the same call again may succeed, and an optional `cause`.
 *
 * @example
 * ```ts
 * try {
 *   await directory.createExternalUser(input, { sourceTenantId });
 * } catch (error) {
 *   if (isTenantSyncError(error) && error.retryable) scheduleRetry();
 *   else throw error;
 * }
 * ```
 */
export class TenantSyncError extends Error {
  /** A stable machine-readable code, for example `CONFLICT` or `POLICY_DENIED`. */
  readonly code: string;
  /** True when the same call may succeed if tried again later. */
  readonly retryable: boolean;

  constructor(code: string, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }

  /** A plain-data form of the error, as stored in provisioning logs and escrows. */
  toJSON(): { name: string; code: string; message: string; retryable: boolean } {
    return { name: this.name, code: this.code, message: this.message, retryable: this.retryable };
  }
}

/**
 * True when `value` is a {@link TenantSyncError} (also across duplicated
 * copies of the package, by shape).
 *
 * @example
 * ```ts
 * if (isTenantSyncError(e) && e.code === "CONFLICT") console.log("duplicate");
 * ```
 */
export function isTenantSyncError(value: unknown): value is TenantSyncError {
  return (
    value instanceof TenantSyncError ||
    (value instanceof Error &&
      typeof (value as { code?: unknown }).code === "string" &&
      typeof (value as { retryable?: unknown }).retryable === "boolean")
  );
}

/** One problem found in a configuration, with the JSON path where it is. */
export interface ConfigIssue {
  /** JSON path of the offending value, for example `["attributeMappings", 3, "flowType"]`. */
  path: ReadonlyArray<string | number>;
  /** What is wrong, in words. */
  message: string;
}

/** Formats a JSON path as `$.a[0].b`. */
export function formatPath(path: ReadonlyArray<string | number | symbol>): string {
  let out = "$";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (typeof part === "symbol") out += `[${String(part)}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) out += `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/**
 * A configuration (job config, scoping filter, mapping, adapter options) is
 * invalid. {@link ConfigError.issues} lists every problem found, each with its
 * JSON path, so a user can fix them all at once.
 *
 * @example
 * ```ts
 * try { parseSyncJobConfig(json); }
 * catch (e) { if (e instanceof ConfigError) for (const i of e.issues) console.log(formatPath(i.path), i.message); }
 * ```
 */
export class ConfigError extends TenantSyncError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], what = "configuration", options: { cause?: unknown } = {}) {
    const lines = issues.map((i) => `  ${formatPath(i.path)}: ${i.message}`);
    super("CONFIG_INVALID", `Invalid ${what} (${issues.length} issue${issues.length === 1 ? "" : "s"}):\n${lines.join("\n")}`, options);
    this.issues = issues;
  }
}

/**
 * A trust setting needed for a write is missing (R3), or a job would cross
 * clouds (R4). Says which setting, in which tenant, about which partner.
 *
 * @example
 * ```ts
 * throw new PolicyError("inbound user sync from 1111… is not allowed", { tenantId, partnerTenantId, setting: "userSyncInbound.isSyncAllowed" });
 * ```
 */
export class PolicyError extends TenantSyncError {
  readonly tenantId: string | undefined;
  readonly partnerTenantId: string | undefined;
  readonly setting: string | undefined;

  constructor(message: string, details: { tenantId?: string; partnerTenantId?: string; setting?: string; code?: string; cause?: unknown } = {}) {
    super(details.code ?? "POLICY_DENIED", message, { cause: details.cause });
    this.tenantId = details.tenantId;
    this.partnerTenantId = details.partnerTenantId;
    this.setting = details.setting;
  }
}

/** Base of errors raised by a directory adapter or the state store. */
export class AdapterError extends TenantSyncError {
  /** The tenant the failing call addressed, when known. */
  readonly tenantId: string | undefined;
  /** Remote status (HTTP status or similar), when the backend gave one. */
  readonly status: number | undefined;

  constructor(code: string, message: string, options: { retryable?: boolean; cause?: unknown; tenantId?: string; status?: number } = {}) {
    super(code, message, options);
    this.tenantId = options.tenantId;
    this.status = options.status;
  }
}

/**
 * A write would break a uniqueness rule of the directory (UPN, mail,
 * mailNickname, proxy address) — Graph's `ObjectConflict`.
 *
 * @example
 * ```ts
 * if (e instanceof ConflictError) console.log(`${e.property} already taken by ${e.conflictingObjectId}`);
 * ```
 */
export class ConflictError extends AdapterError {
  /** The property whose value is already taken. */
  readonly property: string;
  /** The value that is already taken. */
  readonly value: string | undefined;
  /** Id of the object that holds the value, when the backend says. */
  readonly conflictingObjectId: string | undefined;

  constructor(message: string, details: { property: string; value?: string; conflictingObjectId?: string; tenantId?: string; status?: number; cause?: unknown }) {
    super("CONFLICT", message, { retryable: false, ...details });
    this.property = details.property;
    this.value = details.value;
    this.conflictingObjectId = details.conflictingObjectId;
  }
}

/**
 * The object addressed does not exist (or is soft-deleted and the call
 * addressed live objects) — Graph's `Request_ResourceNotFound`.
 *
 * @example
 * ```ts
 * if (e instanceof NotFoundError) console.log(`no ${e.objectType} ${e.objectId}`);
 * ```
 */
export class NotFoundError extends AdapterError {
  readonly objectType: string;
  readonly objectId: string;

  constructor(objectType: string, objectId: string, options: { tenantId?: string; status?: number; cause?: unknown; message?: string } = {}) {
    super("NOT_FOUND", options.message ?? `${objectType} '${objectId}' does not exist${options.tenantId ? ` in tenant ${options.tenantId}` : ""}`, { retryable: false, ...options });
    this.objectType = objectType;
    this.objectId = objectId;
  }
}

/**
 * The backend asked the caller to slow down (HTTP 429 or similar). Retryable;
 * {@link ThrottledError.retryAfterMs} says how long to wait when the backend said.
 *
 * @example
 * ```ts
 * if (e instanceof ThrottledError) await sleep(e.retryAfterMs ?? 1000);
 * ```
 */
export class ThrottledError extends AdapterError {
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: { retryAfterMs?: number; tenantId?: string; status?: number; cause?: unknown } = {}) {
    super("THROTTLED", message, { retryable: true, ...options });
    this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * A failure that may pass if the same call is tried again (timeouts, 5xx,
 * connection resets).
 *
 * @example
 * ```ts
 * throw new TransientError("Graph answered 503", { status: 503, retryAfterMs: 2000 });
 * ```
 */
export class TransientError extends AdapterError {
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: { retryAfterMs?: number; tenantId?: string; status?: number; cause?: unknown; code?: string } = {}) {
    super(options.code ?? "TRANSIENT", message, { retryable: true, ...options });
    this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * The credentials were rejected or lack a permission (HTTP 401/403,
 * `Authorization_RequestDenied`). Not retryable: an operator must act.
 *
 * @example
 * ```ts
 * throw new AuthError("Insufficient privileges to complete the operation.", { status: 403 });
 * ```
 */
export class AuthError extends AdapterError {
  constructor(message: string, options: { tenantId?: string; status?: number; cause?: unknown; code?: string } = {}) {
    super(options.code ?? "AUTH_FAILED", message, { retryable: false, ...options });
  }
}

/**
 * A change-feed cursor is no longer valid (expired, or the backend asked for a
 * resync: Graph's `410 Gone`, `syncStateNotFound`, `resyncRequired`). The
 * engine answers with a full cycle.
 *
 * @example
 * ```ts
 * if (e instanceof CursorExpiredError) await job.restart({ watermark: true });
 * ```
 */
export class CursorExpiredError extends AdapterError {
  constructor(message: string, options: { tenantId?: string; status?: number; cause?: unknown } = {}) {
    super("CURSOR_EXPIRED", message, { retryable: false, ...options });
  }
}

/**
 * The backend refused a value (too long, wrong type, not allowed for this
 * kind of user). Permanent for this value.
 *
 * @example
 * ```ts
 * throw new InvalidValueError("jobTitle is longer than 128 characters", { property: "jobTitle" });
 * ```
 */
export class InvalidValueError extends AdapterError {
  readonly property: string | undefined;

  constructor(message: string, options: { property?: string; tenantId?: string; status?: number; cause?: unknown } = {}) {
    super("INVALID_VALUE", message, { retryable: false, ...options });
    this.property = options.property;
  }
}

/**
 * The adapter does not support an operation the caller needs. Raised when a
 * job is configured, never as a silent no-op during a cycle.
 *
 * @example
 * ```ts
 * if (!directory.capabilities.restore) throw new CapabilityError("restore", "scim");
 * ```
 */
export class CapabilityError extends TenantSyncError {
  readonly capability: string;

  constructor(capability: string, adapter: string, detail?: string) {
    super("CAPABILITY_MISSING", `The ${adapter} adapter does not support '${capability}'${detail ? `: ${detail}` : ""}`);
    this.capability = capability;
  }
}

/**
 * An operation was stopped through its `AbortSignal`.
 *
 * @example
 * ```ts
 * if (e instanceof AbortedError) console.log("stopped at a user boundary");
 * ```
 */
export class AbortedError extends TenantSyncError {
  constructor(message = "The operation was aborted", options: { cause?: unknown } = {}) {
    super("ABORTED", message, options);
  }
}

/** Throws {@link AbortedError} when `signal` is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError(undefined, { cause: signal.reason });
}
