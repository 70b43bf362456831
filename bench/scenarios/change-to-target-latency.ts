// change-to-target-latency: change-driven mode (schedule.trigger "changes",
// the default 1 s change poll), memory tenants on the wall clock. Time from a
// source change to the target showing it, 200 samples made at random moments.
import { createMemoryStateStore, createSyncJob, systemClock } from "@tenantsync/core";
import { buildTenants } from "../lib/fixtures.ts";
import { median, quantile } from "../lib/measure.ts";
import { row, type Scenario } from "../lib/bench-row.ts";

const USERS = 10_000;
const SAMPLES = 200;
/** Mean gap between two changes (uniform 0–2× this), in ms. */
const MEAN_GAP_MS = 100;

export const changeToTargetLatency: Scenario = {
  name: "change-to-target-latency",
  description: "change-driven mode: source change → visible in the target, 200 samples",
  async run({ log }) {
    const tenants = buildTenants({ users: USERS, clock: systemClock });
    const config = { ...tenants.config, schedule: { interval: "PT40M", trigger: "changes" as const } };
    const store = createMemoryStateStore();
    const job = createSyncJob({ source: tenants.source, target: tenants.target, store, clock: systemClock, config });
    const first = await job.runCycle();
    if (first.summary.counts.created !== USERS) throw new Error(`initial sync incomplete: ${JSON.stringify(first.summary.counts)}`);
    const links: Array<{ sourceId: string; targetId: string }> = [];
    for await (const page of store.listLinks(job.id)) for (const l of page) links.push({ sourceId: l.sourceId, targetId: l.targetId });
    job.start();
    // Let the scheduler settle into its polling rhythm before sampling.
    await new Promise((r) => setTimeout(r, 1500));

    const latencies: number[] = [];
    const pending = new Set<{ targetId: string; value: string; t0: number }>();
    let next = 0;
    const random = mulberry(7);
    const watcher = setInterval(() => {
      for (const p of pending) {
        if (tenants.target.admin.getUser(p.targetId)?.jobTitle === p.value) {
          latencies.push(performance.now() - p.t0);
          pending.delete(p);
        }
      }
    }, 2);
    try {
      for (let i = 0; i < SAMPLES; i++) {
        await new Promise((r) => setTimeout(r, random() * 2 * MEAN_GAP_MS));
        const link = links[(next = (next + 7919) % links.length)]!;
        const value = `Latency probe ${i}`;
        tenants.source.admin.updateUser(link.sourceId, { jobTitle: value });
        pending.add({ targetId: link.targetId, value, t0: performance.now() });
      }
      const deadline = performance.now() + 30_000;
      while (pending.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      if (pending.size > 0) throw new Error(`${pending.size} changes never reached the target within 30 s`);
    } finally {
      clearInterval(watcher);
      await job.stop();
    }
    log(`  p50 ${median(latencies).toFixed(0)} ms, p99 ${quantile(latencies, 0.99).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms`);
    return [
      row("change-to-target-latency", "p50Ms", median(latencies), "ms"),
      row("change-to-target-latency", "p99Ms", quantile(latencies, 0.99), "ms"),
      row("change-to-target-latency", "maxMs", Math.max(...latencies), "ms"),
      row("change-to-target-latency", "samples", latencies.length, "count"),
      row("change-to-target-latency", "changePollIntervalMs", 1000, "ms"),
    ];
  },
};

/** A small seeded PRNG, so the sampling moments repeat from run to run. */
function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
