import { createManualClock } from "@tenantsync/core";
import type { MemoryDirectory } from "@tenantsync/memory";
import { createEmulatorCredential, startGraphEmulator } from "../../src/emulator.ts";
import { createGraphDirectory, parseAnchor } from "../../src/index.ts";
import { directoryContract, type DirectoryProbe } from "./directory-contract.ts";

const TENANT = "22222222-2222-4222-8222-222222222222";
const SOURCE = "11111111-1111-4111-8111-111111111111";
const APP_ID = "b7d8e648-520f-41d3-b9c0-fdeb91768a0a";
const ANCHOR = "extension_b7d8e648520f41d3b9c0fdeb91768a0a_tenantSyncAnchor";

/** The backdoor into the emulator's memory directory; the anchor is read from where the adapter stamps it. */
function emulatedGraphProbe(backend: MemoryDirectory): DirectoryProbe {
  const admin = backend.admin;
  return {
    addUser: async (input) => admin.addUser({ ...input }).id,
    updateUser: async (id, changes) => void admin.updateUser(id, changes),
    softDeleteUser: async (id) => void admin.deleteUser(id),
    hardDeleteUser: async (id) => admin.hardDeleteUser(id),
    addGroup: async (displayName, members) => admin.addGroup({ displayName, members }).id,
    addMember: async (groupId, memberId) => admin.addMember(groupId, memberId),
    removeMember: async (groupId, memberId) => admin.removeMember(groupId, memberId),
    setPartnerSettings: async (settings) => void admin.setPartnerSettings(settings),
    readUser: async (id) => {
      const user = admin.getUser(id);
      if (!user) return null;
      return {
        id: user.id,
        userPrincipalName: user.userPrincipalName,
        displayName: user.displayName,
        mail: user.mail,
        jobTitle: user.jobTitle,
        department: user.department,
        managerId: user.managerId,
        origin: user.origin,
        alternativeSecurityId: parseAnchor(user.extensions[ANCHOR]) ?? user.alternativeSecurityId,
        deleted: user.deletedDateTime !== null,
      };
    },
  };
}

directoryContract<MemoryDirectory>({
  name: "graph (over the Graph emulator)",
  create: async () => {
    const clock = createManualClock();
    const emulator = await startGraphEmulator({ tenants: [{ id: TENANT, displayName: "Fabrikam", verifiedDomains: ["fabrikam.onmicrosoft.com"] }], clock, pageSize: 3 });
    const directory = createGraphDirectory({ tenantId: TENANT, credential: createEmulatorCredential({ clock }), baseUrl: emulator.url, appId: APP_ID, clock });
    return { directory, backend: emulator.directory(TENANT), tenantId: TENANT, sourceTenantId: SOURCE, close: () => emulator.close() };
  },
  probe: emulatedGraphProbe,
});
