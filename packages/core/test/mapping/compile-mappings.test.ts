import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors/errors.ts";
import { compileMappings, type CompileMappingsOptions } from "../../src/mapping/compile-mappings.ts";
import { MappingError } from "../../src/mapping/mapping-error.ts";
import type { AttributeMappingInput } from "../../src/model/sync-job-config.ts";
import { parseDirectoryUser, type DirectoryUserInput } from "../../src/model/user.ts";

const EXT = "extension_0123456789abcdef0123456789abcdef_costCenter";
const EXT2 = "extension_0123456789abcdef0123456789abcdef_tags";

function user(overrides: Partial<DirectoryUserInput> = {}) {
  return parseDirectoryUser({ id: "S-1", userPrincipalName: "ada@contoso.com", displayName: "Ada Lovelace", ...overrides });
}

function compile(mappings: AttributeMappingInput[], options?: CompileMappingsOptions) {
  return compileMappings({ attributeMappings: mappings, userType: "Member" }, options);
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("expected a ConfigError");
}

function mappingError(fn: () => unknown): MappingError {
  try {
    fn();
  } catch (e) {
    if (e instanceof MappingError) return e;
    throw e;
  }
  throw new Error("expected a MappingError");
}

describe("validation", () => {
  it("R19 reports a syntax error with the expression position and the mapping path", () => {
    const e = configError(() => compile([{ targetAttributeName: "displayName", source: "[displayName]" }, { targetAttributeName: "mail", source: "ToLower([mail]" }]));
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0]!.path).toEqual(["attributeMappings", 1, "source"]);
    expect(e.issues[0]!.message).toMatch(/line 1, column 15 \(offset 14\)/);
    expect(e.message).toContain("$.attributeMappings[1].source");
  });

  it("R19 refuses unknown functions and wrong arity at compile time", () => {
    const e = configError(() => compile([{ targetAttributeName: "mail", source: "Lower([mail])" }, { targetAttributeName: "jobTitle", source: "Left([jobTitle])" }]));
    expect(e.issues.map((i) => i.path)).toEqual([
      ["attributeMappings", 0, "source"],
      ["attributeMappings", 1, "source"],
    ]);
  });

  const UNMAPPABLE: Array<[string, RegExp]> = [
    ["thumbnailPhoto", /photo/],
    ["customSecurityAttributes", /custom security attribute/],
    ["passwordProfile", /password/],
    ["otherMails", /computed by the target/],
    ["proxyAddresses", /computed by the target/],
    ["favoriteColor", /not an attribute the target directory declares/],
  ];
  for (const [target, message] of UNMAPPABLE) {
    it(`R19 refuses '${target}' as a target, naming the mapping`, () => {
      const e = configError(() => compile([{ targetAttributeName: target, source: "[displayName]" }]));
      expect(e.issues).toHaveLength(1);
      expect(e.issues[0]!.path).toEqual(["attributeMappings", 0, "targetAttributeName"]);
      expect(e.issues[0]!.message).toMatch(message);
      expect(e.issues[0]!.message).toContain(target);
    });
  }

  it("R19 refuses attributes the target does not declare writable, and accepts the DirectoryUser field names", () => {
    const options = { writableAttributes: ["displayName", "businessPhones", "extensions"] };
    expect(() => compile([{ targetAttributeName: "displayName", source: "[displayName]" }, { targetAttributeName: "telephoneNumber", source: "[telephoneNumber]" }, { targetAttributeName: EXT, source: "[department]" }], options)).not.toThrow();
    const e = configError(() => compile([{ targetAttributeName: "department", source: "[department]" }, { targetAttributeName: "manager", source: "[manager]" }], options));
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0]!.path).toEqual(["attributeMappings", 0, "targetAttributeName"]);
    expect(e.issues[0]!.message).toContain("cannot write 'department'");
  });

  it("R19 refuses multi-valued extension attributes as target and as source", () => {
    const e = configError(() => compile([{ targetAttributeName: EXT2, source: "[department]" }, { targetAttributeName: "jobTitle", source: `Join(",", [${EXT2}])` }], { multiValuedAttributes: [EXT2] }));
    expect(e.issues.map((i) => i.path)).toEqual([
      ["attributeMappings", 0, "targetAttributeName"],
      ["attributeMappings", 1, "source"],
    ]);
    expect(e.issues[0]!.message).toContain("multi-valued extension");
  });

  it("R9 keeps the alternativeSecurityIds matching mapping fixed", () => {
    expect(() => compile([{ targetAttributeName: "alternativeSecurityIds", source: "AltSecIdFromNetId( [netId] )", matchingPriority: 1 }])).not.toThrow();
    const e = configError(() => compile([{ targetAttributeName: "alternativeSecurityIds", source: "AltSecIdFromNetId([mail])", matchingPriority: 2, flowType: "ObjectAddOnly" }]));
    expect(e.issues.map((i) => i.path)).toEqual([
      ["attributeMappings", 0, "source"],
      ["attributeMappings", 0, "matchingPriority"],
      ["attributeMappings", 0, "flowType"],
    ]);
  });

  it("refuses two mappings of one target, and two targets writing one field", () => {
    const e = configError(() =>
      compile([
        { targetAttributeName: "mail", source: "[mail]" },
        { targetAttributeName: "mail", source: "[userPrincipalName]" },
        { targetAttributeName: "telephoneNumber", source: "[telephoneNumber]" },
        { targetAttributeName: "businessPhones", source: "[businessPhones]" },
      ]),
    );
    expect(e.issues.map((i) => i.path)).toEqual([
      ["attributeMappings", 1, "targetAttributeName"],
      ["attributeMappings", 3, "targetAttributeName"],
    ]);
    expect(e.issues[0]!.message).toContain("attributeMappings[0]");
  });

  it("refuses matching priorities on attributes that cannot be matched", () => {
    const e = configError(() => compile([{ targetAttributeName: "accountEnabled", source: "[accountEnabled]", matchingPriority: 2 }, { targetAttributeName: "manager", source: "[manager]", matchingPriority: 3 }]));
    expect(e.issues.map((i) => i.path)).toEqual([
      ["attributeMappings", 0, "matchingPriority"],
      ["attributeMappings", 1, "matchingPriority"],
    ]);
  });

  it("checks constant sources and default values against their target", () => {
    const e = configError(() =>
      compile([
        { targetAttributeName: "userType", source: '"Membr"', flowType: "ObjectAddOnly" },
        { targetAttributeName: "showInAddressList", source: '"yes"' },
        { targetAttributeName: "accountEnabled", source: "[accountEnabled]", defaultValue: "maybe" },
      ]),
    );
    expect(e.issues.map((i) => i.path)).toEqual([
      ["attributeMappings", 0, "source"],
      ["attributeMappings", 1, "source"],
      ["attributeMappings", 2, "defaultValue"],
    ]);
    expect(e.issues[0]!.message).toContain("Member or Guest");
  });

  it("reports problems inside an Entra source tree with their path", () => {
    const e = configError(() =>
      compile([{ targetAttributeName: "mail", source: { type: "Function", name: "ToLowr", parameters: [{ key: "source", value: { type: "Attribute", name: "mail" } }] } }]),
    );
    expect(e.issues[0]!.path).toEqual(["attributeMappings", 0, "source", "name"]);
  });

  it("reports malformed mappings with zod paths, every issue at once, under a custom prefix", () => {
    const e = configError(() =>
      compileMappings({ attributeMappings: [{ source: "[mail]" } as unknown as AttributeMappingInput, { targetAttributeName: "mail", source: "[mail]", flowType: "Sometimes" as "Always" }, { targetAttributeName: "photo", source: "[mail]" }] }, { pathPrefix: ["jobs", 0, "attributeMappings"] }),
    );
    expect(e.issues.map((i) => i.path)).toEqual([
      ["jobs", 0, "attributeMappings", 0, "targetAttributeName"],
      ["jobs", 0, "attributeMappings", 1, "flowType"],
      ["jobs", 0, "attributeMappings", 2, "targetAttributeName"],
    ]);
  });
});

