import { AbortedError, TransientError, createSemaphore, isTenantSyncError, type Clock } from "@tenantsync/core";
import { scimError, type ScimErrorContext } from "./scim-error.ts";

/** One SCIM call. `path` is relative to the base URL (`/Users`, `/Users/{id}`). */
export interface ScimRequest {
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  path: string;
  query?: Record<string, string | number> | undefined;
  body?: unknown;
  headers?: Record<string, string> | undefined;
  /** For errors: the user addressed and the attributes written. */
  objectId?: string | undefined;
  attributes?: readonly string[] | undefined;
}

/** A successful SCIM answer. Header names are lower case; `body` is null for an empty body. */
export interface ScimResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** Options of {@link createScimTransport}. */
export interface ScimTransportOptions {
  baseUrl: string;
  tenantId: string;
  /** A bearer token; `fresh` asks for a new one (after a 401). */
  token: (signal: AbortSignal | undefined, fresh: boolean) => Promise<string>;
  fetch: typeof globalThis.fetch;
  clock: Clock;
  maxRetries: number;
  concurrency: number;
  /** Most requests started per second (client-side pacing); undefined = no pacing. */
  requestsPerSecond?: number | undefined;
  timeoutMs: number;
  random?: (() => number) | undefined;
}

/** Counters of the transport, for tests and monitoring. */
export interface ScimTransportStats {
  requests: number;
  retries: number;
  throttled: number;
}

/** The HTTP layer of the SCIM adapter: bearer auth, pacing, bounded concurrency, retries honouring Retry-After, typed errors. */
export interface ScimTransport {
  request(request: ScimRequest, signal?: AbortSignal): Promise<ScimResponse>;
  stats(): ScimTransportStats;
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);


function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError(undefined, { cause: signal.reason });
}

/**
 * Creates the HTTP layer of the SCIM adapter over `fetch`. Retries 429, 502,
 * 503, 504 and network failures (network failures only for GET, PATCH, PUT
 * and DELETE: a POST that may have reached the service is not sent twice) up
 * to `maxRetries` times, waiting for `Retry-After` when given, else an
 * exponential backoff with jitter, on the injected clock; after a 429 every
 * request waits until the service's Retry-After. A 401 is tried once more
 * with a fresh token. Errors are core's typed errors.
 *
 * @example
 * ```ts
 * const transport = createScimTransport({ baseUrl, tenantId, token: async () => "secret", fetch, clock: systemClock, maxRetries: 4, concurrency: 4, timeoutMs: 30_000 });
 * const { body } = await transport.request({ method: "GET", path: "/ServiceProviderConfig" });
 * ```
 */
export function createScimTransport(options: ScimTransportOptions): ScimTransport {
  const base = options.baseUrl.replace(/\/+$/, "");
  const semaphore = createSemaphore(Math.max(1, options.concurrency));
  const random = options.random ?? Math.random;
  const counters: ScimTransportStats = { requests: 0, retries: 0, throttled: 0 };
  let pausedUntil = 0;
  let nextStart = 0;
  const interval = options.requestsPerSecond && options.requestsPerSecond > 0 ? 1000 / options.requestsPerSecond : 0;

  const pace = async (signal?: AbortSignal) => {
    const now = options.clock.now().getTime();
    let wait = pausedUntil - now;
    if (interval > 0) {
      const slot = Math.max(nextStart, now);
      nextStart = slot + interval;
      wait = Math.max(wait, slot - now);
    }
    if (wait > 0) await options.clock.sleep(wait, signal);
  };

  const backoff = (attempt: number) => {
    const cap = Math.min(30_000, 250 * 2 ** attempt);
    return Math.round(cap / 2 + (random() * cap) / 2);
  };

  const url = (request: ScimRequest) => {
    const q = request.query ? Object.entries(request.query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join("&") : "";
    return `${base}${request.path.startsWith("/") ? "" : "/"}${request.path}${q ? `?${q}` : ""}`;
  };

  const once = async (request: ScimRequest, fresh: boolean, signal?: AbortSignal): Promise<{ response: Response; text: string }> => {
    const token = await options.token(signal, fresh);
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: "application/scim+json, application/json", ...request.headers };
    let body: string | undefined;
    if (request.body !== undefined) {
      headers["content-type"] ??= "application/scim+json";
      body = JSON.stringify(request.body);
    }
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    counters.requests++;
    try {
      const response = await options.fetch(url(request), { method: request.method, headers, body, signal: combined });
      const text = await response.text();
      return { response, text };
    } catch (error) {
      if (signal?.aborted) throw new AbortedError(undefined, { cause: signal.reason });
      const what = timeout.aborted ? `timed out after ${options.timeoutMs} ms` : `failed: ${(error as Error)?.message ?? String(error)}`;
      throw new TransientError(`SCIM ${request.method} ${request.path} (tenant ${options.tenantId}) ${what}`, { tenantId: options.tenantId, cause: error, code: "SCIM_NETWORK" });
    }
  };

  const request = async (request: ScimRequest, signal?: AbortSignal): Promise<ScimResponse> => {
    throwIfAborted(signal);
    const context: ScimErrorContext = { method: request.method, path: request.path, tenantId: options.tenantId, objectId: request.objectId, attributes: request.attributes };
    let freshToken = false;
    for (let attempt = 0; ; attempt++) {
      await semaphore.acquire(signal);
      let result: { response: Response; text: string };
      try {
        await pace(signal);
        result = await once(request, freshToken, signal);
      } catch (error) {
        semaphore.release();
        const retryable = isTenantSyncError(error) && error.code === "SCIM_NETWORK" && request.method !== "POST";
        if (!retryable || attempt >= options.maxRetries) throw error;
        counters.retries++;
        await options.clock.sleep(backoff(attempt), signal);
        continue;
      }
      semaphore.release();
      const { response, text } = result;
      const headers: Record<string, string> = {};
      response.headers.forEach((v, k) => {
        headers[k.toLowerCase()] = v;
      });
      let body: unknown = null;
      if (text.length > 0) {
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
      }
      if (response.ok) return { status: response.status, headers, body };
      if (response.status === 401 && !freshToken) {
        freshToken = true;
        continue;
      }
      const error = scimError(response.status, body, headers["retry-after"] ?? null, context, options.clock.now());
      if (response.status === 429) {
        counters.throttled++;
        const wait = (error as { retryAfterMs?: number }).retryAfterMs;
        if (wait !== undefined) pausedUntil = Math.max(pausedUntil, options.clock.now().getTime() + wait);
      }
      if (!RETRYABLE_STATUS.has(response.status) || attempt >= options.maxRetries) throw error;
      counters.retries++;
      const retryAfterMs = (error as { retryAfterMs?: number }).retryAfterMs;
      await options.clock.sleep(retryAfterMs ?? backoff(attempt), signal);
    }
  };

  return { request, stats: () => ({ ...counters }) };
}
