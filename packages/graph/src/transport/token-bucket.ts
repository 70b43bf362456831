import { throwIfAborted, type Clock } from "@tenantsync/core";

/**
 * A rate: at most `limit` units per `windowMs`.
 *
 * @example
 * ```ts
 * const writes: RateQuota = { limit: 3000, windowMs: 150_000 };
 * ```
 */
export interface RateQuota {
  limit: number;
  windowMs: number;
}

/**
 * A token bucket: `limit` units of capacity, refilled evenly over `windowMs`.
 * Callers wait (on the injected clock) until enough units are available;
 * waiters are served first come, first served.
 *
 * @example
 * ```ts
 * const bucket: TokenBucket = createTokenBucket({ limit: 10, windowMs: 1000 }, systemClock);
 * await bucket.take(3);
 * ```
 */
export interface TokenBucket {
  /** Waits until `units` are available and takes them. */
  take(units: number, signal?: AbortSignal): Promise<void>;
  /** Units available now (fractional). */
  available(): number;
  /** Takes units if available now; returns how many ms to wait otherwise (0 when taken). */
  tryTake(units: number): number;
}

/**
 * Creates a {@link TokenBucket}. The Graph adapter uses it to stay under
 * Graph's identity write quota (3,000 writes per 150 s per app and tenant);
 * the emulator uses it to enforce that quota.
 *
 * @example
 * ```ts
 * const writes = createTokenBucket({ limit: 3000, windowMs: 150_000 }, systemClock);
 * await writes.take(1);
 * ```
 */
export function createTokenBucket(quota: RateQuota, clock: Clock): TokenBucket {
  if (!(quota.limit > 0) || !(quota.windowMs > 0)) throw new RangeError(`createTokenBucket: limit and windowMs must be > 0 (got ${quota.limit}, ${quota.windowMs})`);
  const ratePerMs = quota.limit / quota.windowMs;
  let tokens = quota.limit;
  let last = clock.now().getTime();
  let queue: Promise<void> = Promise.resolve();

  const refill = () => {
    const now = clock.now().getTime();
    if (now > last) {
      tokens = Math.min(quota.limit, tokens + (now - last) * ratePerMs);
      last = now;
    }
  };
  const tryTake = (units: number) => {
    const want = Math.min(units, quota.limit);
    refill();
    if (tokens >= want) {
      tokens -= want;
      return 0;
    }
    return Math.max(1, Math.ceil((want - tokens) / ratePerMs));
  };

  return {
    available() {
      refill();
      return tokens;
    },
    tryTake,
    take(units, signal) {
      const turn = queue.then(async () => {
        for (;;) {
          throwIfAborted(signal);
          const wait = tryTake(units);
          if (wait === 0) return;
          await clock.sleep(wait, signal);
        }
      });
      // A waiter that aborts must not block the ones behind it.
      queue = turn.catch(() => undefined);
      return turn;
    },
  };
}
