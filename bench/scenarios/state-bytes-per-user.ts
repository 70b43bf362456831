// state-bytes-per-user: heap held by the engine's state (the job and its
// in-memory state store: links, provisioning log, job record, indexes) for
// 1,000,000 synced users, divided by 1,000,000.
import { heapAfterGc } from "../lib/measure.ts";
import { syncedWorld } from "../lib/fixtures.ts";
import { row, type Scenario } from "../lib/bench-row.ts";
import { MILLION } from "./full-1m.ts";

export const stateBytesPerUser: Scenario = {
  name: "state-bytes-per-user",
  description: "heap held by the job and its memory state store for 1M synced users",
  async run({ shared, log }) {
    const world = await syncedWorld(shared, MILLION, log);
    if (!world.job || !world.store) throw new Error("state already dropped");
    const logEntries = (await world.store.queryLogs({ jobId: world.job.id, limit: Number.MAX_SAFE_INTEGER })).length;
    const withState = heapAfterGc();
    // Drop the job and its store (nothing else refers to them), then measure again.
    world.job = null;
    world.store = null;
    const without = heapAfterGc();
    const bytes = (withState - without) / MILLION;
    log(`  heap with state ${(withState / 2 ** 20).toFixed(0)} MiB, without ${(without / 2 ** 20).toFixed(0)} MiB; ${logEntries.toLocaleString("en")} log entries kept`);
    return [row("state-bytes-per-user", "bytesPerUser", bytes, "bytes"), row("state-bytes-per-user", "logEntriesKept", logEntries, "entries")];
  },
};
