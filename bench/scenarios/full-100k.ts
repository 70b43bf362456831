// full-100k: the first (full) cycle for 100,000 in-scope users, memory → memory,
// default mappings, compared with structured-cloning the same users into a Map.
import type { DirectoryUser } from "@tenantsync/core";
import { buildTenants, emptyTarget, newJob, trust } from "../lib/fixtures.ts";
import { fullGc, median, timeBoth } from "../lib/measure.ts";
import { row, type BenchRow, type Scenario } from "../lib/bench-row.ts";

const USERS = 100_000;
const RUNS = 3;

/** Time to structuredClone every user into a Map keyed by id (the "raw clone" yardstick). */
function rawClone(users: readonly DirectoryUser[]): Map<string, DirectoryUser> {
  const map = new Map<string, DirectoryUser>();
  for (const u of users) map.set(u.id, structuredClone(u));
  if (map.size !== users.length) throw new Error("clone lost users");
  return map;
}

export const full100k: Scenario = {
  name: "full-100k",
  description: "first full cycle, 100k users, memory → memory, vs structured-cloning them",
  async run({ log }) {
    log(`building a source tenant with ${USERS.toLocaleString("en")} users…`);
    const tenants = buildTenants({ users: USERS });
    const users: DirectoryUser[] = [];
    for await (const page of tenants.source.listUsers()) users.push(...page);
    const engine: number[] = [];
    const clone: number[] = [];
    const engineCpu: number[] = [];
    const cloneCpu: number[] = [];
    // Interleaved, so that load from other processes hits both alike.
    for (let i = 0; i < RUNS; i++) {
      fullGc();
      const c = await timeBoth(() => rawClone(users));
      clone.push(c.wallMs);
      cloneCpu.push(c.cpuMs);
      fullGc();
      const target = emptyTarget(tenants.clock);
      trust(tenants.source, target);
      const { job } = newJob(tenants, target);
      const { wallMs, cpuMs, result: report } = await timeBoth(() => job.runCycle());
      engine.push(wallMs);
      engineCpu.push(cpuMs);
      if (report.summary.counts.created !== USERS || report.summary.state !== "succeeded") throw new Error(`full cycle incomplete: ${JSON.stringify(report.summary)}`);
      log(`  run ${i + 1}: engine ${engine[i]!.toFixed(0)} ms (cpu ${engineCpu[i]!.toFixed(0)}), raw clone ${clone[i]!.toFixed(0)} ms (cpu ${cloneCpu[i]!.toFixed(0)})`);
    }
    const e = median(engine);
    const c = median(clone);
    const rows: BenchRow[] = [
      row("full-100k", "usersPerSecond", USERS / (e / 1000), "users/s"),
      row("full-100k", "ratioToRawClone", e / c, "ratio"),
      row("full-100k", "engineMs", e, "ms"),
      row("full-100k", "rawCloneMs", c, "ms"),
      // CPU time (all threads of the process): less sensitive to other processes on a busy machine.
      row("full-100k", "engineCpuMs", median(engineCpu), "ms"),
      row("full-100k", "rawCloneCpuMs", median(cloneCpu), "ms"),
      row("full-100k", "usersPerCpuSecond", USERS / (median(engineCpu) / 1000), "users/s"),
    ];
    return rows;
  },
};
