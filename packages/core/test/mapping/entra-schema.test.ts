import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors/errors.ts";
import { compileMappings } from "../../src/mapping/compile-mappings.ts";
import { defaultMappings } from "../../src/mapping/default-mappings.ts";
import { exportEntraSchema, importEntraSchema } from "../../src/mapping/entra-schema.ts";
import { sourceAttributesOf } from "../../src/mapping/source-attributes.ts";
import { parseDirectoryUser } from "../../src/model/user.ts";
import { compileScopingFilter } from "../../src/scoping/scoping-filter.ts";

// Hand-written from the Graph docs' shapes; see fixtures/README.md.
const SCHEMA: unknown = JSON.parse(readFileSync(new URL("./fixtures/entra-cross-tenant-schema.json", import.meta.url), "utf8"));

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("expected a ConfigError");
}

const USERS_PATH = ["synchronizationRules", 0, "objectMappings", 1];

describe("importEntraSchema", () => {
  const imported = importEntraSchema(SCHEMA);

  it("reads the user object mapping (skipping the group mapping)", () => {
    expect(imported.attributeMappings).toHaveLength(20);
    expect(imported.attributeMappings[0]).toEqual({
      targetAttributeName: "alternativeSecurityIds",
      source: {
        type: "Function",
        name: "AltSecIdFromNetId",
        expression: "AltSecIdFromNetId([netId])",
        parameters: [{ key: "source", value: { type: "Attribute", name: "netId", expression: "[netId]", parameters: [] } }],
      },
      flowType: "Always",
      defaultValue: null,
      matchingPriority: 1,
      caseInsensitive: false,
    });
    const byTarget = new Map(imported.attributeMappings.map((m) => [m.targetAttributeName, m]));
    expect(byTarget.get("companyName")).toMatchObject({ defaultValue: "Contoso" });
    expect(byTarget.get("employeeId")).toMatchObject({ matchingPriority: 2 });
    expect(byTarget.get("preferredLanguage")).toMatchObject({ flowType: "AttributeAddOnly" });
    expect(byTarget.get("userType")).toMatchObject({ flowType: "ObjectAddOnly", source: { type: "Constant", name: "Member" } });
  });

  it("turns a source-less mapping into a constant written at creation", () => {
    expect(imported.attributeMappings.find((m) => m.targetAttributeName === "officeLocation")).toEqual({
      targetAttributeName: "officeLocation",
      source: { type: "Constant", name: "Remote" },
      flowType: "ObjectAddOnly",
      defaultValue: null,
      matchingPriority: 0,
      caseInsensitive: false,
    });
  });

  it("R7 reads scope.groups into the scoping filter", () => {
    expect(imported.scopingFilter).toEqual({
      groups: [
        {
          name: "Sales",
          clauses: [
            { sourceOperandName: "department", operatorName: "EQUALS", targetOperand: { values: ["Sales"] } },
            { sourceOperandName: "accountEnabled", operatorName: "IS TRUE", targetOperand: { values: [] } },
          ],
        },
        {
          name: "Research",
          clauses: [
            { sourceOperandName: "userPrincipalName", operatorName: "REGEX MATCH", targetOperand: { values: [".*\\@research.contoso.com"] } },
            { sourceOperandName: "employeeId", operatorName: "Greater_Than", targetOperand: { values: ["1000"] } },
          ],
        },
      ],
    });
  });

  it("R19 R7 gives a configuration that compiles and behaves as the schema says", () => {
    const mappings = compileMappings({ attributeMappings: imported.attributeMappings });
    const filter = compileScopingFilter(imported.scopingFilter);
    const ada = parseDirectoryUser({ id: "S-1", userPrincipalName: "ada@research.contoso.com", displayName: "Ada", employeeId: "1001", mobilePhone: "+33 6", managerId: "S-2" });
    expect(filter.evaluate(sourceAttributesOf(ada))).toBe(true);
    expect(filter.evaluate(sourceAttributesOf({ ...ada, employeeId: "999" }))).toBe(false);
    const mapped = mappings.evaluate(ada, { sourceTenantId: "T" });
    expect(mapped.createAttributes).toMatchObject({ department: "Unassigned", companyName: "Contoso", officeLocation: "Remote", mobilePhone: "+33 6", showInAddressList: true });
    expect([...mapped.redacted]).toEqual(["mobilePhone"]);
    expect(mappings.matchingAttributes).toEqual(["employeeId"]);
    expect(mapped.managerSourceId).toBe("S-2");
  });

  it("accepts a bare objectMapping and a synchronizationRule", () => {
    const rule = (SCHEMA as { synchronizationRules: Array<{ objectMappings: unknown[] }> }).synchronizationRules[0]!;
    expect(importEntraSchema(rule)).toEqual(imported);
    expect(importEntraSchema(rule.objectMappings[1])).toEqual(imported);
  });

  it("rewrites lenient operator spellings canonically and accepts a null scope", () => {
    const bare = { sourceObjectName: "User", attributeMappings: [], scope: { groups: [{ name: "g", clauses: [{ sourceOperandName: "city", operatorName: "not_equals", targetOperand: { values: ["Paris"] } }] }] } };
    expect(importEntraSchema(bare).scopingFilter.groups[0]!.clauses[0]!.operatorName).toBe("NOT EQUALS");
    expect(importEntraSchema({ ...bare, scope: null }).scopingFilter).toEqual({ groups: [] });
  });

  it("reports malformed input with JSON paths into the schema", () => {
    const broken = structuredClone(SCHEMA) as { synchronizationRules: Array<{ objectMappings: Array<Record<string, any>> }> };
    const users = broken.synchronizationRules[0]!.objectMappings[1]!;
    users.attributeMappings[2].flowType = "Sometimes";
    users.attributeMappings[3].matchingPriority = -1;
    users.attributeMappings[4].source = { type: "Lambda", name: "x" };
    users.attributeMappings[5].source = null;
    users.attributeMappings[8].targetAttributeName = "jobTitle";
    users.scope.groups[1].clauses[0].operatorName = "LIKE";
    users.scope.inputFilterGroups = [{ name: "x", clauses: [] }];
    const e = configError(() => importEntraSchema(broken));
    expect(e.issues.map((i) => i.path)).toEqual([
      [...USERS_PATH, "attributeMappings", 2, "flowType"],
      [...USERS_PATH, "attributeMappings", 3, "matchingPriority"],
      [...USERS_PATH, "attributeMappings", 4, "source", "type"],
      [...USERS_PATH, "attributeMappings", 5, "source"],
      [...USERS_PATH, "attributeMappings", 8, "targetAttributeName"],
      [...USERS_PATH, "scope", "groups", 1, "clauses", 0, "operatorName"],
      [...USERS_PATH, "scope", "inputFilterGroups"],
    ]);
  });

  it("says what it expected when the input is not a schema", () => {
    expect(configError(() => importEntraSchema(42)).issues[0]!.path).toEqual([]);
    expect(configError(() => importEntraSchema({ synchronizationRules: [{ objectMappings: [{ sourceObjectName: "Group", attributeMappings: [] }] }] })).issues[0]!.message).toContain("'User'");
    expect(configError(() => importEntraSchema({ sourceObjectName: "Group", attributeMappings: [] })).issues[0]!.path).toEqual(["sourceObjectName"]);
  });
});

