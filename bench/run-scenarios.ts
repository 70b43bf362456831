// Runs the named scenarios in this process, in the order given, and prints
// their rows as one JSON line prefixed with BENCH_ROWS (progress goes to
// stderr). scripts/bench.ts starts it with --expose-gc and a heap limit.
import type { BenchRow, ScenarioContext } from "./lib/bench-row.ts";
import { SCENARIOS } from "./scenarios/index.ts";

const names = process.argv.slice(2);
const context: ScenarioContext = { shared: new Map(), log: (m) => process.stderr.write(`${m}\n`) };
const rows: BenchRow[] = [];
for (const name of names) {
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (!scenario) throw new Error(`unknown scenario ${name}; known: ${SCENARIOS.map((s) => s.name).join(", ")}`);
  context.log(`▶ ${scenario.name}: ${scenario.description}`);
  const start = performance.now();
  rows.push(...(await scenario.run(context)));
  context.log(`  (${((performance.now() - start) / 1000).toFixed(1)} s)`);
}
process.stdout.write(`BENCH_ROWS ${JSON.stringify(rows)}\n`);
// Servers, timers and pools of a scenario must not keep the process alive.
process.exit(0);
