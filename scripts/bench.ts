// `pnpm bench [scenario…] [--cpu-prof]`: runs the benchmark scenarios of
// bench/scenarios (all of them, or those named), each group in its own Node
// process with --expose-gc and an 8 GiB heap limit, and writes
// bench/results.json: an array of { name, metric, value, unit } rows.
// Running a subset replaces that subset's rows and keeps the others.
// --cpu-prof writes a V8 CPU profile per process to bench/profiles/
// (summarise one with `npx tsx bench/tools/profile-summary.ts <file>`).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchRow } from "../bench/lib/bench-row.ts";
import { PROCESS_GROUPS, SCENARIOS } from "../bench/scenarios/index.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const resultsFile = join(root, "bench", "results.json");
const args = process.argv.slice(2);
const profile = args.includes("--cpu-prof");
const requested = args.filter((a) => !a.startsWith("--"));
for (const name of requested) {
  if (!SCENARIOS.some((s) => s.name === name)) {
    console.error(`unknown scenario '${name}'; known: ${SCENARIOS.map((s) => s.name).join(", ")}`);
    process.exit(2);
  }
}
const selected = SCENARIOS.map((s) => s.name).filter((n) => requested.length === 0 || requested.includes(n));

// Processes: the members of a group that were selected share one; every other scenario has its own.
const processes: string[][] = [];
for (const name of selected) {
  const group = PROCESS_GROUPS.find((g) => g.includes(name));
  if (!group) processes.push([name]);
  else if (!processes.some((p) => p.includes(name))) processes.push(group.filter((n) => selected.includes(n)));
}

function runProcess(names: readonly string[]): Promise<BenchRow[]> {
  // One folder per process: V8 writes one profile per thread (the main thread and tsx's
  // loader thread) under its default name, which carries the pid and thread id.
  const profDir = join(root, "bench", "profiles", `${names.join("+")}.${Date.now()}`);
  if (profile) mkdirSync(profDir, { recursive: true });
  const nodeArgs = [
    "--expose-gc",
    "--max-old-space-size=8192",
    // A larger young generation: what docs/engine.md recommends for large jobs (77 s → 59 s on full-1m here).
    "--max-semi-space-size=64",
    "--conditions=@tenantsync/source",
    "--import",
    "tsx",
    ...(profile ? ["--cpu-prof", `--cpu-prof-dir=${profDir}`] : []),
    join(root, "bench", "run-scenarios.ts"),
    ...names,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, nodeArgs, { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      const line = out.split("\n").find((l) => l.startsWith("BENCH_ROWS "));
      if (code !== 0 || !line) return reject(new Error(`scenarios ${names.join(", ")} failed (exit ${code ?? signal})\n${out}`));
      resolve(JSON.parse(line.slice("BENCH_ROWS ".length)) as BenchRow[]);
    });
  });
}

const loads: number[] = [];
const sampler = setInterval(() => loads.push(loadavg()[0]!), 5000);
const started = performance.now();
const loadAtStart = loadavg()[0]!;
console.error(`tenantsync bench — ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load ${loadAtStart.toFixed(2)}`);
const rows: BenchRow[] = [];
let failed = false;
for (const names of processes) {
  try {
    rows.push(...(await runProcess(names)));
  } catch (error) {
    failed = true;
    console.error(String(error instanceof Error ? error.message : error));
  }
}
clearInterval(sampler);
loads.push(loadavg()[0]!);
const minutes = (performance.now() - started) / 60_000;
const environment: BenchRow[] = [
  { name: "environment", metric: "cpus", value: cpus().length, unit: "count" },
  { name: "environment", metric: "loadAverage1mMean", value: Math.round((loads.reduce((a, b) => a + b, loadAtStart) / (loads.length + 1)) * 100) / 100, unit: "load" },
  { name: "environment", metric: "loadAverage1mMax", value: Math.round(Math.max(loadAtStart, ...loads) * 100) / 100, unit: "load" },
  { name: "environment", metric: "benchMinutes", value: Math.round(minutes * 100) / 100, unit: "min" },
];

let all = [...rows, ...environment];
if (requested.length > 0 && existsSync(resultsFile)) {
  // A partial run keeps the rows of the scenarios it did not run.
  const previous = JSON.parse(readFileSync(resultsFile, "utf8")) as BenchRow[];
  const ran = new Set([...selected, "environment"]);
  all = [...previous.filter((r) => !ran.has(r.name)), ...all];
  const order = new Map([...SCENARIOS.map((s, i) => [s.name, i] as const), ["environment", SCENARIOS.length] as const]);
  all.sort((a, b) => (order.get(a.name) ?? 99) - (order.get(b.name) ?? 99));
}
writeFileSync(resultsFile, `${JSON.stringify(all, null, 2)}\n`);
console.table(all.map((r) => ({ name: r.name, metric: r.metric, value: r.value, unit: r.unit })));
console.error(`wrote ${resultsFile} in ${minutes.toFixed(1)} min`);
if (failed) process.exit(1);
