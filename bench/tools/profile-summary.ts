// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time and
// inclusive time per function, the top N of each. Used to write the hot-spot
// tables of docs/benchmarks.md.
//
//   npx tsx bench/tools/profile-summary.ts <file.cpuprofile> [topN]
import { readFileSync } from "node:fs";

interface CallFrame { functionName: string; url: string; lineNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

/** Self and inclusive milliseconds per function (`name file:line`) of a profile. */
export function summariseProfile(profile: CpuProfile): { totalMs: number; self: Map<string, number>; inclusive: Map<string, number> } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n: ProfileNode) => {
    const f = n.callFrame;
    const file = f.url.replace(/^.*\/(packages|node_modules|bench|scripts)\//, "$1/");
    return `${f.functionName || "(anonymous)"} ${file}:${f.lineNumber + 1}`;
  };
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let totalMs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    totalMs += ms;
    const node = byId.get(profile.samples[i]!)!;
    const l = label(node);
    self.set(l, (self.get(l) ?? 0) + ms);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const k = label(byId.get(id)!);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + ms);
    }
  }
  return { totalMs, self, inclusive };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  const file = process.argv[2];
  if (!file) throw new Error("usage: profile-summary <file.cpuprofile> [topN]");
  const top = Number(process.argv[3] ?? 25);
  const { totalMs, self, inclusive } = summariseProfile(JSON.parse(readFileSync(file, "utf8")) as CpuProfile);
  const show = (title: string, m: Map<string, number>) => {
    console.log(`\n${title} (of ${totalMs.toFixed(0)} ms)`);
    for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${v.toFixed(0).padStart(8)} ms ${((100 * v) / totalMs).toFixed(1).padStart(5)}%  ${k}`);
  };
  show("self time", self);
  show("inclusive time", inclusive);
}
