import { AbortedError, AuthError, type Clock } from "@tenantsync/core";

/**
 * An access token as `@azure/core-auth` describes it: the bearer string and
 * when it expires (milliseconds since the epoch), optionally when to refresh it.
 *
 * @example
 * ```ts
 * const token: GraphAccessToken = { token: "eyJ0…", expiresOnTimestamp: Date.now() + 3_600_000 };
 * ```
 */
export interface GraphAccessToken {
  token: string;
  expiresOnTimestamp: number;
  refreshAfterTimestamp?: number | undefined;
  tokenType?: string | undefined;
}

/**
 * The options tenantsync passes to {@link GraphTokenCredential.getToken}.
 *
 * @example
 * ```ts
 * await credential.getToken("https://graph.microsoft.com/.default", { tenantId });
 * ```
 */
export interface GraphGetTokenOptions {
  /** The tenant the token is for (multi-tenant credentials use it). */
  tenantId?: string | undefined;
  abortSignal?: AbortSignal | undefined;
}

/**
 * Anything shaped like `@azure/core-auth`'s `TokenCredential`: every
 * `@azure/identity` credential (`ClientSecretCredential`,
 * `ClientCertificateCredential`, `ManagedIdentityCredential`, …) fits, and so
 * does a small object of your own. tenantsync has no runtime dependency on
 * `@azure/*`.
 *
 * @example
 * ```ts
 * import { ClientSecretCredential } from "@azure/identity"; // ≤ 4.13.1 on Node 20
 * const credential: GraphTokenCredential = new ClientSecretCredential(tenantId, clientId, clientSecret);
 * ```
 */
export interface GraphTokenCredential {
  getToken(scopes: string | string[], options?: GraphGetTokenOptions): Promise<GraphAccessToken | null>;
}

/**
 * Gets bearer tokens for one tenant and scope, cached until they need refreshing.
 *
 * @example
 * ```ts
 * const bearer = await tokens.getToken(signal);
 * tokens.invalidate(bearer); // after a 401
 * ```
 */
export interface TokenProvider {
  /** A valid bearer token, from the cache when it is fresh enough. */
  getToken(signal?: AbortSignal): Promise<string>;
  /** Forgets `token` (after Graph answered 401 with it), so the next call asks the credential again. */
  invalidate(token: string): void;
}

/**
 * Options of {@link createTokenProvider}.
 *
 * @example
 * ```ts
 * const options: TokenProviderOptions = { credential, tenantId, scope: "https://graph.microsoft.com/.default", clock: systemClock };
 * ```
 */
export interface TokenProviderOptions {
  credential: GraphTokenCredential;
  tenantId: string;
  scope: string;
  clock: Clock;
  /** Refresh this long before expiry when the credential gives no refreshAfterTimestamp; default 5 minutes. */
  refreshMarginMs?: number | undefined;
}

interface CacheEntry {
  token: GraphAccessToken | null;
  inflight: Promise<GraphAccessToken> | null;
}

/** Never use a token closer than this to its expiry, even when refreshing fails. */
const HARD_EXPIRY_MARGIN_MS = 30_000;

// Tokens are cached per credential object, tenant and scope, so several
// directories built on one credential (one app, many tenants) share them.
const caches = new WeakMap<object, Map<string, CacheEntry>>();

function entryFor(credential: GraphTokenCredential, key: string): CacheEntry {
  let perCredential = caches.get(credential);
  if (!perCredential) {
    perCredential = new Map();
    caches.set(credential, perCredential);
  }
  let entry = perCredential.get(key);
  if (!entry) {
    entry = { token: null, inflight: null };
    perCredential.set(key, entry);
  }
  return entry;
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new AbortedError(undefined, { cause: signal.reason }));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortedError(undefined, { cause: signal.reason }));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

/**
 * Wraps a {@link GraphTokenCredential} with a per-tenant cache: a token is
 * reused until its `refreshAfterTimestamp` (or 5 minutes before expiry),
 * concurrent callers share one refresh, and a failed refresh falls back to
 * the cached token while it is still valid.
 *
 * @example
 * ```ts
 * const tokens = createTokenProvider({ credential, tenantId, scope: "https://graph.microsoft.com/.default", clock: systemClock });
 * const bearer = await tokens.getToken();
 * ```
 */
export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  const { credential, tenantId, scope, clock } = options;
  const margin = options.refreshMarginMs ?? 5 * 60_000;
  const entry = entryFor(credential, `${tenantId.toLowerCase()}|${scope}`);

  const refreshAt = (t: GraphAccessToken) =>
    Math.min(t.refreshAfterTimestamp ?? t.expiresOnTimestamp - margin, t.expiresOnTimestamp - HARD_EXPIRY_MARGIN_MS);
  const usable = (t: GraphAccessToken, now: number) => now < t.expiresOnTimestamp - HARD_EXPIRY_MARGIN_MS;

  const refresh = (): Promise<GraphAccessToken> => {
    if (!entry.inflight) {
      entry.inflight = (async () => {
        let token: GraphAccessToken | null;
        try {
          token = await credential.getToken(scope, { tenantId });
        } catch (cause) {
          throw new AuthError(
            `Could not get a Graph token for tenant ${tenantId} (scope ${scope}): ${cause instanceof Error ? cause.message : String(cause)}. Check the credential's client id, secret or certificate, and that the app is consented in this tenant.`,
            { tenantId, cause, code: "AUTH_TOKEN_FAILED" },
          );
        }
        if (!token || typeof token.token !== "string" || token.token.length === 0) {
          throw new AuthError(`The credential returned no token for tenant ${tenantId} (scope ${scope}).`, { tenantId, code: "AUTH_TOKEN_FAILED" });
        }
        entry.token = token;
        return token;
      })().finally(() => {
        entry.inflight = null;
      });
    }
    return entry.inflight;
  };

  return {
    async getToken(signal) {
      if (signal?.aborted) throw new AbortedError(undefined, { cause: signal.reason });
      const now = clock.now().getTime();
      const cached = entry.token;
      if (cached && now < refreshAt(cached)) return cached.token;
      try {
        return (await raceAbort(refresh(), signal)).token;
      } catch (error) {
        if (error instanceof AbortedError) throw error;
        // The refresh failed, but the old token may still be good for a while.
        if (cached && usable(cached, clock.now().getTime())) return cached.token;
        throw error;
      }
    },
    invalidate(token) {
      if (entry.token?.token === token) entry.token = null;
    },
  };
}