describe("evaluation", () => {
  it("R19 builds createAttributes in DirectoryUser shape: booleans, telephoneNumber, extensions, constants", () => {
    const c = compile([
      { targetAttributeName: "accountEnabled", source: "[accountEnabled]" },
      { targetAttributeName: "displayName", source: 'Join(" ", [givenName], [surname])' },
      { targetAttributeName: "telephoneNumber", source: "[mobilePhone]" },
      { targetAttributeName: EXT, source: `[${EXT}]` },
      { targetAttributeName: "showInAddressList", source: 'IIF([department] = "Board", "False", "True")' },
      { targetAttributeName: "jobTitle", source: "[jobTitle]" },
    ]);
    const mapped = c.evaluate(user({ givenName: "Ada", surname: "Lovelace", mobilePhone: "+44 1", department: "Board", accountEnabled: false, extensions: { [EXT]: "CC-7" } }));
    expect(mapped.createAttributes).toEqual({ accountEnabled: false, displayName: "Ada Lovelace", businessPhones: ["+44 1"], extensions: { [EXT]: "CC-7" }, showInAddressList: false });
    expect(c.sourceAttributes).toEqual(["accountEnabled", "givenName", "surname", "mobilePhone", EXT, "department", "jobTitle"]);
  });

  it("R19 applies defaultValue at creation only: the value to compare on update stays null", () => {
    const c = compile([{ targetAttributeName: "department", source: "[department]", defaultValue: "Unassigned" }]);
    const mapped = c.evaluate(user());
    expect(mapped.createAttributes).toEqual({ department: "Unassigned" });
    expect(mapped.values.get("department")).toBeNull();
    expect(c.evaluate(user({ department: "Sales" })).createAttributes).toEqual({ department: "Sales" });
  });

  it("R19 includes ObjectAddOnly mappings in createAttributes", () => {
    const c = compile([{ targetAttributeName: "employeeId", source: "[employeeId]", flowType: "ObjectAddOnly" }]);
    expect(c.evaluate(user({ employeeId: "E-1" })).createAttributes).toEqual({ employeeId: "E-1" });
  });

  it("R8 R19 every flow type writes its value when the user is created", () => {
    const flows = ["Always", "ObjectAddOnly", "AttributeAddOnly", "ValueAddOnly", "MultiValueAddOnly"] as const;
    const targets = ["department", "jobTitle", "city", "country", "businessPhones"];
    const c = compile(flows.map((flowType, i) => ({ targetAttributeName: targets[i]!, source: i === 4 ? "[businessPhones]" : `"${flowType}"`, flowType })));
    expect(c.evaluate(user({ businessPhones: ["+1", "+2"] })).createAttributes).toEqual({ department: "Always", jobTitle: "ObjectAddOnly", city: "AttributeAddOnly", country: "ValueAddOnly", businessPhones: ["+1", "+2"] });
  });

  it("R19 drops an IGNORE_FLOW result entirely (no default value, nothing to compare)", () => {
    const c = compile([{ targetAttributeName: "department", source: "IgnoreFlowIfNullOrEmpty([department])", defaultValue: "Unassigned" }]);
    const mapped = c.evaluate(user({ department: "" }));
    expect(mapped.createAttributes).toEqual({});
    expect(mapped.values.has("department")).toBe(false);
    expect(c.evaluate(user({ department: "Sales" })).createAttributes).toEqual({ department: "Sales" });
  });

  it("leaves empty strings out of createAttributes", () => {
    const c = compile([{ targetAttributeName: "city", source: '""' }]);
    expect(c.evaluate(user()).createAttributes).toEqual({});
  });

  it("R19 marks Redact mappings: the value flows, the attribute is listed as redacted", () => {
    const c = compile([
      { targetAttributeName: "employeeId", source: "Redact([employeeId])" },
      { targetAttributeName: "mail", source: "[mail]" },
    ]);
    const mapped = c.evaluate(user({ employeeId: "E-42", mail: "ada@contoso.com" }));
    expect(mapped.createAttributes.employeeId).toBe("E-42");
    expect([...mapped.redacted]).toEqual(["employeeId"]);
    expect(c.mappings.map((m) => m.redacts)).toEqual([true, false]);
  });

  it("R9 gives match keys in priority order, skipping null values", () => {
    const c = compile([
      { targetAttributeName: "alternativeSecurityIds", source: "AltSecIdFromNetId([netId])", matchingPriority: 1 },
      { targetAttributeName: "mail", source: "[mail]", matchingPriority: 3 },
      { targetAttributeName: "employeeId", source: "[employeeId]", matchingPriority: 2 },
      { targetAttributeName: "displayName", source: "[displayName]" },
    ]);
    expect(c.matchingAttributes).toEqual(["employeeId", "mail"]);
    expect(c.evaluate(user({ mail: "ada@contoso.com", employeeId: "E-1" })).matchKeys).toEqual([
      { attribute: "employeeId", value: "E-1" },
      { attribute: "mail", value: "ada@contoso.com" },
    ]);
    expect(c.evaluate(user({ mail: "ada@contoso.com" })).matchKeys).toEqual([{ attribute: "mail", value: "ada@contoso.com" }]);
  });

  it("R20 reports the source manager id: null when none, undefined when manager is not mapped", () => {
    const withManager = compile([{ targetAttributeName: "manager", source: "[manager]" }]);
    expect(withManager.evaluate(user({ managerId: "S-9" })).managerSourceId).toBe("S-9");
    expect(withManager.evaluate(user()).managerSourceId).toBeNull();
    expect(withManager.evaluate(user({ managerId: "S-9" })).createAttributes).toEqual({});
    const without = compile([{ targetAttributeName: "displayName", source: "[displayName]" }]);
    expect(without.mapsManager).toBe(false);
    expect(without.evaluate(user({ managerId: "S-9" })).managerSourceId).toBeUndefined();
  });

  it("R8 userType comes from its mapping and flow type, else from the job", () => {
    expect(compile([{ targetAttributeName: "userType", source: '"guest"', flowType: "Always" }]).evaluate(user()).userType).toEqual({ value: "Guest", flowType: "Always" });
    expect(compile([{ targetAttributeName: "userType", source: "[jobTitle]", defaultValue: "Guest", flowType: "ObjectAddOnly" }]).evaluate(user()).userType).toEqual({ value: "Guest", flowType: "ObjectAddOnly" });
    expect(compileMappings({ attributeMappings: [{ targetAttributeName: "displayName", source: "[displayName]" }], userType: "Guest" }).evaluate(user()).userType).toEqual({ value: "Guest", flowType: "ObjectAddOnly" });
  });

  it("passes the clock, the random source and the source tenant to expressions", () => {
    const c = compile([
      { targetAttributeName: "alternativeSecurityIds", source: "AltSecIdFromNetId([netId])", matchingPriority: 1 },
      { targetAttributeName: EXT, source: "Now()" },
      { targetAttributeName: "employeeId", source: "Guid()", flowType: "ObjectAddOnly" },
    ]);
    const ctx = { now: () => new Date(Date.UTC(2024, 0, 2, 3, 4, 5)), random: () => 0.25, sourceTenantId: "AAAA" };
    const a = c.evaluate(user(), ctx);
    expect(a.values.get("alternativeSecurityIds")).toBe("aaaa:s-1");
    expect(a.createAttributes.extensions).toEqual({ [EXT]: "1/2/2024 3:04:05 AM" });
    expect(c.evaluate(user(), ctx).createAttributes.employeeId).toBe(a.createAttributes.employeeId);
  });

  it("throws MAPPING_FAILED naming the mapping, the target and the user when an expression raises an error", () => {
    const c = compile([
      { targetAttributeName: "displayName", source: "[displayName]" },
      { targetAttributeName: "department", source: 'Error("department is required")' },
    ]);
    const e = mappingError(() => c.evaluate(user({ id: "S-77" })));
    expect(e.code).toBe("MAPPING_FAILED");
    expect(e.retryable).toBe(false);
    expect(e).toMatchObject({ userId: "S-77", targetAttributeName: "department", mappingIndex: 1 });
    expect(e.message).toContain("S-77");
    expect(e.message).toContain("attributeMappings[1]");
    expect(e.message).toContain("department is required");
  });

  it("throws MAPPING_FAILED when a value does not fit its target", () => {
    const notBoolean = compile([{ targetAttributeName: "accountEnabled", source: "[department]" }]);
    expect(mappingError(() => notBoolean.evaluate(user({ department: "Sales" }))).message).toContain("True or False");
    const twoValues = compile([{ targetAttributeName: "jobTitle", source: 'Split([department], ",")' }]);
    expect(mappingError(() => twoValues.evaluate(user({ department: "a,b" }))).message).toContain("2 values");
    expect(twoValues.evaluate(user({ department: "a" })).createAttributes).toEqual({ jobTitle: "a" });
  });
});

