import { describe, expect, it } from "vitest";
import { compileMappings } from "../../src/mapping/compile-mappings.ts";
import { defaultMappings } from "../../src/mapping/default-mappings.ts";
import { sourceAttributesOf } from "../../src/mapping/source-attributes.ts";
import { parseDirectoryUser } from "../../src/model/user.ts";

describe("defaultMappings", () => {
  it("R19 is the cross-tenant default set of MAPPINGS.md, in order", () => {
    const rows = defaultMappings().map((m) => [m.targetAttributeName, m.source, m.flowType, m.matchingPriority, m.defaultValue]);
    expect(rows).toEqual([
      ["alternativeSecurityIds", "AltSecIdFromNetId([netId])", "Always", 1, null],
      ["IsSoftDeleted", "[IsSoftDeleted]", "Always", 0, null],
      ["accountEnabled", "[accountEnabled]", "Always", 0, null],
      ...["displayName", "givenName", "surname", "jobTitle", "department", "companyName", "employeeId", "officeLocation", "streetAddress", "city", "state", "postalCode", "country", "preferredLanguage", "mobilePhone", "telephoneNumber", "mail", "mailNickname", "userPrincipalName"].map((a) => [a, `[${a}]`, "Always", 0, null]),
      ["showInAddressList", '"True"', "Always", 0, null],
      ["userType", '"Member"', "ObjectAddOnly", 0, null],
      ["manager", "[manager]", "Always", 0, null],
    ]);
  });

  it("R8 creates Guests when the job says so", () => {
    const userType = defaultMappings({ userType: "Guest" }).find((m) => m.targetAttributeName === "userType");
    expect(userType).toMatchObject({ source: '"Guest"', flowType: "ObjectAddOnly" });
  });

  it("returns a fresh array each call", () => {
    const a = defaultMappings();
    a.pop();
    expect(defaultMappings()).toHaveLength(a.length + 1);
  });

  it("R19 compiles, and a null mapping list means the default set (showInAddressList true, Member, manager mapped)", () => {
    const fromNull = compileMappings({ attributeMappings: null });
    const explicit = compileMappings({ attributeMappings: defaultMappings() });
    expect(fromNull.mappings.map((m) => m.expression)).toEqual(explicit.mappings.map((m) => m.expression));
    const user = parseDirectoryUser({ id: "S-1", userPrincipalName: "ada@contoso.com", displayName: "Ada", businessPhones: ["+1 555 0100", "+1 555 0101"], managerId: "S-9" });
    const mapped = fromNull.evaluate(user, { sourceTenantId: "T" });
    expect(mapped.createAttributes).toEqual({ accountEnabled: true, displayName: "Ada", businessPhones: ["+1 555 0100"], userPrincipalName: "ada@contoso.com", showInAddressList: true });
    expect(mapped.userType).toEqual({ value: "Member", flowType: "ObjectAddOnly" });
    expect(mapped.managerSourceId).toBe("S-9");
    expect(fromNull.mapsManager).toBe(true);
    expect(fromNull.matchingAttributes).toEqual([]);
    expect(compileMappings({ attributeMappings: null, userType: "Guest" }).evaluate(user).userType.value).toBe("Guest");
  });
});

describe("sourceAttributesOf", () => {
  const user = parseDirectoryUser({
    id: "S-1",
    userPrincipalName: "ada@contoso.com",
    displayName: "Ada",
    department: "R&D",
    businessPhones: ["+1 555 0100"],
    managerId: "S-9",
    extensions: { extension_0123456789abcdef0123456789abcdef_costCenter: "CC-1" },
  });

  it("exposes the Entra attribute names expressions read", () => {
    const a = sourceAttributesOf(user);
    expect(a).toMatchObject({
      id: "S-1",
      netId: "S-1",
      objectId: "S-1",
      userPrincipalName: "ada@contoso.com",
      department: "R&D",
      telephoneNumber: "+1 555 0100",
      businessPhones: ["+1 555 0100"],
      manager: "S-9",
      accountEnabled: true,
      userType: "Member",
      mail: null,
      IsSoftDeleted: false,
      extension_0123456789abcdef0123456789abcdef_costCenter: "CC-1",
    });
  });

  it("derives IsSoftDeleted from a deleted or disabled record unless the engine says otherwise", () => {
    expect(sourceAttributesOf({ ...user, accountEnabled: false }).IsSoftDeleted).toBe(true);
    expect(sourceAttributesOf({ ...user, deletedDateTime: "2024-01-01T00:00:00Z" }).IsSoftDeleted).toBe(true);
    expect(sourceAttributesOf(user, { IsSoftDeleted: true }).IsSoftDeleted).toBe(true);
    expect(sourceAttributesOf({ ...user, accountEnabled: false }, { IsSoftDeleted: false }).IsSoftDeleted).toBe(false);
  });

  it("gives null for telephoneNumber and manager when the user has none", () => {
    const bare = parseDirectoryUser({ id: "S-2", userPrincipalName: "b@contoso.com", displayName: "B" });
    expect(sourceAttributesOf(bare)).toMatchObject({ telephoneNumber: null, manager: null, businessPhones: [] });
  });
});
