// The exported arbitraries produce valid inputs for core's schemas, with the
// invariants their JSDoc promises.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DirectoryUser,
  Group,
  Tenant,
  compileMappings,
  compileScopingFilter,
  isEligibleForSync,
  parseSyncJobConfig,
  sameCloud,
} from "@tenantsync/core";
import { applySourceOperations, arbitraries, type GeneratedDirectory } from "../src/index.ts";

const numRuns = Number(process.env.FC_RUNS ?? 100);

/** Checks the invariants a generated tenant must keep. */
function expectConsistent(d: GeneratedDirectory): void {
  const lower = (s: string) => s.toLowerCase();
  const ids = d.users.map((u) => u.id);
  expect(new Set(ids).size).toBe(ids.length);
  const upns = d.users.map((u) => lower(u.userPrincipalName));
  expect(new Set(upns).size, "UPNs are unique").toBe(upns.length);
  const mails = d.users.flatMap((u) => (u.mail ? [lower(u.mail)] : []));
  expect(new Set(mails).size, "mails are unique").toBe(mails.length);
  const byId = new Map(d.users.map((u) => [u.id, u]));
  for (const u of d.users) {
    expect(DirectoryUser.safeParse(u).success, JSON.stringify(u)).toBe(true);
    // Manager chains end: no loops.
    const seen = new Set<string>();
    for (let m = u.managerId; m !== null; m = byId.get(m)?.managerId ?? null) {
      expect(byId.has(m), `manager ${m} of ${u.id} exists`).toBe(true);
      expect(seen.has(m), `manager loop through ${m}`).toBe(false);
      seen.add(m);
    }
  }
  const groupIds = new Set(d.groups.map((g) => g.id));
  const groups = new Map(d.groups.map((g) => [g.id, g]));
  for (const g of d.groups) {
    expect(Group.safeParse(g).success).toBe(true);
    for (const m of g.members) expect(byId.has(m) || groupIds.has(m), `member ${m} of ${g.id} exists`).toBe(true);
    const reaches = (from: string, to: string, path = new Set<string>()): boolean =>
      (groups.get(from)?.members ?? []).some((m) => m === to || (groups.has(m) && !path.has(m) && reaches(m, to, new Set([...path, m]))));
    expect(reaches(g.id, g.id), `group ${g.id} contains itself`).toBe(false);
  }
}

describe("user arbitraries", () => {
  it("internalMember, guest and external give valid users of their kind", () => {
    fc.assert(
      fc.property(arbitraries.internalMember(), arbitraries.guest(), arbitraries.external({ synced: true }), (member, guest, external) => {
        for (const u of [member, guest, external]) expect(DirectoryUser.safeParse(u).success, JSON.stringify(u)).toBe(true);
        expect(isEligibleForSync(member)).toBe(true);
        expect(isEligibleForSync(guest)).toBe(false);
        expect(guest.userType).toBe("Guest");
        expect(external.origin).toBe("external");
        expect(external.homeTenantId).not.toBeNull();
        expect(external.alternativeSecurityId?.tenantId).toBe(external.homeTenantId);
        expect(external.userPrincipalName).toContain("#EXT#");
      }),
      { numRuns },
    );
  });

  it("user() draws every kind, all valid", () => {
    const kinds = new Set<string>();
    fc.assert(
      fc.property(arbitraries.user({ domain: "fabrikam.com" }), (u) => {
        expect(DirectoryUser.safeParse(u).success).toBe(true);
        expect(u.userPrincipalName.endsWith("@fabrikam.com")).toBe(true);
        kinds.add(`${u.origin}/${u.userType}`);
      }),
      { numRuns: Math.max(numRuns, 100), seed: 7 },
    );
    expect([...kinds].sort()).toEqual(["external/Guest", "external/Member", "internal/Guest", "internal/Member"]);
  });

  it("userAttributes only draws writable attributes, never derived or reference ones", () => {
    fc.assert(
      fc.property(arbitraries.userAttributes({ mode: "update", writableAttributes: ["jobTitle", "city"] }), arbitraries.userAttributes(), (limited, full) => {
        for (const key of Object.keys(limited)) expect(["jobTitle", "city"]).toContain(key);
        expect(typeof full.displayName).toBe("string");
        for (const key of ["userPrincipalName", "mailNickname", "managerId", "mail"]) expect(full).not.toHaveProperty(key);
      }),
      { numRuns },
    );
  });
});

describe("directory()", () => {
  it("gives a consistent tenant: unique ids, UPNs and mails; managers and nesting without loops", () => {
    fc.assert(fc.property(arbitraries.directory({ maxUsers: 15, maxGroups: 4 }), expectConsistent), { numRuns });
  });
});

