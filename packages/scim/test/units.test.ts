// Pure parts of the adapter: paths, filters, PATCH operations, the anchor
// encoding, the soft-delete marker, error mapping, mapping validation.
import fc from "fast-check";
import SCIMMY from "scimmy";
import { describe, expect, it } from "vitest";
import { AuthError, ConfigError, ConflictError, InvalidValueError, NotFoundError, ThrottledError, TransientError, compileMappings } from "@tenantsync/core";
import {
  SCIM_ENTERPRISE_USER_SCHEMA,
  compileScimMapping,
  createScimDirectory,
  decodeExternalId,
  encodeExternalId,
  formatSoftDeleteMarker,
  parseRetryAfter,
  parseScimPath,
  patchOperations,
  readScimPath,
  readSoftDeleteMarker,
  scimEqualityFilter,
  scimError,
  scimJobMappings,
} from "../src/index.ts";
import { SCIM_TENANT } from "./helpers/tenants.ts";

const runs = (n: number) => Number(process.env.FC_RUNS ?? n);
const context = { method: "PATCH", path: "/Users/u1", tenantId: SCIM_TENANT.id, objectId: "u1" };

describe("SCIM paths", () => {
  it("parses core, complex, typed multi-valued and extension paths, and refuses others", () => {
    expect(parseScimPath('emails[type eq "work"].value')).toMatchObject({ schema: null, attribute: "emails", type: "work", sub: "value" });
    expect(parseScimPath("name.givenName")).toMatchObject({ attribute: "name", type: null, sub: "givenName" });
    expect(parseScimPath(`${SCIM_ENTERPRISE_USER_SCHEMA}:manager`)).toMatchObject({ schema: SCIM_ENTERPRISE_USER_SCHEMA, attribute: "manager", sub: null });
    expect(() => parseScimPath('emails[value co "x"]')).toThrow(ConfigError);
    expect(() => parseScimPath("a.b.c")).toThrow(ConfigError);
  });

  it("reads attribute names case-insensitively, as RFC 7643 says", () => {
    const resource = { Name: { GivenName: "Adele" }, Emails: [{ Type: "Work", value: "x" }, { type: "WORK", value: "a@b.c" }] };
    expect(readScimPath(resource, parseScimPath("name.givenName"))).toBe("Adele");
    expect(readScimPath(resource, parseScimPath('emails[type eq "work"].value'))).toBe("a@b.c");
  });
});

describe("PATCH operations", () => {
  const current = {
    userName: "adele@contoso.com",
    title: "Analyst",
    name: { givenName: "Adele", familyName: "Vance" },
    emails: [{ type: "work", value: "adele@contoso.com", primary: true }, { type: "other", value: "private@example.com" }],
    addresses: [{ type: "work", locality: "Zürich", country: "CH" }],
  };
  const p = parseScimPath;

  it("replaces and removes simple and complex sub-attributes by path, and skips values that did not change", () => {
    expect(patchOperations(current, [[p("title"), "Director"], [p("name.givenName"), null], [p("name.familyName"), "Vance"], [p("displayName"), null]])).toEqual([
      { op: "replace", path: "title", value: "Director" },
      { op: "remove", path: "name.givenName" },
    ]);
  });

  it("rewrites a typed multi-valued attribute as a whole, keeping entries of other types and dropping entries left empty", () => {
    expect(patchOperations(current, [[p('emails[type eq "work"].value'), "new@contoso.com"]])).toEqual([
      { op: "replace", path: "emails", value: [{ type: "work", value: "new@contoso.com", primary: true }, { type: "other", value: "private@example.com" }] },
    ]);
    expect(patchOperations(current, [[p('addresses[type eq "work"].locality'), null], [p('addresses[type eq "work"].country'), null]])).toEqual([{ op: "remove", path: "addresses" }]);
    expect(patchOperations(current, [[p('phoneNumbers[type eq "mobile"].value'), "+41 79 555 0101"]])).toEqual([{ op: "replace", path: "phoneNumbers", value: [{ type: "mobile", value: "+41 79 555 0101" }] }]);
  });

  it("makes the mapped work email the only primary one", () => {
    const [op] = patchOperations({ emails: [{ value: "login@app.example.com", primary: true }] }, [[p('emails[type eq "work"].value'), "a@contoso.com"]]);
    expect((op!.value as Array<{ primary?: boolean }>).filter((e) => e.primary === true)).toHaveLength(1);
  });
});

