import {
  AdapterError,
  AuthError,
  ConflictError,
  CursorExpiredError,
  InvalidValueError,
  NotFoundError,
  ThrottledError,
  TransientError,
} from "@tenantsync/core";

/**
 * One entry of a Graph error's `details`.
 *
 * @example
 * ```ts
 * parseGraphError(body)?.details.find((d) => d.code === "ObjectConflict")?.target; // "mailNickname"
 * ```
 */
export interface GraphErrorDetail {
  code: string;
  message: string;
  target: string | undefined;
}

/**
 * The useful parts of a Graph error body (`{"error":{code,message,innerError,details}}`).
 *
 * @example
 * ```ts
 * const info: GraphErrorInfo | null = parseGraphError(await response.json());
 * ```
 */
export interface GraphErrorInfo {
  code: string;
  message: string;
  /** `code` of every nested `innerError`/`innererror`, outermost first. */
  innerCodes: string[];
  details: GraphErrorDetail[];
  requestId: string | undefined;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/**
 * Reads a Graph error body. Accepts `innerError` in either casing (the docs
 * use both) and returns null when `body` is not a Graph error.
 *
 * @example
 * ```ts
 * parseGraphError({ error: { code: "Request_ResourceNotFound", message: "…" } })?.code; // "Request_ResourceNotFound"
 * ```
 */
export function parseGraphError(body: unknown): GraphErrorInfo | null {
  const error = asRecord(asRecord(body)?.["error"]);
  if (!error) return null;
  const innerCodes: string[] = [];
  let requestId: string | undefined;
  let inner = asRecord(error["innerError"] ?? error["innererror"]);
  for (let depth = 0; inner && depth < 10; depth++) {
    const c = str(inner["code"]);
    if (c) innerCodes.push(c);
    requestId ??= str(inner["request-id"]);
    inner = asRecord(inner["innerError"] ?? inner["innererror"]);
  }
  const details: GraphErrorDetail[] = Array.isArray(error["details"])
    ? (error["details"] as unknown[]).flatMap((d) => {
        const r = asRecord(d);
        return r ? [{ code: str(r["code"]) ?? "", message: str(r["message"]) ?? "", target: str(r["target"]) }] : [];
      })
    : [];
  return { code: str(error["code"]) ?? "", message: str(error["message"]) ?? "", innerCodes, details, requestId };
}

/**
 * Parses a `Retry-After` header into milliseconds. Graph sends seconds, which
 * can be fractional (`2.128`); an HTTP date is accepted too. Returns
 * undefined when the header is missing or unreadable.
 *
 * @example
 * ```ts
 * parseRetryAfter("2.128", Date.now()); // 2128
 * ```
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isFinite(date) ? Math.max(0, date - nowMs) : undefined;
}

/**
 * Where a failing Graph call went, for error messages.
 *
 * @example
 * ```ts
 * mapGraphError(404, body, { tenantId, method: "GET", path: "/users/u1", objectType: "user", objectId: "u1" });
 * ```
 */
export interface GraphErrorContext {
  tenantId: string;
  method: string;
  /** The request path (query string is dropped from messages). */
  path: string;
  /** What the call addressed, for NotFoundError (`user`, `group`, `partner`…). */
  objectType?: string | undefined;
  objectId?: string | undefined;
  /** Retry-After in milliseconds, already parsed. */
  retryAfterMs?: number | undefined;
}

const CURSOR_CODES = new Set(["syncstatenotfound", "resyncrequired", "syncstateinvalid"]);
const NOT_FOUND_CODES = new Set(["request_resourcenotfound", "directory_objectnotfound", "resourcenotfound", "itemnotfound"]);
const CONFLICT_CODES = new Set(["objectconflict", "request_multipleobjectswithsamekeyvalue", "conflictingobjects"]);
const AUTH_CODES = new Set(["authorization_requestdenied", "authorization_identitynotfound", "accessdenied", "invalidauthenticationtoken", "authentication_expiredtoken"]);

function propertyFromMessage(message: string): string | undefined {
  return (
    /same value for property '?([A-Za-z0-9_.]+)'?/i.exec(message)?.[1] ??
    /Invalid value specified for property '([^']+)'/i.exec(message)?.[1] ??
    /property '([^']+)'/i.exec(message)?.[1]
  );
}

