import { describe, expect, it } from "vitest";
import { compileMappings } from "../../src/mapping/compile-mappings.ts";
import { REDACTED, diffMappedUser, resolveUserType } from "../../src/mapping/diff-mapped-user.ts";
import type { AttributeMappingInput } from "../../src/model/sync-job-config.ts";
import { parseDirectoryUser, type DirectoryUserInput } from "../../src/model/user.ts";

const EXT = "extension_0123456789abcdef0123456789abcdef_costCenter";

function source(overrides: Partial<DirectoryUserInput> = {}) {
  return parseDirectoryUser({ id: "S-1", userPrincipalName: "ada@contoso.com", displayName: "Ada", ...overrides });
}

function target(overrides: Partial<DirectoryUserInput> = {}) {
  return parseDirectoryUser({ id: "T-1", userPrincipalName: "ada_contoso.com#EXT#@fabrikam.com", displayName: "Ada", origin: "external", homeTenantId: "src", ...overrides });
}

function diff(mappings: AttributeMappingInput[], src: Partial<DirectoryUserInput>, tgt: Partial<DirectoryUserInput>) {
  const compiled = compileMappings({ attributeMappings: mappings, userType: "Member" });
  return diffMappedUser(compiled.evaluate(source(src)), target(tgt), compiled);
}

describe("diffMappedUser by flow type", () => {
  it("R11 Always writes a value that differs and nothing when it is equal", () => {
    const m: AttributeMappingInput[] = [{ targetAttributeName: "department", source: "[department]" }];
    expect(diff(m, { department: "Sales" }, { department: "HR" })).toEqual({
      changes: { department: "Sales" },
      modifiedProperties: [{ name: "department", oldValue: "HR", newValue: "Sales" }],
    });
    expect(diff(m, { department: "Sales" }, { department: "Sales" })).toEqual({ changes: {}, modifiedProperties: [] });
    expect(diff(m, { department: "Sales" }, {}).changes).toEqual({ department: "Sales" });
  });

  it("R19 a null result writes nothing (it does not clear the target)", () => {
    expect(diff([{ targetAttributeName: "department", source: "[department]" }], {}, { department: "HR" }).changes).toEqual({});
  });

  it("R19 defaultValue is never used on update", () => {
    expect(diff([{ targetAttributeName: "department", source: "[department]", defaultValue: "Unassigned" }], {}, { department: "HR" }).changes).toEqual({});
    expect(diff([{ targetAttributeName: "department", source: "[department]", defaultValue: "Unassigned" }], {}, {}).changes).toEqual({});
  });

  it("an empty result clears a target value (and does nothing on an empty target)", () => {
    const m: AttributeMappingInput[] = [{ targetAttributeName: "department", source: '""' }];
    expect(diff(m, {}, { department: "HR" })).toEqual({ changes: { department: null }, modifiedProperties: [{ name: "department", oldValue: "HR", newValue: null }] });
    expect(diff(m, {}, {}).changes).toEqual({});
  });

  it("R19 IGNORE_FLOW leaves the attribute out of the update", () => {
    expect(diff([{ targetAttributeName: "department", source: "IgnoreFlowIfNullOrEmpty([department])" }], { department: "" }, { department: "HR" }).changes).toEqual({});
  });

  it("R19 ObjectAddOnly is never written on update", () => {
    expect(diff([{ targetAttributeName: "employeeId", source: "[employeeId]", flowType: "ObjectAddOnly" }], { employeeId: "E-2" }, { employeeId: "E-1" }).changes).toEqual({});
    expect(diff([{ targetAttributeName: "employeeId", source: "[employeeId]", flowType: "ObjectAddOnly" }], { employeeId: "E-2" }, {}).changes).toEqual({});
  });

  it("AttributeAddOnly writes only when the target has no value", () => {
    const m: AttributeMappingInput[] = [{ targetAttributeName: "preferredLanguage", source: "[preferredLanguage]", flowType: "AttributeAddOnly" }];
    expect(diff(m, { preferredLanguage: "fr-FR" }, {}).changes).toEqual({ preferredLanguage: "fr-FR" });
    expect(diff(m, { preferredLanguage: "fr-FR" }, { preferredLanguage: "" }).changes).toEqual({ preferredLanguage: "fr-FR" });
    expect(diff(m, { preferredLanguage: "fr-FR" }, { preferredLanguage: "en-US" }).changes).toEqual({});
  });

  it("ValueAddOnly and MultiValueAddOnly add missing values to a multi-valued attribute and never remove one", () => {
    for (const flowType of ["ValueAddOnly", "MultiValueAddOnly"] as const) {
      const m: AttributeMappingInput[] = [{ targetAttributeName: "businessPhones", source: "[businessPhones]", flowType }];
      expect(diff(m, { businessPhones: ["+1", "+2"] }, { businessPhones: ["+3", "+1"] })).toEqual({
        changes: { businessPhones: ["+3", "+1", "+2"] },
        modifiedProperties: [{ name: "businessPhones", oldValue: ["+3", "+1"], newValue: ["+3", "+1", "+2"] }],
      });
      expect(diff(m, { businessPhones: ["+1"] }, { businessPhones: ["+3", "+1"] }).changes).toEqual({});
      expect(diff(m, { businessPhones: [] }, { businessPhones: ["+3"] }).changes).toEqual({});
    }
  });

  it("ValueAddOnly on a single-valued attribute adds a value only where there is none", () => {
    const m: AttributeMappingInput[] = [{ targetAttributeName: "city", source: "[city]", flowType: "ValueAddOnly" }];
    expect(diff(m, { city: "Paris" }, {}).changes).toEqual({ city: "Paris" });
    expect(diff(m, { city: "Paris" }, { city: "Lyon" }).changes).toEqual({});
  });

  it("Always on a multi-valued attribute replaces the list when it differs", () => {
    const m: AttributeMappingInput[] = [{ targetAttributeName: "businessPhones", source: "[businessPhones]" }];
    expect(diff(m, { businessPhones: ["+1"] }, { businessPhones: ["+3", "+1"] }).changes).toEqual({ businessPhones: ["+1"] });
    expect(diff(m, { businessPhones: ["+1"] }, { businessPhones: ["+1"] }).changes).toEqual({});
  });
});