describe("filters", () => {
  it("builds RFC 7644 equality filters, with the value-path form for typed multi-valued attributes", () => {
    expect(scimEqualityFilter(parseScimPath("userName"), "a@b.c")).toBe('userName eq "a@b.c"');
    expect(scimEqualityFilter(parseScimPath('emails[type eq "work"].value'), "a@b.c")).toBe('emails[type eq "work" and value eq "a@b.c"]');
    expect(scimEqualityFilter(parseScimPath(`${SCIM_ENTERPRISE_USER_SCHEMA}:department`), "R&D")).toBe(`${SCIM_ENTERPRISE_USER_SCHEMA}:department eq "R&D"`);
  });

  // scimmy does not decode JSON escapes in filters (a backslash never matches, an escaped quote is a syntax error), so the
  // property covers values without them; the adapter falls back to a scan for those (docs/scim.md, tested against the services).
  it("quotes any value without quotes, backslashes or control characters so an independent RFC filter parser (scimmy) matches exactly the user holding it", () => {
    const unit = fc.oneof(fc.constantFrom(" ", "a", "]", "[", "(", ")", "é", "and", "or", "eq", "'", "@", "#EXT#", "💡"), fc.string({ minLength: 1, maxLength: 1, unit: "grapheme" }));
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40, unit }).filter((v) => !/["\\\u0000-\u001f]/.test(v)), fc.string({ minLength: 1, maxLength: 10 }), (value, other) => {
        fc.pre(value !== other);
        const filter = new SCIMMY.Types.Filter(scimEqualityFilter(parseScimPath("externalId"), value));
        const users = [{ id: "1", externalId: value }, { id: "2", externalId: other }];
        expect(filter.match(users).map((u: { id: string }) => u.id)).toEqual(["1"]);
      }),
      { numRuns: runs(200) },
    );
  });

  it("escapes quotes and backslashes as JSON string literals (RFC 7644 §3.4.2.2)", () => {
    expect(scimEqualityFilter(parseScimPath("externalId"), 'a"b\\c')).toBe('externalId eq "a\\"b\\\\c"');
  });
});

describe("the anchor in externalId", () => {
  it("round-trips any source user id, lower-casing the tenant GUID", () => {
    fc.assert(
      fc.property(fc.uuid(), fc.string({ minLength: 1, maxLength: 60, unit: "binary" }), (tenantId, userId) => {
        expect(decodeExternalId(encodeExternalId({ tenantId: tenantId.toUpperCase(), userId }))).toEqual({ tenantId: tenantId.toLowerCase(), userId });
      }),
      { numRuns: runs(200) },
    );
  });

  it("reads other externalIds as not synced, and refuses a tenant id that is not a GUID", () => {
    expect(decodeExternalId("bjensen")).toBeNull();
    expect(decodeExternalId(42)).toBeNull();
    expect(() => encodeExternalId({ tenantId: "a:b", userId: "u" })).toThrow(InvalidValueError);
  });
});

describe("the soft-delete marker", () => {
  it("round-trips the delete time and the state before it", () => {
    for (const wasActive of [true, false]) {
      const marker = { deletedDateTime: "2026-01-02T03:04:05.678Z", wasActive };
      expect(readSoftDeleteMarker(formatSoftDeleteMarker(marker))).toEqual(marker);
    }
    expect(readSoftDeleteMarker("admin")).toBeNull();
    expect(readSoftDeleteMarker(undefined)).toBeNull();
  });
});

