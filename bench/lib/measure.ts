/** Timing and heap helpers for the bench scenarios. */

/** Runs a full garbage collection (needs `--expose-gc`; the bench runner passes it). */
export function fullGc(): void {
  const gc = (globalThis as { gc?: (options?: unknown) => void }).gc;
  if (!gc) throw new Error("run the bench through `pnpm bench` (node --expose-gc)");
  // Twice: the first pass may only make objects with finalizers collectable.
  gc();
  gc();
}

/** `heapUsed` after a full collection, in bytes. */
export function heapAfterGc(): number {
  fullGc();
  return process.memoryUsage().heapUsed;
}

/** Milliseconds `fn` takes (wall clock, performance.now()). */
export async function timeMs(fn: () => unknown): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** The median of some numbers. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The q-quantile (0–1) of some numbers, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[rank]!;
}

/** Wall and CPU (user + system, all threads of this process) milliseconds of `fn`. */
export async function timeBoth<T>(fn: () => T | Promise<T>): Promise<{ wallMs: number; cpuMs: number; result: T }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = await fn();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000, result };
}
