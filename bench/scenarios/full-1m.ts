// full-1m: the first (full) cycle for 1,000,000 in-scope users, memory → memory,
// default mappings. The synced world is kept for the scenarios that follow.
import { syncedWorld } from "../lib/fixtures.ts";
import { row, type Scenario } from "../lib/bench-row.ts";

export const MILLION = 1_000_000;

export const full1m: Scenario = {
  name: "full-1m",
  description: "first full cycle, 1M users, memory → memory",
  async run({ shared, log }) {
    const world = await syncedWorld(shared, MILLION, log);
    return [
      row("full-1m", "seconds", world.fullCycleMs / 1000, "s"),
      row("full-1m", "usersPerSecond", MILLION / (world.fullCycleMs / 1000), "users/s"),
      row("full-1m", "cpuSeconds", world.fullCycleCpuMs / 1000, "s"),
      row("full-1m", "heapUsedMiB", process.memoryUsage().heapUsed / 2 ** 20, "MiB"),
    ];
  },
};
