import { describe, expect, it } from "vitest";
import { InvalidValueError, NotFoundError, PolicyError } from "@tenantsync/core";
import { externalUserPrincipalName } from "../src/index.ts";
import { SOURCE, STRANGER, TARGET, externalInput, fromSource, makeTarget, rejection } from "./helpers.ts";

describe("externalUserPrincipalName", () => {
  it("turns alias@domain into alias_domain#EXT#@target and is idempotent", () => {
    expect(externalUserPrincipalName("AdeleVance@adatum.com", "contoso.com")).toEqual({
      userPrincipalName: "AdeleVance_adatum.com#EXT#@contoso.com",
      mailNickname: "AdeleVance_adatum.com#EXT#",
    });
    expect(externalUserPrincipalName("AdeleVance_adatum.com#EXT#@contoso.com", "other.com").userPrincipalName).toBe("AdeleVance_adatum.com#EXT#@contoso.com");
    expect(() => externalUserPrincipalName("no-domain", "contoso.com")).toThrow(RangeError);
  });
});

describe("createExternalUser", () => {
  it("creates a redeemed external user with Entra-style names in the default domain", async () => {
    const { dir, clock } = makeTarget();
    const ext = "extension_0123456789abcdef0123456789abcdef_costCenter";
    const user = await dir.createExternalUser(
      {
        alternativeSecurityId: { tenantId: SOURCE, userId: "src-1" },
        userType: "Guest",
        attributes: {
          userPrincipalName: "adele@contoso.com",
          mailNickname: "adele",
          mail: "adele@contoso.com",
          displayName: "Adele Vance",
          jobTitle: "Engineer",
          businessPhones: ["+1 555 0100"],
          extensions: { [ext]: "CC-7" },
          accountEnabled: false,
          showInAddressList: true,
          userType: "Member",
        },
      },
      fromSource,
    );
    expect(user).toMatchObject({
      userPrincipalName: "adele_contoso.com#EXT#@fabrikam.com",
      mailNickname: "adele_contoso.com#EXT#",
      mail: "adele@contoso.com",
      displayName: "Adele Vance",
      jobTitle: "Engineer",
      businessPhones: ["+1 555 0100"],
      extensions: { [ext]: "CC-7" },
      accountEnabled: false,
      showInAddressList: true,
      userType: "Guest",
      origin: "external",
      homeTenantId: SOURCE,
      alternativeSecurityId: { tenantId: SOURCE, userId: "src-1" },
      managerId: null,
      createdDateTime: clock.now().toISOString(),
      deletedDateTime: null,
    });
    expect(await dir.getUser(user.id)).toEqual(user);
  });

  it("assigns GUIDs from the seeded generator: same seed, same ids", async () => {
    const run = async (seed: number) => {
      const { dir } = makeTarget({ seed });
      const a = await dir.createExternalUser(externalInput("s1", "a"), fromSource);
      const b = await dir.createExternalUser(externalInput("s2", "b"), fromSource);
      return [a.id, b.id];
    };
    const first = await run(11);
    expect(await run(11)).toEqual(first);
    expect(await run(12)).not.toEqual(first);
    expect(first[0]).not.toBe(first[1]);
  });

  it("refuses invalid input with InvalidValueError naming the property", async () => {
    const { dir } = makeTarget();
    const bad = async (input: unknown) => {
      const e = await rejection(dir.createExternalUser(input as never, fromSource));
      expect(e).toBeInstanceOf(InvalidValueError);
      return e as InvalidValueError;
    };
    expect((await bad({ ...externalInput("s1", "a"), attributes: { displayName: "No UPN" } })).property).toBe("attributes.userPrincipalName");
    expect((await bad({ ...externalInput("s1", "a"), userType: "Admin" })).property).toBe("userType");
    expect((await bad({ ...externalInput("s1", "a"), alternativeSecurityId: { tenantId: STRANGER, userId: "s1" } })).property).toBe("alternativeSecurityId.tenantId");
    expect((await bad(externalInput("s1", "a", { managerId: 42 }))).property).toBe("attributes.managerId");
    expect((await bad(externalInput("s1", "a", { managerId: "" }))).property).toBe("attributes.managerId");
    expect((await bad(externalInput("s1", "a", { id: "chosen" }))).property).toBe("attributes.id");
    expect(dir.admin.snapshot().users).toEqual([]);
  });

  it("takes the new user's manager with the create (capability managerOnCreate)", async () => {
    const { dir } = makeTarget();
    expect(dir.capabilities.managerOnCreate).toBe(true);
    const boss = await dir.createExternalUser(externalInput("s1", "boss"), fromSource);
    const report = await dir.createExternalUser(externalInput("s2", "report", { managerId: boss.id }), fromSource);
    expect(report.managerId).toBe(boss.id);
    expect((await dir.getUser(report.id))?.managerId).toBe(boss.id);
    // Same as a create followed by setManager: later manager changes work on it.
    await dir.setManager(report.id, null, fromSource);
    expect((await dir.getUser(report.id))?.managerId).toBeNull();
  });

  it("creates the user without a manager that is not a live user, and says so in the returned user", async () => {
    const { dir } = makeTarget();
    const binned = await dir.createExternalUser(externalInput("s1", "gone"), fromSource);
    await dir.softDeleteUser(binned.id, fromSource);
    for (const managerId of [binned.id, "00000000-0000-4000-8000-000000000000"]) {
      const user = await dir.createExternalUser(externalInput(`s-${managerId}`, `u${managerId.slice(0, 4)}`, { managerId }), fromSource);
      expect(user.managerId).toBeNull();
      expect((await dir.getUser(user.id))?.managerId).toBeNull();
    }
    // Updates still go through setManager.
    const later = await dir.createExternalUser(externalInput("s9", "later"), fromSource);
    await expect(dir.updateUser(later.id, { managerId: binned.id }, fromSource)).rejects.toThrow(/setManager/);
  });
});

