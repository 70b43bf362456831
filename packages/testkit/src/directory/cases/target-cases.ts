import { expect } from "vitest";
import type { DirectoryPort, DirectoryUser, UserAttributes } from "@tenantsync/core";
import { TESTKIT_EXTENSION_PREFIX } from "../../arbitraries/user-arbitraries.ts";
import { collect, expectRejects } from "../../internal/expect-error.ts";
import { KIT_SOURCE_DOMAIN, guidOf, validUser, type DirectoryFixture } from "../directory-fixture.ts";
import { UNKNOWN_ID, backendState, expectSameUser, isIsoDateTime, needs, stored, type DirectoryCase } from "./case-helpers.ts";

type Fx = DirectoryFixture<DirectoryPort>;

/** True when the target declares it can write `attribute`. */
export function canWrite(fx: Fx, attribute: string): boolean {
  const list = fx.capabilities.writableAttributes;
  return list === null || list.includes(attribute);
}

/** Keeps only the attributes the target can write (userPrincipalName and displayName always stay: creating needs them). */
export function writableOnly(fx: Fx, attributes: UserAttributes): UserAttributes {
  return Object.fromEntries(Object.entries(attributes).filter(([k]) => k === "userPrincipalName" || k === "displayName" || canWrite(fx, k))) as UserAttributes;
}

/** Gate: the target declares these attributes writable. */
function writes(...attributes: string[]): (fx: Fx) => string | null {
  return (fx) => {
    const off = attributes.filter((a) => !canWrite(fx, a));
    return off.length === 0 ? null : `not applicable: capabilities.writableAttributes does not list ${off.join(", ")}`;
  };
}

/** Combines gates: the first reason wins. */
function all(...gates: Array<(fx: Fx) => string | null>): (fx: Fx) => string | null {
  return (fx) => {
    for (const gate of gates) {
      const reason = gate(fx);
      if (reason !== null) return reason;
    }
    return null;
  };
}

/**
 * Checks that the stored user carries each written attribute (userPrincipalName
 * and mailNickname aside: the target derives them for external users).
 * `extensions` are compared key by key; a null extension value means absent.
 */
export function expectAttributesStored(fx: Fx, user: DirectoryUser, written: UserAttributes, what: string): void {
  for (const [key, value] of Object.entries(written)) {
    if (value === undefined || key === "userPrincipalName" || key === "mailNickname" || fx.ignoreFields.has(key)) continue;
    if (key === "extensions") {
      for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
        expect(user.extensions[name] ?? null, `${what}: extensions.${name}`).toEqual(v);
      }
    } else {
      expect((user as unknown as Record<string, unknown>)[key], `${what}: ${key}`).toEqual(value);
    }
  }
}

const SAMPLE_ATTRIBUTES: UserAttributes = {
  displayName: "Zoë O'Neil-Nguyễn",
  givenName: "Zoë",
  surname: "O'Neil-Nguyễn",
  mail: "zoe.oneil@source.example.com",
  jobTitle: "Senior Engineer",
  department: "Research",
  companyName: "Contoso",
  employeeId: "E12345",
  officeLocation: "Building 4",
  streetAddress: "1 Microsoft Way",
  city: "Zürich",
  state: "ZH",
  postalCode: "8001",
  country: "CH",
  businessPhones: ["+41 44 555 0100"],
  mobilePhone: "+41 79 555 0101",
  preferredLanguage: "de-CH",
  accountEnabled: true,
  showInAddressList: true,
  extensions: { [`${TESTKIT_EXTENSION_PREFIX}costCenter`]: "CC-42" },
};

const target = needs(["target"]);

