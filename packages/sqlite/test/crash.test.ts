import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createSqliteStateStore } from "../src/index.ts";
import { buildWorld, duplicateAccounts, endState, LAST_PHASE, sourceUserId } from "./crash/scenario.ts";
import { tempDir } from "./helpers.ts";
import { bundleScripts, startNode } from "./process-helpers.ts";

/**
 * R27 with real processes: a sync job on a SQLite state file is killed with
 * SIGKILL at random crash points (before or after a target write, before or
 * after a store write) and resumed by a new process; the end state must equal
 * an uninterrupted run's, with no duplicate account and no lost deletion. See
 * crash/scenario.ts for the world and crash/journaled-target.ts for how the
 * in-memory target survives the kills.
 *
 * CRASH_SEED replays a run; CRASH_KILLS sets the least number of kills (default 20).
 */
const SEED = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const MIN_KILLS = Number(process.env.CRASH_KILLS ?? 20);

function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    // mulberry32
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface RunResult {
  signal: NodeJS.Signals | null;
  code: number | null;
  ops: number | null;
  done: boolean;
  output: string;
}

describe("R27 crash safety with real processes and a SQLite state file", () => {
  let child: string;
  beforeAll(async () => {
    ({ child } = await bundleScripts({ child: "test/crash/crash-child.ts" }));
  }, 60_000);

  async function runPhase(dir: string, phase: number, killAt: number): Promise<RunResult> {
    const c = startNode([child, join(dir, "state.db"), join(dir, "target.jsonl"), String(phase), String(killAt)]);
    const { code, signal } = await c.exited;
    const opsLine = c.lines.find((l) => l.startsWith("ops "));
    return { code, signal, ops: opsLine ? Number(opsLine.slice(4)) : null, done: c.lines.includes(`phase-done ${phase}`), output: `${c.lines.join("\n")}\n${c.stderr()}` };
  }

  async function finalState(dir: string) {
    const world = await buildWorld(LAST_PHASE, join(dir, "target.jsonl"));
    const store = createSqliteStateStore({ path: join(dir, "state.db") });
    try {
      return { world, state: await endState(world, store) };
    } finally {
      await store.close();
    }
  }

  it("R27 a job killed at random points converges to the uninterrupted run's end state", async () => {
    // The uninterrupted run, one process per phase.
    const baselineDir = tempDir();
    const opsPerPhase: number[] = [];
    for (let phase = 0; phase <= LAST_PHASE; phase++) {
      const r = await runPhase(baselineDir, phase, 0);
      expect(r.done, r.output).toBe(true);
      opsPerPhase.push(r.ops!);
    }
    const baseline = await finalState(baselineDir);
    expect(duplicateAccounts(baseline.world)).toEqual([]);
    // The scenario really deletes, restores, disables and creates.
    const synced = (i: number) => baseline.state.users.find((u) => u.alternativeSecurityId?.userId === sourceUserId(i));
    expect(synced(8)).toMatchObject({ deleted: true }); // deleted in the source
    expect(synced(11)).toMatchObject({ deleted: true }); // left the group
    expect(synced(14)).toMatchObject({ deleted: true });
    expect(synced(20)).toMatchObject({ deleted: true }); // came into scope, then left
    expect(synced(7)).toMatchObject({ deleted: false }); // deleted, then restored (R15)
    expect(synced(10)).toMatchObject({ deleted: false }); // left, then back
    expect(synced(6)).toMatchObject({ deleted: false, accountEnabled: false }); // R14
    expect(synced(3)).toMatchObject({ deleted: false }); // created once enabled
    expect(synced(1)).toMatchObject({ jobTitle: "Distinguished Engineer" });
    expect(baseline.state.links.length).toBeGreaterThan(20);
    expect(baseline.state.escrows).toEqual([]);

    // Crashing runs until at least MIN_KILLS processes were killed.
    const random = seededRandom(SEED);
    const kills: string[] = [];
    let scenarios = 0;
    while (kills.length < MIN_KILLS && scenarios < 30) {
      scenarios++;
      const dir = tempDir();
      for (let phase = 0; phase <= LAST_PHASE; phase++) {
        for (let attempt = 0; ; attempt++) {
          // Up to three kills per phase, each at a random crash point of the phase's work.
          const killAt = attempt < 3 && random() < 0.85 ? 1 + Math.floor(random() * opsPerPhase[phase]!) : 0;
          const r = await runPhase(dir, phase, killAt);
          if (r.signal === "SIGKILL") {
            kills.push(`scenario ${scenarios} phase ${phase} crash point ${killAt}`);
            continue;
          }
          expect(r.done, `seed ${SEED}, scenario ${scenarios}, phase ${phase}, after kills ${JSON.stringify(kills)}:\n${r.output}`).toBe(true);
          break;
        }
      }
      const crashed = await finalState(dir);
      const context = `seed ${SEED} (CRASH_SEED=${SEED} replays), scenario ${scenarios}, kills so far: ${JSON.stringify(kills)}`;
      expect(duplicateAccounts(crashed.world), context).toEqual([]);
      expect(crashed.state, context).toEqual(baseline.state);
    }
    expect(kills.length).toBeGreaterThanOrEqual(MIN_KILLS);
  }, 600_000);
});
