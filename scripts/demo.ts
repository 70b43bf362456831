// `pnpm demo`: a real sync across several in-memory tenants. A hub pushes its
// staff into three spokes; then people join, move, leave, get disabled and
// come back, and incremental cycles carry each change. The CLI's
// `tenantsync simulate` grows out of this.
import { createTenantMesh, type CycleReport } from "@tenantsync/core";
import { createMesh } from "@tenantsync/memory";

const world = createMesh({ seed: 7, tenants: 4, usersPerTenant: 400, guestsPerTenant: 20, externalsPerTenant: 20, groupsPerTenant: 6, trust: "hub-and-spoke" });
const [hub, ...spokes] = world.tenants;
if (!hub) throw new Error("no hub");
const mesh = createTenantMesh({ clock: world.clock });
for (const t of world.tenants) await mesh.addTenant(t);
for (const spoke of spokes) await mesh.addJob({ sourceTenantId: hub.tenant.id, targetTenantId: spoke.tenant.id, scope: { mode: "all" } });

function line(label: string, reports: Map<string, CycleReport>): void {
  const sum = { created: 0, updated: 0, disabled: 0, deleted: 0, restored: 0, errors: 0 };
  let kind = "";
  for (const r of reports.values()) {
    kind = r.kind;
    for (const k of Object.keys(sum) as Array<keyof typeof sum>) sum[k] += r.summary.counts[k];
  }
  const cells = Object.entries(sum).map(([k, v]) => `${k} ${String(v).padStart(5)}`);
  console.log(`${label.padEnd(28)} ${kind.padEnd(12)} ${cells.join("  ")}`);
}

console.log(`tenantsync demo — hub ${hub.tenant.displayName} → ${spokes.map((s) => s.tenant.displayName).join(", ")}`);
console.log(`hub: ${hub.admin.snapshot().users.length} users (internal members, guests and externals; only members sync)\n`);

line("initial cycle", (await mesh.runRound()).reports);

const members = hub.admin.snapshot().users.filter((u) => u.origin === "internal" && u.userType === "Member");
const at = (i: number) => members[i % members.length]!;
hub.admin.addUser({ userPrincipalName: "new.hire@" + hub.tenant.verifiedDomains[0], displayName: "New Hire", department: "Sales" });
hub.admin.updateUser(at(1).id, { department: "Research", jobTitle: "Scientist" });
line("a joiner and a mover", (await mesh.runRound()).reports);

hub.admin.disableUser(at(2).id);
line("a disable", (await mesh.runRound()).reports);

hub.admin.deleteUser(at(3).id);
line("a leaver (deleted)", (await mesh.runRound()).reports);

world.clock.advance(3 * 24 * 3600 * 1000);
hub.admin.restoreUser(at(3).id);
line("the leaver returns (3 days)", (await mesh.runRound()).reports);

const steady = await mesh.runRound();
line("nothing changed", steady.reports);

console.log("\nper spoke:");
for (const spoke of spokes) {
  const snap = spoke.admin.snapshot();
  const synced = snap.users.filter((u) => u.alternativeSecurityId?.tenantId === hub.tenant.id);
  console.log(`  ${spoke.tenant.displayName.padEnd(24)} ${synced.length} external members from the hub, ${synced.filter((u) => !u.accountEnabled).length} disabled, ${snap.bin.length} in the bin`);
}
const job = mesh.jobs()[0]!;
const [last] = await job.logs({ action: "restore" });
if (last) console.log(`\nlast restore logged: ${last.source.displayName} (${last.source.userId} → ${last.target.userId}) — ${last.reason}`);