describe("operations() and applySourceOperations()", () => {
  it("keep the tenant consistent, leave the input untouched, and apply some of the operations", () => {
    let appliedTotal = 0;
    fc.assert(
      fc.property(
        arbitraries.directory({ minUsers: 1, maxUsers: 8 }).chain((d) => fc.tuple(fc.constant(d), arbitraries.operations({ directory: d, maxLength: 15 }))),
        ([before, ops]) => {
          const copy = structuredClone(before);
          const { directory: after, applied } = applySourceOperations(before, ops);
          expect(before).toEqual(copy);
          expect(applied.length).toBe(ops.length);
          appliedTotal += applied.filter(Boolean).length;
          expectConsistent(after);
          for (const u of after.users) if (u.managerId !== null) expect(after.users.some((m) => m.id === u.managerId)).toBe(true);
        },
      ),
      { numRuns },
    );
    expect(appliedTotal).toBeGreaterThan(0);
  });

  it("applies each kind of change the way a directory would", () => {
    const base: GeneratedDirectory = {
      users: [
        { ...fc.sample(arbitraries.internalMember({ id: fc.constant("a"), alias: () => "a" }), { numRuns: 1, seed: 1 })[0]!, jobTitle: "Old" },
        fc.sample(arbitraries.internalMember({ id: fc.constant("b"), alias: () => "b" }), { numRuns: 1, seed: 2 })[0]!,
      ],
      groups: [{ id: "g", displayName: "G", members: ["a"] }],
    };
    const { directory, applied } = applySourceOperations(base, [
      { kind: "updateUser", userId: "a", changes: { jobTitle: "New" } },
      { kind: "setManager", userId: "a", managerId: "b" },
      { kind: "setManager", userId: "b", managerId: "a" },
      { kind: "softDeleteUser", userId: "b" },
      { kind: "updateUser", userId: "b", changes: { jobTitle: "Ignored" } },
      { kind: "addMember", groupId: "g", memberId: "b" },
      { kind: "restoreUser", userId: "b" },
      { kind: "addMember", groupId: "g", memberId: "b" },
      { kind: "hardDeleteUser", userId: "b" },
    ], { now: "2026-02-01T00:00:00.000Z" });
    expect(applied).toEqual([true, true, false, true, false, false, true, true, true]);
    expect(directory.users.map((u) => u.id)).toEqual(["a"]);
    expect(directory.users[0]!.jobTitle).toBe("New");
    expect(directory.users[0]!.managerId, "hard-deleting the manager clears the reference").toBeNull();
    expect(directory.groups[0]!.members).toEqual(["a"]);
  });
});

describe("jobConfig()", () => {
  it("gives configurations core parses and compiles", () => {
    fc.assert(
      fc.property(arbitraries.jobConfig({ groupIds: ["g1", "g2"], userIds: ["u1"] }), (input) => {
        const config = parseSyncJobConfig(input);
        expect(config.sourceTenantId.toLowerCase()).not.toBe(config.targetTenantId.toLowerCase());
        compileMappings({ attributeMappings: config.attributeMappings, userType: config.userType });
        compileScopingFilter(config.scopingFilter);
      }),
      { numRuns },
    );
  });

  it("maps only what a target can write when given writableAttributes", () => {
    const writable = ["displayName", "userPrincipalName", "accountEnabled", "department"];
    fc.assert(
      fc.property(arbitraries.jobConfig({ writableAttributes: writable }), (input) => {
        const config = parseSyncJobConfig(input);
        expect(config.attributeMappings).not.toBeNull();
        compileMappings({ attributeMappings: config.attributeMappings, userType: config.userType }, { writableAttributes: writable });
      }),
      { numRuns },
    );
  });
});

describe("mesh()", () => {
  it("gives tenants in one cloud with at most one job per ordered pair", () => {
    fc.assert(
      fc.property(arbitraries.mesh(), (mesh) => {
        const ids = mesh.tenants.map((t) => t.tenant.id.toLowerCase());
        expect(new Set(ids).size).toBe(ids.length);
        for (const t of mesh.tenants) {
          expect(Tenant.safeParse(t.tenant).success).toBe(true);
          expectConsistent(t.directory);
          for (const u of t.directory.users) if (u.origin === "external") expect(ids.filter((id) => id !== t.tenant.id.toLowerCase())).toContain(u.homeTenantId!.toLowerCase());
        }
        const pairs = mesh.jobs.map((j) => `${j.sourceTenantId}>${j.targetTenantId}`);
        expect(new Set(pairs).size).toBe(pairs.length);
        expect(mesh.jobs.length).toBeGreaterThan(0);
        for (const job of mesh.jobs) {
          const config = parseSyncJobConfig(job);
          const cloudOf = (id: string) => mesh.tenants.find((t) => t.tenant.id === id)!.tenant.cloud;
          expect(sameCloud(cloudOf(config.sourceTenantId), cloudOf(config.targetTenantId))).toBe(true);
        }
        if (mesh.topology === "full-mesh") expect(mesh.jobs.length).toBe(ids.length * (ids.length - 1));
      }),
      { numRuns },
    );
  });
});
