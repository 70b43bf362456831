// expressions-default-mappings: evaluating the default mapping set (compiled
// once) for many users: the per-user cost of the evaluate step alone.
import { compileMappings, type DirectoryUser } from "@tenantsync/core";
import { buildTenants } from "../lib/fixtures.ts";
import { fullGc, median, timeBoth } from "../lib/measure.ts";
import { row, type Scenario } from "../lib/bench-row.ts";

const USERS = 100_000;
const PASSES = 5;

export const expressionsDefaultMappings: Scenario = {
  name: "expressions-default-mappings",
  description: "evaluate the default mapping set for 100k users (5 passes, median)",
  async run({ log }) {
    const { source, clock } = buildTenants({ users: USERS });
    const users: DirectoryUser[] = [];
    for await (const page of source.listUsers()) users.push(...page);
    const compiled = compileMappings({ attributeMappings: null });
    const context = { now: () => clock.now(), random: Math.random, sourceTenantId: source.tenant.id };
    let sink = 0;
    // Warm-up pass (JIT), not measured.
    for (const u of users) sink += compiled.evaluate(u, context).fingerprint.length;
    const passes: number[] = [];
    const cpu: number[] = [];
    for (let p = 0; p < PASSES; p++) {
      fullGc();
      const t = await timeBoth(() => {
        for (const u of users) sink += compiled.evaluate(u, context).fingerprint.length;
      });
      passes.push(t.wallMs);
      cpu.push(t.cpuMs);
    }
    if (sink === 0) throw new Error("nothing evaluated");
    const ms = median(passes);
    log(`  passes: ${passes.map((p) => p.toFixed(0)).join(", ")} ms`);
    return [
      row("expressions-default-mappings", "usersPerSecond", USERS / (ms / 1000), "users/s"),
      row("expressions-default-mappings", "usersPerCpuSecond", USERS / (median(cpu) / 1000), "users/s"),
      row("expressions-default-mappings", "mappings", compiled.mappings.length, "count"),
    ];
  },
};
