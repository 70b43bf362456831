import { AbortedError } from "../errors/errors.ts";

/**
 * The source of time for everything that depends on it: 30-day windows,
 * backoff, schedules, log timestamps. Inject a {@link createManualClock} in
 * tests and simulations.
 *
 * @example
 * ```ts
 * const clock: Clock = systemClock;
 * await clock.sleep(1000);
 * ```
 */
export interface Clock {
  /** The current time. */
  now(): Date;
  /** Resolves after `ms` of this clock's time; rejects with `AbortedError` when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The wall clock.
 *
 * @example
 * ```ts
 * createSyncJob({ source, target, config, clock: systemClock });
 * ```
 */
export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(new AbortedError(undefined, { cause: signal.reason }));
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, Math.max(0, ms));
      const onAbort = () => {
        clearTimeout(timer);
        reject(new AbortedError(undefined, { cause: signal?.reason }));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};

/** A clock whose time moves only when told to. */
export interface ManualClock extends Clock {
  /** Moves time forward by `ms`. */
  advance(ms: number): void;
  /** Sets the time (never backwards). */
  set(time: Date | string | number): void;
}

/** Options of {@link createManualClock}. */
export interface ManualClockOptions {
  /** Start time; default `2026-01-01T00:00:00Z`. */
  start?: Date | string | number;
  /**
   * When true (the default), `sleep(ms)` advances the clock by `ms` and resolves
   * at once, so backoffs and Retry-After waits cost no real time in tests.
   */
  advanceOnSleep?: boolean;
}

/**
 * A clock for tests and simulations: time stands still until advanced.
 *
 * @example
 * ```ts
 * const clock = createManualClock({ start: "2026-01-01T00:00:00Z" });
 * clock.advance(31 * 24 * 3600 * 1000); // 31 days later: the soft-delete bin is purged
 * ```
 */
export function createManualClock(options: ManualClockOptions = {}): ManualClock {
  let t = new Date(options.start ?? "2026-01-01T00:00:00Z").getTime();
  if (!Number.isFinite(t)) throw new RangeError(`createManualClock: invalid start time ${String(options.start)}`);
  const advanceOnSleep = options.advanceOnSleep ?? true;
  return {
    now: () => new Date(t),
    advance(ms) {
      if (!(ms >= 0)) throw new RangeError(`ManualClock.advance: ms must be >= 0, got ${ms}`);
      t += ms;
    },
    set(time) {
      const next = new Date(time).getTime();
      if (!Number.isFinite(next)) throw new RangeError(`ManualClock.set: invalid time ${String(time)}`);
      if (next < t) throw new RangeError("ManualClock.set: time cannot go backwards");
      t = next;
    },
    async sleep(ms, signal) {
      if (signal?.aborted) throw new AbortedError(undefined, { cause: signal.reason });
      if (advanceOnSleep) t += Math.max(0, ms);
      else await systemClock.sleep(ms, signal);
    },
  };
}