/** findUsers. */
export const findCases: DirectoryCase[] = [
  {
    key: "findUsers.byAlternativeSecurityId",
    title: "findUsers by alternativeSecurityId finds the user sync created for that source user, and only it",
    requires: target,
    async run(fx) {
      const input = fx.externalInput();
      const created = await fx.directory.createExternalUser(input, fx.write);
      await fx.createExternal();
      const found = await fx.directory.findUsers({ alternativeSecurityId: input.alternativeSecurityId });
      expect(found.map((u) => u.id)).toEqual([created.id]);
      expectSameUser(fx, found[0], await stored(fx, created.id), "the user findUsers found");
      const seeded = await fx.seedSynced();
      const bySeed = await fx.directory.findUsers({ alternativeSecurityId: seeded.alternativeSecurityId! });
      expect(bySeed.map((u) => u.id), "a synced user already in the backend is found by its alternativeSecurityId").toEqual([seeded.id]);
      expect(await fx.directory.findUsers({ alternativeSecurityId: { tenantId: fx.context.sourceTenantId, userId: guidOf(999_999) } })).toEqual([]);
    },
  },
  {
    key: "findUsers.byAttribute",
    title: "findUsers by attribute finds every live user holding the value, internal users included",
    requires: target,
    async run(fx) {
      const internal = await fx.seedMember();
      const created = await fx.createExternal();
      const byMail = await fx.directory.findUsers({ attribute: "mail", value: internal.mail! });
      expect(byMail.map((u) => u.id)).toEqual([internal.id]);
      expect(byMail[0]!.origin, "findUsers must return internal users too, so the engine can refuse to take them over (R9)").toBe("internal");
      const byUpn = await fx.directory.findUsers({ attribute: "userPrincipalName", value: created.userPrincipalName });
      expect(byUpn.map((u) => u.id)).toEqual([created.id]);
      expect(await fx.directory.findUsers({ attribute: "mail", value: "nobody@kit.invalid" })).toEqual([]);
    },
  },
  {
    key: "findUsers.includeDeleted",
    title: "findUsers leaves out soft-deleted users unless includeDeleted",
    requires: needs(["target", "restore"]),
    async run(fx) {
      const input = fx.externalInput();
      const created = await fx.directory.createExternalUser(input, fx.write);
      await fx.directory.softDeleteUser(created.id, fx.write);
      expect(await fx.directory.findUsers({ alternativeSecurityId: input.alternativeSecurityId })).toEqual([]);
      const withDeleted = await fx.directory.findUsers({ alternativeSecurityId: input.alternativeSecurityId, includeDeleted: true });
      expect(withDeleted.map((u) => u.id)).toEqual([created.id]);
      expect(isIsoDateTime(withDeleted[0]!.deletedDateTime), "a soft-deleted user found with includeDeleted has deletedDateTime set").toBe(true);
    },
  },
];