describe("diffMappedUser comparisons and shapes", () => {
  it("R11 compares case-sensitively unless the mapping says caseInsensitive", () => {
    expect(diff([{ targetAttributeName: "mail", source: "[mail]" }], { mail: "Ada@Contoso.com" }, { mail: "ada@contoso.com" }).changes).toEqual({ mail: "Ada@Contoso.com" });
    expect(diff([{ targetAttributeName: "mail", source: "[mail]", caseInsensitive: true }], { mail: "Ada@Contoso.com" }, { mail: "ada@contoso.com" }).changes).toEqual({});
  });

  it("R12 R11 flows accountEnabled both ways, overwriting a sign-in block set in the target", () => {
    const m: AttributeMappingInput[] = [{ targetAttributeName: "accountEnabled", source: "[accountEnabled]" }];
    expect(diff(m, { accountEnabled: false }, { accountEnabled: true }).changes).toEqual({ accountEnabled: false });
    expect(diff(m, { accountEnabled: true }, { accountEnabled: false }).changes).toEqual({ accountEnabled: true });
    expect(diff(m, { accountEnabled: true }, { accountEnabled: true }).changes).toEqual({});
  });

  it("R19 writes showInAddressList true where the target has none", () => {
    const m: AttributeMappingInput[] = [{ targetAttributeName: "showInAddressList", source: '"True"' }];
    expect(diff(m, {}, { showInAddressList: null }).changes).toEqual({ showInAddressList: true });
    expect(diff(m, {}, { showInAddressList: true }).changes).toEqual({});
  });

  it("compares telephoneNumber with the first business phone and writes businessPhones", () => {
    const m: AttributeMappingInput[] = [{ targetAttributeName: "telephoneNumber", source: "[telephoneNumber]" }];
    expect(diff(m, { businessPhones: ["+1"] }, { businessPhones: ["+1", "+9"] }).changes).toEqual({});
    expect(diff(m, { businessPhones: ["+2"] }, { businessPhones: ["+1"] })).toEqual({
      changes: { businessPhones: ["+2"] },
      modifiedProperties: [{ name: "telephoneNumber", oldValue: "+1", newValue: "+2" }],
    });
  });

  it("R19 writes only the changed extension attributes under extensions", () => {
    const other = "extension_0123456789abcdef0123456789abcdef_region";
    const m: AttributeMappingInput[] = [
      { targetAttributeName: EXT, source: "[department]" },
      { targetAttributeName: other, source: "[city]" },
    ];
    expect(diff(m, { department: "CC-2", city: "Paris" }, { extensions: { [EXT]: "CC-1", [other]: "Paris" } })).toEqual({
      changes: { extensions: { [EXT]: "CC-2" } },
      modifiedProperties: [{ name: EXT, oldValue: "CC-1", newValue: "CC-2" }],
    });
  });

  it("never updates userPrincipalName, mailNickname, alternativeSecurityIds, IsSoftDeleted or manager", () => {
    const compiled = compileMappings({ attributeMappings: null });
    const src = source({ mailNickname: "ada", managerId: "S-9", displayName: "Ada" });
    const { changes } = diffMappedUser(compiled.evaluate(src, { sourceTenantId: "T" }), target({ mailNickname: "ada_contoso.com#EXT#", displayName: "Ada", showInAddressList: true }), compiled);
    expect(changes).toEqual({});
  });

  it("R19 shows [Redact] for old and new values of redacted attributes", () => {
    const { changes, modifiedProperties } = diff(
      [
        { targetAttributeName: "employeeId", source: "Redact([employeeId])" },
        { targetAttributeName: "jobTitle", source: "[jobTitle]" },
      ],
      { employeeId: "E-2", jobTitle: "CTO" },
      { employeeId: "E-1", jobTitle: "CEO" },
    );
    expect(changes).toEqual({ employeeId: "E-2", jobTitle: "CTO" });
    expect(modifiedProperties).toEqual([
      { name: "employeeId", oldValue: REDACTED, newValue: REDACTED },
      { name: "jobTitle", oldValue: "CEO", newValue: "CTO" },
    ]);
    expect(REDACTED).toBe("[Redact]");
  });

  it("R11 brings the target to exactly what the default mappings produce", () => {
    const compiled = compileMappings({ attributeMappings: null });
    const src = source({ displayName: "Ada Lovelace", jobTitle: "Countess", department: "Math", businessPhones: ["+44"], mobilePhone: "+45", accountEnabled: true });
    const tgt = target({ displayName: "Ada", jobTitle: "Edited in target", department: "Math", businessPhones: [], showInAddressList: false, accountEnabled: false, city: "London" });
    const { changes } = diffMappedUser(compiled.evaluate(src), tgt, compiled);
    expect(changes).toEqual({ displayName: "Ada Lovelace", jobTitle: "Countess", businessPhones: ["+44"], mobilePhone: "+45", showInAddressList: true, accountEnabled: true });
  });
});