/**
 * Turns a failed Graph response into core's typed error, with `retryable`
 * set: `ObjectConflict` → ConflictError (property from `details[].target`),
 * `Request_ResourceNotFound`/404 → NotFoundError, 401/403/
 * `Authorization_RequestDenied` → AuthError, 429 → ThrottledError,
 * 5xx → TransientError, 410/`syncStateNotFound`/`resyncRequired` →
 * CursorExpiredError, other 400s → InvalidValueError.
 *
 * @example
 * ```ts
 * const error = mapGraphError(404, body, { tenantId, method: "GET", path: "/users/u1", objectType: "user", objectId: "u1" });
 * error instanceof NotFoundError; // true
 * ```
 */
export function mapGraphError(status: number, body: unknown, context: GraphErrorContext): AdapterError {
  const info = parseGraphError(body);
  const codes = [info?.code ?? "", ...(info?.innerCodes ?? []), ...(info?.details.map((d) => d.code) ?? [])].map((c) => c.toLowerCase()).filter(Boolean);
  const has = (set: Set<string>) => codes.some((c) => set.has(c));
  const { tenantId, method } = context;
  const path = context.path.split("?")[0] ?? context.path;
  const where = `Graph ${method} ${path} in tenant ${tenantId}`;
  const said = `${status}${info?.code ? ` ${info.code}` : ""}${info?.message ? `: ${info.message}` : ""}`;
  const common = { tenantId, status, cause: info ?? body };

  if (status === 410 || has(CURSOR_CODES)) {
    return new CursorExpiredError(`${where} answered ${said}. The delta token is no longer valid; run a full cycle (the engine does this on its own).`, common);
  }
  if (status === 429) {
    return new ThrottledError(`${where} was throttled (${said}).${context.retryAfterMs !== undefined ? ` Retry after ${context.retryAfterMs} ms.` : ""} Lower the job's concurrency or the client-side quota if this repeats.`, {
      ...common,
      ...(context.retryAfterMs !== undefined ? { retryAfterMs: context.retryAfterMs } : {}),
    });
  }
  if (status === 401) {
    return new AuthError(`${where} rejected the access token (${said}). Check the credential and that the app is registered and consented in tenant ${tenantId}.`, { ...common, code: "AUTH_FAILED" });
  }
  if (status === 403 || has(AUTH_CODES)) {
    return new AuthError(`${where} was denied (${said}). Grant the app the application permission this call needs (see docs/graph.md) and have an administrator of tenant ${tenantId} consent to it.`, { ...common, code: "AUTH_DENIED" });
  }
  if (has(CONFLICT_CODES) || status === 409) {
    const detail = info?.details.find((d) => d.target) ?? info?.details[0];
    const property = detail?.target ?? propertyFromMessage(info?.message ?? "") ?? propertyFromMessage(detail?.message ?? "") ?? "unknown";
    return new ConflictError(`${where} answered ${said}. Another object already holds this value of '${property}'; link or remove that object first.`, { ...common, property });
  }
  if (status === 404 || has(NOT_FOUND_CODES)) {
    return new NotFoundError(context.objectType ?? "object", context.objectId ?? path, { ...common, message: `${where} answered ${said}.` });
  }
  if (status === 501) {
    return new AdapterError("GRAPH_NOT_IMPLEMENTED", `${where} answered ${said}. Graph does not support this request (for example a property delta cannot track); remove it from the selection.`, { ...common, retryable: false });
  }
  if (status >= 500) {
    return new TransientError(`${where} failed with ${said}. This is usually temporary; the call can be retried.`, {
      ...common,
      ...(context.retryAfterMs !== undefined ? { retryAfterMs: context.retryAfterMs } : {}),
    });
  }
  if (status === 400) {
    const target = info?.details.find((d) => d.target)?.target ?? propertyFromMessage(info?.message ?? "");
    return new InvalidValueError(`${where} refused the request (${said}).${target ? ` Check the value of '${target}'.` : ""}`, { ...common, ...(target ? { property: target } : {}) });
  }
  return new AdapterError("GRAPH_REQUEST_FAILED", `${where} answered ${said}.`, { ...common, retryable: false });
}
