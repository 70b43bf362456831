import { describe, expect, it } from "vitest";
import { ConfigError, ConflictError, DEFAULT_DIRECTORY_CAPABILITIES, NotFoundError } from "@tenantsync/core";
import { createMemoryDirectory } from "../src/index.ts";
import { TARGET, externalInput, fromSource, makeTarget, pages, rejection, thrown } from "./helpers.ts";

describe("port identity", () => {
  it("is named memory, has every capability and describes its tenant", async () => {
    const { dir } = makeTarget();
    expect(dir.name).toBe("memory");
    expect(dir.capabilities).toEqual({ ...DEFAULT_DIRECTORY_CAPABILITIES, managerOnCreate: true });
    expect(Object.values(dir.capabilities).filter((v) => v === false)).toEqual([]);
    const tenant = await dir.describe();
    expect(tenant).toEqual({ id: TARGET, displayName: "Fabrikam", cloud: "commercial", verifiedDomains: ["fabrikam.com", "fabrikam.onmicrosoft.com"] });
    tenant.verifiedDomains.push("changed.com");
    expect((await dir.describe()).verifiedDomains).toHaveLength(2);
  });

  it("rejects an invalid tenant or page size with ConfigError", () => {
    expect(thrown(() => createMemoryDirectory({ tenant: { id: "not-a-guid", displayName: "X", verifiedDomains: ["x.com"] } }))).toBeInstanceOf(ConfigError);
    expect(thrown(() => createMemoryDirectory({ tenant: { id: TARGET, displayName: "X", verifiedDomains: [] } }))).toBeInstanceOf(ConfigError);
    expect(thrown(() => createMemoryDirectory({ tenant: { id: TARGET, displayName: "X", verifiedDomains: ["x.com"] }, pageSize: 0 }))).toBeInstanceOf(ConfigError);
  });
});

describe("admin.addUser", () => {
  it("validates with core's DirectoryUser schema and fills defaults", () => {
    const { dir, clock } = makeTarget();
    const u = dir.admin.addUser({ userPrincipalName: "adele@fabrikam.com", displayName: "Adele Vance" });
    expect(u.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(u).toMatchObject({ origin: "internal", userType: "Member", accountEnabled: true, managerId: null, deletedDateTime: null });
    expect(u.createdDateTime).toBe(clock.now().toISOString());
    const e = thrown(() => dir.admin.addUser({ userPrincipalName: "no-at-sign", displayName: "" }));
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).issues.map((i) => i.path.join("."))).toEqual(expect.arrayContaining(["userPrincipalName", "displayName"]));
  });

  it("refuses a user born deleted, a missing manager, and a taken id", () => {
    const { dir } = makeTarget();
    expect(thrown(() => dir.admin.addUser({ userPrincipalName: "a@fabrikam.com", displayName: "A", deletedDateTime: "2026-01-01T00:00:00Z" }))).toBeInstanceOf(ConfigError);
    expect(thrown(() => dir.admin.addUser({ userPrincipalName: "a@fabrikam.com", displayName: "A", managerId: "nobody" }))).toBeInstanceOf(NotFoundError);
    dir.admin.addUser({ id: "fixed", userPrincipalName: "a@fabrikam.com", displayName: "A" });
    const e = thrown(() => dir.admin.addUser({ id: "fixed", userPrincipalName: "b@fabrikam.com", displayName: "B" }));
    expect(e).toBeInstanceOf(ConflictError);
    expect((e as ConflictError).property).toBe("id");
  });

  it("generates the same ids for the same seed, and different ids for another seed", () => {
    const ids = (seed: number) => {
      const d = makeTarget({ seed }).dir;
      return [0, 1, 2].map((i) => d.admin.addUser({ userPrincipalName: `u${i}@fabrikam.com`, displayName: `U${i}` }).id);
    };
    expect(ids(1)).toEqual(ids(1));
    expect(ids(1)).not.toEqual(ids(2));
    expect(new Set(ids(1)).size).toBe(3);
  });
});