describe("userType (R10)", () => {
  const addOnly = compileMappings({ attributeMappings: [{ targetAttributeName: "userType", source: '"Member"', flowType: "ObjectAddOnly" }] });
  const always = compileMappings({ attributeMappings: [{ targetAttributeName: "userType", source: '"Member"', flowType: "Always" }] });

  it("R10 an existing guest that is matched stays a Guest when the userType mapping is ObjectAddOnly", () => {
    const mapped = addOnly.evaluate(source());
    expect(resolveUserType(mapped, target({ userType: "Guest" }))).toBe("Guest");
    expect(diffMappedUser(mapped, target({ userType: "Guest" }), addOnly).changes).toEqual({});
  });

  it("R10 an existing guest becomes a Member when the userType mapping applies always", () => {
    const mapped = always.evaluate(source());
    expect(resolveUserType(mapped, target({ userType: "Guest" }))).toBe("Member");
    expect(diffMappedUser(mapped, target({ userType: "Guest" }), always)).toEqual({
      changes: { userType: "Member" },
      modifiedProperties: [{ name: "userType", oldValue: "Guest", newValue: "Member" }],
    });
  });

  it("R8 a created user gets the mapped userType", () => {
    expect(resolveUserType(addOnly.evaluate(source()), null)).toBe("Member");
    const guests = compileMappings({ attributeMappings: null, userType: "Guest" });
    expect(resolveUserType(guests.evaluate(source()), null)).toBe("Guest");
    expect(resolveUserType(guests.evaluate(source()), target({ userType: "Member" }))).toBe("Member");
  });
});
