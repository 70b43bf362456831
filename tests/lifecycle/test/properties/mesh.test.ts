/**
 * R6 mesh property: random meshes of 3–6 memory tenants (memory's createMesh:
 * members with managers, internal guests, external users from outside
 * partners, groups; trust full or hub-and-spoke) with random jobs (hub and
 * spokes both ways, a full mesh, or a random set of pairs, in "all users" or
 * "assigned group" scope), run with core's createTenantMesh until steady,
 * then changed at random in random tenants and run until steady again. After
 * each steady state: no loops — every synced user traces to exactly one
 * internal member of its home tenant, through a job from that tenant; no
 * tenant holds a synced copy of its own user; no copy of a copy; no duplicate
 * copy; and the mesh is steady (a further round writes nothing).
 *
 * Replay a failure: fast-check prints the seed and the path; run
 *   FC_SEED=<seed> FC_PATH=<path> npx vitest run --project lifecycle test/properties/mesh
 */
import fc from "fast-check";
import { createTenantMesh, type DirectoryUser, type SyncJobConfigInput, type TenantMesh } from "@tenantsync/core";
import { createMesh, type Mesh } from "@tenantsync/memory";
import { describe, expect, it } from "vitest";

const numRuns = Number(process.env.FC_RUNS ?? 60);
const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;
const path = process.env.FC_PATH;

type Topology = "hub-and-spoke" | "spokes-to-hub" | "full" | "random";

interface MeshCase {
  meshSeed: number;
  tenants: number;
  usersPerTenant: number;
  trust: "full" | "hub-and-spoke";
  topology: Topology;
  /** For the random topology: which ordered pairs get a job. */
  pairs: boolean[];
  scope: "all" | "group";
  changes: Array<{ tenant: number; user: number; kind: "add" | "delete" | "disable" | "enable" | "department" }>;
}

const meshCaseArb: fc.Arbitrary<MeshCase> = fc.record({
  meshSeed: fc.nat({ max: 1_000_000 }),
  tenants: fc.integer({ min: 3, max: 6 }),
  usersPerTenant: fc.integer({ min: 1, max: 4 }),
  trust: fc.constantFrom("full" as const, "hub-and-spoke" as const),
  topology: fc.constantFrom<Topology>("hub-and-spoke", "spokes-to-hub", "full", "random"),
  pairs: fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
  scope: fc.constantFrom("all" as const, "all" as const, "group" as const),
  changes: fc.array(fc.record({ tenant: fc.nat({ max: 5 }), user: fc.nat({ max: 9 }), kind: fc.constantFrom("add" as const, "delete" as const, "disable" as const, "enable" as const, "department" as const) }), { maxLength: 6 }),
});

/** The ordered (source, target) tenant index pairs that get a job. */
function jobPairs(c: MeshCase): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let k = 0;
  for (let a = 0; a < c.tenants; a++) {
    for (let b = 0; b < c.tenants; b++) {
      if (a === b) continue;
      const pick = c.pairs[k++ % c.pairs.length]!;
      const wanted =
        c.topology === "full" ? true : c.topology === "hub-and-spoke" ? a === 0 || b === 0 : c.topology === "spokes-to-hub" ? b === 0 : pick;
      if (wanted) out.push([a, b]);
    }
  }
  return out;
}

async function buildMesh(c: MeshCase): Promise<{ memory: Mesh; mesh: TenantMesh }> {
  const memory = createMesh({ seed: c.meshSeed, tenants: c.tenants, usersPerTenant: c.usersPerTenant, guestsPerTenant: 1, externalsPerTenant: 1, groupsPerTenant: 2, trust: c.trust });
  const mesh = createTenantMesh({ clock: memory.clock });
  for (const t of memory.tenants) await mesh.addTenant(t);
  for (const [a, b] of jobPairs(c)) {
    const source = memory.tenants[a]!;
    const allEmployees = source.admin.snapshot().groups.find((g) => g.displayName === "All Employees")!;
    const config: SyncJobConfigInput = {
      sourceTenantId: source.tenant.id,
      targetTenantId: memory.tenants[b]!.tenant.id,
      scope: c.scope === "all" ? { mode: "all" } : { mode: "assigned", users: [], groups: [allEmployees.id] },
    };
    await mesh.addJob(config);
  }
  return { memory, mesh };
}

