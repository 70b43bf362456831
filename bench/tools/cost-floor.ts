// What a first cycle's parts cost on their own, per user, next to the whole
// cycle: reading the source, evaluating the default mappings, the memory
// target's creates (with the manager in the create, as the engine sends
// them), the state store's writes (a link and a log entry per user, as the
// engine writes them) and the structured-clone yardstick. The gap between the
// sum of the parts and the cycle is the engine's own work (planning, the
// limiter, bookkeeping) and the garbage collector's extra work when the parts
// run together.
//
//   node --expose-gc --max-semi-space-size=64 --conditions=@tenantsync/source --import tsx bench/tools/cost-floor.ts [users]
import { compileMappings, createMemoryStateStore, type DirectoryUser, type LogEntry } from "@tenantsync/core";
import { buildTenants, emptyTarget, newJob, trust } from "../lib/fixtures.ts";
import { fullGc, timeBoth } from "../lib/measure.ts";

const USERS = Number(process.argv[2] ?? 100_000);
const tenants = buildTenants({ users: USERS });
const source = tenants.source;
const sourceTenantId = source.tenant.id;
const rows: Array<[string, number]> = [];
const perUser = (ms: number) => (ms * 1000) / USERS;

async function part(name: string, fn: () => unknown): Promise<void> {
  fullGc();
  const { wallMs } = await timeBoth(fn);
  rows.push([name, perUser(wallMs)]);
}

let users: DirectoryUser[] = [];
await part("read the source (listUsers)", async () => {
  users = [];
  for await (const page of source.listUsers()) for (const u of page) users.push(u);
});

await part("structuredClone into a Map (yardstick)", () => {
  const map = new Map<string, DirectoryUser>();
  for (const u of users) map.set(u.id, structuredClone(u));
});

const compiled = compileMappings({ attributeMappings: null });
const context = { now: () => tenants.clock.now(), sourceTenantId };
let mapped: Array<ReturnType<typeof compiled.evaluate>> = [];
await part("evaluate the default mappings", () => {
  mapped = users.map((u) => compiled.evaluate(u, context));
});

const target = emptyTarget(tenants.clock);
trust(source, target);
const targetIdOf = new Map<string, string>();
await part("memory target: createExternalUser (manager in the create)", async () => {
  const w = { sourceTenantId };
  for (let i = 0; i < users.length; i++) {
    const u = users[i]!;
    const m = mapped[i]!;
    const managerTarget = m.managerSourceId ? targetIdOf.get(m.managerSourceId) : undefined;
    const attributes = managerTarget ? { ...m.createAttributes, managerId: managerTarget } : m.createAttributes;
    const created = await target.createExternalUser({ alternativeSecurityId: { tenantId: sourceTenantId, userId: u.id }, userType: "Member", attributes }, w);
    targetIdOf.set(u.id, created.id);
  }
});

const store = createMemoryStateStore();
const now = new Date().toISOString();
await part("state store: a link and a log entry per user", async () => {
  for (let i = 0; i < users.length; i++) {
    const u = users[i]!;
    const m = mapped[i]!;
    const targetId = targetIdOf.get(u.id)!;
    const modifiedProperties = Object.entries(m.createAttributes).map(([name, value]) => ({ name, oldValue: null, newValue: value as LogEntry["modifiedProperties"][number]["newValue"] }));
    const entry: LogEntry = {
      id: `log-${i}`, time: now, jobId: "job", cycleId: "cycle", changeId: `change-${i}`, action: "create", status: "success",
      source: { tenantId: sourceTenantId, userId: u.id, displayName: u.displayName }, target: { tenantId: target.tenant.id, userId: targetId },
      steps: [], modifiedProperties, reason: "R8", error: null, durationMs: 0,
    };
    await store.write("job", { putLinks: [{ sourceId: u.id, targetId, state: "active", softDeletedAt: null, fingerprint: m.fingerprint, disabledFlowed: false, managerSourceId: null }], appendLogs: [entry] });
  }
});

const partsSum = rows.slice(2).reduce((s, [, v]) => s + v + 0, rows[0]![1]);
fullGc();
const fresh = emptyTarget(tenants.clock);
trust(source, fresh);
const { job } = newJob(tenants, fresh);
const cycle = await timeBoth(() => job.runCycle());
rows.push(["the whole first cycle (createSyncJob, default mappings)", perUser(cycle.wallMs)]);

console.log(`\nper user, ${USERS.toLocaleString("en")} users (µs):`);
for (const [name, us] of rows) console.log(`  ${us.toFixed(1).padStart(7)}  ${name}`);
console.log(`  ${partsSum.toFixed(1).padStart(7)}  sum of the parts (yardstick excluded)`);
console.log(`  ${(1_000_000 / 50_000).toFixed(1).padStart(7)}  the budget at 50,000 users/s`);
