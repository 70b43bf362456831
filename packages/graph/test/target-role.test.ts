import { CapabilityError, ConflictError, InvalidValueError, NotFoundError, PolicyError, createManualClock, type CreateExternalUserInput } from "@tenantsync/core";
import { afterEach, describe, expect, it } from "vitest";
import { createGraphDirectory } from "../src/index.ts";
import { ANCHOR, emulatedTenants, SOURCE, TARGET, type EmulatedTenants } from "./helpers/emulated-tenants.ts";

let env: EmulatedTenants | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const write = { sourceTenantId: SOURCE };

function input(userId: string, extra: Partial<CreateExternalUserInput["attributes"]> = {}): CreateExternalUserInput {
  return {
    alternativeSecurityId: { tenantId: SOURCE, userId },
    userType: "Member",
    attributes: { userPrincipalName: `${userId}@contoso.com`, mail: `${userId}@contoso.com`, displayName: `Person ${userId}`, jobTitle: "Engineer", showInAddressList: true, ...extra },
  };
}

describe("target role: create and find", () => {
  it("creates an external member through an invitation, then stamps the anchor and writes the attributes in one PATCH", async () => {
    env = await emulatedTenants();
    env.trust();
    const created = await env.target.createExternalUser(input("adele", { department: "R&D", extensions: { extension_b7d8e648520f41d3b9c0fdeb91768a0a_costCenter: "42" } }), write);
    expect(created).toMatchObject({
      userPrincipalName: "adele_contoso.com#EXT#@fabrikam.onmicrosoft.com",
      mailNickname: "adele_contoso.com#EXT#",
      mail: "adele@contoso.com",
      displayName: "Person adele",
      jobTitle: "Engineer",
      department: "R&D",
      userType: "Member",
      showInAddressList: true,
      origin: "external",
      homeTenantId: SOURCE,
      alternativeSecurityId: { tenantId: SOURCE, userId: "adele" },
      extensions: { extension_b7d8e648520f41d3b9c0fdeb91768a0a_costCenter: "42" },
    });
    // Backdoor: the target really holds the anchor extension.
    expect(env.targetAdmin.getUser(created.id)?.extensions[ANCHOR]).toBe(`${SOURCE}:adele`);
    const stats = env.emulator.stats();
    expect(stats.byRoute["POST /invitations"]).toBe(1);
    expect(stats.byRoute["PATCH /users/{id}"]).toBe(1); // the anchor and the attributes together
    expect(stats.byRoute["GET /users/{id}"]).toBeUndefined(); // the result is not read back
    expect(stats.batches).toBeGreaterThanOrEqual(1);
    expect(created).toEqual(await env.target.getUser(created.id).then((u) => ({ ...u, createdDateTime: created.createdDateTime })));
    const found = await env.target.findUsers({ alternativeSecurityId: { tenantId: SOURCE, userId: "adele" } });
    expect(found.map((u) => u.id)).toEqual([created.id]);
    expect(await env.target.findUsers({ attribute: "mail", value: "ADELE@contoso.com" })).toHaveLength(1);
  });

  it("sets the manager through manager/$ref when the create carries one", async () => {
    env = await emulatedTenants();
    env.trust();
    const boss = await env.target.createExternalUser(input("boss"), write);
    const report = await env.target.createExternalUser(input("report", { managerId: boss.id }), write);
    expect(report.managerId).toBe(boss.id);
    expect(env.targetAdmin.getUser(report.id)?.managerId).toBe(boss.id);
  });

  it("looks in deletedItems before creating: a soft-deleted user holding the anchor or the mail is a conflict, and nobody is invited", async () => {
    env = await emulatedTenants();
    env.trust();
    const first = await env.target.createExternalUser(input("ben"), write);
    await env.target.softDeleteUser(first.id, write);
    const byAnchor = await env.target.createExternalUser(input("ben"), write).catch((e: unknown) => e);
    expect(byAnchor).toBeInstanceOf(ConflictError);
    expect(byAnchor).toMatchObject({ property: ANCHOR, conflictingObjectId: first.id });
    expect((byAnchor as Error).message).toMatch(/soft-deleted.*restore/);
    // Another source user whose mail the binned user still holds.
    const byMail = await env.target.createExternalUser({ ...input("ben2"), attributes: { ...input("ben2").attributes, mail: "ben@contoso.com" } }, write).catch((e: unknown) => e);
    expect(byMail).toMatchObject({ property: "mail", conflictingObjectId: first.id });
    expect(env.emulator.stats().byRoute["POST /invitations"]).toBe(1);
  });

  it("never takes over an internal user with the same mail, and refuses a second copy of a synced user", async () => {
    env = await emulatedTenants();
    env.trust();
    const internal = env.targetAdmin.addUser({ userPrincipalName: "carol@fabrikam.com", mail: "carol@contoso.com", displayName: "Carol (internal)" });
    const error = await env.target.createExternalUser(input("carol"), write).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ property: "mail", conflictingObjectId: internal.id });
    const dave = await env.target.createExternalUser(input("dave"), write);
    await expect(env.target.createExternalUser(input("dave"), write)).rejects.toMatchObject({ code: "CONFLICT", conflictingObjectId: dave.id });
    expect(env.emulator.stats().byRoute["POST /invitations"]).toBe(1);
  });

  it("finishes an interrupted create: an unanchored B2B user with the invited mail is adopted, not duplicated", async () => {
    env = await emulatedTenants();
    env.trust();
    const halfDone = env.targetAdmin.addUser({ userPrincipalName: "erin_contoso.com#EXT#@fabrikam.onmicrosoft.com", mail: "erin@contoso.com", displayName: "erin", origin: "external", userType: "Guest" });
    const user = await env.target.createExternalUser(input("erin"), write);
    expect(user.id).toBe(halfDone.id);
    expect(user.alternativeSecurityId).toEqual({ tenantId: SOURCE, userId: "erin" });
    expect(user.userType).toBe("Guest"); // an existing guest keeps its type (R10)
    expect(env.emulator.stats().byRoute["POST /invitations"]).toBeUndefined();
  });

  it("stamps and finds the anchor in onPremisesExtensionAttributes when configured (advanced query)", async () => {
    env = await emulatedTenants();
    env.trust();
    const target = env.make(TARGET, { anchorAttribute: "extensionAttribute13", appId: undefined });
    const created = await target.createExternalUser(input("fay"), write);
    expect(created.alternativeSecurityId).toEqual({ tenantId: SOURCE, userId: "fay" });
    expect(created.extensions).toEqual({});
    const found = await target.findUsers({ alternativeSecurityId: { tenantId: SOURCE, userId: "fay" } });
    expect(found.map((u) => u.id)).toEqual([created.id]);
    // The default-anchored directory does not see this anchor.
    expect(await env.target.findUsers({ alternativeSecurityId: { tenantId: SOURCE, userId: "fay" } })).toEqual([]);
  });

  it("refuses an alternativeSecurityId of another tenant and an attribute Graph cannot match on", async () => {
    env = await emulatedTenants();
    env.trust();
    const foreign = { ...input("gil"), alternativeSecurityId: { tenantId: TARGET, userId: "gil" } };
    await expect(env.target.createExternalUser(foreign, write)).rejects.toBeInstanceOf(InvalidValueError);
    await expect(env.target.findUsers({ attribute: "photo", value: "x" })).rejects.toBeInstanceOf(InvalidValueError);
    expect(env.emulator.stats().byRoute["POST /invitations"]).toBeUndefined();
  });
});