describe("error mapping", () => {
  it("maps SCIM statuses and scimType to core's typed errors", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    const conflict = scimError(409, { scimType: "uniqueness", detail: "userName is already taken" }, null, context, now);
    expect(conflict).toBeInstanceOf(ConflictError);
    expect((conflict as ConflictError).property).toBe("userPrincipalName");
    expect((scimError(400, { scimType: "uniqueness", detail: "A user already uses this email" }, null, context, now) as ConflictError).property).toBe("mail");
    const missing = scimError(404, { detail: "no such user" }, null, context, now);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing.message).toContain("u1");
    const throttled = scimError(429, {}, "7", context, now);
    expect(throttled).toBeInstanceOf(ThrottledError);
    expect((throttled as ThrottledError).retryAfterMs).toBe(7000);
    const unavailable = scimError(503, {}, "Thu, 01 Jan 2026 00:00:03 GMT", context, now);
    expect(unavailable).toBeInstanceOf(TransientError);
    expect((unavailable as TransientError).retryAfterMs).toBe(3000);
    expect(scimError(401, {}, null, context, now)).toBeInstanceOf(AuthError);
    expect(scimError(403, {}, null, context, now)).toBeInstanceOf(AuthError);
    const invalid = scimError(400, { scimType: "invalidValue", detail: "displayName is too long" }, null, context, now);
    expect(invalid).toBeInstanceOf(InvalidValueError);
    expect((invalid as InvalidValueError).property).toBe("displayName");
    expect(scimError(412, {}, null, context, now).code).toBe("PRECONDITION_FAILED");
    expect(parseRetryAfter("soon", now)).toBeUndefined();
  });
});

describe("configuration", () => {
  const base = { baseUrl: "http://127.0.0.1:1/scim", token: "t", tenant: SCIM_TENANT, deprovision: "disable" as const };

  it("refuses a mapping it cannot honour, naming every problem with its path", () => {
    let error: unknown;
    try {
      createScimDirectory({ ...base, mapping: [{ attribute: "jobTitle", scimPath: "externalId" }, { attribute: "favouriteColour", scimPath: "title" }, { attribute: "city", scimPath: "addresses[value co 1]" }] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const paths = (error as ConfigError).issues.map((i) => i.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["mapping.0.scimPath", "mapping.1.attribute", "mapping.2.scimPath", "mapping"]));
  });

  it("refuses missing credentials, an unknown deprovision mode and a concurrency that is not 1 to 64", () => {
    expect(() => createScimDirectory({ ...base, token: undefined })).toThrow(ConfigError);
    expect(() => createScimDirectory({ ...base, deprovision: "archive" as "delete" })).toThrow(ConfigError);
    for (const concurrency of [0, 2.5, 65]) {
      const error = (() => {
        try {
          createScimDirectory({ ...base, concurrency });
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(error, String(concurrency)).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues.map((i) => i.path.join("."))).toEqual(["concurrency"]);
    }
  });

  it("declares honest capabilities per deprovision mode, and job mappings that core compiles against them", () => {
    const disable = createScimDirectory(base);
    const remove = createScimDirectory({ ...base, deprovision: "delete", managerPath: null });
    expect(disable.capabilities).toMatchObject({ source: false, target: true, changeFeed: false, partnerSettings: false, restore: true, manager: true });
    expect(remove.capabilities).toMatchObject({ restore: false, manager: false });
    expect(disable.capabilities.writableAttributes).toEqual(expect.arrayContaining(["userPrincipalName", "mail", "jobTitle", "department", "employeeId", "accountEnabled"]));
    expect(disable.capabilities.writableAttributes).not.toContain("showInAddressList");
    for (const d of [disable, remove]) {
      const mappings = scimJobMappings(d);
      expect(mappings.some((m) => m.targetAttributeName === "manager")).toBe(d.capabilities.manager);
      expect(() => compileMappings({ attributeMappings: mappings, userType: "Member" }, { writableAttributes: d.capabilities.writableAttributes })).not.toThrow();
    }
  });

  it("reads a SCIM user whose userName is not alias@domain in the tenant's default domain", () => {
    const mapper = compileScimMapping({ tenant: SCIM_TENANT });
    expect(mapper.toUser({ id: "x1", userName: "bjensen", active: false }).userPrincipalName).toBe("bjensen@app.example.com");
    expect(mapper.toUser({ id: "x1", userName: "bjensen", active: false })).toMatchObject({ displayName: "bjensen", accountEnabled: false, origin: "internal", alternativeSecurityId: null });
  });
});
