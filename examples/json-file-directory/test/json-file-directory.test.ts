// The JSON-file directory through tenantsync's conformance kit. The probe is
// the backdoor: it reads and edits the JSON file itself, never through the
// adapter, so every test checks what really landed on disk.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { expect, it } from "vitest";
import { parseDirectoryUser } from "@tenantsync/core";
import { runDirectoryConformance, type DirectoryProbe } from "@tenantsync/testkit";
import { createDirectoryFile, createJsonFileDirectory, readDirectoryFile, recordChange, updateDirectoryFile, type JsonFileDirectory } from "../src/index.ts";

const TENANT = { id: "f11e0000-0000-4000-8000-000000000001", displayName: "File Tenant", cloud: "commercial" as const, verifiedDomains: ["file-tenant.example.com"] };

function jsonFileProbe(path: string): DirectoryProbe {
  const edit = updateDirectoryFile;
  return {
    seedUser: (input) =>
      edit(path, (file) => {
        const user = parseDirectoryUser({ ...input, id: randomUUID() });
        file.users.push(user);
        recordChange(file, { kind: "user", id: user.id });
        return user;
      }),
    getUser: async (id) => (await readDirectoryFile(path)).users.find((u) => u.id === id) ?? null,
    listUsers: async () => (await readDirectoryFile(path)).users,
    updateUser: (id, changes) =>
      edit(path, (file) => {
        const user = file.users.find((u) => u.id === id)!;
        Object.assign(user, changes);
        recordChange(file, { kind: "user", id });
      }),
    softDeleteUser: (id) =>
      edit(path, (file) => {
        file.users.find((u) => u.id === id)!.deletedDateTime = new Date().toISOString();
        recordChange(file, { kind: "user", id });
      }),
    restoreUser: (id) =>
      edit(path, (file) => {
        file.users.find((u) => u.id === id)!.deletedDateTime = null;
        recordChange(file, { kind: "user", id });
      }),
    hardDeleteUser: (id) =>
      edit(path, (file) => {
        file.users = file.users.filter((u) => u.id !== id);
        recordChange(file, { kind: "user", id });
      }),
    addGroup: (input) =>
      edit(path, (file) => {
        const group = { id: randomUUID(), displayName: input.displayName, members: [...(input.members ?? [])] };
        file.groups.push(group);
        return group;
      }),
    addMember: (groupId, memberId) =>
      edit(path, (file) => {
        file.groups.find((g) => g.id === groupId)!.members.push(memberId);
        recordChange(file, { kind: "membership", id: groupId, memberId });
      }),
    removeMember: (groupId, memberId) =>
      edit(path, (file) => {
        const group = file.groups.find((g) => g.id === groupId)!;
        group.members = group.members.filter((m) => m !== memberId);
        recordChange(file, { kind: "membership", id: groupId, memberId });
      }),
    setPartnerSettings: (settings) =>
      edit(path, (file) => {
        file.partnerSettings = [...file.partnerSettings.filter((p) => p.tenantId.toLowerCase() !== settings.tenantId.toLowerCase()), settings];
      }),
  };
}

runDirectoryConformance<JsonFileDirectory>({
  name: "json-file",
  async create({ sourceTenantId, clock }) {
    const dir = await mkdtemp(join(tmpdir(), "tenantsync-json-file-"));
    const path = join(dir, "directory.json");
    await createDirectoryFile(path, TENANT, [{ tenantId: sourceTenantId, userSyncInbound: { isSyncAllowed: true }, automaticUserConsentSettings: { inboundAllowed: true, outboundAllowed: false } }]);
    return createJsonFileDirectory({ path, clock });
  },
  probe: (directory) => jsonFileProbe(directory.path),
  destroy: (directory) => rm(dirname(directory.path), { recursive: true, force: true }),
  additionalTests(kit) {
    it("a second directory over the same file sees the first one's writes", async () => {
      const { directory, write, externalInput } = await kit.fixture();
      const created = await directory.createExternalUser(externalInput(), write);
      const other = createJsonFileDirectory({ path: directory.path });
      expect((await other.getUser(created.id))?.userPrincipalName).toBe(created.userPrincipalName);
    });
  },
});
