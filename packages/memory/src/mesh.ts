import { ConfigError, createManualClock } from "@tenantsync/core";
import type { Clock, Cloud, ConfigIssue, DirectoryUser, ManualClock } from "@tenantsync/core";
import { externalUserPrincipalName } from "./external-user-principal-name.ts";
import { createMemoryDirectory, stateOf, type MemoryDirectory } from "./memory-directory.ts";
import { DEPARTMENTS, GIVEN_NAMES, OFFICES, PROJECT_NAMES, SURNAMES } from "./mesh-names.ts";
import { createSeededRandom, type SeededRandom } from "./seeded-random.ts";
import { blankUser } from "./user-attributes.ts";

/**
 * One tenant of a mesh, as described by the caller (everything optional).
 *
 * @example
 * ```ts
 * createMesh({ seed: 1, tenants: [{ displayName: "Contoso", domain: "contoso.com", cloud: "gcc" }, {}], usersPerTenant: 10 });
 * ```
 */
export interface MeshTenantInput {
  /** Default `Tenant <n>`. */
  displayName?: string;
  /** Default `commercial`. */
  cloud?: Cloud;
  /** The default (first verified) domain; default `tenant<n>.example.com`. */
  domain?: string;
}

/**
 * Which partner settings a mesh starts with.
 *
 * @example
 * ```ts
 * const trust: MeshTrust = "hub-and-spoke";
 * ```
 */
export type MeshTrust = "full" | "hub-and-spoke" | "none";

/**
 * Options of {@link createMesh}.
 *
 * @example
 * ```ts
 * const options: MeshOptions = { seed: 1, tenants: 3, usersPerTenant: 1000, groupsPerTenant: 12, trust: "hub-and-spoke" };
 * ```
 */
export interface MeshOptions<C extends Clock = ManualClock> {
  /** Everything generated (ids, names, memberships) follows from the seed. */
  seed: number;
  /** How many tenants, or a description of each. */
  tenants: number | readonly MeshTenantInput[];
  /** Internal member users per tenant (the users sync moves). */
  usersPerTenant: number;
  /** Internal guests per tenant (internal accounts with userType Guest; never synced). Default 0. */
  guestsPerTenant?: number;
  /** External (B2B) users per tenant, invited from partner tenants outside the mesh. Default 0. */
  externalsPerTenant?: number;
  /** Groups per tenant. Default 0. */
  groupsPerTenant?: number;
  /** Give members managers, forming one org tree per tenant. Default true. */
  managers?: boolean;
  /**
   * Partner settings: `full` — every tenant allows inbound sync and automatic
   * redemption (both ways) with every other; `hub-and-spoke` — the first
   * tenant is the hub, settings only between the hub and each spoke; `none`.
   * Default `full`.
   */
  trust?: MeshTrust;
  /** Shared by every tenant. Default `createManualClock()`. */
  clock?: C;
  /** Page size of every directory. Default 1000. */
  pageSize?: number;
}

/**
 * What {@link createMesh} builds.
 *
 * @example
 * ```ts
 * const mesh: Mesh = createMesh({ seed: 1, tenants: 2, usersPerTenant: 10 });
 * const source = mesh.tenant(mesh.tenants[0]!.tenant.id);
 * ```
 */
export interface Mesh<C extends Clock = ManualClock> {
  /** The clock every tenant shares. */
  clock: C;
  seed: number;
  /** The tenants, in order (the first is the hub in hub-and-spoke). */
  tenants: MemoryDirectory[];
  /** The tenant with this id, or undefined. */
  tenant(id: string): MemoryDirectory | undefined;
  /** Ids of the partner tenants outside the mesh that external users come from. */
  outsideTenantIds: string[];
}

const FANOUT = 7;
const OUTSIDE_PARTNERS = 3;

/**
 * Builds N in-memory tenants sharing one clock, filled with generated people:
 * members with realistic names, departments, job titles, offices and an org
 * tree of managers; internal guests; external users from partner tenants
 * outside the mesh; groups (All Employees, one per department, projects that
 * sometimes nest the previous project); and partner settings per `trust`.
 * Deterministic for a seed. Builds tens of thousands of users per second
 * (it bypasses per-user schema validation, not the directory's rules).
 *
 * @example
 * ```ts
 * const mesh = createMesh({ seed: 42, tenants: 3, usersPerTenant: 500, groupsPerTenant: 10 });
 * const [hub, spoke] = mesh.tenants;
 * mesh.clock.advance(40 * 60 * 1000); // 40 minutes later, in every tenant
 * ```
 */