describe("consent is enforced by the directory (R3 defence in depth)", () => {
  it("refuses every port write from a partner without inbound user sync, naming the setting", async () => {
    const { dir } = makeTarget();
    const synced = await dir.createExternalUser(externalInput("s1", "adele"), fromSource);
    dir.admin.setPartnerSettings({ tenantId: STRANGER, userSyncInbound: { isSyncAllowed: false }, automaticUserConsentSettings: { inboundAllowed: true } });
    const stranger = { sourceTenantId: STRANGER };
    const nobody = { sourceTenantId: "44444444-4444-4444-8444-444444444444" };
    for (const options of [stranger, nobody]) {
      const attempts = [
        dir.createExternalUser({ ...externalInput("x", "x"), alternativeSecurityId: { tenantId: options.sourceTenantId, userId: "x" } }, options),
        dir.updateUser(synced.id, { jobTitle: "x" }, options),
        dir.setManager(synced.id, null, options),
        dir.softDeleteUser(synced.id, options),
        dir.restoreUser(synced.id, options),
      ];
      for (const attempt of attempts) {
        const e = await rejection(attempt);
        expect(e).toBeInstanceOf(PolicyError);
        expect(e).toMatchObject({ setting: "userSyncInbound.isSyncAllowed", tenantId: TARGET, partnerTenantId: options.sourceTenantId, code: "POLICY_DENIED" });
      }
    }
    expect(dir.admin.getUser(synced.id)).toMatchObject({ jobTitle: null, deletedDateTime: null });
  });

  it("stops accepting writes as soon as the administrator turns inbound sync off, and resumes when it is back on", async () => {
    const { dir } = makeTarget();
    const u = await dir.createExternalUser(externalInput("s1", "adele"), fromSource);
    dir.admin.setPartnerSettings({ tenantId: SOURCE, userSyncInbound: { isSyncAllowed: false } });
    expect(await rejection(dir.updateUser(u.id, { jobTitle: "x" }, fromSource))).toBeInstanceOf(PolicyError);
    dir.admin.removePartnerSettings(SOURCE);
    const e = (await rejection(dir.updateUser(u.id, { jobTitle: "x" }, fromSource))) as PolicyError;
    expect(e.message).toContain("no partner settings");
    dir.admin.setPartnerSettings({ tenantId: SOURCE.toUpperCase(), userSyncInbound: { isSyncAllowed: true } });
    expect((await dir.updateUser(u.id, { jobTitle: "x" }, fromSource)).jobTitle).toBe("x");
  });

  it("refuses a write without sourceTenantId", async () => {
    const { dir } = makeTarget();
    expect(await rejection(dir.createExternalUser(externalInput("s1", "a"), {} as never))).toBeInstanceOf(PolicyError);
  });

  it("never lets sync write an internal user or another tenant's external user", async () => {
    const { dir } = makeTarget();
    const other = "55555555-5555-4555-8555-555555555555";
    dir.admin.setPartnerSettings({ tenantId: other, userSyncInbound: { isSyncAllowed: true } });
    const internal = dir.admin.addUser({ userPrincipalName: "boss@fabrikam.com", displayName: "Boss" });
    const guest = dir.admin.addUser({ userPrincipalName: "guest@fabrikam.com", displayName: "Guest", userType: "Guest" });
    const foreign = await dir.createExternalUser({ ...externalInput("o1", "olga"), alternativeSecurityId: { tenantId: other, userId: "o1" } }, { sourceTenantId: other });
    for (const victim of [internal, guest, foreign]) {
      const writes = [
        dir.updateUser(victim.id, { jobTitle: "pwned" }, fromSource),
        dir.setManager(victim.id, null, fromSource),
        dir.softDeleteUser(victim.id, fromSource),
      ];
      for (const write of writes) {
        const e = await rejection(write);
        expect(e).toBeInstanceOf(PolicyError);
        expect(e).toMatchObject({ code: "POLICY_NOT_OWNER", tenantId: TARGET, partnerTenantId: SOURCE });
      }
    }
    dir.admin.deleteUser(foreign.id);
    expect(await rejection(dir.restoreUser(foreign.id, fromSource))).toMatchObject({ code: "POLICY_NOT_OWNER" });
    expect(dir.admin.getUser(internal.id)?.jobTitle).toBeNull();
    expect(dir.admin.getUser(foreign.id)?.deletedDateTime).not.toBeNull();
  });

  it("lets the administrator bypass consent and ownership", () => {
    const { dir } = makeTarget();
    dir.admin.removePartnerSettings(SOURCE);
    const u = dir.admin.addUser({ userPrincipalName: "x_contoso.com#EXT#@fabrikam.com", displayName: "X", origin: "external", homeTenantId: SOURCE });
    expect(dir.admin.updateUser(u.id, { jobTitle: "set by admin" }).jobTitle).toBe("set by admin");
    expect(dir.admin.deleteUser(u.id).deletedDateTime).not.toBeNull();
  });
});

