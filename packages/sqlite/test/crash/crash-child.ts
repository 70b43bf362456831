// The process the crash test kills (R27). Usage:
//   crash-child <storePath> <journalPath> <phase> <killAt>
// Rebuilds the world for <phase> (scenario.ts), opens the SQLite store, and
// runs cycles of the job until a cycle has nothing left to do. Crash points
// are counted: before and after each target write (journaled-target.ts) and
// before and after each store write. At crash point number <killAt> (1-based;
// 0 = never) the process sends itself SIGKILL. Prints "ops <n>" (crash points
// passed) and "phase-done <phase>" when it finishes.
import { createSyncJob, type StateStore } from "@tenantsync/core";
import { createSeededRandom } from "@tenantsync/memory";
import { createSqliteStateStore } from "../../src/index.ts";
import { journaledTarget } from "./journaled-target.ts";
import { buildWorld } from "./scenario.ts";

const [storePath, journalPath, phaseText, killAtText] = process.argv.slice(2) as [string, string, string, string];
const phase = Number(phaseText);
const killAt = Number(killAtText);

let ops = 0;
function tick(): void {
  ops++;
  if (ops === killAt) {
    process.kill(process.pid, "SIGKILL");
    // Make sure nothing else runs while the signal is delivered.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  }
}

const world = await buildWorld(phase, journalPath);
const sqlite = createSqliteStateStore({ path: storePath, clock: world.clock });
const store: StateStore = {
  name: sqlite.name,
  getJob: (...a) => sqlite.getJob(...a),
  getLinks: (...a) => sqlite.getLinks(...a),
  listLinks: (...a) => sqlite.listLinks(...a),
  listEscrows: (...a) => sqlite.listEscrows(...a),
  queryLogs: (...a) => sqlite.queryLogs(...a),
  pruneLogs: (...a) => sqlite.pruneLogs(...a),
  deleteJob: (...a) => sqlite.deleteJob(...a),
  async write(...a) {
    tick();
    await sqlite.write(...a);
    tick();
  },
};
const job = createSyncJob({
  source: world.source,
  target: journaledTarget(world.target, { journalPath, phase, clock: world.clock, tick }),
  config: world.config,
  store,
  clock: world.clock,
  random: createSeededRandom(1000 + phase).next,
});
console.log("running");
let steady = false;
for (let cycle = 0; cycle < 8 && !steady; cycle++) {
  const report = await job.runCycle();
  const c = report.summary.counts;
  console.log(`cycle ${report.kind} ${report.summary.state} created=${c.created} updated=${c.updated} disabled=${c.disabled} deleted=${c.deleted} restored=${c.restored} exported=${c.exported} errors=${c.errors} escrowed=${c.escrowed}`);
  if (report.summary.state === "failed") {
    console.error(`cycle failed: ${JSON.stringify(report.summary.error)}`);
    process.exit(2);
  }
  steady = report.committed && c.exported === 0 && c.errors === 0 && c.escrowed === 0;
}
await sqlite.close();
console.log(`ops ${ops}`);
if (!steady) {
  console.error("no steady state after 8 cycles");
  process.exit(3);
}
console.log(`phase-done ${phase}`);