export function createMesh<C extends Clock = ManualClock>(options: MeshOptions<C>): Mesh<C> {
  checkMeshOptions(options);
  const clock = (options.clock ?? createManualClock()) as C;
  const random = createSeededRandom(options.seed);
  const inputs: readonly MeshTenantInput[] = typeof options.tenants === "number" ? Array.from({ length: options.tenants }, () => ({})) : options.tenants;
  const outside = Array.from({ length: OUTSIDE_PARTNERS }, (_, i) => ({ id: random.guid(), domain: `partner${i + 1}.example.org` }));
  const tenants: MemoryDirectory[] = inputs.map((input, i) => {
    const id = random.guid();
    const tenantSeed = random.int(2 ** 31);
    const directory = createMemoryDirectory({
      tenant: {
        id,
        displayName: input.displayName ?? `Tenant ${i + 1}`,
        cloud: input.cloud ?? "commercial",
        verifiedDomains: [input.domain ?? `tenant${i + 1}.example.com`],
      },
      clock,
      seed: tenantSeed,
      ...(options.pageSize !== undefined ? { pageSize: options.pageSize } : {}),
    });
    populate(directory, createSeededRandom(tenantSeed ^ 0x5eed), options, outside);
    return directory;
  });

  const trust = options.trust ?? "full";
  const allow = (holder: MemoryDirectory, partner: MemoryDirectory) =>
    holder.admin.setPartnerSettings({
      tenantId: partner.tenant.id,
      userSyncInbound: { isSyncAllowed: true },
      automaticUserConsentSettings: { inboundAllowed: true, outboundAllowed: true },
    });
  if (trust === "full") {
    for (const a of tenants) for (const b of tenants) if (a !== b) allow(a, b);
  } else if (trust === "hub-and-spoke") {
    const [hub, ...spokes] = tenants;
    for (const spoke of spokes) {
      allow(hub!, spoke);
      allow(spoke, hub!);
    }
  }

  const byId = new Map(tenants.map((t) => [t.tenant.id.toLowerCase(), t]));
  return {
    clock,
    seed: options.seed,
    tenants,
    tenant: (id) => byId.get(String(id).toLowerCase()),
    outsideTenantIds: outside.map((o) => o.id),
  };
}

function checkMeshOptions(options: MeshOptions<Clock>): void {
  const issues: ConfigIssue[] = [];
  const count = (key: keyof MeshOptions, min: number) => {
    const v = options[key];
    if (v !== undefined && !(typeof v === "number" && Number.isInteger(v) && v >= min)) issues.push({ path: [key], message: `must be an integer >= ${min}` });
  };
  if (!options || typeof options !== "object") throw new ConfigError([{ path: [], message: "options are required" }], "mesh options");
  if (!Number.isFinite(options.seed)) issues.push({ path: ["seed"], message: "must be a finite number" });
  if (typeof options.tenants === "number") count("tenants", 1);
  else if (!Array.isArray(options.tenants) || options.tenants.length === 0) issues.push({ path: ["tenants"], message: "must be a number >= 1 or a non-empty array" });
  if (options.usersPerTenant === undefined) issues.push({ path: ["usersPerTenant"], message: "is required" });
  count("usersPerTenant", 0);
  count("guestsPerTenant", 0);
  count("externalsPerTenant", 0);
  count("groupsPerTenant", 0);
  if (options.trust !== undefined && !["full", "hub-and-spoke", "none"].includes(options.trust)) issues.push({ path: ["trust"], message: "must be full, hub-and-spoke or none" });
  if (issues.length > 0) throw new ConfigError(issues, "mesh options");
}

