import { createTenantMesh, type CycleCounts, type CycleReport, type DirectoryUser, type SyncJob } from "@tenantsync/core";
import { createMesh, createSeededRandom, type MemoryDirectory } from "@tenantsync/memory";
import { createYieldingPort } from "../adapters/yielding-port.ts";
import { addCounts, emptyCounts } from "../output/format.ts";

/**
 * Options of {@link runSimulation}.
 *
 * @example
 * ```ts
 * const options: SimulationOptions = { tenants: 4, users: 5000, rounds: 5, seed: 42, churn: 0.01 };
 * ```
 */
export interface SimulationOptions {
  /** Tenants in the mesh: one hub and `tenants - 1` spokes. At least 2. */
  tenants: number;
  /** Internal members per tenant (each tenant also gets 2 % guests and 2 % external users). */
  users: number;
  /** Rounds of churn after the initial cycle (a last quiet round follows them). */
  rounds: number;
  seed: number;
  /** Share of the hub's members that change per round (joiners; movers twice as many; leavers, disables and returns half as many). */
  churn: number;
  signal?: AbortSignal | undefined;
}

/**
 * What changed in the hub before a round.
 *
 * @example
 * ```ts
 * const c: RoundChanges = { joiners: 50, movers: 100, leavers: 25, disables: 25, returns: 12 };
 * ```
 */
export interface RoundChanges {
  joiners: number;
  movers: number;
  leavers: number;
  disables: number;
  returns: number;
}

/**
 * One round: the hub's changes, then one cycle of every job.
 *
 * @example
 * ```ts
 * const round: SimulationRound = result.rounds[1]!;
 * console.log(round.kind, round.writes);
 * ```
 */
export interface SimulationRound {
  round: number;
  label: string;
  changes: RoundChanges | null;
  /** `full`, `incremental`, or `mixed`. */
  kind: string;
  /** Totals over all jobs. */
  counts: CycleCounts;
  perJob: Record<string, CycleCounts>;
  /** Writes to the spokes, all jobs together. */
  writes: number;
  durationMs: number;
  interrupted: boolean;
}

/**
 * What a spoke holds at the end, checked against the hub.
 *
 * @example
 * ```ts
 * for (const check of result.checks) if (!check.converged) console.log(check.target, check.problems);
 * ```
 */
export interface SimulationCheck {
  jobId: string;
  target: string;
  /** Hub users in scope and enabled: each must have one live, enabled, current copy. */
  expected: number;
  /** Live copies of hub users in the spoke. */
  synced: number;
  enabled: number;
  disabled: number;
  /** Copies in the spoke's soft-delete bin. */
  inBin: number;
  /** What does not match (at most 20, with the total in `problemCount`). */
  problems: string[];
  problemCount: number;
  converged: boolean;
}

/**
 * What {@link runSimulation} returns.
 *
 * @example
 * ```ts
 * const result: SimulationResult = await runSimulation(options);
 * console.log(result.converged, result.rounds.length);
 * ```
 */
export interface SimulationResult {
  seed: number;
  hub: { id: string; name: string };
  tenants: Array<{ id: string; name: string; users: number }>;
  jobs: Array<{ id: string; source: string; target: string }>;
  rounds: SimulationRound[];
  checks: SimulationCheck[];
  converged: boolean;
  interrupted: boolean;
  durationMs: number;
}

/**
 * Callbacks for a display of the simulation.
 *
 * @example
 * ```ts
 * await runSimulation(options, { roundCompleted: (r) => console.log(r.round, r.counts.created) });
 * ```
 */
export interface SimulationHooks {
  /** The mesh is built and the jobs wired. */
  ready?(info: { tenants: SimulationResult["tenants"]; jobs: Array<{ job: SyncJob; label: string }>; hubGroup: string }): void;
  /** A round starts (its changes are already made in the hub). */
  roundStarted?(round: number, label: string, changes: RoundChanges | null): void;
  roundCompleted?(round: SimulationRound): void;
}

const DAY = 86_400_000;

/**
 * Builds a hub-and-spoke mesh of in-memory tenants with generated people,
 * syncs the hub's "All Employees" into every spoke, then applies rounds of
 * churn to the hub (joiners, movers, leavers, disables, returns), each
 * followed by an incremental cycle of every job, and finally checks that
 * every spoke matches the hub. Deterministic for a seed (except durations).
 *
 * @example
 * ```ts
 * const result = await runSimulation({ tenants: 3, users: 200, rounds: 2, seed: 1, churn: 0.02 });
 * console.log(result.converged);
 * ```
 */
