import { describe, expect, it } from "vitest";
import { runSimulation, type SimulationResult } from "../src/index.ts";
import { runCliProcess } from "./helpers.ts";

describe("tenantsync simulate", () => {
  it("syncs a hub into its spokes through rounds of churn and converges (--json, child process)", async () => {
    const r = await runCliProcess(["simulate", "--tenants", "3", "--users", "60", "--rounds", "2", "--seed", "5", "--json"], { cwd: process.cwd() });
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as SimulationResult & { ok: boolean };
    expect(result.ok).toBe(true);
    expect(result.tenants).toHaveLength(3);
    expect(result.rounds.map((x) => x.kind)).toEqual(["full", "incremental", "incremental", "incremental"]);
    expect(result.rounds[0]!.counts.created).toBe(2 * 60); // every member into both spokes
    const churn = result.rounds.slice(1, 3);
    for (const round of churn) {
      expect(round.changes!.joiners).toBeGreaterThan(0);
      expect(round.counts.created + round.counts.updated + round.counts.disabled + round.counts.deleted).toBeGreaterThan(0);
    }
    expect(result.rounds[3]!.writes).toBe(0); // the quiet round: steady state
    for (const check of result.checks) {
      expect(check.problems).toEqual([]);
      expect(check.enabled).toBe(check.expected);
    }
  });

  it("is deterministic for a seed (counts and checks; not durations)", async () => {
    const strip = (r: SimulationResult) => ({
      hub: r.hub,
      rounds: r.rounds.map((x) => ({ changes: x.changes, counts: x.counts })),
      checks: r.checks,
    });
    const options = { tenants: 2, users: 40, rounds: 2, seed: 9, churn: 0.05 };
    const a = await runSimulation(options);
    const b = await runSimulation(options);
    expect(strip(b)).toEqual(strip(a));
    const c = await runSimulation({ ...options, seed: 10 });
    expect(c.hub.id).not.toBe(a.hub.id);
    expect(a.converged && c.converged).toBe(true);
  });
});