describe("exportEntraSchema", () => {
  it("writes Entra's shape: one rule, a User → User object mapping, trees for text sources", () => {
    const schema = exportEntraSchema({
      attributeMappings: [{ targetAttributeName: "mail", source: 'Append([mailNickname], "@contoso.com")', flowType: "Always", defaultValue: null, matchingPriority: 2, caseInsensitive: true }],
      scopingFilter: { groups: [{ name: "g", clauses: [{ sourceOperandName: "city", operatorName: "equals", targetOperand: { values: ["Paris"] } }] }] },
    });
    const users = schema.synchronizationRules[0]!.objectMappings[0]!;
    expect(users).toMatchObject({ sourceObjectName: "User", targetObjectName: "User", enabled: true, flowTypes: "Add, Update, Delete" });
    expect(users.attributeMappings).toEqual([
      {
        defaultValue: null,
        exportMissingReferences: false,
        flowBehavior: "FlowWhenChanged",
        flowType: "Always",
        matchingPriority: 2,
        source: {
          type: "Function",
          name: "Append",
          expression: 'Append([mailNickname], "@contoso.com")',
          parameters: [
            { key: "source", value: { type: "Attribute", name: "mailNickname", expression: "[mailNickname]", parameters: [] } },
            { key: "suffix", value: { type: "Constant", name: "@contoso.com", expression: '"@contoso.com"', parameters: [] } },
          ],
        },
        targetAttributeName: "mail",
      },
    ]);
    expect(users.scope).toEqual({ groups: [{ name: "g", clauses: [{ operatorName: "EQUALS", sourceOperandName: "city", targetOperand: { values: ["Paris"] } }] }], inputFilterGroups: [], categoryFilterGroups: [] });
    expect(exportEntraSchema({ attributeMappings: [] }).synchronizationRules[0]!.objectMappings[0]!.scope).toBeNull();
  });

  it("R19 exports the default set for null mappings, and it imports back to the same expressions", () => {
    const back = importEntraSchema(exportEntraSchema({ attributeMappings: null, userType: "Guest" }));
    const a = compileMappings({ attributeMappings: back.attributeMappings });
    const b = compileMappings({ attributeMappings: defaultMappings({ userType: "Guest" }) });
    expect(a.mappings.map((m) => [m.targetAttributeName, m.expression, m.flowType, m.matchingPriority])).toEqual(b.mappings.map((m) => [m.targetAttributeName, m.expression, m.flowType, m.matchingPriority]));
  });

  it("round-trips: import → export → import is stable", () => {
    const once = importEntraSchema(SCHEMA);
    const exported = exportEntraSchema(once);
    const twice = importEntraSchema(exported);
    expect(twice).toEqual(once);
    expect(exportEntraSchema(twice)).toEqual(exported);
    expect(JSON.parse(JSON.stringify(exported))).toEqual(exported);
  });
});
