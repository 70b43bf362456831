/**
 * R27 crash property: a cycle stopped at a random point — the process dies
 * after K port calls and store writes (support.ts crashAfter), or an
 * AbortSignal fires at a random action or store write — and then run again
 * converges to the same target as the uninterrupted run of the same history:
 * same users, same attributes, same bin, same managers, no duplicate account,
 * no lost deletion or update. Targets are compared modulo generated ids and
 * timestamps (ids mapped through the alternative security id).
 *
 * Replay a failure: fast-check prints the seed and the path; run
 *   FC_SEED=<seed> FC_PATH=<path> npx vitest run --project lifecycle test/properties/crash
 */
import fc from "fast-check";
import { createSyncJob, type StateStore } from "@tenantsync/core";
import { describe, expect, it } from "vitest";
import { SimulatedCrash, crashAfter } from "../support.ts";
import { createPropertyWorld, type PropertyWorld } from "./property-world.ts";
import { adminOperationArb, applyOperations, initialOperationsArb, normalizedTarget, sourceOperationArb, type WorldOperation } from "./world-operations.ts";

const numRuns = Number(process.env.FC_RUNS ?? 200);
const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;
const path = process.env.FC_PATH;

/**
 * Where the cycle stops. `at` picks the point among the operations the same
 * cycle makes uninterrupted (counted on the reference world, which is in the
 * same state), so every interruption falls inside the cycle.
 */
type InterruptionSpec = { kind: "process dies" | "abort at action" | "abort at store write"; at: number; sameJob: boolean };
type Interruption =
  | { kind: "process dies"; afterOps: number }
  | { kind: "abort at action"; actions: number; sameJob: boolean }
  | { kind: "abort at store write"; writes: number; sameJob: boolean };

const interruptionArb: fc.Arbitrary<InterruptionSpec> = fc.record({
  kind: fc.constantFrom("process dies" as const, "process dies" as const, "abort at action" as const, "abort at store write" as const),
  at: fc.nat(),
  sameJob: fc.boolean(),
});

/** The operations crashAfter counts (port calls of the target, store writes), the actions, and the store writes of one cycle. */
interface CycleCounts {
  ops: number;
  actions: number;
  writes: number;
}

const COUNTED_TARGET_METHODS = ["createExternalUser", "updateUser", "setManager", "softDeleteUser", "restoreUser", "findUsers", "getUser"];

/**
 * Gives `w` a job whose target and store count what crashAfter counts, the
 * actions and the store writes; the reference world keeps this one job object
 * for its whole history (no restart, so nothing but the interruption differs).
 */
function countingJob(w: PropertyWorld): CycleCounts {
  const counts: CycleCounts = { ops: 0, actions: 0, writes: 0 };
  const counting = <T extends object>(obj: T, methods: string[], onCall: () => void): T =>
    new Proxy(obj, {
      get(t, prop, receiver) {
        const v = Reflect.get(t, prop, receiver) as unknown;
        if (typeof prop === "string" && methods.includes(prop) && typeof v === "function") {
          return (...args: unknown[]) => {
            onCall();
            return (v as (...a: unknown[]) => unknown).apply(t, args);
          };
        }
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(t) : v;
      },
    });
  const target = counting(w.target, COUNTED_TARGET_METHODS, () => counts.ops++);
  const store = counting(w.store, ["write"], () => {
    counts.ops++;
    counts.writes++;
  });
  w.job = createSyncJob({ source: w.source, target, store, clock: w.clock, config: w.config() });
  w.job.on("action", () => counts.actions++);
  return counts;
}

function resolveInterruption(spec: InterruptionSpec, counts: CycleCounts): Interruption {
  if (spec.kind === "process dies") return { kind: spec.kind, afterOps: spec.at % Math.max(1, counts.ops) };
  if (spec.kind === "abort at action") return { kind: spec.kind, actions: spec.at % Math.max(1, counts.actions), sameJob: spec.sameJob };
  return { kind: spec.kind, writes: spec.at % Math.max(1, counts.writes), sameJob: spec.sameJob };
}

