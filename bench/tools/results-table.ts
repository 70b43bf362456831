// Prints bench/results.json as the markdown table of docs/benchmarks.md:
// every goal of issue 9 with the measured value and whether it is met.
//
//   npx tsx bench/tools/results-table.ts [bench/results.json]
import { readFileSync } from "node:fs";
import type { BenchRow } from "../lib/bench-row.ts";

/** A goal: the row it reads, the comparison and the bound. */
interface Goal {
  name: string;
  metric: string;
  op: ">=" | "<=";
  bound: number;
  unit: string;
}

/** The goals of issue 9. */
export const GOALS: readonly Goal[] = [
  { name: "full-100k", metric: "usersPerSecond", op: ">=", bound: 50_000, unit: "users/s" },
  { name: "full-100k", metric: "ratioToRawClone", op: "<=", bound: 10, unit: "×" },
  { name: "full-1m", metric: "seconds", op: "<=", bound: 20, unit: "s" },
  { name: "incremental-1000-changes", metric: "msAt10k", op: ">=", bound: Number.NEGATIVE_INFINITY, unit: "ms" },
  { name: "incremental-1000-changes", metric: "msAt1m", op: ">=", bound: Number.NEGATIVE_INFINITY, unit: "ms" },
  { name: "incremental-1000-changes", metric: "ratio", op: "<=", bound: 2, unit: "×" },
  { name: "state-bytes-per-user", metric: "bytesPerUser", op: "<=", bound: 1024, unit: "bytes" },
  { name: "expressions-default-mappings", metric: "usersPerSecond", op: ">=", bound: 200_000, unit: "users/s" },
  { name: "graph-emulator-initial-5k", metric: "httpRequestsPerUser", op: "<=", bound: 0.1, unit: "requests/user" },
  { name: "graph-emulator-initial-5k", metric: "speedupVsNaive", op: ">=", bound: 20, unit: "×" },
  { name: "graph-emulator-initial-5k", metric: "throttled429", op: "<=", bound: 0, unit: "responses" },
  { name: "change-to-target-latency", metric: "p50Ms", op: ">=", bound: Number.NEGATIVE_INFINITY, unit: "ms" },
  { name: "change-to-target-latency", metric: "p99Ms", op: "<=", bound: 2000, unit: "ms" },
];

function format(v: number): string {
  return Math.abs(v) >= 1000 ? Math.round(v).toLocaleString("en") : String(v);
}

/** The markdown table for some result rows. */
export function resultsTable(rows: readonly BenchRow[]): string {
  const lines = ["| scenario | metric | result | goal | met |", "| --- | --- | ---: | --- | --- |"];
  for (const g of GOALS) {
    const r = rows.find((x) => x.name === g.name && x.metric === g.metric);
    const goal = Number.isFinite(g.bound) ? `${g.op === ">=" ? "≥" : "≤"} ${format(g.bound)} ${g.unit}` : "(reported)";
    const met = !r ? "not run" : !Number.isFinite(g.bound) ? "" : (g.op === ">=" ? r.value >= g.bound : r.value <= g.bound) ? "yes" : "**no**";
    lines.push(`| \`${g.name}\` | \`${g.metric}\` | ${r ? `${format(r.value)} ${r.unit}` : "—"} | ${goal} | ${met} |`);
  }
  return lines.join("\n");
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  const rows = JSON.parse(readFileSync(process.argv[2] ?? "bench/results.json", "utf8")) as BenchRow[];
  console.log(resultsTable(rows));
}
