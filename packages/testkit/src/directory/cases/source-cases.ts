import { expect } from "vitest";
import { PartnerSettings as PartnerSettingsSchema, Tenant as TenantSchema } from "@tenantsync/core";
import { collect, expectRejects, isExpectedError } from "../../internal/expect-error.ts";
import { UNKNOWN_ID, expectSameUser, isIsoDateTime, needs, sorted, stored, type DirectoryCase } from "./case-helpers.ts";

const CAPABILITY_FLAGS = ["source", "target", "changeFeed", "restore", "manager", "transitiveMembers", "partnerSettings"] as const;

/** describe(), capabilities and partner settings. */
export const describeCases: DirectoryCase[] = [
  {
    key: "describe.tenant",
    title: "describe() returns a valid tenant, the same on every call",
    async run(fx) {
      const first = await fx.directory.describe();
      const second = await fx.directory.describe();
      expect(TenantSchema.safeParse(first).success, `describe() returned ${JSON.stringify(first)}`).toBe(true);
      expect(second).toEqual(first);
    },
  },
  {
    key: "capabilities.declared",
    title: "declares a name and every capability flag (booleans; writableAttributes null or a list of names)",
    async run(fx) {
      expect(typeof fx.directory.name, "directory.name").toBe("string");
      expect(fx.directory.name.length, "directory.name must not be empty").toBeGreaterThan(0);
      const caps = fx.directory.capabilities as unknown as Record<string, unknown>;
      for (const flag of CAPABILITY_FLAGS) expect(typeof caps[flag], `capabilities.${flag} must be a boolean (start from DEFAULT_DIRECTORY_CAPABILITIES)`).toBe("boolean");
      const writable = caps.writableAttributes;
      expect(writable === null || (Array.isArray(writable) && writable.every((a) => typeof a === "string" && a.length > 0)), "capabilities.writableAttributes must be null or a list of attribute names").toBe(true);
      expect(fx.directory.capabilities.source || fx.directory.capabilities.target, "a directory must be usable as a source or a target").toBe(true);
    },
  },
  {
    key: "capabilities.honest",
    title: "a declared capability works; a capability declared false is refused with CapabilityError, never a silent no-op",
    async run(fx) {
      const d = fx.directory;
      // What the adapter itself declares (not the suite's capabilities override).
      const caps = d.capabilities;
      const check = async (flag: string, declared: boolean, call: () => Promise<unknown>) => {
        if (declared) {
          try {
            await call();
          } catch (error) {
            if (isExpectedError(error, "CapabilityError")) throw new Error(`capabilities.${flag} is declared true, but the call was refused: ${(error as Error).message}`);
          }
        } else {
          await expectRejects(call, "CapabilityError", `capabilities.${flag} is false, so this call`);
        }
      };
      await check("source", caps.source, () => collect(d.listUsers({ pageSize: 1 })));
      await check("changeFeed", caps.changeFeed, () => d.currentCursor());
      await check("target", caps.target, () => d.findUsers({ attribute: "mail", value: "nobody@kit.invalid" }));
      if (!caps.target) await check("target", false, () => fx.createExternal());
      if (caps.source) await check("transitiveMembers", caps.transitiveMembers, () => collect(d.listGroupMembers(UNKNOWN_ID, { transitive: true })));
      if (caps.target) {
        await check("restore", caps.restore, () => d.restoreUser(UNKNOWN_ID, fx.write));
        await check("manager", caps.manager, () => d.setManager(UNKNOWN_ID, null, fx.write));
      }
    },
  },
  {
    key: "partnerSettings.trustedSource",
    title: "getPartnerSettings shows that the source tenant is trusted (inbound sync and automatic redemption allowed)",
    requires: needs(["partnerSettings"]),
    async run(fx) {
      const settings = await fx.directory.getPartnerSettings(fx.context.sourceTenantId);
      expect(settings, "the factory must make a directory that trusts context.sourceTenantId").not.toBeNull();
      expect(PartnerSettingsSchema.safeParse(settings).success).toBe(true);
      expect(settings!.tenantId.toLowerCase()).toBe(fx.context.sourceTenantId);
      expect(settings!.userSyncInbound.isSyncAllowed).toBe(true);
      expect(settings!.automaticUserConsentSettings.inboundAllowed).toBe(true);
    },
  },
  {
    key: "partnerSettings.unknownPartner",
    title: "getPartnerSettings returns null for a tenant it holds no settings about",
    requires: needs(["partnerSettings"]),
    async run(fx) {
      expect(await fx.directory.getPartnerSettings(fx.context.untrustedTenantId)).toBeNull();
    },
  },
  {
    key: "partnerSettings.readsBackend",
    title: "getPartnerSettings returns the settings stored in the backend, whatever the case of the tenant id",
    requires: needs(["partnerSettings"], ["setPartnerSettings"]),
    async run(fx) {
      const partner = "0be11e5e-0000-4000-8000-0000000000aa";
      const settings = { tenantId: partner, userSyncInbound: { isSyncAllowed: false }, automaticUserConsentSettings: { inboundAllowed: true, outboundAllowed: true } };
      await fx.probe.setPartnerSettings!(settings);
      const read = await fx.directory.getPartnerSettings(partner.toUpperCase());
      expect(read).not.toBeNull();
      expect({ ...read!, tenantId: read!.tenantId.toLowerCase() }).toEqual(settings);
      await fx.probe.setPartnerSettings!({ ...settings, userSyncInbound: { isSyncAllowed: true } });
      expect((await fx.directory.getPartnerSettings(partner))?.userSyncInbound.isSyncAllowed, "a change in the backend shows in the next read").toBe(true);
    },
  },
];

