// The DirectoryPort conformance kit against @better-auth/scim in better-auth
// (memory adapter). Its quirks shape the options: it refuses custom
// extension schemas, so the soft-delete marker goes into a typed `roles`
// entry; it requires an email when userName is not one, so userName stays
// the source UPN (userNameFormat "source"); it filters only id, externalId,
// userName and emails, so other attributes are matched by a paged scan.
import { runDirectoryConformance } from "@tenantsync/testkit";
import { compileScimMapping, createScimDirectory, type ScimDirectory } from "../src/index.ts";
import { betterAuthProbe } from "./helpers/probes.ts";
import { BETTER_AUTH_MARKER, startBetterAuthScimServer, type BetterAuthScimServer } from "./helpers/better-auth-server.ts";
import { SCIM_TENANT } from "./helpers/tenants.ts";


const servers = new WeakMap<ScimDirectory, BetterAuthScimServer>();

runDirectoryConformance<ScimDirectory>({
  name: "scim (better-auth, deprovision disable)",
  async create({ sourceTenantId, clock }) {
    const server = await startBetterAuthScimServer();
    const directory = createScimDirectory({
      baseUrl: server.baseUrl,
      token: server.token,
      tenant: SCIM_TENANT,
      deprovision: "disable",
      softDeleteMarker: BETTER_AUTH_MARKER,
      trustedSourceTenantIds: [sourceTenantId],
      clock,
    });
    servers.set(directory, server);
    return directory;
  },
  probe: (directory) => betterAuthProbe(servers.get(directory)!, compileScimMapping({ tenant: SCIM_TENANT, softDeleteMarker: BETTER_AUTH_MARKER })),
  destroy: (directory) => servers.get(directory)?.close(),
  // userNameFormat "source": the service needs an email-shaped userName when the user has no email (see docs/scim.md).
  disable: ["createExternalUser.externalUserPrincipalName"],
  numRuns: 10,
  modelRuns: 8,
  convergenceRuns: 5,
});