/** Fills one tenant. Users go straight into the state (no zod per user), still through its uniqueness checks and change log. */
function populate(directory: MemoryDirectory, random: SeededRandom, options: MeshOptions<Clock>, outside: ReadonlyArray<{ id: string; domain: string }>): void {
  const state = stateOf(directory);
  const tenant = directory.tenant;
  const domain = tenant.verifiedDomains[0]!;
  const now = directory.clock.now().toISOString();
  const managers = options.managers ?? true;
  const insert = (user: DirectoryUser) => state.insertUser(user, true);
  const aliases = new Map<string, number>();
  /** `base`, or `base2`, `base3`… when taken (per scope: this tenant, or one outside partner). */
  const uniqueAlias = (base: string, scope = domain): string => {
    const key = `${base}@${scope}`;
    const n = aliases.get(key) ?? 0;
    aliases.set(key, n + 1);
    return n === 0 ? base : `${base}${n + 1}`;
  };
  const person = () => {
    const givenName = random.pick(GIVEN_NAMES);
    const surname = random.pick(SURNAMES);
    return { givenName, surname, base: `${givenName}.${surname}`.toLowerCase() };
  };

  // ---- members, with an org tree: user k reports to user floor((k-1)/FANOUT)
  const memberIds: string[] = [];
  const memberDepartment: number[] = [];
  const depth: number[] = [];
  const byDepartment: string[][] = DEPARTMENTS.map(() => []);
  for (let k = 0; k < options.usersPerTenant; k++) {
    const { givenName, surname, base } = person();
    const alias = uniqueAlias(base);
    const upn = `${alias}@${domain}`;
    const parent = managers && k > 0 ? Math.floor((k - 1) / FANOUT) : -1;
    const d = parent < 0 ? (managers ? 0 : 3) : depth[parent]! + 1;
    depth.push(d);
    const dept = managers && d > 1 ? memberDepartment[parent]! : managers && d === 1 ? (k - 1) % DEPARTMENTS.length : random.int(DEPARTMENTS.length);
    memberDepartment.push(dept);
    const department = DEPARTMENTS[dept]!;
    const office = random.pick(OFFICES);
    const jobTitle =
      managers && d === 0 ? "Chief Executive Officer" : managers && d === 1 ? `Head of ${department.name}` : managers && d === 2 ? `${department.name} Manager` : random.pick(department.titles);
    const id = state.newId();
    const user: DirectoryUser = {
      ...blankUser(id, upn, `${givenName} ${surname}`),
      mail: upn,
      mailNickname: alias,
      givenName,
      surname,
      jobTitle,
      department: managers && d === 0 ? "Executive" : department.name,
      companyName: tenant.displayName,
      employeeId: `E${String(k + 1).padStart(6, "0")}`,
      officeLocation: `${office.city} ${1 + random.int(4)}`,
      city: office.city,
      country: office.country,
      businessPhones: [`+1 555 ${String(random.int(10_000)).padStart(4, "0")}`],
      preferredLanguage: office.language,
      managerId: parent >= 0 ? memberIds[parent]! : null,
      createdDateTime: now,
    };
    state.insertUser(user, true);
    memberIds.push(id);
    byDepartment[dept]!.push(id);
  }

  // ---- internal guests: accounts of this tenant with userType Guest
  const guestIds: string[] = [];
  for (let k = 0; k < (options.guestsPerTenant ?? 0); k++) {
    const { givenName, surname, base } = person();
    const alias = uniqueAlias(`${base}.guest`);
    const upn = `${alias}@${domain}`;
    const id = state.newId();
    insert({
      ...blankUser(id, upn, `${givenName} ${surname} (Guest)`),
      mail: upn,
      mailNickname: alias,
      givenName,
      surname,
      jobTitle: "Contractor",
      companyName: "Contracting Partners",
      userType: "Guest",
      createdDateTime: now,
    });
    guestIds.push(id);
  }

  // ---- external users invited from partner tenants outside the mesh
  for (let k = 0; k < (options.externalsPerTenant ?? 0); k++) {
    const { givenName, surname, base } = person();
    const home = outside[k % outside.length]!;
    const sourceUpn = `${uniqueAlias(base, home.domain)}@${home.domain}`;
    const names = externalUserPrincipalName(sourceUpn, domain);
    const id = state.newId();
    insert({
      ...blankUser(id, names.userPrincipalName, `${givenName} ${surname}`),
      mail: sourceUpn,
      mailNickname: names.mailNickname,
      givenName,
      surname,
      companyName: home.domain,
      userType: random.chance(0.8) ? "Guest" : "Member",
      origin: "external",
      homeTenantId: home.id,
      showInAddressList: true,
      createdDateTime: now,
    });
  }

  // ---- groups: All Employees, one per department, then projects
  const groups = options.groupsPerTenant ?? 0;
  let previousProject: string | null = null;
  for (let g = 0; g < groups; g++) {
    if (g === 0) {
      const id = state.addGroup(state.newId(), "All Employees", true).id;
      for (const m of memberIds) state.addMember(id, m);
    } else if (g <= DEPARTMENTS.length) {
      const id = state.addGroup(state.newId(), `${DEPARTMENTS[g - 1]!.name} Team`, true).id;
      for (const m of byDepartment[g - 1]!) state.addMember(id, m);
    } else {
      const p = g - DEPARTMENTS.length - 1;
      const name = `Project ${PROJECT_NAMES[p % PROJECT_NAMES.length]}${p >= PROJECT_NAMES.length ? ` ${Math.floor(p / PROJECT_NAMES.length) + 1}` : ""}`;
      const id = state.addGroup(state.newId(), name, true).id;
      const size = Math.min(memberIds.length, 5 + random.int(20));
      const chosen = new Set<string>();
      while (chosen.size < size) chosen.add(memberIds[random.int(memberIds.length)]!);
      if (guestIds.length > 0 && random.chance(0.5)) chosen.add(guestIds[random.int(guestIds.length)]!);
      for (const m of chosen) state.addMember(id, m);
      if (previousProject !== null && random.chance(0.3)) state.addMember(id, previousProject);
      previousProject = id;
    }
  }
}