/** Applies a change to a tenant's own users (never to synced copies). */
function applyChange(memory: Mesh, change: MeshCase["changes"][number], n: number): string | null {
  const t = memory.tenants[change.tenant % memory.tenants.length]!;
  const admin = t.admin;
  const own = admin.snapshot().users.filter((u) => u.origin === "internal" && u.userType === "Member");
  const domain = t.tenant.verifiedDomains[0]!;
  if (change.kind === "add") {
    const alias = `added${n}`;
    const u = admin.addUser({ userPrincipalName: `${alias}@${domain}`, mail: `${alias}@${domain}`, mailNickname: alias, displayName: `Added ${n}` });
    const all = admin.snapshot().groups.find((g) => g.displayName === "All Employees");
    if (all) admin.addMember(all.id, u.id);
    return `${t.tenant.displayName}: add ${alias}`;
  }
  const u = own[change.user % Math.max(1, own.length)];
  if (!u) return null;
  if (change.kind === "delete") admin.deleteUser(u.id);
  else if (change.kind === "disable") admin.disableUser(u.id);
  else if (change.kind === "enable") admin.enableUser(u.id);
  else admin.updateUser(u.id, { department: `Dept ${n}` });
  return `${t.tenant.displayName}: ${change.kind} ${u.userPrincipalName}`;
}

/** Every violation of R6 (and of "one copy per source user and job") in the mesh. */
function loopProblems(memory: Mesh, mesh: TenantMesh): string[] {
  const problems: string[] = [];
  const jobs = new Set(mesh.jobs().map((j) => `${j.config.sourceTenantId.toLowerCase()}>${j.config.targetTenantId.toLowerCase()}`));
  for (const t of memory.tenants) {
    const snap = t.admin.snapshot();
    const seen = new Map<string, DirectoryUser>();
    for (const u of [...snap.users, ...snap.bin]) {
      const alt = u.alternativeSecurityId;
      if (!alt) continue;
      const where = `${t.tenant.displayName} user ${u.userPrincipalName}`;
      const key = `${alt.tenantId.toLowerCase()}/${alt.userId}`;
      if (seen.has(key)) problems.push(`${where}: a second copy of source user ${key} (first ${seen.get(key)!.id})`);
      seen.set(key, u);
      if (alt.tenantId.toLowerCase() === t.tenant.id.toLowerCase()) problems.push(`${where}: a synced copy of the tenant's own user ${alt.userId}`);
      if (u.origin !== "external" || u.homeTenantId?.toLowerCase() !== alt.tenantId.toLowerCase()) problems.push(`${where}: not an external user of its home tenant ${alt.tenantId}`);
      if (!jobs.has(`${alt.tenantId.toLowerCase()}>${t.tenant.id.toLowerCase()}`)) problems.push(`${where}: no job syncs ${alt.tenantId} into this tenant`);
      const home = memory.tenant(alt.tenantId);
      const original = home?.admin.getUser(alt.userId) ?? null;
      if (u.deletedDateTime !== null) continue; // a copy in the bin may outlive its source user
      if (!original) problems.push(`${where}: its source user ${key} does not exist`);
      else if (original.origin !== "internal" || original.userType !== "Member") problems.push(`${where}: its source user ${original.userPrincipalName} is not an internal member (origin ${original.origin}, ${original.userType}): a copy of a copy or of a guest`);
      else if (original.deletedDateTime !== null) problems.push(`${where}: live, but its source user ${original.userPrincipalName} is deleted`);
    }
  }
  return problems;
}

async function steady(mesh: TenantMesh, what: string, trace: string[]): Promise<void> {
  const rounds = await mesh.runUntilSteady({ maxRounds: 6 });
  trace.push(`${what}: ${rounds.length} rounds, writes ${rounds.map((r) => r.writes).join(",")}`);
  expect(rounds.at(-1)!.writes, `${what}: not steady after ${rounds.length} rounds\n  ${trace.join("\n  ")}`).toBe(0);
}

describe("mesh", () => {
  it("R6 mesh property: in random meshes of 3–6 tenants with random jobs, every synced user traces to exactly one internal source user and no tenant holds a copy of its own user", async () => {
    await fc.assert(
      fc.asyncProperty(meshCaseArb, async (c) => {
        const { memory, mesh } = await buildMesh(c);
        const trace = [`${c.tenants} tenants, trust ${c.trust}, ${c.topology} jobs (${mesh.jobs().length}), scope ${c.scope}`];
        await steady(mesh, "initial", trace);
        expect(loopProblems(memory, mesh), trace.join("\n  ")).toEqual([]);
        // Jobs that have trust sync someone: the property is not vacuous.
        const synced = memory.tenants.reduce((n, t) => n + t.admin.snapshot().users.filter((u) => u.alternativeSecurityId).length, 0);
        if (mesh.jobs().some((j) => c.trust === "full" || j.config.sourceTenantId === memory.tenants[0]!.tenant.id || j.config.targetTenantId === memory.tenants[0]!.tenant.id)) {
          expect(synced, trace.join("\n  ")).toBeGreaterThan(0);
        }
        c.changes.forEach((change, n) => {
          const did = applyChange(memory, change, n);
          if (did) trace.push(did);
        });
        memory.clock.advance(40 * 60_000);
        await steady(mesh, "after changes", trace);
        expect(loopProblems(memory, mesh), trace.join("\n  ")).toEqual([]);
      }),
      { numRuns, seed, path },
    );
  });
});