/** listUsers and getUser. */
export const readCases: DirectoryCase[] = [
  {
    key: "listUsers.everyUser",
    title: "listUsers yields every live user of the backend exactly once, as stored (members, guests, external users)",
    requires: needs(["source"]),
    async run(fx) {
      const manager = await fx.seedMember();
      const seeded = [manager, await fx.seedMember({ managerId: manager.id }), await fx.seedMember({ userType: "Guest" }), await fx.seedSynced(), await fx.seedMember({ accountEnabled: false, jobTitle: "Engineer" })];
      const pages = await collect(fx.directory.listUsers());
      const listed = pages.flat();
      for (const page of pages) expect(Array.isArray(page), "every page is an array of users").toBe(true);
      const ids = listed.map((u) => u.id);
      expect(ids.length, `listUsers yielded a user twice: ${ids.join(", ")}`).toBe(new Set(ids).size);
      const live = (await fx.probe.listUsers()).filter((u) => u.deletedDateTime === null);
      expect(sorted(ids)).toEqual(sorted(live.map((u) => u.id)));
      for (const user of seeded) {
        const found = listed.find((u) => u.id === user.id);
        expectSameUser(fx, found, await stored(fx, user.id), `listUsers' user ${user.id}`);
      }
    },
  },
  {
    key: "listUsers.pageSize",
    title: "listUsers honours the pageSize hint: pages of at most pageSize users, all users across them",
    requires: needs(["source"]),
    async run(fx) {
      for (let i = 0; i < 5; i++) await fx.seedMember();
      const total = (await fx.probe.listUsers()).filter((u) => u.deletedDateTime === null).length;
      const pages = await collect(fx.directory.listUsers({ pageSize: 2 }));
      for (const page of pages) expect(page.length, "a page larger than pageSize 2").toBeLessThanOrEqual(2);
      expect(pages.length).toBeGreaterThanOrEqual(Math.ceil(total / 2));
      expect(new Set(pages.flat().map((u) => u.id)).size).toBe(total);
    },
  },
  {
    key: "listUsers.excludesSoftDeleted",
    title: "listUsers leaves out soft-deleted users",
    requires: needs(["source"], ["softDeleteUser"]),
    async run(fx) {
      const keep = await fx.seedMember();
      const gone = await fx.seedMember();
      await fx.probe.softDeleteUser!(gone.id);
      const ids = (await collect(fx.directory.listUsers())).flat().map((u) => u.id);
      expect(ids).toContain(keep.id);
      expect(ids).not.toContain(gone.id);
    },
  },
  {
    key: "getUser.returnsStored",
    title: "getUser returns the user as stored (internal member, guest, synced external user)",
    
    async run(fx) {
      const users = [await fx.seedMember({ businessPhones: ["+1 425 555 0100"], city: "Zürich", extensions: {} }), await fx.seedMember({ userType: "Guest" }), await fx.seedSynced()];
      for (const user of users) expectSameUser(fx, await fx.directory.getUser(user.id), await stored(fx, user.id), `getUser(${user.id})`);
    },
  },
  {
    key: "getUser.unknownIsNull",
    title: "getUser returns null (does not throw) for an id that does not exist",
    
    async run(fx) {
      expect(await fx.directory.getUser(UNKNOWN_ID)).toBeNull();
      expect(await fx.directory.getUser(UNKNOWN_ID, { includeDeleted: true })).toBeNull();
    },
  },
  {
    key: "getUser.hidesSoftDeleted",
    title: "getUser returns null for a soft-deleted user unless includeDeleted",
    requires: needs([], ["softDeleteUser"]),
    async run(fx) {
      const user = await fx.seedMember();
      await fx.probe.softDeleteUser!(user.id);
      expect(await fx.directory.getUser(user.id)).toBeNull();
    },
  },
  {
    key: "getUser.includeDeleted",
    title: "getUser with includeDeleted returns a soft-deleted user with deletedDateTime set",
    requires: needs(["restore"], ["softDeleteUser"]),
    async run(fx) {
      const user = await fx.seedMember();
      await fx.probe.softDeleteUser!(user.id);
      const read = await fx.directory.getUser(user.id, { includeDeleted: true });
      expect(read).not.toBeNull();
      expect(isIsoDateTime(read!.deletedDateTime), `deletedDateTime ${String(read!.deletedDateTime)} is not an ISO date-time`).toBe(true);
      expectSameUser(fx, read, await stored(fx, user.id), `getUser(${user.id}, includeDeleted)`);
    },
  },
  {
    key: "getUser.manager",
    title: "getUser and listUsers read the manager reference (managerId)",
    requires: needs(["source", "manager"]),
    async run(fx) {
      const manager = await fx.seedMember();
      const report = await fx.seedMember({ managerId: manager.id });
      expect((await fx.directory.getUser(report.id))?.managerId).toBe(manager.id);
      expect((await fx.directory.getUser(manager.id))?.managerId).toBeNull();
      const listed = (await collect(fx.directory.listUsers())).flat().find((u) => u.id === report.id);
      expect(listed?.managerId).toBe(manager.id);
    },
  },
];

