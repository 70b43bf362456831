import type { GraphBatchResult, GraphRequest, GraphTransport } from "./graph-transport.ts";
import { createTickQueue } from "./tick-queue.ts";

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
  const queue = createTickQueue<readonly GraphRequest[], GraphBatchResult[]>((entries) => {
    // The batch runs for all callers; one caller aborting only stops its own wait.
    transport.batch(entries.map((e) => e.item)).then(
      (results) => entries.forEach((e, i) => e.resolve(results[i] ?? [])),
      (error: unknown) => entries.forEach((e) => e.reject(error)),
    );
  });
  return { submit: (chain, signal) => queue.enqueue(chain, signal) };
}
