import { AdapterError, AuthError, ConflictError, NotFoundError, ThrottledError } from "@tenantsync/core";
import { describe, expect, it } from "vitest";
import { classifyGraphUser, graphUserToDirectoryUser, mapGraphError, parseGraphError, partnerSettingsFromGraph, readDeltaPage, resolveAnchorAttribute } from "../src/index.ts";
import { createGroupDeltaAccumulator, groupDeltaChanges, mergeGroupsDeltaPage, usersDeltaChanges } from "../src/delta/delta-page.ts";
import { loadFixture } from "./helpers/fixtures.ts";

// Every body parsed here is a response copied from Microsoft's docs (test/fixtures/README.md).
const TENANT = "22222222-2222-4222-8222-222222222222";
const context = { anchor: null, tenantId: TENANT };
const ctx = { tenantId: TENANT, method: "GET", path: "/users/x" };

describe("doc fixtures: delta pages", () => {
  it("reads the users delta initial page: entries, the @removed reason and the nextLink", () => {
    const { entries, links } = readDeltaPage(loadFixture("users-delta-initial.json"));
    expect(entries.map((e) => e.id)).toEqual(["ffff7b1a-13b6-477b-8c0c-380905cd99f7", "605d1257-ffff-40b6-8e6f-528a53f5dc55", "86462606-fde0-4fc4-9e0c-a20eb73e54c6", "6ea91a8d-e32e-41a1-b7bd-d2d185eed0e0"]);
    expect(entries.filter((e) => e.removed !== null)).toEqual([expect.objectContaining({ id: "86462606-fde0-4fc4-9e0c-a20eb73e54c6", removed: "deleted" })]);
    expect(links.nextLink).toMatch(/^https:\/\/graph\.microsoft\.com\/v1\.0\/users\/delta\?\$skiptoken=/);
    expect(links.deltaLink).toBeUndefined();
  });

  it("ends a round on the final page's deltaLink and reads an empty deltaLink page", () => {
    expect(readDeltaPage(loadFixture("users-delta-final.json")).links).toEqual({ nextLink: undefined, deltaLink: expect.stringContaining("$deltatoken=oEcOySpF") });
    const empty = readDeltaPage(loadFixture("users-delta-deltalink-empty.json"));
    expect(empty.entries).toEqual([]);
    expect(empty.links.deltaLink).toContain("$deltatoken=MF1LuFYb");
  });

  it("maps @removed reason 'changed' to a soft delete and 'deleted' to a hard one", () => {
    const soft = readDeltaPage(loadFixture("users-delta-deltalink-changes.json")).entries.find((e) => e.removed !== null);
    expect(soft).toMatchObject({ id: "8ffff70c-1c63-4860-b963-e34ec660931d", removed: "changed" });
    const changes = usersDeltaChanges(loadFixture("users-delta-manager.json"), context);
    expect(changes).toContainEqual({ type: "userRemoved", userId: "0bbbbb0f-b0b3-4645-867d-742d8fb669a2", permanent: false });
  });

  it("reads manager@delta into managerId and keeps the default properties", () => {
    const [change] = usersDeltaChanges(loadFixture("users-delta-manager.json"), context);
    expect(change?.type).toBe("user");
    if (change?.type !== "user") return;
    expect(change.user).toMatchObject({
      id: "0baaae0f-b0b3-4645-867d-742d8fb669a2",
      userPrincipalName: "GradyA@contoso.onmicrosoft.com",
      displayName: "Grady Archie",
      businessPhones: ["+1 309 555 0104"],
      jobTitle: "Designer",
      managerId: "99789584-a1e1-4232-90e5-866170e3d4e7",
      origin: "internal",
    });
  });

  it("refuses a delta user it cannot read and says which one", () => {
    // The docs' initial page selected only names, so there is no userPrincipalName.
    expect(() => usersDeltaChanges(loadFixture("users-delta-initial.json"), context)).toThrow(/user 'ffff7b1a-13b6-477b-8c0c-380905cd99f7'.*userPrincipalName/);
  });

  it("merges members@delta across group delta pages and skips groups without an id", () => {
    const acc = createGroupDeltaAccumulator();
    mergeGroupsDeltaPage(loadFixture("groups-delta.json"), acc); // the docs' sample group has no id
    expect(acc.members.size).toBe(0);
    const first = mergeGroupsDeltaPage(loadFixture("groups-delta-initial.json"), acc);
    expect(first.nextLink).toContain("$skiptoken=");
    const last = mergeGroupsDeltaPage(loadFixture("groups-delta-deltalink-changes.json"), acc);
    expect(last.deltaLink).toContain("$deltatoken=");
    expect(groupDeltaChanges(acc)).toEqual([
      { type: "membership", groupId: "c2f798fd-f95d-4623-8824-63aec21fffff", memberId: "693acd06-2877-4339-8ade-b704261fe7a0", removed: false },
      { type: "membership", groupId: "c2f798fd-f95d-4623-8824-63aec21fffff", memberId: "49320844-be99-4164-8167-87ff5d047ace", removed: false },
      { type: "membership", groupId: "2e5807ce-58f3-4a94-9b37-ffff2e085957", memberId: "632f6bb2-3ec8-4c1f-9073-0027a8c6859", removed: true },
      { type: "membership", groupId: "2e5807ce-58f3-4a94-9b37-ffff2e085957", memberId: "37de1ae3-408f-4702-8636-20824abda004", removed: false },
    ]);
  });
});