/** listGroupMembers. */
export const groupCases: DirectoryCase[] = [
  {
    key: "groups.directMembers",
    title: "listGroupMembers yields the user members of a group once each; nested groups' users only with transitive",
    requires: needs(["source"], ["addGroup"]),
    async run(fx) {
      const [a, b, c] = [await fx.seedMember(), await fx.seedMember(), await fx.seedMember()];
      const outsider = await fx.seedMember();
      const inner = await fx.probe.addGroup!({ displayName: "Kit Inner", members: [c.id] });
      const outer = await fx.probe.addGroup!({ displayName: "Kit Outer", members: [a.id, b.id, inner.id] });
      const pages = await collect(fx.directory.listGroupMembers(outer.id));
      const ids = pages.flat();
      expect(ids.length, `a member listed twice: ${ids.join(", ")}`).toBe(new Set(ids).size);
      expect(sorted(ids)).toEqual(sorted([a.id, b.id]));
      expect(ids).not.toContain(outsider.id);
    },
  },
  {
    key: "groups.transitiveMembers",
    title: "listGroupMembers with transitive yields the users of nested groups too, once each",
    requires: needs(["source", "transitiveMembers"], ["addGroup"]),
    async run(fx) {
      const [a, b, c, d] = [await fx.seedMember(), await fx.seedMember(), await fx.seedMember(), await fx.seedMember()];
      const deepest = await fx.probe.addGroup!({ displayName: "Kit Deepest", members: [d.id, a.id] });
      const inner = await fx.probe.addGroup!({ displayName: "Kit Inner", members: [c.id, deepest.id] });
      const outer = await fx.probe.addGroup!({ displayName: "Kit Outer", members: [a.id, b.id, inner.id] });
      const ids = (await collect(fx.directory.listGroupMembers(outer.id, { transitive: true }))).flat();
      expect(ids.length, `a member listed twice: ${ids.join(", ")}`).toBe(new Set(ids).size);
      expect(sorted(ids)).toEqual(sorted([a.id, b.id, c.id, d.id]));
    },
  },
  {
    key: "groups.memberRemoved",
    title: "listGroupMembers no longer yields a member removed in the backend",
    requires: needs(["source"], ["addGroup", "removeMember"]),
    async run(fx) {
      const [a, b] = [await fx.seedMember(), await fx.seedMember()];
      const group = await fx.probe.addGroup!({ displayName: "Kit Group", members: [a.id, b.id] });
      await fx.probe.removeMember!(group.id, a.id);
      expect((await collect(fx.directory.listGroupMembers(group.id))).flat()).toEqual([b.id]);
    },
  },
  {
    key: "groups.unknownGroup",
    title: "listGroupMembers rejects with NotFoundError naming a group that does not exist",
    requires: needs(["source"]),
    async run(fx) {
      const error = await expectRejects(() => collect(fx.directory.listGroupMembers(UNKNOWN_ID)), "NotFoundError", `listGroupMembers(${UNKNOWN_ID})`);
      expect(error.message).toContain(UNKNOWN_ID);
    },
  },
];