/** createExternalUser. */
export const createCases: DirectoryCase[] = [
  {
    key: "createExternalUser.external",
    title: "createExternalUser stores an external member homed in the source tenant, with its alternativeSecurityId",
    requires: target,
    async run(fx) {
      const input = fx.externalInput(writableOnly(fx, { givenName: "Adele", surname: "Vance", jobTitle: "Analyst" }));
      const created = validUser(await fx.directory.createExternalUser(input, fx.write), "createExternalUser's result");
      const saved = await stored(fx, created.id);
      expectSameUser(fx, created, saved, "createExternalUser's result");
      expect(saved.origin).toBe("external");
      expect(saved.homeTenantId?.toLowerCase()).toBe(fx.context.sourceTenantId);
      expect(saved.alternativeSecurityId).toEqual(input.alternativeSecurityId);
      expect(saved.userType).toBe("Member");
      expect(saved.accountEnabled).toBe(true);
      expect(saved.deletedDateTime).toBeNull();
      expect(saved.displayName).toBe(input.attributes.displayName);
      expectAttributesStored(fx, saved, input.attributes, "the stored user");
    },
  },
  {
    key: "createExternalUser.guest",
    title: "createExternalUser honours userType Guest",
    requires: target,
    async run(fx) {
      const created = await fx.createExternal({}, "Guest");
      expect(created.userType).toBe("Guest");
      expect((await stored(fx, created.id)).userType).toBe("Guest");
    },
  },
  {
    key: "createExternalUser.attributes",
    title: "createExternalUser stores every writable attribute as given (diacritics, phones, extensions)",
    requires: target,
    async run(fx) {
      const attributes = writableOnly(fx, SAMPLE_ATTRIBUTES);
      const created = await fx.createExternal(attributes);
      const saved = await stored(fx, created.id);
      expectAttributesStored(fx, saved, attributes, "the stored user");
      expectSameUser(fx, created, saved, "createExternalUser's result");
    },
  },
  {
    key: "createExternalUser.externalUserPrincipalName",
    title: "createExternalUser derives the target's #EXT# userPrincipalName in a verified domain from the source UPN",
    requires: target,
    async run(fx) {
      const input = fx.externalInput();
      const created = await fx.directory.createExternalUser(input, fx.write);
      const upn = (await stored(fx, created.id)).userPrincipalName;
      const alias = String(input.attributes.userPrincipalName).split("@")[0]!;
      expect(upn).toContain("#EXT#");
      expect(upn.toLowerCase()).toContain(alias.toLowerCase());
      expect(fx.tenant.verifiedDomains.map((d) => d.toLowerCase()), `UPN ${upn} is not in a verified domain of the target`).toContain(upn.split("@").at(-1)!.toLowerCase());
    },
  },
  {
    key: "createExternalUser.conflict",
    title: "createExternalUser rejects a taken userPrincipalName with ConflictError naming the property, and writes nothing",
    requires: target,
    async run(fx) {
      const first = fx.externalInput();
      await fx.directory.createExternalUser(first, fx.write);
      const before = await backendState(fx);
      const second = { ...fx.externalInput(), attributes: { ...first.attributes, displayName: "Someone Else" } };
      const error = await expectRejects(() => fx.directory.createExternalUser(second, fx.write), "ConflictError", "creating a second user with the same source UPN");
      const property = (error as unknown as { property?: unknown }).property;
      expect(typeof property === "string" && property.length > 0, "ConflictError.property names the taken property").toBe(true);
      expect(await backendState(fx)).toEqual(before);
    },
  },
  {
    key: "createExternalUser.invalid",
    title: "createExternalUser rejects input without a userPrincipalName with InvalidValueError, and writes nothing",
    requires: target,
    async run(fx) {
      const before = await backendState(fx);
      const input = fx.externalInput();
      const { userPrincipalName: _dropped, ...attributes } = input.attributes;
      await expectRejects(() => fx.directory.createExternalUser({ ...input, attributes }, fx.write), "InvalidValueError", "createExternalUser without userPrincipalName");
      expect(await backendState(fx)).toEqual(before);
    },
  },
  {
    key: "createExternalUser.withManager",
    title: "createExternalUser with attributes.managerId creates the user with that manager (capability managerOnCreate)",
    requires: needs(["target", "manager", "managerOnCreate"]),
    async run(fx) {
      const manager = await fx.createExternal();
      const created = await fx.directory.createExternalUser(fx.externalInput({ managerId: manager.id }), fx.write);
      expect(created.managerId, "the returned user names the manager written").toBe(manager.id);
      expect((await stored(fx, created.id)).managerId).toBe(manager.id);
    },
  },
  {
    key: "createExternalUser.withUnknownManager",
    title: "createExternalUser with a manager that does not exist still creates the user, without a manager, and the returned user says so",
    requires: needs(["target", "manager", "managerOnCreate"]),
    async run(fx) {
      const created = await fx.directory.createExternalUser(fx.externalInput({ managerId: UNKNOWN_ID }), fx.write);
      expect(created.managerId, "the returned user names the manager written (none)").toBeNull();
      expect((await stored(fx, created.id)).managerId).toBeNull();
    },
  },
];

