// incremental-1000-changes: an incremental cycle after 1,000 source changes,
// in a synced tenant of 10,000 users and in one of 1,000,000. The cost should
// follow the changes, not the tenant.
import { syncedWorld, type SyncedWorld } from "../lib/fixtures.ts";
import { fullGc, median } from "../lib/measure.ts";
import { row, type Scenario } from "../lib/bench-row.ts";
import { MILLION } from "./full-1m.ts";

const CHANGES = 1000;
const ROUNDS = 5;
const SETTLE_MS = 1000;

async function sourceIds(world: SyncedWorld): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of world.source.listUsers({ select: ["id"] })) for (const u of page) ids.push(u.id);
  return ids;
}

/** Changes 1,000 distinct users (a new job title each), then times one incremental cycle. */
async function round(world: SyncedWorld, ids: readonly string[], r: number): Promise<number> {
  const job = world.job;
  if (!job) throw new Error("the synced world's job was dropped (run incremental-1000-changes before state-bytes-per-user)");
  const step = Math.floor(ids.length / CHANGES);
  for (let i = 0; i < CHANGES; i++) world.source.admin.updateUser(ids[(i * step + r * 7) % ids.length]!, { jobTitle: `Bench title ${r}.${i}` });
  // Collect the garbage of the setup, then let the collector's concurrent sweeping
  // finish, so that neither size pays for the other's leftovers.
  fullGc();
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const start = performance.now();
  const report = await job.runCycle();
  const ms = performance.now() - start;
  const c = report.summary.counts;
  if (report.kind !== "incremental" || c.updated !== CHANGES || c.errors !== 0) throw new Error(`unexpected incremental cycle: ${report.kind} ${JSON.stringify(c)}`);
  return ms;
}

export const incremental1000Changes: Scenario = {
  name: "incremental-1000-changes",
  description: "incremental cycle after 1,000 changes, at 10k and at 1M users",
  async run({ shared, log }) {
    const small = await syncedWorld(shared, 10_000, log);
    const big = await syncedWorld(shared, MILLION, log);
    const smallIds = await sourceIds(small);
    const bigIds = await sourceIds(big);
    const at10k: number[] = [];
    const at1m: number[] = [];
    // A warm-up round each (not measured), then alternating rounds.
    await round(small, smallIds, 0);
    await round(big, bigIds, 0);
    for (let r = 1; r <= ROUNDS; r++) {
      at10k.push(await round(small, smallIds, r));
      at1m.push(await round(big, bigIds, r));
      log(`  round ${r}: ${at10k[r - 1]!.toFixed(1)} ms at 10k, ${at1m[r - 1]!.toFixed(1)} ms at 1M`);
    }
    const a = median(at10k);
    const b = median(at1m);
    return [
      row("incremental-1000-changes", "msAt10k", a, "ms"),
      row("incremental-1000-changes", "msAt1m", b, "ms"),
      row("incremental-1000-changes", "ratio", b / a, "ratio"),
      row("incremental-1000-changes", "changes", CHANGES, "count"),
    ];
  },
};
