import { describe, expect, it } from "vitest";
import {
  ConfigError,
  parseDirectoryUser,
  parseSyncJobConfig,
  parseTenant,
  sameCloud,
  syncJobConfigJsonSchema,
  isEligibleForSync,
  jobIdOf,
  parseDuration,
  formatPath,
} from "../src/index.ts";

const SOURCE = "11111111-1111-4111-8111-111111111111";
const TARGET = "22222222-2222-4222-8222-222222222222";

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("expected a ConfigError");
}

describe("SyncJobConfig", () => {
  it("fills Entra's defaults for a minimal config", () => {
    const c = parseSyncJobConfig({ sourceTenantId: SOURCE, targetTenantId: TARGET });
    expect(c.scope).toEqual({ mode: "assigned", users: [], groups: [], expandNestedGroups: false });
    expect(c.schedule.interval).toBe("PT40M");
    expect(c.accidentalDeletionPrevention.deletionThreshold).toBe(500);
    expect(c.userType).toBe("Member");
    expect(c.attributeMappings).toBeNull();
    expect(jobIdOf(c)).toBe(`${SOURCE}->${TARGET}`);
  });

  it("accepts mappings as expression text or Entra's JSON tree", () => {
    const c = parseSyncJobConfig({
      sourceTenantId: SOURCE,
      targetTenantId: TARGET,
      attributeMappings: [
        { targetAttributeName: "displayName", source: "[displayName]" },
        { targetAttributeName: "mail", source: { type: "Function", name: "ToLower", parameters: [{ key: "source", value: { type: "Attribute", name: "mail" } }] }, flowType: "ObjectAddOnly" },
      ],
    });
    expect(c.attributeMappings?.[1]?.flowType).toBe("ObjectAddOnly");
    expect(c.attributeMappings?.[0]?.flowType).toBe("Always");
  });

  it("lists every issue of a bad config with its JSON path", () => {
    const err = configError(() =>
      parseSyncJobConfig({
        sourceTenantId: "not-a-guid",
        targetTenantId: TARGET,
        scope: { mode: "some" },
        attributeMappings: [{ targetAttributeName: "x", source: "[x]", flowType: "Sometimes" }],
        schedule: { interval: "40 minutes" },
      }),
    );
    const paths = err.issues.map((i) => formatPath(i.path));
    expect(paths).toEqual(expect.arrayContaining(["$.sourceTenantId", "$.scope.mode", "$.attributeMappings[0].flowType", "$.schedule.interval"]));
    expect(err.code).toBe("CONFIG_INVALID");
    expect(err.message).toContain("$.sourceTenantId");
  });

  it("refuses a job from a tenant into itself and a target attribute mapped twice", () => {
    const err = configError(() =>
      parseSyncJobConfig({
        sourceTenantId: SOURCE,
        targetTenantId: SOURCE.toUpperCase(),
        attributeMappings: [
          { targetAttributeName: "mail", source: "[mail]" },
          { targetAttributeName: "mail", source: "[userPrincipalName]" },
        ],
      }),
    );
    expect(err.issues.map((i) => formatPath(i.path))).toEqual(["$.targetTenantId", "$.attributeMappings[1].targetAttributeName"]);
  });

  it("publishes a JSON Schema editors can use", () => {
    const schema = syncJobConfigJsonSchema() as { type: string; properties: Record<string, unknown>; required?: string[] };
    expect(schema.type).toBe("object");
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(["sourceTenantId", "targetTenantId", "scope", "scopingFilter", "attributeMappings", "schedule"]));
    expect(schema.required).toEqual(expect.arrayContaining(["sourceTenantId", "targetTenantId"]));
  });
});

describe("Tenant and cloud", () => {
  it("validates tenants and names the bad field", () => {
    expect(parseTenant({ id: SOURCE, displayName: "Contoso", verifiedDomains: ["contoso.com"] }).cloud).toBe("commercial");
    const err = configError(() => parseTenant({ id: SOURCE, displayName: "", cloud: "mars", verifiedDomains: [] }));
    expect(err.issues.map((i) => formatPath(i.path)).sort()).toEqual(["$.cloud", "$.displayName", "$.verifiedDomains"]);
  });

  it("R4 treats commercial and GCC as one cloud, keeps US Government apart, refuses China", () => {
    expect(sameCloud("commercial", "gcc")).toBe(true);
    expect(sameCloud("gcch", "gcch")).toBe(true);
    expect(sameCloud("gcch", "dod")).toBe(false);
    expect(sameCloud("commercial", "gcch")).toBe(false);
    expect(sameCloud("china", "china")).toBe(false);
  });
});

describe("DirectoryUser", () => {
  it("fills defaults and enforces the UPN shape", () => {
    const u = parseDirectoryUser({ id: "u1", userPrincipalName: "adele@contoso.com", displayName: "Adele" });
    expect(u).toMatchObject({ accountEnabled: true, userType: "Member", origin: "internal", mail: null, businessPhones: [], extensions: {} });
    const err = configError(() => parseDirectoryUser({ id: "u1", userPrincipalName: "adele", displayName: "Adele", extensions: { foo: "x" } }));
    expect(err.issues.map((i) => formatPath(i.path)).sort()).toEqual(["$.extensions.foo", "$.userPrincipalName"]);
  });

  it("R2 makes only internal members eligible", () => {
    expect(isEligibleForSync({ origin: "internal", userType: "Member" })).toBe(true);
    expect(isEligibleForSync({ origin: "internal", userType: "Guest" })).toBe(false);
    expect(isEligibleForSync({ origin: "external", userType: "Member" })).toBe(false);
  });
});

describe("parseDuration", () => {
  it("reads ISO 8601 day/time durations and refuses others", () => {
    expect(parseDuration("PT40M")).toBe(2_400_000);
    expect(parseDuration("P1DT1H")).toBe(90_000_000);
    expect(parseDuration("PT0.5S")).toBe(500);
    for (const bad of ["P", "PT", "40M", "P1Y", ""]) expect(parseDuration(bad)).toBeNull();
  });
});
