/**
 * Calls `listener` once when `signal` aborts; returns a function that stops
 * watching. All watchers of one signal share a single `abort` listener, so a
 * cycle's signal watched by hundreds of concurrent calls stays under Node's
 * listener warning.
 *
 * @example
 * ```ts
 * const stop = watchAbort(signal, () => reject(new AbortedError()));
 * // … later, once settled:
 * stop();
 * ```
 */
export function watchAbort(signal: AbortSignal | undefined, listener: () => void): () => void {
  if (!signal) return () => undefined;
  let set = watchers.get(signal);
  if (!set) {
    const fresh = new Set<() => void>();
    set = fresh;
    watchers.set(signal, fresh);
    signal.addEventListener(
      "abort",
      () => {
        watchers.delete(signal);
        for (const watcher of [...fresh]) watcher();
      },
      { once: true },
    );
  }
  const watching = set;
  watching.add(listener);
  return () => {
    watching.delete(listener);
  };
}

const watchers = new WeakMap<AbortSignal, Set<() => void>>();