export async function runSimulation(options: SimulationOptions, hooks: SimulationHooks = {}): Promise<SimulationResult> {
  const started = Date.now();
  const extras = Math.floor(options.users / 50);
  const world = createMesh({
    seed: options.seed,
    tenants: options.tenants,
    usersPerTenant: options.users,
    guestsPerTenant: extras,
    externalsPerTenant: extras,
    groupsPerTenant: 10,
    trust: "hub-and-spoke",
  });
  const [hub, ...spokes] = world.tenants as [MemoryDirectory, ...MemoryDirectory[]];
  const hubSnapshot = hub.admin.snapshot();
  const allEmployees = hubSnapshot.groups.find((g) => g.displayName === "All Employees");
  if (!allEmployees) throw new Error("the generated hub has no All Employees group");
  const mesh = createTenantMesh({ clock: world.clock });
  // Yielding ports let Ctrl-C and progress bars in while a cycle runs.
  for (const t of world.tenants) await mesh.addTenant(createYieldingPort(t));
  const jobs: Array<{ job: SyncJob; label: string }> = [];
  for (const spoke of spokes) {
    const job = await mesh.addJob({ sourceTenantId: hub.tenant.id, targetTenantId: spoke.tenant.id, scope: { mode: "assigned", groups: [allEmployees.id] } });
    jobs.push({ job, label: `${hub.tenant.displayName} → ${spoke.tenant.displayName}` });
  }
  const tenants = world.tenants.map((t) => ({ id: t.tenant.id, name: t.tenant.displayName, users: t.admin.snapshot().users.length }));
  hooks.ready?.({ tenants, jobs, hubGroup: allEmployees.displayName });

  const rounds: SimulationRound[] = [];
  let interrupted = false;
  const runRound = async (round: number, label: string, changes: RoundChanges | null) => {
    hooks.roundStarted?.(round, label, changes);
    const t0 = Date.now();
    const settled = await Promise.allSettled(jobs.map(({ job }) => job.runCycle(options.signal ? { signal: options.signal } : {})));
    const perJob: Record<string, CycleCounts> = {};
    let counts = emptyCounts();
    const kinds = new Set<string>();
    let roundInterrupted = false;
    settled.forEach((s, i) => {
      const id = jobs[i]!.job.id;
      if (s.status === "rejected") throw s.reason;
      const report: CycleReport = s.value;
      perJob[id] = report.summary.counts;
      counts = addCounts(counts, report.summary.counts);
      kinds.add(report.kind);
      if (report.stopped === "Aborted") roundInterrupted = true;
    });
    const result: SimulationRound = {
      round,
      label,
      changes,
      kind: kinds.size === 1 ? [...kinds][0]! : "mixed",
      counts,
      perJob,
      writes: counts.exported,
      durationMs: Date.now() - t0,
      interrupted: roundInterrupted || options.signal?.aborted === true,
    };
    rounds.push(result);
    hooks.roundCompleted?.(result);
    if (result.interrupted) interrupted = true;
  };

  await runRound(0, "initial", null);

  // ---- churn
  const random = createSeededRandom((options.seed ^ 0x5eed5) >>> 0);
  const domain = hub.tenant.verifiedDomains[0]!;
  const members = hubSnapshot.users.filter((u) => u.origin === "internal" && u.userType === "Member");
  const departments = [...new Set(members.map((u) => u.department).filter((d): d is string => !!d && d !== "Executive"))].sort();
  const titles = [...new Set(members.map((u) => u.jobTitle).filter((t): t is string => !!t))].sort();
  const active = new Set(members.filter((u) => u.accountEnabled).map((u) => u.id));
  const deleted: string[] = [];
  const removed: string[] = [];
  const disabled: string[] = [];
  const take = (n: number): string[] => {
    const pool = [...active];
    const picked: string[] = [];
    while (picked.length < n && pool.length > 0) {
      const i = random.int(pool.length);
      picked.push(pool[i]!);
      pool[i] = pool[pool.length - 1]!;
      pool.pop();
    }
    for (const id of picked) active.delete(id);
    return picked;
  };
  const size = (factor: number) => Math.max(1, Math.round(options.users * options.churn * factor));

  for (let round = 1; round <= options.rounds && !interrupted; round++) {
    world.clock.advance(DAY);
    const changes: RoundChanges = { joiners: 0, movers: 0, leavers: 0, disables: 0, returns: 0 };
    // Returns first, from earlier rounds: restored from the bin, back in the group, enabled again.
    const returning = size(0.5);
    for (let k = 0; k < returning; k++) {
      const pools = [deleted, removed, disabled].filter((p) => p.length > 0);
      if (pools.length === 0) break;
      const pool = pools[random.int(pools.length)]!;
      const id = pool.splice(random.int(pool.length), 1)[0]!;
      if (pool === deleted) {
        if (!hub.admin.getUser(id)?.deletedDateTime) continue;
        hub.admin.restoreUser(id);
      } else if (pool === removed) hub.admin.addMember(allEmployees.id, id);
      else hub.admin.enableUser(id);
      active.add(id);
      changes.returns++;
    }
    // Joiners: new people in the All Employees group, reporting to someone already there.
    const managers = [...active];
    for (let k = 0; k < size(1); k++) {
      const a = members[random.int(members.length)]!;
      const b = members[random.int(members.length)]!;
      const givenName = a.givenName ?? "Alex";
      const surname = b.surname ?? "Smith";
      const alias = `${givenName}.${surname}.r${round}n${k}`.toLowerCase().replace(/[^a-z0-9.]/g, "");
      const user: DirectoryUser = hub.admin.addUser({
        userPrincipalName: `${alias}@${domain}`,
        mail: `${alias}@${domain}`,
        mailNickname: alias,
        displayName: `${givenName} ${surname}`,
        givenName,
        surname,
        department: departments[random.int(departments.length)] ?? "Operations",
        jobTitle: titles[random.int(titles.length)] ?? "Analyst",
        companyName: hub.tenant.displayName,
        managerId: managers.length ? managers[random.int(managers.length)]! : null,
      });
      hub.admin.addMember(allEmployees.id, user.id);
      active.add(user.id);
      changes.joiners++;
    }
    // Movers: a new department and title.
    for (const id of take(size(2))) {
      hub.admin.updateUser(id, { department: departments[random.int(departments.length)] ?? null, jobTitle: titles[random.int(titles.length)] ?? null });
      active.add(id);
      changes.movers++;
    }
    // Leavers: half deleted (soft), half removed from the group (out of scope).
    for (const [k, id] of take(size(0.5)).entries()) {
      if (k % 2 === 0) {
        hub.admin.deleteUser(id);
        deleted.push(id);
      } else {
        hub.admin.removeMember(allEmployees.id, id);
        removed.push(id);
      }
      changes.leavers++;
    }
    for (const id of take(size(0.5))) {
      hub.admin.disableUser(id);
      disabled.push(id);
      changes.disables++;
    }
    await runRound(round, `round ${round}`, changes);
  }
  if (!interrupted) {
    world.clock.advance(DAY);
    await runRound(options.rounds + 1, "quiet", { joiners: 0, movers: 0, leavers: 0, disables: 0, returns: 0 });
  }

  const checks = jobs.map(({ job }, i) => checkSpoke(job.id, hub, spokes[i]!, allEmployees.id));
  return {
    seed: options.seed,
    hub: { id: hub.tenant.id, name: hub.tenant.displayName },
    tenants,
    jobs: jobs.map(({ job }, i) => ({ id: job.id, source: hub.tenant.displayName, target: spokes[i]!.tenant.displayName })),
    rounds,
    checks,
    converged: !interrupted && checks.every((c) => c.converged),
    interrupted,
    durationMs: Date.now() - started,
  };
}