/** Lets calls already in flight in a dead process settle (a remote call may complete after its caller died). */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Runs one cycle of `w` interrupted as told, then runs again (a new process, or the same job). */
async function interruptedCycle(w: PropertyWorld, how: Interruption): Promise<void> {
  if (how.kind === "process dies") {
    // The dying process: its own job object over a target and a store that fail from operation K on.
    const crashing = crashAfter(w.target, w.store, how.afterOps);
    const doomed = createSyncJob({ source: w.source, target: crashing.target, store: crashing.store, clock: w.clock, config: w.config() });
    await doomed.runCycle().catch((error: unknown) => {
      if (!(error instanceof SimulatedCrash)) throw error;
    });
    await settle();
    w.trace.push(crashing.crashed() ? `** process died after ${how.afterOps} operations; a new process runs the cycle again` : `** (the cycle needed fewer than ${how.afterOps} operations: no crash); run again`);
    w.rebuildJob();
    await w.job.runCycle();
    return;
  }
  const controller = new AbortController();
  let job = w.job;
  if (how.kind === "abort at action") {
    let seen = 0;
    const onAction = () => {
      if (seen++ === how.actions) controller.abort();
    };
    job.on("action", onAction);
    await job.runCycle({ signal: controller.signal });
    job.off("action", onAction);
  } else {
    let writes = 0;
    const store = w.store;
    const aborting = new Proxy(store, {
      get(t, prop, receiver) {
        const v = Reflect.get(t, prop, receiver) as unknown;
        if (prop === "write" && typeof v === "function") {
          return (...args: unknown[]) => {
            if (writes++ === how.writes) controller.abort();
            return (v as (...a: unknown[]) => unknown).apply(t, args);
          };
        }
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(t) : v;
      },
    }) as StateStore;
    job = createSyncJob({ source: w.source, target: w.target, store: aborting, clock: w.clock, config: w.config() });
    await job.runCycle({ signal: controller.signal });
  }
  w.trace.push(controller.signal.aborted ? `** aborted (${how.kind}); run again with ${how.sameJob ? "the same job" : "a new job object"}` : "** (no abort: the cycle was shorter); run again");
  if (!how.sameJob || how.kind === "abort at store write") w.rebuildJob();
  await w.job.runCycle();
}

function expectSameTarget(actual: PropertyWorld, expected: PropertyWorld, when: string): void {
  expect(normalizedTarget(actual), `${when}\ninterrupted world:\n  ${actual.trace.join("\n  ")}`).toEqual(normalizedTarget(expected));
}

describe("crash safety", () => {
  it("R27 crash property: a cycle interrupted at any adapter call, store write or action, then run again, leaves the target as an uninterrupted run does", async () => {
    await fc.assert(
      fc.asyncProperty(
        initialOperationsArb,
        fc.array(fc.array(fc.oneof({ arbitrary: sourceOperationArb, weight: 4 }, { arbitrary: adminOperationArb, weight: 1 }), { maxLength: 6 }), { minLength: 1, maxLength: 3 }),
        fc.nat(),
        interruptionArb,
        async (initial, rounds, crashPick, spec) => {
          const crashRound = crashPick % (rounds.length + 1);
          const history: WorldOperation[][] = [initial, ...rounds];
          const reference = createPropertyWorld();
          const counts = countingJob(reference);
          const interrupted = createPropertyWorld();
          for (const [r, ops] of history.entries()) {
            applyOperations(reference, ops);
            applyOperations(interrupted, ops);
            Object.assign(counts, { ops: 0, actions: 0, writes: 0 });
            await reference.job.runCycle();
            if (r === crashRound) {
              const how = resolveInterruption(spec, counts);
              await interruptedCycle(interrupted, how);
              interrupted.trace.push(`cycle ${r} done (interrupted: ${JSON.stringify(how)})`);
            } else {
              await interrupted.job.runCycle();
              interrupted.trace.push(`cycle ${r} done`);
            }
            expectSameTarget(interrupted, reference, `after cycle ${r} (interrupted in cycle ${crashRound})`);
          }
        },
      ),
      { numRuns, seed, path },
    );
  });
});
