import { AbortedError } from "@tenantsync/core";
import { setImmediate } from "node:timers";
import { watchAbort } from "./abort-watch.ts";
import type { GraphBatchResult, GraphRequest, GraphTransport } from "./graph-transport.ts";

/** Collects request chains submitted in the same tick and sends them together through `$batch`. */
export interface BatchCoalescer {
  /** Sends `chain` (run in order) with whatever else is submitted in this tick; resolves with its results. */
  submit(chain: readonly GraphRequest[], signal?: AbortSignal): Promise<GraphBatchResult[]>;
}

/**
 * Creates a {@link BatchCoalescer} over a transport. Several users' writes
 * made at once by the engine's concurrent workers then cost one round trip
 * per 20 requests instead of one each.
 *
 * @example
 * ```ts
 * const coalescer = createBatchCoalescer(transport);
 * const [patch, read] = await coalescer.submit([{ method: "PATCH", path: "/users/u1", body }, { method: "GET", path: "/users/u1" }]);
 * ```
 */
export function createBatchCoalescer(transport: GraphTransport): BatchCoalescer {
  let queue: Array<{ chain: readonly GraphRequest[]; resolve: (r: GraphBatchResult[]) => void; reject: (e: unknown) => void; signal: AbortSignal | undefined }> = [];
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    const entries = queue.filter((e) => !e.signal?.aborted);
    queue = [];
    if (entries.length === 0) return;
    // The batch runs for all callers; one caller aborting only stops its own wait.
    transport.batch(entries.map((e) => e.chain)).then(
      (results) => entries.forEach((e, i) => e.resolve(results[i] ?? [])),
      (error: unknown) => entries.forEach((e) => e.reject(error)),
    );
  };

  return {
    submit(chain, signal) {
      if (signal?.aborted) return Promise.reject(new AbortedError(undefined, { cause: signal.reason }));
      return new Promise<GraphBatchResult[]>((resolve, reject) => {
        const stop = watchAbort(signal, () => reject(new AbortedError(undefined, { cause: signal?.reason })));
        queue.push({
          chain,
          signal,
          resolve: (r) => {
            stop();
            resolve(r);
          },
          reject: (e) => {
            stop();
            reject(e);
          },
        });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
  };
}