describe("port writes on synced users", () => {
  it("updateUser writes attributes, derives #EXT# names from a new source UPN, and keeps identity fields", async () => {
    const { dir } = makeTarget();
    const u = await dir.createExternalUser(externalInput("s1", "adele"), fromSource);
    const v = await dir.updateUser(u.id, { userPrincipalName: "adele.vance@contoso.com", mailNickname: "ignored", displayName: "Adele V", mail: null }, fromSource);
    expect(v).toMatchObject({
      id: u.id,
      userPrincipalName: "adele.vance_contoso.com#EXT#@fabrikam.com",
      mailNickname: "adele.vance_contoso.com#EXT#",
      displayName: "Adele V",
      mail: null,
      origin: "external",
      alternativeSecurityId: u.alternativeSecurityId,
    });
    const w = await dir.updateUser(u.id, { mailNickname: "alone" }, fromSource);
    expect(w.mailNickname).toBe("adele.vance_contoso.com#EXT#");
    expect(await rejection(dir.updateUser(u.id, { homeTenantId: "x" } as never, fromSource))).toBeInstanceOf(InvalidValueError);
    expect(await rejection(dir.updateUser("ghost", { jobTitle: "x" }, fromSource))).toBeInstanceOf(NotFoundError);
  });

  it("setManager validates the manager, softDeleteUser and restoreUser move the user through the bin", async () => {
    const { dir } = makeTarget();
    const boss = await dir.createExternalUser(externalInput("s0", "boss"), fromSource);
    const u = await dir.createExternalUser(externalInput("s1", "adele"), fromSource);
    await dir.setManager(u.id, boss.id, fromSource);
    expect(dir.admin.getUser(u.id)?.managerId).toBe(boss.id);
    expect(await rejection(dir.setManager(u.id, "ghost", fromSource))).toBeInstanceOf(NotFoundError);
    expect(await rejection(dir.setManager(u.id, u.id, fromSource))).toBeInstanceOf(InvalidValueError);
    await dir.setManager(u.id, null, fromSource);
    expect(dir.admin.getUser(u.id)?.managerId).toBeNull();
    await dir.softDeleteUser(u.id, fromSource);
    expect(await dir.getUser(u.id)).toBeNull();
    expect(await rejection(dir.softDeleteUser(u.id, fromSource))).toBeInstanceOf(NotFoundError);
    expect(await rejection(dir.updateUser(u.id, { jobTitle: "x" }, fromSource))).toBeInstanceOf(NotFoundError);
    const restored = await dir.restoreUser(u.id, fromSource);
    expect(restored).toMatchObject({ id: u.id, deletedDateTime: null, userPrincipalName: u.userPrincipalName });
    expect(await rejection(dir.restoreUser(u.id, fromSource))).toBeInstanceOf(NotFoundError);
  });
});
