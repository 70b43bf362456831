import { ConfigError, ThrottledError, TransientError, throwIfAborted } from "@tenantsync/core";
import type { Clock, ConfigIssue } from "@tenantsync/core";
import { createSeededRandom, type SeededRandom } from "./seeded-random.ts";

/**
 * The `DirectoryPort` methods of a memory directory, as named in stats and fault filters.
 *
 * @example
 * ```ts
 * const method: MemoryPortMethod = "createExternalUser";
 * directory.admin.setFaults({ failAfter: { calls: 0 }, methods: [method] });
 * ```
 */
export type MemoryPortMethod =
  | "describe"
  | "getPartnerSettings"
  | "listUsers"
  | "getUser"
  | "listGroupMembers"
  | "currentCursor"
  | "readChanges"
  | "findUsers"
  | "createExternalUser"
  | "updateUser"
  | "setManager"
  | "softDeleteUser"
  | "restoreUser";

/**
 * Every {@link MemoryPortMethod}, reads first.
 *
 * @example
 * ```ts
 * const counts = Object.fromEntries(MEMORY_PORT_METHODS.map((m) => [m, 0]));
 * ```
 */
export const MEMORY_PORT_METHODS: readonly MemoryPortMethod[] = Object.freeze([
  "describe",
  "getPartnerSettings",
  "listUsers",
  "getUser",
  "listGroupMembers",
  "currentCursor",
  "readChanges",
  "findUsers",
  "createExternalUser",
  "updateUser",
  "setManager",
  "softDeleteUser",
  "restoreUser",
]);

/**
 * The port methods that write.
 *
 * @example
 * ```ts
 * MEMORY_PORT_WRITE_METHODS.includes("updateUser"); // true
 * ```
 */
export const MEMORY_PORT_WRITE_METHODS: readonly MemoryPortMethod[] = Object.freeze(["createExternalUser", "updateUser", "setManager", "softDeleteUser", "restoreUser"]);

/**
 * Faults a memory directory injects into its port calls, for reliability
 * tests. Faults apply per *request*: each promise-returning call, and each
 * page of a paged read (`listUsers`, `listGroupMembers`, `readChanges`), as a
 * page is one HTTP request against a real service. Admin calls are never
 * faulted. For a given seed and the same sequence of requests the same faults
 * happen.
 *
 * Order of effects on a request: latency (sleep on the directory's clock),
 * then `failAfter`, then throttling, then transient errors.
 *
 * @example
 * ```ts
 * const faults: FaultOptions = { seed: 7, throttleRate: 0.1, retryAfterMs: 2000, transientRate: 0.05, writesOnly: true };
 * ```
 */
export interface FaultOptions {
  /** Seed of the fault dice; default: the directory's seed. */
  seed?: number;
  /** Share of requests (0–1) rejected with `ThrottledError` (status 429). */
  throttleRate?: number;
  /** `retryAfterMs` carried by the ThrottledErrors; default 1000. */
  retryAfterMs?: number;
  /** Share of requests (0–1) rejected with `TransientError` (status 503). */
  transientRate?: number;
  /**
   * Delay before each request, in ms: a fixed number or a uniform range. It is
   * waited with the directory clock's `sleep` (a ManualClock advances virtual
   * time instead of waiting).
   */
  latencyMs?: number | { min: number; max: number };
  /**
   * The first `calls` requests succeed (as far as this fault goes); every
   * request after that throws `error` (or a `TransientError` when not given).
   * A function builds a fresh error per request.
   */
  failAfter?: { calls: number; error?: Error | ((method: MemoryPortMethod, request: number) => Error) };
  /** Only requests of write methods are faulted. */
  writesOnly?: boolean;
  /** Only requests of these methods are faulted. */
  methods?: readonly MemoryPortMethod[];
}

/**
 * Counts of injected faults.
 *
 * @example
 * ```ts
 * const { throttled, transient, failed, delayed }: FaultCounts = directory.admin.stats().faults;
 * ```
 */
export interface FaultCounts {
  throttled: number;
  transient: number;
  failed: number;
  delayed: number;
}

/** Applies {@link FaultOptions} to requests. */
export interface FaultInjector {
  /**
   * Called before each request; throws (synchronously, or through the
   * returned promise when it had to sleep first) as configured. Returns
   * undefined when there is nothing to wait for.
   */
  before(method: MemoryPortMethod, signal: AbortSignal | undefined): Promise<void> | undefined;
}