describe("doc fixtures: users", () => {
  it("maps a default user GET to an internal DirectoryUser", () => {
    const user = graphUserToDirectoryUser(loadFixture("user-get.json"), context);
    expect(user).toMatchObject({ id: "87d349ed-44d7-43e1-9a83-5f2406dee5bd", userPrincipalName: "AdeleV@contoso.com", mail: "AdeleV@contoso.com", origin: "internal", alternativeSecurityId: null, managerId: null, department: null });
  });

  it("classifies the docs' B2B user (#EXT# UPN) as external and regular users as internal", () => {
    const [b2b] = loadFixture<{ value: Record<string, unknown>[] }>("users-list-external-member-count.json").value;
    expect(classifyGraphUser(b2b ?? {})).toBe("external");
    for (const raw of loadFixture<{ value: Record<string, unknown>[] }>("users-list.json").value) expect(classifyGraphUser(raw)).toBe("internal");
    expect(classifyGraphUser(loadFixture("user-get-select-identities.json"))).toBe("internal");
    expect(classifyGraphUser({ identities: [{ signInType: "federated", issuer: "ExternalAzureAD", issuerAssignedId: null }] })).toBe("external");
  });

  it("reads an anchor from onPremisesExtensionAttributes and ignores unrelated values there", () => {
    const [raw] = loadFixture<{ value: Record<string, unknown>[] }>("users-onpremises-extension-attributes.json").value;
    const anchor = resolveAnchorAttribute({ anchorAttribute: "extensionAttribute1" });
    const withUpn = { ...raw, userPrincipalName: "adele@contoso.com" };
    // extensionAttribute1 holds "Contractor": not an anchor.
    expect(graphUserToDirectoryUser(withUpn, { anchor, tenantId: TENANT }).alternativeSecurityId).toBeNull();
    const stamped = { ...withUpn, onPremisesExtensionAttributes: { extensionAttribute1: "11111111-1111-4111-8111-111111111111:src-1" } };
    expect(graphUserToDirectoryUser(stamped, { anchor, tenantId: TENANT })).toMatchObject({
      alternativeSecurityId: { tenantId: "11111111-1111-4111-8111-111111111111", userId: "src-1" },
      homeTenantId: "11111111-1111-4111-8111-111111111111",
      origin: "external",
    });
  });

  it("names the default anchor extension after the appId in the docs' extension property", () => {
    const created = loadFixture<{ name: string }>("extension-property-create.json");
    // extension_b7d8e648520f41d3b9c0fdeb91768a0a_jobGroupTracker → appId b7d8e648520f41d3b9c0fdeb91768a0a
    const appId = /^extension_([0-9a-f]{32})_/.exec(created.name)?.[1] ?? "";
    expect(resolveAnchorAttribute({ appId })).toEqual({ kind: "extension", name: `extension_${appId}_tenantSyncAnchor` });
    expect(() => resolveAnchorAttribute({ anchorAttribute: "jobGroupTracker" })).toThrow(/anchorAttribute/);
  });
});

describe("doc fixtures: errors and policies", () => {
  it("maps the docs' error bodies to typed errors with retryable set", () => {
    const denied = mapGraphError(403, loadFixture("error-403-authorization-requestdenied.json"), ctx);
    expect(denied).toBeInstanceOf(AuthError);
    expect(denied.retryable).toBe(false);
    const throttled = mapGraphError(429, loadFixture("error-429.json"), { ...ctx, retryAfterMs: 2128 });
    expect(throttled).toBeInstanceOf(ThrottledError);
    expect(throttled).toMatchObject({ retryable: true, retryAfterMs: 2128 });
    const notImplemented = mapGraphError(501, loadFixture("error-501-notimplemented.json"), ctx);
    expect(notImplemented).toBeInstanceOf(AdapterError);
    expect(notImplemented.code).toBe("GRAPH_NOT_IMPLEMENTED");
    expect(notImplemented.retryable).toBe(false);
    const policy = mapGraphError(409, loadFixture("error-409-request-multipleobjectswithsamekeyvalue.json"), ctx);
    expect(policy).toBeInstanceOf(ConflictError);
    expect(parseGraphError(loadFixture("error-generic-example.json"))).toMatchObject({ code: "invalidRange", requestId: "request-id" });
  });

  it("maps third-party ObjectConflict and ResourceNotFound bodies (property from details.target)", () => {
    const nick = mapGraphError(400, loadFixture("third-party/error-400-objectconflict-mailnickname.json"), ctx);
    expect(nick).toBeInstanceOf(ConflictError);
    expect((nick as ConflictError).property).toBe("mailNickname");
    expect((mapGraphError(400, loadFixture("third-party/error-400-objectconflict-id.json"), ctx) as ConflictError).property).toBe("id");
    const gone = mapGraphError(404, loadFixture("third-party/error-404-request-resourcenotfound.json"), { ...ctx, objectType: "user", objectId: "x" });
    expect(gone).toBeInstanceOf(NotFoundError);
    expect(gone.message).toContain(TENANT);
  });

  it("reads the docs' partner configuration and sync policy into PartnerSettings", () => {
    const settings = partnerSettingsFromGraph(loadFixture("partner-get.json"), loadFixture("partner-identitySynchronization.json"));
    expect(settings).toEqual({
      tenantId: "9c5d131d-b1c3-4fc4-9e3f-c6557947d551",
      userSyncInbound: { isSyncAllowed: true },
      // null inherits the default policy, where automatic redemption is off.
      automaticUserConsentSettings: { inboundAllowed: false, outboundAllowed: false },
    });
    expect(partnerSettingsFromGraph(loadFixture("partner-create.json"), null).userSyncInbound.isSyncAllowed).toBe(false);
  });
});
