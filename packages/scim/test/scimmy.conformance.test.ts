// The DirectoryPort conformance kit against scimmy (a strict RFC 7643/7644
// implementation), deprovision "disable" (soft delete = active false + the
// tenantsync extension marker, restorable) and "delete" (DELETE, no restore).
import { runDirectoryConformance } from "@tenantsync/testkit";
import { compileScimMapping, createScimDirectory, DEFAULT_SOFT_DELETE_MARKER, type ScimDirectory } from "../src/index.ts";
import { scimmyProbe } from "./helpers/probes.ts";
import { startScimmyServer, type ScimmyServer } from "./helpers/scimmy-server.ts";
import { SCIM_TENANT } from "./helpers/tenants.ts";

const servers = new WeakMap<ScimDirectory, ScimmyServer>();

for (const deprovision of ["disable", "delete"] as const) {
  runDirectoryConformance<ScimDirectory>({
    name: `scim (scimmy, deprovision ${deprovision})`,
    async create({ sourceTenantId, clock }) {
      const server = await startScimmyServer();
      const directory = createScimDirectory({
        baseUrl: server.baseUrl,
        token: server.token,
        tenant: SCIM_TENANT,
        deprovision,
        userNameFormat: "external",
        trustedSourceTenantIds: [sourceTenantId],
        clock,
      });
      servers.set(directory, server);
      return directory;
    },
    probe: (directory, { clock }) =>
      scimmyProbe(
        servers.get(directory)!,
        compileScimMapping({ tenant: SCIM_TENANT, softDeleteMarker: deprovision === "disable" ? DEFAULT_SOFT_DELETE_MARKER : null }),
        () => clock.now(),
      ),
    destroy: (directory) => servers.get(directory)?.close(),
    // SCIM has no bin: with "delete" a soft-deleted user is gone from the service, so the kit's checks of the bin do not
    // apply; the kit's model also keeps soft-deleted users in the backend (CheckBackend), so it runs in disable mode only.
    disable: deprovision === "delete" ? ["softDeleteUser.moves", "softDeleteUser.alreadyDeleted", "updateUser.softDeletedUser", "properties.model"] : [],
    numRuns: 10,
    modelRuns: 8,
    convergenceRuns: 5,
  });
}
