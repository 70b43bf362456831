import { AbortedError, AdapterError, TransientError, createSemaphore, type Clock } from "@tenantsync/core";
import type { TokenProvider } from "../auth/token-provider.ts";
import { mapGraphError, parseRetryAfter } from "./graph-error.ts";
import { createTokenBucket, type RateQuota, type TokenBucket } from "./token-bucket.ts";

/**
 * HTTP methods the adapter uses.
 *
 * @example
 * ```ts
 * const method: GraphMethod = "PATCH";
 * ```
 */
export type GraphMethod = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

/**
 * One Graph call. `path` is relative to `/v1.0` (`/users/…?$select=…`) or a full link Graph returned.
 *
 * @example
 * ```ts
 * const request: GraphRequest = { method: "PATCH", path: "/users/u1", body: { jobTitle: "CTO" }, objectType: "user", objectId: "u1" };
 * ```
 */
export interface GraphRequest {
  method: GraphMethod;
  path: string;
  body?: unknown;
  headers?: Record<string, string> | undefined;
  /** For error messages and NotFoundError: what the call addresses. */
  objectType?: string | undefined;
  objectId?: string | undefined;
}

/**
 * A successful Graph answer. Header names are lower case.
 *
 * @example
 * ```ts
 * const { status, body }: GraphResponse = await transport.request({ method: "GET", path: "/organization" });
 * ```
 */
export interface GraphResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  body: T;
}

/**
 * The outcome of one request inside a `$batch`: a response, or the typed error it maps to.
 *
 * @example
 * ```ts
 * const [[patch]] = await transport.batch([[request]]);
 * if (patch && !patch.ok) throw patch.error;
 * ```
 */
export type GraphBatchResult = { ok: true; response: GraphResponse } | { ok: false; status: number; error: AdapterError; response: GraphResponse };

/**
 * The share of a quota's refill rate the client-side buckets use (the full
 * burst is kept): headroom for requests that arrive bunched.
 */
const CLIENT_PACE = 0.95;

/**
 * Client-side quotas; `false` switches one off. Each bucket allows the
 * quota's full burst, then refills at 95 % of its rate, so that requests
 * bunched on the way to Graph do not reach the server's limit.
 *
 * @example
 * ```ts
 * const quota: GraphQuotaOptions = { writes: { limit: 1500, windowMs: 150_000 }, invitations: false };
 * ```
 */
export interface GraphQuotaOptions {
  /** Writes (POST/PATCH/PUT/DELETE, also inside `$batch`). Default Graph's identity write quota: 3,000 per 150 s per app and tenant. */
  writes?: RateQuota | false | undefined;
  /** `POST /invitations`. Default Graph's invitation-manager limit: 150 per 5 s per tenant. */
  invitations?: RateQuota | false | undefined;
  /** Every request (batch items counted one by one). Off by default. */
  requests?: RateQuota | false | undefined;
}

/**
 * Graph's published identity write quota per app and tenant (throttling.md).
 *
 * @example
 * ```ts
 * createGraphDirectory({ tenantId, credential, quota: { writes: { ...GRAPH_WRITE_QUOTA, limit: GRAPH_WRITE_QUOTA.limit / 2 } } });
 * ```
 */
export const GRAPH_WRITE_QUOTA: RateQuota = Object.freeze({ limit: 3000, windowMs: 150_000 });
/**
 * Graph's published invitation-manager limit per tenant (throttling.md).
 *
 * @example
 * ```ts
 * createGraphDirectory({ tenantId, credential, quota: { invitations: GRAPH_INVITATION_QUOTA } });
 * ```
 */
export const GRAPH_INVITATION_QUOTA: RateQuota = Object.freeze({ limit: 150, windowMs: 5_000 });

/**
 * Options of {@link createGraphTransport}.
 *
 * @example
 * ```ts
 * const options: GraphTransportOptions = { tenantId, baseUrl: "https://graph.microsoft.com", tokens, fetch, clock: systemClock, concurrency: 4, maxRetries: 8 };
 * ```
 */
export interface GraphTransportOptions {
  tenantId: string;
  /** Graph root without version, e.g. `https://graph.microsoft.com`. */
  baseUrl: string;
  tokens: TokenProvider;
  fetch: typeof globalThis.fetch;
  clock: Clock;
  /** Requests in flight at once (a `$batch` counts as one). */
  concurrency: number;
  /** Retries of 429/503/504 and network failures before the typed error is thrown. */
  maxRetries: number;
  quota?: GraphQuotaOptions | undefined;
  /** Per-request timeout in real milliseconds; default 100 s. */
  requestTimeoutMs?: number | undefined;
  /** Source of jitter in [0, 1); default Math.random. */
  random?: (() => number) | undefined;
}

