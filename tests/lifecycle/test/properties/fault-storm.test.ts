/**
 * R23 fault storm: with 30% transient errors and 10% throttling (Retry-After
 * 2 s) on every request the target serves, a job converges to the same target
 * as a fault-free run of the same history, within a bounded number of cycles,
 * when the clock moves past the escrow backoff between cycles (6 h, 12 h,
 * 24 h, then 24 h each: ENGINE.md's schedule, so every escrow is due at the
 * next cycle). Converged = the target equals the fault-free world's (modulo
 * generated ids and timestamps) and a fault-free dry run plans no write.
 *
 * The bound proven: for every case below (200 histories by default, with
 * fault dice seeded deterministically from the case), each phase converges
 * within STORM_CYCLE_BOUND = 28 cycles — at most 6 + 12 + 25 × 24 h ≈ 26 days
 * of virtual time, inside the 28-day escrow lifetime and the 30-day bin (the
 * first phase only creates users, so no bin or escrow spans both phases).
 * Measured: on the default seed 70% of phases converge within 2 cycles and
 * the slowest takes 18; over 2,400 phases of six other seeds the slowest took
 * 28 and 2 took more than 24. The tail comes from the preflight, whose four
 * reads are retried together: under this storm it fails in about 60% of
 * cycles, and a phase needs a few cycles that get through (the first full
 * cycle, then the escrows' retries).
 *
 * The storm hits both tenants (only the target while known defect D6 stood:
 * reads were not retried within a cycle, so a storm on the source's reads
 * rarely let a cycle through). A listing that still fails after the cycle's
 * own retries ends that cycle with a transient error; the job simply runs
 * again (R24), which the bound includes.
 *
 * The default seed is fixed (deterministic CI); replay or explore with
 *   FC_SEED=<seed> [FC_PATH=<path>] [FC_RUNS=<n>] npx vitest run --project lifecycle test/properties/fault-storm
 */
import fc from "fast-check";
import { ThrottledError, TransientError } from "@tenantsync/core";
import { describe, expect, it } from "vitest";
import { KNOWN_DEFECTS } from "./known-defects.ts";
import { createPropertyWorld, type PropertyWorld } from "./property-world.ts";
import { applyOperations, initialOperationsArb, normalizedTarget, sourceOperationArb, type WorldOperation } from "./world-operations.ts";

const numRuns = Number(process.env.FC_RUNS ?? 200);
const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20_260_101;
const path = process.env.FC_PATH;

/** Cycles a phase may take to converge under the storm. */
export const STORM_CYCLE_BOUND = 28;
const HOUR = 3_600_000;
/** Clock step before the n-th retry cycle: past the escrow backoff (6 h, 12 h, 24 h, 24 h, …) plus a minute. */
const stepBefore = (n: number) => [6, 12, 24][Math.min(n - 1, 2)]! * HOUR + 60_000;

function storm(w: PropertyWorld, faultSeed: number): void {
  const faults = { transientRate: 0.3, throttleRate: 0.1, retryAfterMs: 2000 };
  w.target.admin.setFaults({ ...faults, seed: faultSeed });
  if (!KNOWN_DEFECTS.d6ReadsNotRetriedWithinCycle) w.source.admin.setFaults({ ...faults, seed: faultSeed ^ 0x5a5a });
}

function calm(w: PropertyWorld): void {
  w.target.admin.setFaults(null);
  w.source.admin.setFaults(null);
}

/**
 * The stormed target as compared with the fault-free one. KNOWN DEFECT D8: a
 * report pointing at a manager in the bin counts as having no manager where
 * the fault-free report has none.
 */
function comparable(faulty: PropertyWorld, expected: Record<string, unknown>): Record<string, unknown> {
  const actual = normalizedTarget(faulty);
  if (!KNOWN_DEFECTS.d8ReportWiredToManagerWhoseExitIsEscrowed) return actual;
  const inBin = (key: unknown) => typeof key === "string" && (actual[key] as { inBin?: boolean } | undefined)?.inBin === true;
  return Object.fromEntries(
    Object.entries(actual).map(([key, user]) => {
      const u = user as { manager: unknown };
      const e = expected[key] as { manager: unknown } | undefined;
      return [key, e && e.manager === null && inBin(u.manager) ? { ...u, manager: null } : user];
    }),
  );
}

/** Runs cycles under the storm until the faulty world matches the expected target; returns the cycles used. */
async function converge(faulty: PropertyWorld, expected: Record<string, unknown>, faultSeed: number): Promise<number> {
  for (let n = 1; n <= STORM_CYCLE_BOUND; n++) {
    if (n > 1) faulty.clock.advance(stepBefore(n - 1));
    storm(faulty, faultSeed * 131 + n); // new dice each cycle (the same dice would replay the same faults)
    try {
      const report = await faulty.job.runCycle();
      faulty.trace.push(`storm cycle ${n}: ${report.kind}, ${report.summary.state}${report.summary.error ? ` (${report.summary.error.message.slice(0, 80)})` : ""}, escrowed ${report.summary.counts.escrowed}`);
    } catch (error) {
      // A listing that still fails after the cycle's retries fails the cycle as a whole (R24:
      // the job tries again); only a transient error may end a cycle that way.
      if (!(error instanceof TransientError || error instanceof ThrottledError)) throw error;
      faulty.trace.push(`storm cycle ${n}: threw ${(error as Error).message.slice(0, 80)}`);
    }
    calm(faulty);
    const same = JSON.stringify(comparable(faulty, expected)) === JSON.stringify(expected);
    if (same && (await faulty.job.plan()).actions.every((a) => a.kind === "skip" || a.kind === "error")) return n;
  }
  return Number.POSITIVE_INFINITY;
}

describe("fault storm", () => {
  it(`R23 fault storm: 30% transient errors and 10% throttling with Retry-After converge to the fault-free end state within ${STORM_CYCLE_BOUND} cycles`, async () => {
    await fc.assert(
      fc.asyncProperty(initialOperationsArb, fc.array(sourceOperationArb.filter((o) => o.kind !== "advance"), { minLength: 1, maxLength: 6 }), fc.nat({ max: 1_000_000 }), async (initial, changes, faultSeed) => {
        const clean = createPropertyWorld();
        const faulty = createPropertyWorld();
        const phases: WorldOperation[][] = [initial, changes];
        for (const [p, ops] of phases.entries()) {
          clean.clock.set(faulty.clock.now()); // both worlds change their source at the same time
          applyOperations(clean, ops);
          applyOperations(faulty, ops);
          await clean.job.runCycle();
          const expected = normalizedTarget(clean);
          const cycles = await converge(faulty, expected, faultSeed + p);
          expect(cycles, `phase ${p} did not converge within ${STORM_CYCLE_BOUND} cycles:\n  ${faulty.trace.join("\n  ")}\nfault-free target: ${JSON.stringify(expected)}\nstormed target: ${JSON.stringify(normalizedTarget(faulty))}`).toBeLessThanOrEqual(STORM_CYCLE_BOUND);
          faulty.trace.push(`phase ${p} converged in ${cycles} cycles`);
        }
      }),
      { numRuns, seed, path },
    );
  });
});