describe("uniqueness of userPrincipalName, mail and mailNickname", () => {
  const conflict = (fn: () => unknown) => {
    const e = thrown(fn);
    expect(e).toBeInstanceOf(ConflictError);
    return e as ConflictError;
  };

  it("is case-insensitive and names the property, value, holder and tenant", () => {
    const { dir } = makeTarget();
    const a = dir.admin.addUser({ userPrincipalName: "adele@fabrikam.com", mail: "Adele.Vance@fabrikam.com", mailNickname: "adele", displayName: "A" });
    const upn = conflict(() => dir.admin.addUser({ userPrincipalName: "ADELE@Fabrikam.com", displayName: "B" }));
    expect(upn).toMatchObject({ property: "userPrincipalName", value: "ADELE@Fabrikam.com", conflictingObjectId: a.id, tenantId: TARGET, code: "CONFLICT", retryable: false });
    expect(upn.message).toContain(TARGET);
    expect(conflict(() => dir.admin.addUser({ userPrincipalName: "b@fabrikam.com", mail: "adele.vance@FABRIKAM.com", displayName: "B" })).property).toBe("mail");
    expect(conflict(() => dir.admin.addUser({ userPrincipalName: "c@fabrikam.com", mailNickname: "ADELE", displayName: "C" })).property).toBe("mailNickname");
    // Different properties do not collide with each other.
    expect(dir.admin.addUser({ userPrincipalName: "d@fabrikam.com", mailNickname: "adele.vance@fabrikam.com", displayName: "D" }).id).toBeTruthy();
  });

  it("holds against soft-deleted users in the bin, and frees the value on hard delete", () => {
    const { dir } = makeTarget();
    const a = dir.admin.addUser({ userPrincipalName: "adele@fabrikam.com", displayName: "A" });
    dir.admin.deleteUser(a.id);
    const e = conflict(() => dir.admin.addUser({ userPrincipalName: "adele@fabrikam.com", displayName: "B" }));
    expect(e.conflictingObjectId).toBe(a.id);
    expect(e.message).toContain("soft-delete bin");
    dir.admin.hardDeleteUser(a.id);
    expect(dir.admin.addUser({ userPrincipalName: "adele@fabrikam.com", displayName: "B" }).id).not.toBe(a.id);
  });

  it("applies to admin updates and frees a value the user gave up", () => {
    const { dir } = makeTarget();
    const a = dir.admin.addUser({ userPrincipalName: "a@fabrikam.com", mail: "a@fabrikam.com", displayName: "A" });
    const b = dir.admin.addUser({ userPrincipalName: "b@fabrikam.com", displayName: "B" });
    expect(conflict(() => dir.admin.updateUser(b.id, { mail: "A@fabrikam.com" })).conflictingObjectId).toBe(a.id);
    expect(dir.admin.getUser(b.id)?.mail).toBeNull();
    dir.admin.updateUser(a.id, { mail: "a2@fabrikam.com" });
    expect(dir.admin.updateUser(b.id, { mail: "a@fabrikam.com" }).mail).toBe("a@fabrikam.com");
  });

  it("applies to port writes: createExternalUser and updateUser", async () => {
    const { dir } = makeTarget();
    const internal = dir.admin.addUser({ userPrincipalName: "x@fabrikam.com", mail: "adele@contoso.com", displayName: "X" });
    const e = await rejection(dir.createExternalUser(externalInput("s1", "adele"), fromSource));
    expect(e).toBeInstanceOf(ConflictError);
    expect(e).toMatchObject({ property: "mail", conflictingObjectId: internal.id, tenantId: TARGET });
    const ok = await dir.createExternalUser(externalInput("s2", "megan"), fromSource);
    const dup = await rejection(dir.createExternalUser(externalInput("s3", "MEGAN"), fromSource));
    expect(dup).toMatchObject({ property: "userPrincipalName", conflictingObjectId: ok.id });
    const upd = await rejection(dir.updateUser(ok.id, { mail: "ADELE@contoso.com" }, fromSource));
    expect(upd).toMatchObject({ property: "mail", conflictingObjectId: internal.id });
  });

  it("treats #EXT# names case-insensitively too", async () => {
    const { dir } = makeTarget();
    const a = await dir.createExternalUser(externalInput("s1", "adele"), fromSource);
    const e = thrown(() => dir.admin.addUser({ userPrincipalName: "ADELE_CONTOSO.COM#ext#@FABRIKAM.COM", displayName: "Imposter" }));
    expect(e).toMatchObject({ property: "userPrincipalName", conflictingObjectId: a.id });
  });
});

describe("admin updates", () => {
  it("writes and clears attributes, merges extensions, and validates values", () => {
    const { dir } = makeTarget();
    const ext = "extension_0123456789abcdef0123456789abcdef_costCenter";
    const other = "extension_0123456789abcdef0123456789abcdef_site";
    const u = dir.admin.addUser({ userPrincipalName: "a@fabrikam.com", displayName: "A", jobTitle: "Dev", extensions: { [ext]: "42", [other]: "HQ" }, businessPhones: ["1"] });
    const v = dir.admin.updateUser(u.id, { jobTitle: null, department: "Sales", extensions: { [ext]: null, [other]: "Branch" }, businessPhones: [] });
    expect(v).toMatchObject({ jobTitle: null, department: "Sales", extensions: { [other]: "Branch" }, businessPhones: [] });
    const e = thrown(() => dir.admin.updateUser(u.id, { accountEnabled: "yes" as unknown as boolean, displayName: null as unknown as string, nonsense: 1 } as never));
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).issues.map((i) => i.path[0]).sort()).toEqual(["accountEnabled", "displayName", "nonsense"]);
    expect(thrown(() => dir.admin.updateUser(u.id, { managerId: "x" } as never))).toBeInstanceOf(ConfigError);
    expect(thrown(() => dir.admin.updateUser("missing", { jobTitle: "x" }))).toBeInstanceOf(NotFoundError);
  });

  it("disables and enables", () => {
    const { dir } = makeTarget();
    const u = dir.admin.addUser({ userPrincipalName: "a@fabrikam.com", displayName: "A" });
    expect(dir.admin.disableUser(u.id).accountEnabled).toBe(false);
    expect(dir.admin.getUser(u.id)?.accountEnabled).toBe(false);
    expect(dir.admin.enableUser(u.id).accountEnabled).toBe(true);
  });

  it("returns copies: changing a returned user changes nothing inside", async () => {
    const { dir } = makeTarget();
    const u = dir.admin.addUser({ userPrincipalName: "a@fabrikam.com", displayName: "A", businessPhones: ["1"] });
    u.displayName = "changed";
    u.businessPhones.push("2");
    const read = (await dir.getUser(u.id))!;
    expect(read.displayName).toBe("A");
    expect(read.businessPhones).toEqual(["1"]);
    read.extensions["extension_0123456789abcdef0123456789abcdef_x"] = "y";
    expect((await dir.getUser(u.id))!.extensions).toEqual({});
  });
});