/**
 * The HTTP layer of the Graph adapter: auth, retries, quotas, paging and `$batch`.
 *
 * @example
 * ```ts
 * for await (const page of transport.pages({ method: "GET", path: "/users?$select=id" })) console.log(page["value"]);
 * ```
 */
export interface GraphTransport {
  readonly tenantId: string;
  /** `{baseUrl}/v1.0`. */
  readonly apiBase: string;
  request<T = unknown>(request: GraphRequest, signal?: AbortSignal): Promise<GraphResponse<T>>;
  /** Follows `@odata.nextLink` from `request`, re-sending its headers on every page; yields each page's body. */
  pages(request: GraphRequest, signal?: AbortSignal): AsyncIterable<Record<string, unknown>>;
  /**
   * Sends chains of requests through `$batch` (≤ 20 requests per batch).
   * Requests of one chain run in order (`dependsOn`); chains are independent.
   * Throttled (429) and unavailable (503/504) items are retried in new batches
   * after the longest Retry-After. Results come back per request, in order.
   */
  batch(chains: readonly (readonly GraphRequest[])[], signal?: AbortSignal): Promise<GraphBatchResult[][]>;
  /** A link Graph returned, made relative to `/v1.0`; throws when it points elsewhere. */
  relativeLink(link: string): string;
}

const RETRYABLE_STATUS = new Set([429, 503, 504]);
const BATCH_PATH = "/$batch";
const MAX_BATCH = 20;

function headersToRecord(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, key) => {
    out[key.toLowerCase()] = value;
  });
  return out;
}

function lowerKeys(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof headers === "object" && headers !== null) {
    for (const [k, v] of Object.entries(headers)) if (typeof v === "string") out[k.toLowerCase()] = v;
  }
  return out;
}


function isWrite(method: GraphMethod): boolean {
  return method !== "GET";
}

function isInvitation(request: GraphRequest): boolean {
  return request.method === "POST" && /^\/?invitations(\?|$)/.test(request.path);
}

/**
 * Creates the HTTP layer of the Graph adapter over `fetch`.
 *
 * @example
 * ```ts
 * const transport = createGraphTransport({ tenantId, baseUrl: "https://graph.microsoft.com", tokens, fetch, clock: systemClock, concurrency: 4, maxRetries: 8 });
 * const { body } = await transport.request({ method: "GET", path: "/organization" });
 * ```
 */
