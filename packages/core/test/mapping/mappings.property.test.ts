import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileMappings } from "../../src/mapping/compile-mappings.ts";
import { diffMappedUser, resolveUserType } from "../../src/mapping/diff-mapped-user.ts";
import { exportEntraSchema, importEntraSchema } from "../../src/mapping/entra-schema.ts";
import type { DirectoryUser } from "../../src/model/user.ts";
import { compileScopingFilter } from "../../src/scoping/scoping-filter.ts";
import { sourceAttributesOf } from "../../src/mapping/source-attributes.ts";
import { applyChanges, mappingsArb, scopingFilterArb, sourceUserArb, targetUserArb } from "./arbitraries.ts";

/** A generous guard against a hang, not a timing assertion; scales with FC_RUNS. */
const TIMEOUT = 60_000 + Number(process.env.FC_RUNS ?? 0) * 50;
const numRuns = Number(process.env.FC_RUNS ?? 150);
const context = { now: () => new Date(Date.UTC(2024, 0, 1)), random: () => 0.5, sourceTenantId: "tenant" };

describe("mapping properties", () => {
  it("R11 an update is level-based: after applying a diff, diffing again finds nothing to write", () => {
    fc.assert(
      fc.property(mappingsArb, sourceUserArb, targetUserArb, (mappings, source, target) => {
        const compiled = compileMappings({ attributeMappings: mappings });
        const mapped = compiled.evaluate(source, context);
        const first = diffMappedUser(mapped, target, compiled);
        expect(first.modifiedProperties.length > 0).toBe(Object.keys(first.changes).length > 0);
        const again = diffMappedUser(mapped, applyChanges(target, first.changes), compiled);
        expect(again.changes).toEqual({});
        expect(again.modifiedProperties).toEqual([]);
      }),
      { numRuns },
    );
  }, TIMEOUT);

  it("R8 R11 a user just created from createAttributes needs no update", () => {
    fc.assert(
      fc.property(mappingsArb, sourceUserArb, (mappings, source) => {
        const compiled = compileMappings({ attributeMappings: mappings });
        const mapped = compiled.evaluate(source, context);
        const created = {
          id: "T-1",
          userPrincipalName: "x@y",
          displayName: "placeholder",
          mail: null,
          mailNickname: null,
          givenName: null,
          surname: null,
          jobTitle: null,
          department: null,
          companyName: null,
          employeeId: null,
          officeLocation: null,
          streetAddress: null,
          city: null,
          state: null,
          postalCode: null,
          country: null,
          mobilePhone: null,
          preferredLanguage: null,
          businessPhones: [],
          accountEnabled: true,
          showInAddressList: null,
          origin: "external",
          homeTenantId: "tenant",
          alternativeSecurityId: null,
          managerId: null,
          createdDateTime: null,
          deletedDateTime: null,
          extensions: {},
          ...mapped.createAttributes,
          userType: resolveUserType(mapped, null),
        } as DirectoryUser;
        // displayName is required by the model; when no mapping produced one the placeholder stays and an Always mapping may legitimately write it.
        const { changes } = diffMappedUser(mapped, created, compiled);
        if (mapped.createAttributes.displayName === undefined) delete changes.displayName;
        expect(changes).toEqual({});
      }),
      { numRuns },
    );
  }, TIMEOUT);

  it("R11 the fingerprint is a function of what an update would write", () => {
    fc.assert(
      fc.property(mappingsArb, sourceUserArb, sourceUserArb, targetUserArb, (mappings, a, b, target) => {
        const compiled = compileMappings({ attributeMappings: mappings });
        const ma = compiled.evaluate(a, context);
        const mb = compiled.evaluate(b, context);
        if (ma.fingerprint === mb.fingerprint) {
          expect(diffMappedUser(ma, target, compiled).changes).toEqual(diffMappedUser(mb, target, compiled).changes);
        }
      }),
      { numRuns },
    );
  }, TIMEOUT);
});

describe("Entra schema properties", () => {
  it("R19 import → export → import is stable, and the imported configuration behaves like the original", () => {
    fc.assert(
      fc.property(mappingsArb, scopingFilterArb, sourceUserArb, (attributeMappings, scopingFilter, user) => {
        const first = importEntraSchema(exportEntraSchema({ attributeMappings, scopingFilter }));
        const exported = exportEntraSchema(first);
        const second = importEntraSchema(exported);
        expect(second).toEqual(first);
        expect(exportEntraSchema(second)).toEqual(exported);

        const original = compileMappings({ attributeMappings });
        const imported = compileMappings({ attributeMappings: first.attributeMappings });
        const a = original.evaluate(user, context);
        const b = imported.evaluate(user, context);
        expect(b.createAttributes).toEqual(a.createAttributes);
        expect(b.fingerprint).toBe(a.fingerprint);
        expect(b.matchKeys).toEqual(a.matchKeys);
        expect(compileScopingFilter(first.scopingFilter).evaluate(sourceAttributesOf(user))).toBe(compileScopingFilter(scopingFilter).evaluate(sourceAttributesOf(user)));
      }),
      { numRuns },
    );
  }, TIMEOUT);
});