const WRITES: ReadonlySet<MemoryPortMethod> = new Set(MEMORY_PORT_WRITE_METHODS);

/** Validates fault options, throwing ConfigError with every issue. */
export function checkFaultOptions(faults: FaultOptions): void {
  const issues: ConfigIssue[] = [];
  const rate = (key: "throttleRate" | "transientRate") => {
    const v = faults[key];
    if (v !== undefined && !(typeof v === "number" && v >= 0 && v <= 1)) issues.push({ path: [key], message: "must be a number from 0 to 1" });
  };
  rate("throttleRate");
  rate("transientRate");
  const nonNegative = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v >= 0;
  if (faults.retryAfterMs !== undefined && !nonNegative(faults.retryAfterMs)) issues.push({ path: ["retryAfterMs"], message: "must be a number >= 0" });
  const latency = faults.latencyMs;
  if (latency !== undefined) {
    if (typeof latency === "number") {
      if (!nonNegative(latency)) issues.push({ path: ["latencyMs"], message: "must be a number >= 0 or { min, max }" });
    } else if (!(latency && nonNegative(latency.min) && nonNegative(latency.max) && latency.min <= latency.max)) {
      issues.push({ path: ["latencyMs"], message: "must be { min, max } with 0 <= min <= max" });
    }
  }
  if (faults.failAfter !== undefined) {
    const calls = faults.failAfter?.calls;
    if (!(typeof calls === "number" && Number.isInteger(calls) && calls >= 0)) issues.push({ path: ["failAfter", "calls"], message: "must be an integer >= 0" });
  }
  if (faults.methods !== undefined) {
    faults.methods.forEach((m, i) => {
      if (!(MEMORY_PORT_METHODS as readonly string[]).includes(m)) issues.push({ path: ["methods", i], message: `'${String(m)}' is not a port method (${MEMORY_PORT_METHODS.join(", ")})` });
    });
  }
  if (faults.seed !== undefined && !Number.isFinite(faults.seed)) issues.push({ path: ["seed"], message: "must be a finite number" });
  if (issues.length > 0) throw new ConfigError(issues, "fault options");
}

/** Builds the injector for a directory (`null` faults inject nothing); it adds what it injects to `counts`. */
export function createFaultInjector(faults: FaultOptions | null, tenantId: string, clock: Clock, defaultSeed: number, counts: FaultCounts): FaultInjector {
  if (faults === null) {
    return {
      before(_method, signal) {
        throwIfAborted(signal);
        return undefined;
      },
    };
  }
  checkFaultOptions(faults);
  const random: SeededRandom = createSeededRandom(faults.seed ?? defaultSeed);
  const only = faults.methods ? new Set(faults.methods) : null;
  const throttleRate = faults.throttleRate ?? 0;
  const transientRate = faults.transientRate ?? 0;
  const retryAfterMs = faults.retryAfterMs ?? 1000;
  const { latencyMs: latency, failAfter, writesOnly } = faults;
  let requests = 0;
  const where = (method: MemoryPortMethod, n: number) => `memory directory ${tenantId}: ${method} request #${n}`;
  /** The error dice of request `n`, after any latency. */
  const fail = (method: MemoryPortMethod, n: number): void => {
    if (failAfter && n > failAfter.calls) {
      counts.failed++;
      const error = failAfter.error;
      if (typeof error === "function") throw error(method, n);
      if (error) throw error;
      throw new TransientError(`${where(method, n)} failed (injected fault: every request after #${failAfter.calls} fails)`, { tenantId, status: 503 });
    }
    if (throttleRate > 0 && random.next() < throttleRate) {
      counts.throttled++;
      throw new ThrottledError(`${where(method, n)} was throttled (injected fault); retry after ${retryAfterMs} ms`, { retryAfterMs, tenantId, status: 429 });
    }
    if (transientRate > 0 && random.next() < transientRate) {
      counts.transient++;
      throw new TransientError(`${where(method, n)} failed with a transient error (injected fault); try again`, { tenantId, status: 503 });
    }
  };
  return {
    before(method, signal) {
      throwIfAborted(signal);
      if (writesOnly && !WRITES.has(method)) return undefined;
      if (only && !only.has(method)) return undefined;
      const n = ++requests;
      if (latency !== undefined) {
        const ms = typeof latency === "number" ? latency : latency.min + random.next() * (latency.max - latency.min);
        if (ms > 0) {
          counts.delayed++;
          return clock.sleep(ms, signal).then(() => fail(method, n));
        }
      }
      fail(method, n);
      return undefined;
    },
  };
}