export function createGraphTransport(options: GraphTransportOptions): GraphTransport {
  const { tenantId, tokens, clock } = options;
  const fetchImpl = options.fetch;
  const apiBase = `${options.baseUrl.replace(/\/+$/, "")}/v1.0`;
  const semaphore = createSemaphore(Math.max(1, options.concurrency));
  const random = options.random ?? Math.random;
  const timeoutMs = options.requestTimeoutMs ?? 100_000;
  const quotaOption = (value: RateQuota | false | undefined, fallback: RateQuota | null): TokenBucket | null => {
    const quota = value === false ? null : (value ?? fallback);
    // The full burst, then refills at CLIENT_PACE of the quota's rate: requests sent evenly at
    // exactly the server's rate arrive bunched by network and server jitter, and the server's
    // bucket, empty in the steady state, would answer the bunch with 429s.
    return quota ? createTokenBucket({ limit: quota.limit, windowMs: quota.windowMs / CLIENT_PACE }, clock) : null;
  };
  const writeBucket = quotaOption(options.quota?.writes, GRAPH_WRITE_QUOTA);
  const invitationBucket = quotaOption(options.quota?.invitations, GRAPH_INVITATION_QUOTA);
  const requestBucket = quotaOption(options.quota?.requests, null);
  // After a 429 with Retry-After, every request of this tenant waits until then.
  let pausedUntil = 0;

  const relativeLink = (link: string): string => {
    if (link.startsWith("/")) return link;
    if (link.startsWith(`${apiBase}/`)) return link.slice(apiBase.length);
    throw new AdapterError("GRAPH_BAD_LINK", `Graph returned a link outside ${apiBase} for tenant ${tenantId}: ${link.slice(0, 200)}. The adapter follows links only on its own base URL.`, { tenantId });
  };
  const absolute = (path: string): string => (path.startsWith("http://") || path.startsWith("https://") ? `${apiBase}${relativeLink(path)}` : `${apiBase}${path.startsWith("/") ? "" : "/"}${path}`);

  const backoffMs = (attempt: number) => {
    const cap = Math.min(30_000, 500 * 2 ** attempt);
    return Math.round(cap / 2 + (random() * cap) / 2);
  };

  const waitForQuota = async (requests: readonly GraphRequest[], signal?: AbortSignal) => {
    const writes = requests.filter((r) => isWrite(r.method)).length;
    const invitations = requests.filter(isInvitation).length;
    if (requestBucket) await requestBucket.take(requests.length, signal);
    if (writeBucket && writes > 0) await writeBucket.take(writes, signal);
    if (invitationBucket && invitations > 0) await invitationBucket.take(invitations, signal);
  };

  const waitForPause = async (signal?: AbortSignal) => {
    const wait = pausedUntil - clock.now().getTime();
    if (wait > 0) await clock.sleep(wait, signal);
  };

  /** One HTTP exchange, no retries. Throws AbortedError, or TransientError on network failure. */
  const send = async (request: GraphRequest, signal?: AbortSignal): Promise<{ response: GraphResponse; token: string }> => {
    const token = await tokens.getToken(signal);
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: "application/json", ...request.headers };
    let body: string | undefined;
    if (request.body !== undefined) {
      headers["content-type"] ??= "application/json";
      body = JSON.stringify(request.body);
    }
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    await semaphore.acquire(signal);
    let res: Response;
    let text: string;
    try {
      res = await fetchImpl(absolute(request.path), { method: request.method, headers, ...(body !== undefined ? { body } : {}), signal: combined });
      text = await res.text();
    } catch (cause) {
      if (signal?.aborted) throw new AbortedError(undefined, { cause: signal.reason });
      const timedOut = timeout.aborted;
      throw new TransientError(
        `Graph ${request.method} ${request.path.split("?")[0]} in tenant ${tenantId} ${timedOut ? `timed out after ${timeoutMs} ms` : `failed before an answer: ${cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause)}`}.`,
        { tenantId, cause, code: timedOut ? "TIMEOUT" : "NETWORK" },
      );
    } finally {
      semaphore.release();
    }
    const responseHeaders = headersToRecord(res.headers);
    let parsed: unknown = text;
    if (text.length > 0 && (responseHeaders["content-type"] ?? "").includes("json")) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    } else if (text.length === 0) parsed = undefined;
    return { response: { status: res.status, headers: responseHeaders, body: parsed }, token };
  };

  const errorOf = (request: GraphRequest, response: GraphResponse): AdapterError =>
    mapGraphError(response.status, response.body, {
      tenantId,
      method: request.method,
      path: request.path.startsWith("http") ? relativeLink(request.path) : request.path,
      objectType: request.objectType,
      objectId: request.objectId,
      retryAfterMs: parseRetryAfter(response.headers["retry-after"], clock.now().getTime()),
    });

  const noteRetryAfter = (retryAfterMs: number | undefined) => {
    if (retryAfterMs !== undefined) pausedUntil = Math.max(pausedUntil, clock.now().getTime() + retryAfterMs);
  };

  const request = async <T>(req: GraphRequest, signal?: AbortSignal): Promise<GraphResponse<T>> => {
    let refreshedAuth = false;
    for (let attempt = 0; ; attempt++) {
      await waitForPause(signal);
      // A $batch's items took their quota before it was sent.
      if (req.path !== BATCH_PATH) await waitForQuota([req], signal);
      let outcome: { response: GraphResponse; token: string };
      try {
        outcome = await send(req, signal);
      } catch (error) {
        if (error instanceof TransientError && attempt < options.maxRetries) {
          await clock.sleep(backoffMs(attempt), signal);
          continue;
        }
        throw error;
      }
      const { response, token } = outcome;
      if (response.status < 400) return response as GraphResponse<T>;
      if (response.status === 401 && !refreshedAuth) {
        // The token may have been revoked or expired early: get a new one once.
        refreshedAuth = true;
        tokens.invalidate(token);
        attempt--;
        continue;
      }
      const retryAfterMs = parseRetryAfter(response.headers["retry-after"], clock.now().getTime());
      if (RETRYABLE_STATUS.has(response.status) && attempt < options.maxRetries) {
        noteRetryAfter(retryAfterMs);
        await clock.sleep(retryAfterMs ?? backoffMs(attempt), signal);
        continue;
      }
      throw errorOf(req, response);
    }
  };

  async function* pages(req: GraphRequest, signal?: AbortSignal): AsyncIterable<Record<string, unknown>> {
    let next: string | undefined = req.path;
    while (next !== undefined) {
      const { body } = await request<Record<string, unknown>>({ ...req, path: next }, signal);
      const page: Record<string, unknown> = typeof body === "object" && body !== null ? body : {};
      yield page;
      const link = page["@odata.nextLink"];
      next = typeof link === "string" ? relativeLink(link) : undefined;
    }
  }

  const batch = async (chains: readonly (readonly GraphRequest[])[], signal?: AbortSignal): Promise<GraphBatchResult[][]> => {
    for (const chain of chains) {
      if (chain.length > MAX_BATCH) throw new RangeError(`GraphTransport.batch: a chain has ${chain.length} requests; at most ${MAX_BATCH} fit in one $batch`);
    }
    const results: (GraphBatchResult | undefined)[][] = chains.map((c) => c.map(() => undefined));
    // Each pending entry: chain index and the index of its first request not yet done.
    let pending = chains.map((_, i) => ({ chain: i, from: 0 })).filter((p) => (chains[p.chain]?.length ?? 0) > 0);
    for (let round = 0; pending.length > 0; round++) {
      const retry: typeof pending = [];
      let longestWait: number | undefined;
      // Pack whole chain suffixes into batches of at most 20 requests.
      const groups: Array<typeof pending> = [];
      let current: typeof pending = [];
      let size = 0;
      for (const p of pending) {
        const n = (chains[p.chain]?.length ?? 0) - p.from;
        if (size + n > MAX_BATCH) {
          groups.push(current);
          current = [];
          size = 0;
        }
        current.push(p);
        size += n;
      }
      if (current.length > 0) groups.push(current);

      await Promise.all(
        groups.map(async (group) => {
          const items: Array<{ id: string; chain: number; index: number; request: GraphRequest }> = [];
          for (const p of group) {
            const chain = chains[p.chain] ?? [];
            for (let i = p.from; i < chain.length; i++) items.push({ id: `${p.chain}.${i}`, chain: p.chain, index: i, request: chain[i] as GraphRequest });
          }
          const body = {
            requests: items.map((item, k) => {
              const r = item.request;
              const previous = k > 0 && items[k - 1]?.chain === item.chain ? items[k - 1]?.id : undefined;
              const headers: Record<string, string> = { ...r.headers };
              if (r.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) headers["Content-Type"] = "application/json";
              return {
                id: item.id,
                method: r.method,
                url: r.path.startsWith("http") ? relativeLink(r.path) : r.path.startsWith("/") ? r.path : `/${r.path}`,
                ...(Object.keys(headers).length > 0 ? { headers } : {}),
                ...(r.body !== undefined ? { body: r.body } : {}),
                ...(previous ? { dependsOn: [previous] } : {}),
              };
            }),
          };
          await waitForQuota(
            items.map((i) => i.request),
            signal,
          );
          const { body: answer } = await request<{ responses?: unknown[] }>({ method: "POST", path: BATCH_PATH, body }, signal);
          const byId = new Map<string, GraphResponse>();
          for (const raw of Array.isArray(answer?.responses) ? answer.responses : []) {
            if (typeof raw !== "object" || raw === null) continue;
            const r = raw as Record<string, unknown>;
            byId.set(String(r["id"]), { status: Number(r["status"]), headers: lowerKeys(r["headers"]), body: r["body"] });
          }
          for (const p of group) {
            const chain = chains[p.chain] ?? [];
            for (let i = p.from; i < chain.length; i++) {
              const req = chain[i] as GraphRequest;
              const response = byId.get(`${p.chain}.${i}`) ?? { status: 424, headers: {}, body: undefined };
              if (response.status < 400) {
                (results[p.chain] as GraphBatchResult[])[i] = { ok: true, response };
                continue;
              }
              const retryAfterMs = parseRetryAfter(response.headers["retry-after"], clock.now().getTime());
              if (RETRYABLE_STATUS.has(response.status) && round < options.maxRetries) {
                // Retry this request and the rest of its chain in a later batch.
                retry.push({ chain: p.chain, from: i });
                if (retryAfterMs !== undefined) longestWait = Math.max(longestWait ?? 0, retryAfterMs);
                noteRetryAfter(retryAfterMs);
                break;
              }
              (results[p.chain] as GraphBatchResult[])[i] = { ok: false, status: response.status, error: errorOf(req, response), response };
              // Everything after a failed request in the chain failed with 424.
              for (let j = i + 1; j < chain.length; j++) {
                const later = chain[j] as GraphRequest;
                const dependent = byId.get(`${p.chain}.${j}`) ?? { status: 424, headers: {}, body: undefined };
                (results[p.chain] as GraphBatchResult[])[j] = {
                  ok: false,
                  status: 424,
                  error: new AdapterError("GRAPH_DEPENDENCY_FAILED", `Graph ${later.method} ${later.path.split("?")[0]} in tenant ${tenantId} was not run because an earlier request of its chain failed (${response.status}).`, { tenantId, status: 424 }),
                  response: dependent,
                };
              }
              break;
            }
          }
        }),
      );
      pending = retry;
      if (pending.length > 0) await clock.sleep(longestWait ?? backoffMs(round), signal);
    }
    return results as GraphBatchResult[][];
  };

  return { tenantId, apiBase, request, pages, batch, relativeLink };
}
