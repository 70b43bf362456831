import { systemClock, type Clock } from "@tenantsync/core";
import type { GraphAccessToken, GraphGetTokenOptions, GraphTokenCredential } from "../auth/token-provider.ts";

/**
 * The claims the emulator reads from a token.
 *
 * @example
 * ```ts
 * const claims: EmulatorTokenClaims = { tid: tenantId, exp: Math.floor(Date.now() / 1000) + 3600 };
 * ```
 */
export interface EmulatorTokenClaims {
  /** Tenant id (routes requests that carry no tenant prefix). */
  tid: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
  /** Application (client) id. */
  appid?: string | undefined;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8").toString("base64url");

/**
 * Makes an unsigned JWT-shaped token the Graph emulator accepts (it checks
 * `exp` against its clock and routes by `tid`). Never valid for real Graph.
 *
 * @example
 * ```ts
 * const token = createEmulatorToken({ tenantId, expiresOnTimestamp: Date.now() + 3_600_000 });
 * await fetch(`${emulator.url}/v1.0/users`, { headers: { authorization: `Bearer ${token}` } });
 * ```
 */
export function createEmulatorToken(options: { tenantId: string; expiresOnTimestamp: number; appId?: string }): string {
  const claims: EmulatorTokenClaims = { tid: options.tenantId, exp: Math.floor(options.expiresOnTimestamp / 1000), ...(options.appId ? { appid: options.appId } : {}) };
  return `${b64({ alg: "none", typ: "JWT" })}.${b64({ aud: "https://graph.microsoft.com", iss: `https://sts.windows.net/${options.tenantId}/`, ...claims })}.`;
}

/**
 * Reads the claims of a JWT-shaped token; null when it is not one.
 *
 * @example
 * ```ts
 * readEmulatorToken(createEmulatorToken({ tenantId, expiresOnTimestamp: Date.now() + 60_000 }))?.tid; // tenantId
 * ```
 */
export function readEmulatorToken(token: string): EmulatorTokenClaims | null {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts[1]) return null;
  try {
    const payload = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as Record<string, unknown>;
    if (typeof payload["tid"] !== "string" || typeof payload["exp"] !== "number") return null;
    return { tid: payload["tid"], exp: payload["exp"], appid: typeof payload["appid"] === "string" ? payload["appid"] : undefined };
  } catch {
    return null;
  }
}

/**
 * A TokenCredential that mints emulator tokens, and counts how often it was asked.
 *
 * @example
 * ```ts
 * const credential = createEmulatorCredential({ clock });
 * // … after some calls:
 * credential.calls.length; // how many tokens were minted
 * ```
 */
export interface EmulatorCredential extends GraphTokenCredential {
  /** The getToken calls so far (scopes and tenant). */
  readonly calls: ReadonlyArray<{ scopes: string | string[]; tenantId: string | undefined }>;
}

/**
 * A credential for tests against the emulator: each `getToken` mints a token
 * for `options.tenantId` (or the `tenantId` the adapter asks for) valid for
 * `lifetimeMs` of `clock`.
 *
 * @example
 * ```ts
 * const credential = createEmulatorCredential({ tenantId });
 * const directory = createGraphDirectory({ tenantId, credential, baseUrl: emulator.url, appId });
 * ```
 */
export function createEmulatorCredential(options: { tenantId?: string; clock?: Clock; lifetimeMs?: number; appId?: string } = {}): EmulatorCredential {
  const clock = options.clock ?? systemClock;
  const calls: Array<{ scopes: string | string[]; tenantId: string | undefined }> = [];
  return {
    calls,
    async getToken(scopes: string | string[], getOptions?: GraphGetTokenOptions): Promise<GraphAccessToken | null> {
      const tenantId = getOptions?.tenantId ?? options.tenantId;
      calls.push({ scopes, tenantId });
      if (!tenantId) throw new Error("createEmulatorCredential: no tenant id (pass options.tenantId or GetTokenOptions.tenantId)");
      const expiresOnTimestamp = clock.now().getTime() + (options.lifetimeMs ?? 3_600_000);
      return { token: createEmulatorToken({ tenantId, expiresOnTimestamp, ...(options.appId ? { appId: options.appId } : {}) }), expiresOnTimestamp };
    },
  };
}
