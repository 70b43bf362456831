// The published conformance kit (@tenantsync/testkit) over the Graph adapter, against the emulator.
// The emulator backend keeps the sync identity in the anchor extension; the probe presents it as
// alternativeSecurityId (and homeTenantId), as a Graph backend reader would.
import type { DirectoryUser } from "@tenantsync/core";
import { runDirectoryConformance } from "@tenantsync/testkit";
import { createEmulatorCredential, startGraphEmulator, type GraphEmulator } from "../src/emulator.ts";
import { createGraphDirectory, parseAnchor, type GraphDirectory } from "../src/index.ts";

const TENANT = "22222222-2222-4222-8222-222222222222";
const APP_ID = "b7d8e648-520f-41d3-b9c0-fdeb91768a0a";
const ANCHOR = "extension_b7d8e648520f41d3b9c0fdeb91768a0a_tenantSyncAnchor";
const emulators = new WeakMap<GraphDirectory, GraphEmulator>();

function asBackend(user: DirectoryUser | null): DirectoryUser | null {
  if (!user) return null;
  const { [ANCHOR]: anchor, ...extensions } = user.extensions;
  const alt = parseAnchor(anchor) ?? user.alternativeSecurityId;
  return { ...user, extensions, alternativeSecurityId: alt, homeTenantId: alt?.tenantId ?? user.homeTenantId };
}

runDirectoryConformance<GraphDirectory>({
  name: "graph",
  create: async ({ clock, sourceTenantId }) => {
    const emulator = await startGraphEmulator({ tenants: [{ id: TENANT, displayName: "Fabrikam", verifiedDomains: ["fabrikam.onmicrosoft.com"] }], clock, anchorAttribute: ANCHOR });
    emulator.directory(TENANT).admin.setPartnerSettings({ tenantId: sourceTenantId, userSyncInbound: { isSyncAllowed: true }, automaticUserConsentSettings: { inboundAllowed: true } });
    const directory = createGraphDirectory({ tenantId: TENANT, credential: createEmulatorCredential({ clock }), baseUrl: emulator.url, appId: APP_ID, clock });
    emulators.set(directory, emulator);
    return directory;
  },
  destroy: async (directory) => emulators.get(directory)?.close(),
  probe: (directory) => {
    const admin = (emulators.get(directory) as GraphEmulator).directory(TENANT).admin;
    return {
      seedUser: async (input) => asBackend(admin.addUser(input)) as DirectoryUser,
      getUser: async (id) => asBackend(admin.getUser(id)),
      listUsers: async () => {
        const s = admin.snapshot();
        return [...s.users, ...s.bin].map((u) => asBackend(u) as DirectoryUser);
      },
      updateUser: async (id, changes) => void admin.updateUser(id, changes),
      softDeleteUser: async (id) => void admin.deleteUser(id),
      restoreUser: async (id) => void admin.restoreUser(id),
      hardDeleteUser: async (id) => admin.hardDeleteUser(id),
      addGroup: async (input) => admin.addGroup(input),
      addMember: async (g, m) => admin.addMember(g, m),
      removeMember: async (g, m) => admin.removeMember(g, m),
      setPartnerSettings: async (s) => void admin.setPartnerSettings(s),
    };
  },
  ignoreFields: ["createdDateTime"],
  numRuns: 5,
  modelRuns: 3,
  convergenceRuns: 2,
});
