import { AdapterError, AuthError, ConflictError, InvalidValueError, NotFoundError, ThrottledError, TransientError } from "@tenantsync/core";

/** What the adapter knows about the failed call, for the error message. */
export interface ScimErrorContext {
  method: string;
  path: string;
  tenantId: string;
  /** The user the call addressed, for NotFoundError. */
  objectId?: string | undefined;
  /** The user attribute names the call wrote, to name the property of a conflict. */
  attributes?: readonly string[] | undefined;
}

/** The SCIM error message body (RFC 7644 §3.12). */
export interface ScimErrorBody {
  status?: string | number;
  scimType?: string;
  detail?: string;
}

/**
 * Parses a `Retry-After` header (delay seconds or an HTTP date) into
 * milliseconds from `now`; undefined when absent or unreadable.
 *
 * @example
 * ```ts
 * parseRetryAfter("3", new Date()); // 3000
 * ```
 */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isFinite(at) ? Math.max(0, at - now.getTime()) : undefined;
}

/** SCIM attribute words in error details and the user attribute each names. */
const PROPERTY_HINTS: ReadonlyArray<readonly [RegExp, string]> = [
  [/externalid/i, "alternativeSecurityId"],
  [/username|user name/i, "userPrincipalName"],
  [/e-?mail/i, "mail"],
  [/displayname/i, "displayName"],
];

function guessProperty(detail: string, context: ScimErrorContext): string | undefined {
  for (const [pattern, property] of PROPERTY_HINTS) if (pattern.test(detail)) return property;
  return context.attributes?.[0];
}

/**
 * Maps a failed SCIM response to core's typed errors: 409 or `scimType`
 * `uniqueness` → ConflictError; 404 → NotFoundError; 429 → ThrottledError
 * and 502/503/504 (and other 5xx but 501) → TransientError, both with
 * `Retry-After`; 401/403 → AuthError; 400 with `invalidValue`,
 * `invalidSyntax`, `invalidPath`, `noTarget`, `mutability`, `invalidFilter`,
 * `tooMany` → InvalidValueError; anything else → AdapterError with the status.
 *
 * @example
 * ```ts
 * throw scimError(409, { scimType: "uniqueness", detail: "userName taken" }, null, { method: "POST", path: "/Users", tenantId });
 * ```
 */
export function scimError(status: number, body: unknown, retryAfter: string | null, context: ScimErrorContext, now: Date = new Date()): AdapterError {
  const b: ScimErrorBody = typeof body === "object" && body !== null ? (body as ScimErrorBody) : {};
  const detail = typeof b.detail === "string" && b.detail.length > 0 ? b.detail : typeof body === "string" && body.length > 0 ? body.slice(0, 300) : `HTTP ${status}`;
  const scimType = typeof b.scimType === "string" ? b.scimType : undefined;
  const where = `SCIM ${context.method} ${context.path} (tenant ${context.tenantId})`;
  const common = { tenantId: context.tenantId, status };
  const retryAfterMs = parseRetryAfter(retryAfter, now);
  if (status === 409 || scimType === "uniqueness") {
    const property = guessProperty(detail, context) ?? "userPrincipalName";
    return new ConflictError(`${where}: a unique value is already taken (${property}): ${detail}. Another user holds it; change the value in the source or remove the other user.`, { property, ...common });
  }
  if (status === 404) {
    const id = context.objectId ?? context.path;
    return new NotFoundError("user", id, { ...common, message: `user '${id}' does not exist in the SCIM service of tenant ${context.tenantId} (${where}: ${detail})` });
  }
  if (status === 429) return new ThrottledError(`${where}: throttled (429): ${detail}`, { ...common, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
  if (status === 401 || status === 403) {
    return new AuthError(`${where}: the SCIM service refused the credentials (${status}): ${detail}. Check the bearer token and its permissions.`, common);
  }
  if (status === 412) return new TransientError(`${where}: the user changed since it was read (412 Precondition Failed): ${detail}`, { ...common, code: "PRECONDITION_FAILED" });
  if (status >= 500 && status !== 501) return new TransientError(`${where}: the SCIM service failed (${status}): ${detail}`, { ...common, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
  if (status === 400 || scimType !== undefined) {
    const property = guessProperty(detail, context);
    return new InvalidValueError(`${where}: the SCIM service refused a value${scimType ? ` (${scimType})` : ""}: ${detail}`, { ...common, ...(property === undefined ? {} : { property }) });
  }
  return new AdapterError(status === 501 ? "SCIM_NOT_IMPLEMENTED" : "SCIM_REQUEST_FAILED", `${where}: HTTP ${status}: ${detail}`, { ...common, retryable: false });
}