describe("target role: update, manager, delete, restore", () => {
  it("updates attributes (null clears, extensions top-level, source UPN → external form) and returns the user", async () => {
    env = await emulatedTenants();
    env.trust();
    const user = await env.target.createExternalUser(input("hal", { department: "R&D" }), write);
    const updated = await env.target.updateUser(user.id, { jobTitle: "Director", department: null, userPrincipalName: "hal.new@contoso.com", extensions: { extension_b7d8e648520f41d3b9c0fdeb91768a0a_costCenter: "7" } }, write);
    expect(updated).toMatchObject({ jobTitle: "Director", department: null, userPrincipalName: "hal.new_contoso.com#EXT#@fabrikam.onmicrosoft.com", mailNickname: "hal.new_contoso.com#EXT#", extensions: { extension_b7d8e648520f41d3b9c0fdeb91768a0a_costCenter: "7" } });
    expect(env.targetAdmin.getUser(user.id)).toMatchObject({ jobTitle: "Director", department: null });
  });

  it("coalesces concurrent updates of several users into one $batch round trip", async () => {
    env = await emulatedTenants();
    env.trust();
    const users = [];
    for (const id of ["i1", "i2", "i3", "i4", "i5", "i6"]) users.push(await env.target.createExternalUser(input(id), write));
    env.emulator.resetStats();
    const results = await Promise.all(users.map((u, i) => env!.target.updateUser(u.id, { jobTitle: `Title ${i}` }, write)));
    expect(results.map((u) => u.jobTitle)).toEqual(users.map((_, i) => `Title ${i}`));
    const stats = env.emulator.stats();
    expect(stats.batches).toBe(1);
    expect(stats.batchItems).toBe(12); // PATCH + GET per user
    expect(stats.requests).toBe(2); // the batch, and one trust check shared by the six writes
  });

  it("fails only the update whose item failed inside a shared $batch", async () => {
    env = await emulatedTenants();
    env.trust();
    const ok = await env.target.createExternalUser(input("j1"), write);
    const [good, bad] = await Promise.allSettled([env.target.updateUser(ok.id, { jobTitle: "Fine" }, write), env.target.updateUser("00000000-0000-4000-8000-0000000000aa", { jobTitle: "Nobody" }, write)]);
    expect(good.status === "fulfilled" && good.value.jobTitle).toBe("Fine");
    expect(bad.status === "rejected" && bad.reason).toBeInstanceOf(NotFoundError);
  });

  it("sets and clears the manager; clearing a manager that is not set succeeds", async () => {
    env = await emulatedTenants();
    env.trust();
    const boss = await env.target.createExternalUser(input("k1"), write);
    const report = await env.target.createExternalUser(input("k2"), write);
    await env.target.setManager(report.id, boss.id, write);
    expect(env.targetAdmin.getUser(report.id)?.managerId).toBe(boss.id);
    expect((await env.target.getUser(report.id))?.managerId).toBe(boss.id);
    await env.target.setManager(report.id, null, write);
    await env.target.setManager(report.id, null, write);
    expect(env.targetAdmin.getUser(report.id)?.managerId).toBeNull();
    await expect(env.target.setManager("00000000-0000-4000-8000-0000000000bb", null, write)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("soft-deletes (DELETE) and restores (deletedItems/{id}/restore) the same account", async () => {
    env = await emulatedTenants();
    env.trust();
    const user = await env.target.createExternalUser(input("lou"), write);
    await env.target.softDeleteUser(user.id, write);
    expect(env.targetAdmin.getUser(user.id)?.deletedDateTime).not.toBeNull();
    expect(await env.target.findUsers({ alternativeSecurityId: { tenantId: SOURCE, userId: "lou" } })).toEqual([]);
    const binned = await env.target.findUsers({ alternativeSecurityId: { tenantId: SOURCE, userId: "lou" }, includeDeleted: true });
    expect(binned.map((u) => [u.id, u.deletedDateTime !== null])).toEqual([[user.id, true]]);
    await expect(env.target.softDeleteUser(user.id, write)).rejects.toBeInstanceOf(NotFoundError);
    const restored = await env.target.restoreUser(user.id, write);
    expect(restored).toMatchObject({ id: user.id, deletedDateTime: null, jobTitle: "Engineer", alternativeSecurityId: { tenantId: SOURCE, userId: "lou" } });
    await expect(env.target.restoreUser(user.id, write)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("trust settings and capabilities", () => {
  it("reads partner settings from the partner configuration and identitySynchronization", async () => {
    env = await emulatedTenants();
    expect(await env.target.getPartnerSettings(SOURCE)).toBeNull();
    env.targetAdmin.setPartnerSettings({ tenantId: SOURCE, userSyncInbound: { isSyncAllowed: true }, automaticUserConsentSettings: { inboundAllowed: true } });
    expect(await env.target.getPartnerSettings(SOURCE)).toEqual({ tenantId: SOURCE, userSyncInbound: { isSyncAllowed: true }, automaticUserConsentSettings: { inboundAllowed: true, outboundAllowed: false } });
    expect(env.emulator.stats().byRoute["GET /policies/crossTenantAccessPolicy/partners/{id}/identitySynchronization"]).toBe(2);
  });

  it("refuses writes when the target does not allow inbound sync from the source, before sending them", async () => {
    env = await emulatedTenants();
    const error = await env.target.createExternalUser(input("mo"), write).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolicyError);
    expect(error).toMatchObject({ tenantId: TARGET, partnerTenantId: SOURCE, setting: "userSyncInbound.isSyncAllowed" });
    expect(env.emulator.stats().writes).toBe(0);
    // Allowed: seen at once. Withdrawn: the very next write is refused (R3).
    env.trust();
    const user = await env.target.createExternalUser(input("mo"), write);
    env.targetAdmin.setPartnerSettings({ tenantId: SOURCE, userSyncInbound: { isSyncAllowed: false } });
    await expect(env.target.updateUser(user.id, { jobTitle: "x" }, write)).rejects.toBeInstanceOf(PolicyError);
    expect(env.targetAdmin.getUser(user.id)?.jobTitle).toBe("Engineer");
  });

  it("can reuse an allowing trust check for trustSettingsCacheMs, and shares one check among simultaneous writes", async () => {
    env = await emulatedTenants();
    env.trust();
    const cached = env.make(TARGET, { trustSettingsCacheMs: 60_000 });
    const user = await cached.createExternalUser(input("ned"), write);
    env.emulator.resetStats();
    await Promise.all([1, 2, 3].map((i) => cached.updateUser(user.id, { jobTitle: `t${i}` }, write)));
    expect(env.emulator.stats().byRoute["GET /policies/crossTenantAccessPolicy/partners/{id}/identitySynchronization"]).toBeUndefined();
    env.targetAdmin.setPartnerSettings({ tenantId: SOURCE, userSyncInbound: { isSyncAllowed: false } });
    await cached.updateUser(user.id, { jobTitle: "within the cache time" }, write);
    env.clock.advance(60_000);
    await expect(cached.updateUser(user.id, { jobTitle: "after it" }, write)).rejects.toBeInstanceOf(PolicyError);
    // Without a cache, simultaneous writes still share one check.
    env.trust();
    env.emulator.resetStats();
    await Promise.all([1, 2, 3].map((i) => env!.target.updateUser(user.id, { jobTitle: `u${i}` }, write)));
    expect(env.emulator.stats().byRoute["GET /policies/crossTenantAccessPolicy/partners/{id}/identitySynchronization"]).toBe(1);
  });

  it("is a source only without an anchor attribute (CapabilityError on target calls)", async () => {
    env = await emulatedTenants();
    const sourceOnly = createGraphDirectory({ tenantId: TARGET, credential: env.credential, baseUrl: env.emulator.url, clock: createManualClock() });
    expect(sourceOnly.capabilities).toMatchObject({ source: true, target: false, changeFeed: true });
    await expect(sourceOnly.createExternalUser(input("x"), write)).rejects.toBeInstanceOf(CapabilityError);
    await expect(sourceOnly.findUsers({ alternativeSecurityId: { tenantId: SOURCE, userId: "x" } })).rejects.toBeInstanceOf(CapabilityError);
  });
});