/** updateUser. */
export const updateCases: DirectoryCase[] = [
  {
    key: "updateUser.writes",
    title: "updateUser writes the changed attributes, keeps the others, and returns the user as stored",
    requires: target,
    async run(fx) {
      const created = await fx.createExternal(writableOnly(fx, { givenName: "Alex", surname: "Wilber", department: "Sales" }));
      const before = await stored(fx, created.id);
      const changes = writableOnly(fx, { displayName: "Alex W.", jobTitle: "Director", department: "Legal", accountEnabled: false, city: "Dublin" });
      const returned = await fx.directory.updateUser(created.id, changes, fx.write);
      const after = await stored(fx, created.id);
      expectSameUser(fx, returned, after, "updateUser's result");
      expectAttributesStored(fx, after, changes, "the updated user");
      for (const kept of ["givenName", "surname", "userPrincipalName", "origin", "homeTenantId", "alternativeSecurityId"] as const) {
        if (!fx.ignoreFields.has(kept)) expect(after[kept], `updateUser changed ${kept}, which was not in the changes`).toEqual(before[kept]);
      }
    },
  },
  {
    key: "updateUser.clears",
    title: "updateUser clears attributes written as null (and phones written as an empty list)",
    requires: target,
    async run(fx) {
      const created = await fx.createExternal(writableOnly(fx, { jobTitle: "Analyst", department: "Finance", businessPhones: ["+1 425 555 0100"], mobilePhone: "+1 425 555 0101" }));
      const changes = writableOnly(fx, { jobTitle: null, department: null, mobilePhone: null, businessPhones: [] });
      await fx.directory.updateUser(created.id, changes, fx.write);
      expectAttributesStored(fx, await stored(fx, created.id), changes, "the cleared user");
    },
  },
  {
    key: "updateUser.extensions",
    title: "updateUser writes extension attributes key by key; a null value removes that key",
    requires: all(target, writes("extensions")),
    async run(fx) {
      const [a, b, c] = ["costCenter", "badgeNumber", "region"].map((n) => `${TESTKIT_EXTENSION_PREFIX}${n}`) as [string, string, string];
      const created = await fx.createExternal({ extensions: { [a]: "CC-1", [b]: "B-7" } });
      await fx.directory.updateUser(created.id, { extensions: { [a]: null, [c]: "EMEA" } }, fx.write);
      const { extensions } = await stored(fx, created.id);
      expect(extensions[a] ?? null, `extension ${a} was written null: removed`).toBeNull();
      expect(extensions[b], `extension ${b} was not in the changes: kept`).toBe("B-7");
      expect(extensions[c]).toBe("EMEA");
    },
  },
  {
    key: "updateUser.userPrincipalName",
    title: "updateUser with a new source userPrincipalName changes the stored one (in the target's form)",
    requires: all(target, writes("userPrincipalName")),
    async run(fx) {
      const created = await fx.createExternal();
      const renamed = `kit.renamed${fx.next()}@${KIT_SOURCE_DOMAIN}`;
      const returned = await fx.directory.updateUser(created.id, { userPrincipalName: renamed }, fx.write);
      const after = await stored(fx, created.id);
      expect(after.userPrincipalName).not.toBe(created.userPrincipalName);
      expect(after.userPrincipalName.toLowerCase()).toContain(renamed.split("@")[0]!);
      expect(returned.userPrincipalName).toBe(after.userPrincipalName);
    },
  },
  {
    key: "updateUser.unknownUser",
    title: "updateUser rejects an unknown user with NotFoundError naming it",
    requires: target,
    async run(fx) {
      const error = await expectRejects(() => fx.directory.updateUser(UNKNOWN_ID, { jobTitle: "x" }, fx.write), "NotFoundError", `updateUser(${UNKNOWN_ID})`);
      expect(error.message).toContain(UNKNOWN_ID);
    },
  },
  {
    key: "updateUser.softDeletedUser",
    title: "updateUser rejects a soft-deleted user with NotFoundError and leaves it as it was",
    requires: target,
    async run(fx) {
      const created = await fx.createExternal({ jobTitle: "Before" });
      await fx.directory.softDeleteUser(created.id, fx.write);
      const before = await stored(fx, created.id);
      await expectRejects(() => fx.directory.updateUser(created.id, { jobTitle: "After" }, fx.write), "NotFoundError", "updateUser on a soft-deleted user");
      expectSameUser(fx, await stored(fx, created.id), before, "the soft-deleted user");
    },
  },
  {
    key: "updateUser.conflict",
    title: "updateUser rejects a mail another user holds with ConflictError, and writes nothing",
    requires: all(target, writes("mail")),
    async run(fx) {
      const holder = await fx.seedMember();
      const created = await fx.createExternal({ mail: `kit.mine${fx.next()}@${KIT_SOURCE_DOMAIN}` });
      const before = await backendState(fx);
      await expectRejects(() => fx.directory.updateUser(created.id, { mail: holder.mail!, jobTitle: "Changed" }, fx.write), "ConflictError", "updateUser to a taken mail");
      expect(await backendState(fx)).toEqual(before);
    },
  },
];

