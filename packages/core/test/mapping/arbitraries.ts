import fc from "fast-check";
import { expressionToMappingSource } from "../../src/expressions/index.ts";
import type { AttributeMapping, FlowType, ScopingFilter } from "../../src/model/sync-job-config.ts";
import { parseDirectoryUser, type DirectoryUser, type UserAttributes } from "../../src/model/user.ts";
import { SCOPING_OPERATORS, UNARY_SCOPING_OPERATORS, INTEGER_SCOPING_OPERATORS } from "../../src/scoping/scoping-operators.ts";

/** Shared fast-check arbitraries of the mapping tests. */

export const EXT = "extension_0123456789abcdef0123456789abcdef_costCenter";

const FLOW_TYPES: FlowType[] = ["Always", "ObjectAddOnly", "AttributeAddOnly", "ValueAddOnly", "MultiValueAddOnly"];

const STRING_SOURCES = ["[department]", "[jobTitle]", "[city]", "ToUpper([city])", '""', "IgnoreFlowIfNullOrEmpty([jobTitle])", 'Coalesce([mail], "none")', "Redact([employeeId])", '"const"', 'Switch([department], "x", "Sales", "S")', `[${EXT}]`];
const TARGETS: Array<{ name: string; sources: string[]; defaults: Array<string | null>; matchable: boolean }> = [
  { name: "displayName", sources: STRING_SOURCES, defaults: [null, "Someone"], matchable: true },
  { name: "department", sources: STRING_SOURCES, defaults: [null, "dflt"], matchable: true },
  { name: "jobTitle", sources: STRING_SOURCES, defaults: [null, "dflt"], matchable: true },
  { name: "city", sources: STRING_SOURCES, defaults: [null], matchable: true },
  { name: "employeeId", sources: STRING_SOURCES, defaults: [null, "E-0"], matchable: true },
  { name: EXT, sources: STRING_SOURCES, defaults: [null, "CC-0"], matchable: true },
  { name: "accountEnabled", sources: ["[accountEnabled]", '"True"', "Not([accountEnabled])"], defaults: [null, "True"], matchable: false },
  { name: "showInAddressList", sources: ['"True"', '"False"', 'Switch([department], "True", "Sales", "False")'], defaults: [null], matchable: false },
  { name: "telephoneNumber", sources: ["[telephoneNumber]", "[mobilePhone]"], defaults: [null, "+0"], matchable: true },
  { name: "userType", sources: ['"Member"', '"Guest"'], defaults: [null], matchable: false },
];

/** A valid list of mappings (distinct targets), sources as text or as Entra trees. */
export const mappingsArb: fc.Arbitrary<AttributeMapping[]> = fc
  .shuffledSubarray(TARGETS, { minLength: 1 })
  .chain((targets) =>
    fc.tuple(
      ...targets.map((t) =>
        fc.record({
          targetAttributeName: fc.constant(t.name),
          source: fc.tuple(fc.constantFrom(...t.sources), fc.boolean()).map(([text, asTree]) => (asTree ? expressionToMappingSource(text) : text)),
          flowType: fc.constantFrom(...FLOW_TYPES),
          defaultValue: fc.constantFrom(...t.defaults),
          matchingPriority: t.matchable ? fc.integer({ min: 0, max: 3 }) : fc.constant(0),
          caseInsensitive: fc.boolean(),
        }),
      ),
    ),
  )
  .map((ms) => ms as AttributeMapping[]);

const text = (pool: string[]) => fc.constantFrom<string | null>(null, "", ...pool);

/** A source user with values drawn from small pools (so that equal values happen). */
export const sourceUserArb: fc.Arbitrary<DirectoryUser> = fc
  .record({
    department: text(["Sales", "sales", "HR"]),
    jobTitle: text(["CEO", "ceo"]),
    city: text(["Paris", "paris"]),
    mail: text(["ada@contoso.com", "ADA@contoso.com"]),
    employeeId: text(["E-1", "E-2"]),
    mobilePhone: text(["+1", "+2"]),
    businessPhones: fc.constantFrom<string[]>([], ["+1"], ["+2", "+1"]),
    accountEnabled: fc.boolean(),
    ext: fc.constantFrom<string | null>(null, "CC-1", "cc-1"),
  })
  .map(({ ext, ...r }) => parseDirectoryUser({ id: "S-1", userPrincipalName: "ada@contoso.com", displayName: "Ada", ...r, extensions: ext === null ? {} : { [EXT]: ext } }));

/** A target user: an external user with arbitrary current values. */
export const targetUserArb: fc.Arbitrary<DirectoryUser> = fc
  .record({
    displayName: fc.constantFrom("Ada", "ADA", "Someone", "const"),
    department: text(["Sales", "S", "dflt", "const"]),
    jobTitle: text(["CEO", "ceo", "dflt"]),
    city: text(["PARIS", "Paris"]),
    employeeId: text(["E-1", "E-0"]),
    businessPhones: fc.constantFrom<string[]>([], ["+1"], ["+0"], ["+2", "+9"]),
    accountEnabled: fc.boolean(),
    showInAddressList: fc.constantFrom<boolean | null>(null, true, false),
    userType: fc.constantFrom<"Member" | "Guest">("Member", "Guest"),
    ext: fc.constantFrom<string | null>(null, "CC-1", "CC-0"),
  })
  .map(({ ext, ...r }) =>
    parseDirectoryUser({ id: "T-1", userPrincipalName: "ada_contoso.com#EXT#@fabrikam.com", origin: "external", homeTenantId: "src", ...r, extensions: ext === null ? {} : { [EXT]: ext } }),
  );

/** Applies an update's changes to a user the way a directory does (PATCH; extensions merged; null clears). */
export function applyChanges(user: DirectoryUser, changes: UserAttributes): DirectoryUser {
  const { extensions, ...rest } = changes;
  return { ...user, ...rest, extensions: { ...user.extensions, ...(extensions ?? {}) } } as DirectoryUser;
}

/** A scoping filter built from valid clauses. */
export const scopingFilterArb: fc.Arbitrary<ScopingFilter> = fc.record({
  groups: fc.array(
    fc.record({
      name: fc.constantFrom("Sales", "Research", "g 3"),
      clauses: fc.array(
        fc.constantFrom(...SCOPING_OPERATORS).chain((op) =>
          fc.record({
            sourceOperandName: fc.constantFrom("department", "city", "employeeId", "accountEnabled", EXT),
            operatorName: fc.constant(op as string),
            targetOperand: fc.record({
              values: UNARY_SCOPING_OPERATORS.has(op)
                ? fc.constant([] as string[])
                : INTEGER_SCOPING_OPERATORS.has(op)
                  ? fc.array(fc.integer({ min: -9, max: 9 }).map(String), { minLength: 1, maxLength: 2 })
                  : fc.array(fc.constantFrom("Sales", "^P", "a|b", "x y"), { minLength: 1, maxLength: 2 }),
            }),
          }),
        ),
        { minLength: 1, maxLength: 3 },
      ),
    }),
    { maxLength: 3 },
  ),
});
