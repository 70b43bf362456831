// Runs the tenantsync conformance kit (@tenantsync/testkit) against the
// in-memory directory, with a probe over its admin API (the backdoor: it
// reads and changes the tenant's state directly, never through the port).
//
// The kit is imported from its sources by path until @tenantsync/testkit is
// a devDependency of this package; then import it by name.
import { createMemoryDirectory, type MemoryDirectory } from "../src/index.ts";
import { runDirectoryConformance, type DirectoryProbe } from "../../testkit/src/index.ts";

const TENANT = { id: "7a46e7a4-0000-4000-8000-0000000000e1", displayName: "Kit Target", verifiedDomains: ["kit-target.example.com", "kit-target.onmicrosoft.com"] };

function memoryProbe(directory: MemoryDirectory): DirectoryProbe {
  const admin = directory.admin;
  return {
    seedUser: async (input) => admin.addUser(input),
    getUser: async (id) => admin.getUser(id),
    listUsers: async () => {
      const snapshot = admin.snapshot();
      return [...snapshot.users, ...snapshot.bin];
    },
    updateUser: async (id, changes) => void admin.updateUser(id, changes),
    softDeleteUser: async (id) => void admin.deleteUser(id),
    restoreUser: async (id) => void admin.restoreUser(id),
    hardDeleteUser: async (id) => admin.hardDeleteUser(id),
    addGroup: async (input) => admin.addGroup(input),
    addMember: async (groupId, memberId) => admin.addMember(groupId, memberId),
    removeMember: async (groupId, memberId) => admin.removeMember(groupId, memberId),
    setPartnerSettings: async (settings) => void admin.setPartnerSettings(settings),
  };
}

runDirectoryConformance<MemoryDirectory>({
  name: "memory",
  create: ({ sourceTenantId, clock }) => {
    const directory = createMemoryDirectory({ tenant: TENANT, clock });
    directory.admin.setPartnerSettings({ tenantId: sourceTenantId, userSyncInbound: { isSyncAllowed: true }, automaticUserConsentSettings: { inboundAllowed: true } });
    return directory;
  },
  probe: memoryProbe,
});