/** setManager. */
export const managerCases: DirectoryCase[] = [
  {
    key: "setManager.setsAndClears",
    title: "setManager sets the manager reference and clears it with null",
    requires: needs(["target", "manager"]),
    async run(fx) {
      const manager = await fx.createExternal();
      const report = await fx.createExternal();
      await fx.directory.setManager(report.id, manager.id, fx.write);
      expect((await stored(fx, report.id)).managerId).toBe(manager.id);
      expect((await fx.directory.getUser(report.id))?.managerId, "getUser reads the manager the engine set").toBe(manager.id);
      await fx.directory.setManager(report.id, null, fx.write);
      expect((await stored(fx, report.id)).managerId).toBeNull();
    },
  },
  {
    key: "setManager.unknownManager",
    title: "setManager rejects a manager that does not exist with NotFoundError and keeps the old manager",
    requires: needs(["target", "manager"]),
    async run(fx) {
      const manager = await fx.createExternal();
      const report = await fx.createExternal();
      await fx.directory.setManager(report.id, manager.id, fx.write);
      const error = await expectRejects(() => fx.directory.setManager(report.id, UNKNOWN_ID, fx.write), "NotFoundError", "setManager to an unknown manager");
      expect(error.message).toContain(UNKNOWN_ID);
      expect((await stored(fx, report.id)).managerId).toBe(manager.id);
    },
  },
  {
    key: "setManager.unknownUser",
    title: "setManager rejects an unknown user with NotFoundError",
    requires: needs(["target", "manager"]),
    async run(fx) {
      const manager = await fx.createExternal();
      await expectRejects(() => fx.directory.setManager(UNKNOWN_ID, manager.id, fx.write), "NotFoundError", `setManager(${UNKNOWN_ID})`);
    },
  },
];

/** softDeleteUser and restoreUser. */
export const deleteCases: DirectoryCase[] = [
  {
    key: "softDeleteUser.moves",
    title: "softDeleteUser moves the user to the bin: deletedDateTime set, gone from live reads",
    requires: target,
    async run(fx) {
      const input = fx.externalInput();
      const created = await fx.directory.createExternalUser(input, fx.write);
      await fx.directory.softDeleteUser(created.id, fx.write);
      const saved = await fx.probe.getUser(created.id);
      expect(saved, "a soft-deleted user stays in the backend (in its bin)").not.toBeNull();
      expect(isIsoDateTime(saved!.deletedDateTime), `deletedDateTime ${String(saved!.deletedDateTime)} is not an ISO date-time`).toBe(true);
      expect(await fx.directory.findUsers({ alternativeSecurityId: input.alternativeSecurityId })).toEqual([]);
      expect(await fx.directory.getUser(created.id)).toBeNull();
      if (fx.capabilities.source) expect((await collect(fx.directory.listUsers())).flat().map((u) => u.id)).not.toContain(created.id);
    },
  },
  {
    key: "softDeleteUser.unknownUser",
    title: "softDeleteUser rejects an unknown user with NotFoundError naming it",
    requires: target,
    async run(fx) {
      const error = await expectRejects(() => fx.directory.softDeleteUser(UNKNOWN_ID, fx.write), "NotFoundError", `softDeleteUser(${UNKNOWN_ID})`);
      expect(error.message).toContain(UNKNOWN_ID);
    },
  },
  {
    key: "softDeleteUser.alreadyDeleted",
    title: "softDeleteUser rejects a user already in the bin with NotFoundError",
    requires: target,
    async run(fx) {
      const created = await fx.createExternal();
      await fx.directory.softDeleteUser(created.id, fx.write);
      const before = await stored(fx, created.id);
      await expectRejects(() => fx.directory.softDeleteUser(created.id, fx.write), "NotFoundError", "soft-deleting a soft-deleted user");
      expectSameUser(fx, await stored(fx, created.id), before, "the soft-deleted user");
    },
  },
  {
    key: "restoreUser.restores",
    title: "restoreUser brings the same user back, attributes intact, findable again",
    requires: needs(["target", "restore"]),
    async run(fx) {
      const input = fx.externalInput(writableOnly(fx, { jobTitle: "Analyst", department: "Finance" }));
      const created = await fx.directory.createExternalUser(input, fx.write);
      const before = await stored(fx, created.id);
      await fx.directory.softDeleteUser(created.id, fx.write);
      const restored = await fx.directory.restoreUser(created.id, fx.write);
      const after = await stored(fx, created.id);
      expect(restored.id).toBe(created.id);
      expect(after.deletedDateTime).toBeNull();
      expectSameUser(fx, restored, after, "restoreUser's result");
      expectSameUser(fx, after, before, "the restored user");
      expect((await fx.directory.findUsers({ alternativeSecurityId: input.alternativeSecurityId })).map((u) => u.id)).toEqual([created.id]);
    },
  },
  {
    key: "restoreUser.liveUser",
    title: "restoreUser rejects a live user (not in the bin) with NotFoundError",
    requires: needs(["target", "restore"]),
    async run(fx) {
      const created = await fx.createExternal();
      await expectRejects(() => fx.directory.restoreUser(created.id, fx.write), "NotFoundError", "restoring a live user");
      expect((await stored(fx, created.id)).deletedDateTime).toBeNull();
    },
  },
  {
    key: "restoreUser.unknownUser",
    title: "restoreUser rejects an unknown user with NotFoundError naming it",
    requires: needs(["target", "restore"]),
    async run(fx) {
      const error = await expectRejects(() => fx.directory.restoreUser(UNKNOWN_ID, fx.write), "NotFoundError", `restoreUser(${UNKNOWN_ID})`);
      expect(error.message).toContain(UNKNOWN_ID);
    },
  },
];

