import { describe, expect, it } from "vitest";
import { ConfigError } from "@tenantsync/core";
import { SOURCE, STRANGER, TARGET, externalInput, fromSource, makeTarget, thrown } from "./helpers.ts";

const X = "extension_0123456789abcdef0123456789abcdef_";

describe("admin.snapshot", () => {
  it("is a plain JSON copy of users, bin, groups and partner settings in a deterministic order", () => {
    const build = (reverse: boolean) => {
      const { dir } = makeTarget({ seed: 3 });
      const extensions = reverse ? { [`${X}b`]: 1, [`${X}a`]: "x" } : { [`${X}a`]: "x", [`${X}b`]: 1 };
      const a = dir.admin.addUser({ id: "a", userPrincipalName: "a@fabrikam.com", displayName: "A", extensions });
      const b = dir.admin.addUser({ id: "b", userPrincipalName: "b@fabrikam.com", displayName: "B" });
      const c = dir.admin.addUser({ id: "c", userPrincipalName: "c@fabrikam.com", displayName: "C" });
      const order = reverse ? [c.id, b.id, a.id] : [a.id, b.id, c.id];
      dir.admin.addGroup({ id: "g", displayName: "G", members: order });
      dir.admin.deleteUser(b.id);
      dir.admin.setPartnerSettings({ tenantId: STRANGER });
      return dir;
    };
    const dir = build(false);
    const snap = dir.admin.snapshot();
    expect(snap.tenant.id).toBe(TARGET);
    expect(snap.users.map((u) => u.id)).toEqual(["a", "c"]);
    expect(snap.bin.map((u) => [u.id, u.deletedDateTime])).toEqual([["b", "2026-01-01T00:00:00.000Z"]]);
    expect(snap.groups).toEqual([{ id: "g", displayName: "G", members: ["a", "b", "c"] }]);
    expect(snap.partnerSettings.map((p) => p.tenantId)).toEqual([SOURCE, STRANGER].sort());
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
    expect(JSON.stringify(build(true).admin.snapshot())).toBe(JSON.stringify(snap));
    // A copy: changing it changes nothing inside.
    snap.users[0]!.displayName = "changed";
    snap.groups[0]!.members.pop();
    expect(dir.admin.getUser("a")?.displayName).toBe("A");
    expect(dir.admin.getGroup("g")?.members).toHaveLength(3);
  });

  it("includes external users with their identity fields", async () => {
    const { dir } = makeTarget();
    const u = await dir.createExternalUser(externalInput("s1", "adele"), fromSource);
    expect(dir.admin.snapshot().users).toEqual([u]);
  });
});

describe("partner settings", () => {
  it("stores Entra-shaped settings with defaults; getPartnerSettings returns copies; remove says whether there were any", async () => {
    const { dir } = makeTarget();
    const stored = dir.admin.setPartnerSettings({ tenantId: STRANGER, automaticUserConsentSettings: { outboundAllowed: true } });
    expect(stored).toEqual({ tenantId: STRANGER, userSyncInbound: { isSyncAllowed: false }, automaticUserConsentSettings: { inboundAllowed: false, outboundAllowed: true } });
    const read = (await dir.getPartnerSettings(STRANGER.toUpperCase()))!;
    expect(read).toEqual(stored);
    read.userSyncInbound.isSyncAllowed = true;
    expect((await dir.getPartnerSettings(STRANGER))!.userSyncInbound.isSyncAllowed).toBe(false);
    expect(dir.admin.removePartnerSettings(STRANGER)).toBe(true);
    expect(dir.admin.removePartnerSettings(STRANGER)).toBe(false);
    expect(await dir.getPartnerSettings(STRANGER)).toBeNull();
  });

  it("refuses invalid settings and settings about the tenant itself", () => {
    const { dir } = makeTarget();
    const e = thrown(() => dir.admin.setPartnerSettings({ tenantId: "not-a-guid", userSyncInbound: { isSyncAllowed: "yes" as never } }));
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).issues.map((i) => i.path.join("."))).toEqual(["tenantId", "userSyncInbound.isSyncAllowed"]);
    expect(thrown(() => dir.admin.setPartnerSettings({ tenantId: TARGET }))).toBeInstanceOf(ConfigError);
  });
});