describe("manager references", () => {
  it("sets and clears a manager, validating that it exists and is live", () => {
    const { dir } = makeTarget();
    const boss = dir.admin.addUser({ userPrincipalName: "boss@fabrikam.com", displayName: "Boss" });
    const u = dir.admin.addUser({ userPrincipalName: "u@fabrikam.com", displayName: "U", managerId: boss.id });
    expect(u.managerId).toBe(boss.id);
    expect(dir.admin.setManager(u.id, null).managerId).toBeNull();
    expect(thrown(() => dir.admin.setManager(u.id, "ghost"))).toBeInstanceOf(NotFoundError);
    expect(thrown(() => dir.admin.setManager(u.id, u.id))).toBeInstanceOf(ConfigError);
    dir.admin.deleteUser(boss.id);
    expect(thrown(() => dir.admin.setManager(u.id, boss.id))).toBeInstanceOf(NotFoundError);
  });

  it("clears the reference when the manager is deleted permanently, but keeps it while the manager is in the bin", () => {
    const { dir } = makeTarget();
    const boss = dir.admin.addUser({ userPrincipalName: "boss@fabrikam.com", displayName: "Boss" });
    const u = dir.admin.addUser({ userPrincipalName: "u@fabrikam.com", displayName: "U", managerId: boss.id });
    dir.admin.deleteUser(boss.id);
    expect(dir.admin.getUser(u.id)?.managerId).toBe(boss.id);
    dir.admin.hardDeleteUser(boss.id);
    expect(dir.admin.getUser(u.id)?.managerId).toBeNull();
  });
});

describe("reads", () => {
  it("getUser hides soft-deleted users unless includeDeleted", async () => {
    const { dir } = makeTarget();
    const u = dir.admin.addUser({ userPrincipalName: "a@fabrikam.com", displayName: "A" });
    dir.admin.deleteUser(u.id);
    expect(await dir.getUser(u.id)).toBeNull();
    expect((await dir.getUser(u.id, { includeDeleted: true }))?.deletedDateTime).toBe("2026-01-01T00:00:00.000Z");
    expect(await dir.getUser("nobody", { includeDeleted: true })).toBeNull();
  });

  it("listUsers yields every live user (internal, guests, externals) in pages of the page size", async () => {
    const { dir } = makeTarget({ pageSize: 3 });
    for (let i = 0; i < 7; i++) dir.admin.addUser({ userPrincipalName: `m${i}@fabrikam.com`, displayName: `M${i}` });
    dir.admin.addUser({ userPrincipalName: "g@fabrikam.com", displayName: "G", userType: "Guest" });
    const ext = await dir.createExternalUser(externalInput("s1", "adele"), fromSource);
    const gone = dir.admin.addUser({ userPrincipalName: "gone@fabrikam.com", displayName: "Gone" });
    dir.admin.deleteUser(gone.id);
    const got = await pages(dir.listUsers());
    expect(got.map((p) => p.length)).toEqual([3, 3, 3]);
    const all = got.flat();
    expect(all).toHaveLength(9);
    expect(all.map((u) => u.id)).toContain(ext.id);
    expect(all.map((u) => u.id)).not.toContain(gone.id);
    expect(all.some((u) => u.userType === "Guest")).toBe(true);
    expect((await pages(dir.listUsers({ pageSize: 5 }))).map((p) => p.length)).toEqual([5, 4]);
  });

  it("listUsers of an empty tenant yields no page", async () => {
    const { dir } = makeTarget();
    expect(await pages(dir.listUsers())).toEqual([]);
  });

  it("stops with AbortedError when the signal aborts", async () => {
    const { dir } = makeTarget();
    const controller = new AbortController();
    controller.abort();
    await expect(dir.getUser("x", { signal: controller.signal })).rejects.toMatchObject({ code: "ABORTED" });
    await expect(pages(dir.listUsers({ signal: controller.signal }))).rejects.toMatchObject({ code: "ABORTED" });
  });
});