describe("fingerprint", () => {
  const c = compile([
    { targetAttributeName: "displayName", source: "[displayName]" },
    { targetAttributeName: "employeeId", source: "[employeeId]", flowType: "ObjectAddOnly" },
    { targetAttributeName: "userPrincipalName", source: "[userPrincipalName]" },
    { targetAttributeName: "department", source: "[department]", flowType: "AttributeAddOnly" },
    { targetAttributeName: "manager", source: "[manager]" },
  ]);
  const base = user({ employeeId: "E-1", department: "Sales", managerId: "S-9" });
  const fp = (u = base) => c.evaluate(u).fingerprint;

  it("R11 is stable for the same source and changes when an updatable value changes", () => {
    expect(fp()).toBe(fp({ ...base }));
    expect(fp({ ...base, displayName: "Ada L." })).not.toBe(fp());
    expect(fp({ ...base, department: "HR" })).not.toBe(fp());
    expect(fp({ ...base, managerId: "S-10" })).not.toBe(fp());
    expect(fp({ ...base, department: null })).not.toBe(fp({ ...base, department: "" }));
  });

  it("R11 ignores what an update never writes (ObjectAddOnly values, userPrincipalName)", () => {
    expect(fp({ ...base, employeeId: "E-2" })).toBe(fp());
    expect(fp({ ...base, userPrincipalName: "ada.l@contoso.com" })).toBe(fp());
  });

  it("R10 includes userType only when its mapping is Always", () => {
    const always = compile([{ targetAttributeName: "userType", source: "[jobTitle]", flowType: "Always", defaultValue: "Member" }]);
    const addOnly = compile([{ targetAttributeName: "userType", source: "[jobTitle]", flowType: "ObjectAddOnly", defaultValue: "Member" }]);
    expect(always.evaluate(user({ jobTitle: "Guest" })).fingerprint).not.toBe(always.evaluate(user({ jobTitle: "Member" })).fingerprint);
    expect(addOnly.evaluate(user({ jobTitle: "Guest" })).fingerprint).toBe(addOnly.evaluate(user({ jobTitle: "Member" })).fingerprint);
  });
});
