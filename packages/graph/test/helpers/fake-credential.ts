import type { Clock } from "@tenantsync/core";
import type { GraphAccessToken, GraphGetTokenOptions, GraphTokenCredential } from "../../src/index.ts";

/** A TokenCredential for tests: counts calls, issues numbered tokens valid for `lifetimeMs` of `clock`. */
export interface FakeCredential extends GraphTokenCredential {
  calls: Array<{ scopes: string | string[]; options: GraphGetTokenOptions | undefined }>;
  /** Makes the next calls fail with this error (null: stop failing). */
  failWith(error: Error | null): void;
}

export function createFakeCredential(clock: Clock, options: { lifetimeMs?: number; refreshAfterMs?: number; prefix?: string } = {}): FakeCredential {
  const calls: FakeCredential["calls"] = [];
  let failure: Error | null = null;
  return {
    calls,
    failWith(error) {
      failure = error;
    },
    async getToken(scopes, opts): Promise<GraphAccessToken | null> {
      calls.push({ scopes, options: opts });
      if (failure) throw failure;
      const now = clock.now().getTime();
      return {
        token: `${options.prefix ?? "token"}-${calls.length}`,
        expiresOnTimestamp: now + (options.lifetimeMs ?? 3_600_000),
        ...(options.refreshAfterMs !== undefined ? { refreshAfterTimestamp: now + options.refreshAfterMs } : {}),
      };
    },
  };
}
