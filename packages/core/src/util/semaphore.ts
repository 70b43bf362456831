import { AbortedError } from "../errors/errors.ts";

/** Holds back work beyond a number of slots; see {@link createSemaphore}. */
export interface Semaphore {
  /**
   * Takes a slot, waiting (first come, first served) while all are taken.
   * Rejects with `AbortedError`, without taking a slot, when `signal` aborts first.
   */
  acquire(signal?: AbortSignal): Promise<void>;
  /** Gives a slot back (to the longest waiter, if any). Call once per successful `acquire`. */
  release(): void;
  /** Slots taken now. */
  readonly active: number;
  /** Callers waiting for a slot now. */
  readonly waiting: number;
}

/**
 * Creates a {@link Semaphore} with `limit` slots: what an adapter's transport
 * uses to keep at most so many requests in flight. Waiters are served in
 * order; one whose signal aborts leaves the queue at once.
 *
 * @example
 * ```ts
 * import { createSemaphore } from "@tenantsync/core/port";
 *
 * const inFlight = createSemaphore(4);
 * await inFlight.acquire(signal);
 * try {
 *   return await fetch(url, { signal });
 * } finally {
 *   inFlight.release();
 * }
 * ```
 */
export function createSemaphore(limit: number): Semaphore {
  if (!(Number.isInteger(limit) && limit >= 1)) throw new RangeError(`createSemaphore: limit must be an integer >= 1, got ${limit}`);
  let active = 0;
  // A FIFO of grants; an aborted waiter's slot is emptied (undefined) and skipped.
  let queue: Array<(() => void) | undefined> = [];
  let head = 0;
  let waiting = 0;
  return {
    get active() {
      return active;
    },
    get waiting() {
      return waiting;
    },
    acquire(signal) {
      if (signal?.aborted) return Promise.reject(new AbortedError(undefined, { cause: signal.reason }));
      if (active < limit) {
        active++;
        return Promise.resolve();
      }
      return new Promise<void>((resolve, reject) => {
        const slots = queue;
        const index = slots.length;
        const onAbort = () => {
          slots[index] = undefined;
          waiting--;
          reject(new AbortedError(undefined, { cause: signal?.reason }));
        };
        slots.push(() => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        });
        waiting++;
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    },
    release() {
      if (active === 0) throw new RangeError("createSemaphore: release() without a matching acquire()");
      while (head < queue.length) {
        const grant = queue[head];
        queue[head++] = undefined;
        if (grant) {
          waiting--;
          grant(); // the slot passes to the waiter: active stays the same
          if (head === queue.length) {
            queue = [];
            head = 0;
          }
          return;
        }
      }
      queue = [];
      head = 0;
      active--;
    },
  };
}
