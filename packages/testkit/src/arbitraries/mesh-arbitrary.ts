import fc from "fast-check";
import type { SyncJobConfigInput, Tenant } from "@tenantsync/core";
import { directory, type GeneratedDirectory } from "./directory-state-arbitrary.ts";

/**
 * One tenant of a generated mesh: its description and its users and groups.
 *
 * @example
 * ```ts
 * for (const { tenant, directory } of mesh.tenants) load(tenant.id, directory.users);
 * ```
 */
export interface GeneratedMeshTenant {
  tenant: Tenant;
  directory: GeneratedDirectory;
}

/**
 * A generated multi-tenant organisation: tenants and the jobs between them.
 *
 * @example
 * ```ts
 * const [mesh] = fc.sample(arbitraries.mesh({ topologies: ["full-mesh"] }), 1);
 * mesh.jobs.length; // n × (n − 1)
 * ```
 */
export interface GeneratedMesh {
  /** `hub-and-spoke` (one hub pushes to every spoke, and optionally back) or `full-mesh` (every ordered pair). */
  topology: "hub-and-spoke" | "full-mesh";
  tenants: GeneratedMeshTenant[];
  /** At most one job per ordered (source, target) pair (R5), all within one cloud (R4). */
  jobs: SyncJobConfigInput[];
}

/**
 * Options of {@link mesh}.
 *
 * @example
 * ```ts
 * const options: MeshArbitraryOptions = { maxTenants: 3, maxUsersPerTenant: 10, topologies: ["hub-and-spoke"] };
 * ```
 */
export interface MeshArbitraryOptions {
  /** Fewest tenants. Default 2. */
  minTenants?: number;
  /** Most tenants. Default 4. */
  maxTenants?: number;
  /** Most users per tenant. Default 6. */
  maxUsersPerTenant?: number;
  /** Topologies to draw from. Default both. */
  topologies?: ReadonlyArray<GeneratedMesh["topology"]>;
}

const NAMES = ["Contoso", "Fabrikam", "Northwind", "Adatum", "Tailspin", "Woodgrove", "Litware", "Proseware"];

/**
 * A multi-tenant organisation: 2–4 tenants in one cloud (commercial and GCC
 * mixed, which R4 treats as one), each with its own users (external users
 * among them come from other tenants of the mesh) and groups, and `all`-scope
 * jobs in a hub-and-spoke or full-mesh layout.
 *
 * @example
 * ```ts
 * fc.assert(fc.asyncProperty(arbitraries.mesh(), async ({ tenants, jobs }) => {
 *   const mesh = createTenantMesh({ clock });
 *   for (const t of tenants) await mesh.addTenant(makeDirectory(t));
 *   for (const j of jobs) await mesh.addJob(j);
 *   await mesh.runUntilSteady();
 * }));
 * ```
 */
export function mesh(options: MeshArbitraryOptions = {}): fc.Arbitrary<GeneratedMesh> {
  const min = Math.max(2, options.minTenants ?? 2);
  const max = Math.max(min, options.maxTenants ?? 4);
  return fc
    .record({
      count: fc.integer({ min, max }),
      topology: fc.constantFrom(...(options.topologies ?? (["hub-and-spoke", "full-mesh"] as const))),
      government: fc.boolean(),
      backToHub: fc.boolean(),
    })
    .chain(({ count, topology, government, backToHub }) =>
      fc.record({
        topology: fc.constant(topology),
        backToHub: fc.constant(backToHub),
        ids: fc.uniqueArray(fc.uuid({ version: 4 }), { minLength: count, maxLength: count, selector: (id) => id.toLowerCase() }),
        clouds: fc.array(government ? fc.constant("gcch" as const) : fc.constantFrom("commercial" as const, "gcc" as const), { minLength: count, maxLength: count }),
      }),
    )
    .chain(({ topology, backToHub, ids, clouds }) => {
      const tenants: Tenant[] = ids.map((id, i) => ({
        id,
        displayName: NAMES[i % NAMES.length]!,
        cloud: clouds[i]!,
        verifiedDomains: [`${NAMES[i % NAMES.length]!.toLowerCase()}${i}.example.com`],
      }));
      const directories = tenants.map((t) =>
        directory({
          domain: t.verifiedDomains[0]!,
          maxUsers: options.maxUsersPerTenant ?? 6,
          maxGroups: 2,
          externalHomeTenantId: fc.constantFrom(...ids.filter((other) => other !== t.id)),
        }),
      );
      const jobs: SyncJobConfigInput[] = [];
      const job = (s: Tenant, t: Tenant): SyncJobConfigInput => ({ sourceTenantId: s.id, targetTenantId: t.id, scope: { mode: "all" }, accidentalDeletionPrevention: { enabled: false } });
      if (topology === "full-mesh") {
        for (const s of tenants) for (const t of tenants) if (s !== t) jobs.push(job(s, t));
      } else {
        const [hub, ...spokes] = tenants;
        for (const spoke of spokes) {
          jobs.push(job(hub!, spoke));
          if (backToHub) jobs.push(job(spoke, hub!));
        }
      }
      return fc.tuple(...directories).map((dirs) => ({ topology, tenants: tenants.map((tenant, i) => ({ tenant, directory: dirs[i]! })), jobs }));
    });
}
