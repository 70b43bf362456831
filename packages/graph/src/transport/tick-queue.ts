import { AbortedError } from "@tenantsync/core";
import { setImmediate } from "node:timers";
import { watchAbort } from "./abort-watch.ts";

/** One call waiting in a {@link TickQueue}: what it asked for and how to answer it. */
export interface TickEntry<T, R> {
  readonly item: T;
  readonly signal: AbortSignal | undefined;
  resolve(value: R): void;
  reject(error: unknown): void;
}

/** Collects the calls made in the same tick and hands them to one flush. */
export interface TickQueue<T, R> {
  /** Queues `item`; settles when the flush answers it, or with `AbortedError` when `signal` aborts first. */
  enqueue(item: T, signal?: AbortSignal): Promise<R>;
}

/**
 * Creates a {@link TickQueue}: the items enqueued in one tick of the event
 * loop are flushed together on the next (`setImmediate`), so concurrent callers
 * share one round trip. Callers whose signal aborted before the flush are left
 * out of it; one aborting after only stops its own wait (the flush answers the
 * others).
 *
 * @example
 * ```ts
 * const reads = createTickQueue<string, number>((entries) => entries.forEach((e) => e.resolve(e.item.length)));
 * const [a, b] = await Promise.all([reads.enqueue("one"), reads.enqueue("three")]); // one flush: 3, 5
 * ```
 */
export function createTickQueue<T, R>(flush: (entries: TickEntry<T, R>[]) => void): TickQueue<T, R> {
  let queue: TickEntry<T, R>[] = [];
  const run = () => {
    const entries = queue.filter((e) => !e.signal?.aborted);
    queue = [];
    if (entries.length > 0) flush(entries);
  };
  return {
    enqueue(item, signal) {
      if (signal?.aborted) return Promise.reject(new AbortedError(undefined, { cause: signal.reason }));
      return new Promise<R>((resolve, reject) => {
        const stop = watchAbort(signal, () => reject(new AbortedError(undefined, { cause: signal?.reason })));
        queue.push({
          item,
          signal,
          resolve: (value) => {
            stop();
            resolve(value);
          },
          reject: (error) => {
            stop();
            reject(error);
          },
        });
        if (queue.length === 1) setImmediate(run);
      });
    },
  };
}
