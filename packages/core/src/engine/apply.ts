import { AbortedError, AuthError, NotFoundError, PolicyError, isTenantSyncError } from "../errors/errors.ts";
import type { Clock } from "../ports/clock.ts";
import type { DirectoryPort } from "../ports/directory-port.ts";
import type { ErrorInfo } from "./plan-types.ts";

/** Options of {@link withRetries}. */
export interface RetryOptions {
  clock: Clock;
  /** Attempts in all, the first included. */
  maxAttempts: number;
  signal?: AbortSignal | undefined;
  /** Base of the exponential backoff when the error gives no Retry-After (ms). */
  baseDelayMs?: number;
  random?: () => number;
}

/**
 * Runs `fn`, retrying transient failures (ENGINE.md: throttling, timeouts,
 * 5xx are retried within the cycle first): waits the error's `retryAfterMs`
 * when it has one, else exponential backoff with jitter. Permanent errors are
 * thrown at once.
 *
 * @example
 * ```ts
 * const user = await withRetries(() => target.createExternalUser(input, { sourceTenantId }), { clock, maxAttempts: 3 });
 * ```
 */
export async function withRetries<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  const base = options.baseDelayMs ?? 200;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw new AbortedError(undefined, { cause: options.signal.reason });
    try {
      return await fn();
    } catch (error) {
      if (!isTenantSyncError(error) || !error.retryable || attempt >= options.maxAttempts) throw error;
      const hinted = (error as { retryAfterMs?: unknown }).retryAfterMs;
      const wait = typeof hinted === "number" && hinted >= 0 ? hinted : base * 2 ** (attempt - 1) * (0.5 + random());
      await options.clock.sleep(wait, options.signal);
    }
  }
}

/** Plain-data form of any thrown value. */
export function errorInfo(error: unknown): ErrorInfo {
  if (isTenantSyncError(error)) return { code: error.code, message: error.message, retryable: error.retryable };
  if (error instanceof Error) return { code: "UNEXPECTED", message: error.message, retryable: false };
  return { code: "UNEXPECTED", message: String(error), retryable: false };
}

/** True for errors that stop the whole cycle's writes (R3 mid-cycle, credentials rejected). */
export function stopsCycle(error: unknown): "TrustSettingsMissing" | "CredentialsRejected" | "Aborted" | null {
  if (error instanceof PolicyError) return "TrustSettingsMissing";
  if (error instanceof AuthError) return "CredentialsRejected";
  if (error instanceof AbortedError) return "Aborted";
  return null;
}

/** Soft-deletes, treating an account that is already gone as done. Returns false when it was gone. */
export async function softDeleteIfPresent(target: DirectoryPort, targetId: string, sourceTenantId: string, retry: RetryOptions): Promise<boolean> {
  try {
    await withRetries(() => target.softDeleteUser(targetId, { sourceTenantId, signal: retry.signal }), retry);
    return true;
  } catch (error) {
    if (error instanceof NotFoundError) return false;
    throw error;
  }
}

/**
 * Iterates a paged read, retrying transient failures within the cycle: on a
 * retryable error the read starts again through `restart(resumeFrom)`, where
 * `resumeFrom` is whatever the consumer recorded as its position (a change
 * cursor, or nothing for a listing that the consumer de-duplicates). Gives up
 * after `maxAttempts` failures in a row.
 *
 * @example
 * ```ts
 * for await (const page of pagesWithRetries((c) => source.readChanges(c ?? watermark), () => lastCursor, retry)) …
 * ```
 */
export async function* pagesWithRetries<T, P>(restart: (resumeFrom: P | undefined) => AsyncIterable<T>, position: () => P | undefined, options: RetryOptions): AsyncGenerator<T> {
  let failures = 0;
  const base = options.baseDelayMs ?? 200;
  const random = options.random ?? Math.random;
  for (;;) {
    try {
      for await (const page of restart(position())) {
        failures = 0;
        yield page;
      }
      return;
    } catch (error) {
      failures++;
      if (!isTenantSyncError(error) || !error.retryable || failures >= options.maxAttempts) throw error;
      const hinted = (error as { retryAfterMs?: unknown }).retryAfterMs;
      await options.clock.sleep(typeof hinted === "number" && hinted >= 0 ? hinted : base * 2 ** (failures - 1) * (0.5 + random()), options.signal);
    }
  }
}