const COMPARED = ["displayName", "department", "jobTitle"] as const;

/** Compares a spoke with the hub the way a person would: everyone in scope is there, current and enabled as in the hub; nobody else is live. */
export function checkSpoke(jobId: string, hub: MemoryDirectory, spoke: MemoryDirectory, groupId: string): SimulationCheck {
  const hubSnap = hub.admin.snapshot();
  const spokeSnap = spoke.admin.snapshot();
  const group = new Set(hubSnap.groups.find((g) => g.id === groupId)?.members ?? []);
  const copies = new Map<string, DirectoryUser[]>();
  for (const u of spokeSnap.users) {
    if (u.alternativeSecurityId?.tenantId.toLowerCase() !== hub.tenant.id.toLowerCase()) continue;
    const list = copies.get(u.alternativeSecurityId.userId) ?? [];
    list.push(u);
    copies.set(u.alternativeSecurityId.userId, list);
  }
  const inBin = spokeSnap.bin.filter((u) => u.alternativeSecurityId?.tenantId.toLowerCase() === hub.tenant.id.toLowerCase()).length;
  const problems: string[] = [];
  let expected = 0;
  const inScope = new Set<string>();
  for (const u of hubSnap.users) {
    if (u.origin !== "internal" || u.userType !== "Member" || !group.has(u.id)) continue;
    inScope.add(u.id);
    const list = copies.get(u.id) ?? [];
    if (list.length > 1) problems.push(`${u.displayName} (${u.id}) has ${list.length} copies`);
    const copy = list[0];
    if (u.accountEnabled) {
      expected++;
      if (!copy) problems.push(`${u.displayName} (${u.id}) is missing`);
      else if (!copy.accountEnabled) problems.push(`${u.displayName} (${u.id}) is disabled in the spoke but enabled in the hub`);
      else for (const key of COMPARED) if (copy[key] !== u[key]) problems.push(`${u.displayName} (${u.id}): ${key} is ${JSON.stringify(copy[key])}, the hub says ${JSON.stringify(u[key])}`);
    } else if (copy?.accountEnabled) problems.push(`${u.displayName} (${u.id}) is disabled in the hub but enabled in the spoke`);
  }
  for (const [sourceId, list] of copies) {
    if (inScope.has(sourceId)) continue;
    for (const copy of list) if (copy.accountEnabled) problems.push(`${copy.displayName} (${sourceId}) left scope but is still live and enabled in the spoke`);
  }
  const live = [...copies.values()].flat();
  return {
    jobId,
    target: spoke.tenant.displayName,
    expected,
    synced: live.length,
    enabled: live.filter((u) => u.accountEnabled).length,
    disabled: live.filter((u) => !u.accountEnabled).length,
    inBin,
    problems: problems.slice(0, 20),
    problemCount: problems.length,
    converged: problems.length === 0,
  };
}