/** Trust: writes on behalf of a tenant the target does not trust are refused. */
export const trustCases: DirectoryCase[] = [
  {
    key: "trust.untrustedSource",
    title: "every write on behalf of a tenant the target does not trust is refused with PolicyError, and nothing changes",
    requires: target,
    async run(fx) {
      const existing = await fx.createExternal();
      const untrusted = { sourceTenantId: fx.context.untrustedTenantId };
      const before = await backendState(fx);
      const input = fx.externalInput();
      await expectRejects(() => fx.directory.createExternalUser({ ...input, alternativeSecurityId: { ...input.alternativeSecurityId, tenantId: fx.context.untrustedTenantId } }, untrusted), "PolicyError", "createExternalUser for an untrusted tenant");
      await expectRejects(() => fx.directory.updateUser(existing.id, { jobTitle: "Hijacked" }, untrusted), "PolicyError", "updateUser for an untrusted tenant");
      await expectRejects(() => fx.directory.softDeleteUser(existing.id, untrusted), "PolicyError", "softDeleteUser for an untrusted tenant");
      if (fx.capabilities.manager) await expectRejects(() => fx.directory.setManager(existing.id, null, untrusted), "PolicyError", "setManager for an untrusted tenant");
      expect(await backendState(fx)).toEqual(before);
    },
  },
  {
    key: "trust.withdrawn",
    title: "once the target withdraws inbound sync from the source, writes are refused with PolicyError and synced users stay as they are (R3, R18)",
    requires: needs(["target"], ["setPartnerSettings"]),
    async run(fx) {
      const existing = await fx.createExternal({ jobTitle: "Kept" });
      await fx.probe.setPartnerSettings!({ tenantId: fx.context.sourceTenantId, userSyncInbound: { isSyncAllowed: false }, automaticUserConsentSettings: { inboundAllowed: true, outboundAllowed: false } });
      const before = await backendState(fx);
      await expectRejects(() => fx.createExternal(), "PolicyError", "createExternalUser after trust was withdrawn");
      await expectRejects(() => fx.directory.updateUser(existing.id, { jobTitle: "Changed" }, fx.write), "PolicyError", "updateUser after trust was withdrawn");
      await expectRejects(() => fx.directory.softDeleteUser(existing.id, fx.write), "PolicyError", "softDeleteUser after trust was withdrawn");
      expect(await backendState(fx)).toEqual(before);
    },
  },
];
