import { describe, expect, it } from "vitest";
import { ConfigError, PolicyError, createManualClock, isEligibleForSync } from "@tenantsync/core";
import type { DirectoryUser } from "@tenantsync/core";
import { createMesh, type MemoryDirectory } from "../src/index.ts";
import { pages, rejection, thrown } from "./helpers.ts";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const allUsers = (dir: MemoryDirectory): DirectoryUser[] => dir.admin.snapshot().users;

async function allowed(holder: MemoryDirectory, partner: MemoryDirectory): Promise<boolean> {
  const s = await holder.getPartnerSettings(partner.tenant.id);
  return s !== null && s.userSyncInbound.isSyncAllowed && s.automaticUserConsentSettings.inboundAllowed && s.automaticUserConsentSettings.outboundAllowed;
}

describe("createMesh", () => {
  it("builds N tenants with GUIDs, tenant<n>.example.com domains and one shared manual clock", () => {
    const mesh = createMesh({ seed: 1, tenants: 3, usersPerTenant: 10 });
    expect(mesh.tenants.map((t) => t.tenant.verifiedDomains[0])).toEqual(["tenant1.example.com", "tenant2.example.com", "tenant3.example.com"]);
    expect(mesh.tenants.map((t) => t.tenant.displayName)).toEqual(["Tenant 1", "Tenant 2", "Tenant 3"]);
    for (const t of mesh.tenants) {
      expect(t.tenant.id).toMatch(GUID);
      expect(t.clock).toBe(mesh.clock);
      expect(mesh.tenant(t.tenant.id.toUpperCase())).toBe(t);
    }
    expect(new Set(mesh.tenants.map((t) => t.tenant.id)).size).toBe(3);
    mesh.clock.advance(1000);
    expect(mesh.tenants[2]!.clock.now().toISOString()).toBe("2026-01-01T00:00:01.000Z");
  });

  it("is deterministic for a seed", () => {
    const options = { tenants: 2, usersPerTenant: 30, guestsPerTenant: 3, externalsPerTenant: 4, groupsPerTenant: 12 } as const;
    const a = createMesh({ seed: 9, ...options }).tenants.map((t) => t.admin.snapshot());
    const b = createMesh({ seed: 9, ...options }).tenants.map((t) => t.admin.snapshot());
    const c = createMesh({ seed: 10, ...options }).tenants.map((t) => t.admin.snapshot());
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(JSON.stringify(c)).not.toBe(JSON.stringify(a));
  });

  it("fills each tenant with members, internal guests and external users as asked", () => {
    const mesh = createMesh({ seed: 2, tenants: 2, usersPerTenant: 50, guestsPerTenant: 5, externalsPerTenant: 7 });
    for (const t of mesh.tenants) {
      const users = allUsers(t);
      const domain = t.tenant.verifiedDomains[0]!;
      const members = users.filter((u) => isEligibleForSync(u));
      const guests = users.filter((u) => u.origin === "internal" && u.userType === "Guest");
      const externals = users.filter((u) => u.origin === "external");
      expect([members.length, guests.length, externals.length]).toEqual([50, 5, 7]);
      for (const u of members) {
        expect(u.userPrincipalName.endsWith(`@${domain}`)).toBe(true);
        expect(u.mail).toBe(u.userPrincipalName);
        expect(u).toMatchObject({ accountEnabled: true, companyName: t.tenant.displayName });
        expect(u.givenName && u.surname && u.department && u.jobTitle && u.employeeId && u.city).toBeTruthy();
        expect(u.displayName).toBe(`${u.givenName} ${u.surname}`);
      }
      for (const u of externals) {
        expect(mesh.outsideTenantIds).toContain(u.homeTenantId);
        expect(u.userPrincipalName).toMatch(new RegExp(`#EXT#@${domain.replace(/\./g, "\\.")}$`));
        expect(u.mailNickname).toBe(u.userPrincipalName.split("@")[0]);
      }
      expect(new Set(users.map((u) => u.userPrincipalName.toLowerCase())).size).toBe(users.length);
    }
  });

  it("gives members one org tree of managers (or none when managers is false)", () => {
    const mesh = createMesh({ seed: 3, tenants: 1, usersPerTenant: 200 });
    const members = allUsers(mesh.tenants[0]!);
    const byId = new Map(members.map((u) => [u.id, u]));
    const roots = members.filter((u) => u.managerId === null);
    expect(roots).toHaveLength(1);
    expect(roots[0]!.jobTitle).toBe("Chief Executive Officer");
    for (const u of members) {
      const seen = new Set<string>();
      let cur: DirectoryUser | undefined = u;
      while (cur && cur.managerId !== null) {
        expect(seen.has(cur.id)).toBe(false);
        seen.add(cur.id);
        cur = byId.get(cur.managerId);
        expect(cur).toBeDefined();
      }
      expect(cur?.id).toBe(roots[0]!.id);
    }
    const flat = createMesh({ seed: 3, tenants: 1, usersPerTenant: 20, managers: false });
    expect(allUsers(flat.tenants[0]!).every((u) => u.managerId === null)).toBe(true);
  });

  it("creates groups whose members exist, with All Employees and department teams first", async () => {
    const mesh = createMesh({ seed: 4, tenants: 1, usersPerTenant: 60, guestsPerTenant: 5, groupsPerTenant: 30 });
    const t = mesh.tenants[0]!;
    const snap = t.admin.snapshot();
    expect(snap.groups).toHaveLength(30);
    const ids = new Set([...snap.users.map((u) => u.id), ...snap.groups.map((g) => g.id)]);
    for (const g of snap.groups) for (const m of g.members) expect(ids.has(m)).toBe(true);
    const all = snap.groups.find((g) => g.displayName === "All Employees")!;
    expect(all.members).toHaveLength(60);
    expect(snap.groups.filter((g) => g.displayName.endsWith(" Team")).length).toBeGreaterThan(0);
    const nested = snap.groups.filter((g) => g.members.some((m) => snap.groups.some((h) => h.id === m)));
    expect(nested.length).toBeGreaterThan(0);
    for (const g of nested) {
      const direct = (await pages(t.listGroupMembers(g.id))).flat();
      const transitive = (await pages(t.listGroupMembers(g.id, { transitive: true }))).flat();
      expect(transitive.length).toBeGreaterThanOrEqual(direct.length);
      expect(transitive).toEqual(expect.arrayContaining(direct));
    }
  });

  it("full trust: every pair allows inbound sync and automatic redemption both ways", async () => {
    const mesh = createMesh({ seed: 5, tenants: 3, usersPerTenant: 1 });
    for (const a of mesh.tenants) for (const b of mesh.tenants) if (a !== b) expect(await allowed(a, b)).toBe(true);
  });

  it("hub-and-spoke trust: only the hub and each spoke trust each other; none: no settings", async () => {
    const mesh = createMesh({ seed: 6, tenants: 3, usersPerTenant: 2, trust: "hub-and-spoke" });
    const [hub, s1, s2] = mesh.tenants as [MemoryDirectory, MemoryDirectory, MemoryDirectory];
    expect([await allowed(hub, s1), await allowed(s1, hub), await allowed(hub, s2), await allowed(s2, hub)]).toEqual([true, true, true, true]);
    expect(await s1.getPartnerSettings(s2.tenant.id)).toBeNull();
    const user = allUsers(s2)[0]!;
    const input = { alternativeSecurityId: { tenantId: s2.tenant.id, userId: user.id }, userType: "Member" as const, attributes: { userPrincipalName: user.userPrincipalName, displayName: user.displayName } };
    expect(await rejection(s1.createExternalUser(input, { sourceTenantId: s2.tenant.id }))).toBeInstanceOf(PolicyError);
    const synced = await hub.createExternalUser(input, { sourceTenantId: s2.tenant.id });
    expect(synced.userPrincipalName).toBe(`${user.userPrincipalName.replace("@", "_")}#EXT#@tenant1.example.com`);
    const none = createMesh({ seed: 6, tenants: 2, usersPerTenant: 1, trust: "none" });
    expect(none.tenants[0]!.admin.snapshot().partnerSettings).toEqual([]);
  });

  it("takes tenant descriptions and a clock", () => {
    const clock = createManualClock({ start: "2030-01-01T00:00:00Z" });
    const mesh = createMesh({ seed: 7, tenants: [{ displayName: "Contoso", domain: "contoso.com", cloud: "gcc" }, {}], usersPerTenant: 1, clock });
    expect(mesh.clock).toBe(clock);
    expect(mesh.tenants[0]!.tenant).toMatchObject({ displayName: "Contoso", cloud: "gcc", verifiedDomains: ["contoso.com"] });
    expect(mesh.tenants[1]!.tenant).toMatchObject({ displayName: "Tenant 2", cloud: "commercial", verifiedDomains: ["tenant2.example.com"] });
    expect(allUsers(mesh.tenants[0]!)[0]!.createdDateTime).toBe("2030-01-01T00:00:00.000Z");
  });

  it("refuses invalid options with ConfigError", () => {
    const e = thrown(() => createMesh({ seed: Number.NaN, tenants: 0, usersPerTenant: -1, trust: "star" as never }));
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).issues.map((i) => i.path[0])).toEqual(["seed", "tenants", "usersPerTenant", "trust"]);
  });

  // The generous timeout is a no-hang guard, not a performance assertion.
  it("builds a 20,000+ user mesh", { timeout: 120_000 }, () => {
    const mesh = createMesh({ seed: 8, tenants: 4, usersPerTenant: 5000, guestsPerTenant: 100, externalsPerTenant: 100, groupsPerTenant: 20 });
    const counts = mesh.tenants.map((t) => t.admin.snapshot().users.length);
    expect(counts).toEqual([5200, 5200, 5200, 5200]);
  });
});
