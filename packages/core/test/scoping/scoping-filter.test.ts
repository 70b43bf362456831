import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors/errors.ts";
import { sourceAttributesOf } from "../../src/mapping/source-attributes.ts";
import { parseDirectoryUser } from "../../src/model/user.ts";
import { compileScopingFilter, type ScopingFilterInput } from "../../src/scoping/scoping-filter.ts";
import { SCOPING_OPERATORS, canonicalScopingOperator } from "../../src/scoping/scoping-operators.ts";

function one(attribute: string, operatorName: string, values: string[] = []): ScopingFilterInput {
  return { groups: [{ name: "G", clauses: [{ sourceOperandName: attribute, operatorName, targetOperand: { values } }] }] };
}

function passes(attribute: string, operatorName: string, values: string[], value: unknown): boolean {
  return compileScopingFilter(one(attribute, operatorName, values)).evaluate({ [attribute]: value });
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

/**
 * One row per operator: an operand, a value that passes, a value that fails.
 * The null and empty cases are checked for every row below.
 */
const CASES: Array<{ op: string; attr: string; values: string[]; pass: unknown; fail: unknown }> = [
  { op: "EQUALS", attr: "department", values: ["Sales"], pass: "Sales", fail: "sales" },
  { op: "NOT EQUALS", attr: "department", values: ["Sales"], pass: "Marketing", fail: "Sales" },
  { op: "Includes", attr: "jobTitle", values: ["Engineer"], pass: "Senior Engineer II", fail: "senior engineer" },
  { op: "Excludes", attr: "jobTitle", values: ["Intern"], pass: "Engineer", fail: "Summer Intern" },
  { op: "ENDS_WITH", attr: "mail", values: ["@contoso.com"], pass: "ada@contoso.com", fail: "ada@CONTOSO.com" },
  { op: "REGEX MATCH", attr: "employeeId", values: ["([1-9][0-9])"], pass: "emp-42", fail: "emp-7" },
  { op: "NOT REGEX MATCH", attr: "userPrincipalName", values: [".*\\@contoso.com"], pass: "ada@fabrikam.com", fail: "ada@contoso.com" },
  { op: "IS TRUE", attr: "accountEnabled", values: [], pass: true, fail: false },
  { op: "IS FALSE", attr: "accountEnabled", values: [], pass: false, fail: true },
  { op: "IS NOT NULL", attr: "jobTitle", values: [], pass: "Engineer", fail: null },
  { op: "Greater_Than", attr: "employeeId", values: ["1000000"], pass: "1000001", fail: "1000000" },
  { op: "Greater_Than_OR_EQUALS", attr: "employeeId", values: ["1000000"], pass: "1000000", fail: "999999" },
  { op: "Less_Than", attr: "employeeId", values: ["2000000"], pass: "1999999", fail: "2000000" },
  { op: "Less_Than_OR_EQUALS", attr: "employeeId", values: ["2000000"], pass: "2000000", fail: "2000001" },
  { op: "&", attr: "extension_0123456789abcdef0123456789abcdef_flags", values: ["4"], pass: 6, fail: 3 },
  { op: "!&", attr: "extension_0123456789abcdef0123456789abcdef_flags", values: ["4"], pass: 3, fail: 6 },
];

describe("scoping operators", () => {
  for (const c of CASES) {
    it(`R7 ${c.op}: passes on a matching value, fails on a non-matching one, and is false on null and empty`, () => {
      expect(passes(c.attr, c.op, c.values, c.pass)).toBe(true);
      expect(passes(c.attr, c.op, c.values, c.fail)).toBe(false);
      expect(passes(c.attr, c.op, c.values, null)).toBe(false);
      expect(passes(c.attr, c.op, c.values, "")).toBe(false);
      expect(passes(c.attr, c.op, c.values, undefined)).toBe(false);
    });
  }

  it("R7 IS NULL is true on null, missing and empty values and false on a value", () => {
    expect(passes("jobTitle", "IS NULL", [], null)).toBe(true);
    expect(passes("jobTitle", "IS NULL", [], undefined)).toBe(true);
    expect(passes("jobTitle", "IS NULL", [], "")).toBe(true);
    expect(passes("jobTitle", "IS NULL", [], "Engineer")).toBe(false);
    expect(passes("accountEnabled", "IS NULL", [], false)).toBe(false);
  });

  it("covers every operator SCOPING.md lists", () => {
    const tested = new Set([...CASES.map((c) => c.op), "IS NULL"]);
    expect([...SCOPING_OPERATORS].sort()).toEqual([...tested].sort());
  });

  it("IS TRUE and IS FALSE accept the strings True and False (any case) and nothing else", () => {
    expect(passes("accountEnabled", "IS TRUE", [], "True")).toBe(true);
    expect(passes("accountEnabled", "IS TRUE", [], "true")).toBe(true);
    expect(passes("accountEnabled", "IS FALSE", [], "False")).toBe(true);
    expect(passes("accountEnabled", "IS TRUE", [], "yes")).toBe(false);
    expect(passes("accountEnabled", "IS FALSE", [], "yes")).toBe(false);
    expect(passes("accountEnabled", "IS TRUE", [], 1)).toBe(false);
  });

  it("NOT EQUALS is false on an empty value (the null rule beats the negation)", () => {
    expect(passes("department", "NOT EQUALS", ["Sales"], "")).toBe(false);
    expect(passes("department", "Excludes", ["Sales"], null)).toBe(false);
    expect(passes("department", "NOT REGEX MATCH", ["Sales"], "")).toBe(false);
    expect(passes("employeeId", "!&", ["1"], null)).toBe(false);
  });

  it("integer operators fail (not throw) on a non-integer value and accept numbers, signs and spaces", () => {
    expect(passes("employeeId", "Greater_Than", ["10"], "eleven")).toBe(false);
    expect(passes("employeeId", "Greater_Than", ["10"], "10.5")).toBe(false);
    expect(passes("employeeId", "Greater_Than", ["10"], 11)).toBe(true);
    expect(passes("employeeId", "Greater_Than", ["10"], 10.5)).toBe(false);
    expect(passes("employeeId", "Less_Than", ["0"], " -3 ")).toBe(true);
    expect(passes("employeeId", "Greater_Than", ["-5"], "+2")).toBe(true);
  });

  it("compares 64-bit integers exactly", () => {
    expect(passes("employeeId", "Greater_Than", ["9007199254740992"], "9007199254740993")).toBe(true);
    expect(passes("employeeId", "&", ["9223372036854775807"], "4611686018427387904")).toBe(true);
  });

  it("string operators are case-sensitive and compare booleans and numbers by their .NET text", () => {
    expect(passes("department", "EQUALS", ["SALES"], "Sales")).toBe(false);
    expect(passes("accountEnabled", "EQUALS", ["True"], true)).toBe(true);
    expect(passes("employeeId", "EQUALS", ["42"], 42)).toBe(true);
  });

  it("REGEX MATCH is unanchored and uses .NET syntax", () => {
    expect(passes("mail", "REGEX MATCH", ["contoso\\.com$"], "ada@contoso.com")).toBe(true);
    expect(passes("mail", "REGEX MATCH", ["(?<alias>^ada)@"], "ada@contoso.com")).toBe(true);
    expect(passes("mail", "REGEX MATCH", ["(?i)ADA"], "ada@contoso.com")).toBe(true);
    expect(passes("mail", "REGEX MATCH", ["^contoso"], "ada@contoso.com")).toBe(false);
  });

  it("a pathological pattern does not hang (generous no-hang guard: a backtracking engine would take hours)", () => {
    const filter = compileScopingFilter(one("displayName", "REGEX MATCH", ["^(a+)+$"]));
    const started = Date.now();
    expect(filter.evaluate({ displayName: `${"a".repeat(50_000)}!` })).toBe(false);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("multi-value operands: positive operators pass on any value, negated ones on none", () => {
    expect(passes("department", "EQUALS", ["Sales", "HR"], "HR")).toBe(true);
    expect(passes("department", "NOT EQUALS", ["Sales", "HR"], "HR")).toBe(false);
    expect(passes("department", "NOT EQUALS", ["Sales", "HR"], "IT")).toBe(true);
    expect(passes("department", "Excludes", ["a", "b"], "xbx")).toBe(false);
  });
});

describe("operator spellings", () => {
  it("accepts Entra's exact spellings and ignores case and space/underscore differences", () => {
    for (const op of SCOPING_OPERATORS) expect(canonicalScopingOperator(op)).toBe(op);
    expect(canonicalScopingOperator("not equals")).toBe("NOT EQUALS");
    expect(canonicalScopingOperator("NOT_EQUALS")).toBe("NOT EQUALS");
    expect(canonicalScopingOperator("Greater Than")).toBe("Greater_Than");
    expect(canonicalScopingOperator("GREATER_THAN_OR_EQUALS")).toBe("Greater_Than_OR_EQUALS");
    expect(canonicalScopingOperator("ends with")).toBe("ENDS_WITH");
    expect(canonicalScopingOperator("STARTS_WITH")).toBeNull();
    expect(canonicalScopingOperator("&&")).toBeNull();
  });

  it("evaluates a lenient spelling like the canonical one and explains it canonically", () => {
    const f = compileScopingFilter(one("department", "not_equals", ["Sales"]));
    expect(f.evaluate({ department: "HR" })).toBe(true);
    expect(f.explain({ department: "HR" })).toEqual({ "G.department NOT EQUALS 'Sales'": true });
  });
});

describe("groups and clauses", () => {
  const filter = compileScopingFilter({
    groups: [
      {
        name: "Sales in Paris",
        clauses: [
          { sourceOperandName: "department", operatorName: "EQUALS", targetOperand: { values: ["Sales"] } },
          { sourceOperandName: "city", operatorName: "EQUALS", targetOperand: { values: ["Paris"] } },
        ],
      },
      { name: "Executives", clauses: [{ sourceOperandName: "jobTitle", operatorName: "Includes", targetOperand: { values: ["Chief"] } }] },
    ],
  });

  it("R7 a user passes when all clauses of some group pass (AND within, OR across)", () => {
    expect(filter.evaluate({ department: "Sales", city: "Paris" })).toBe(true);
    expect(filter.evaluate({ department: "Sales", city: "Lyon" })).toBe(false);
    expect(filter.evaluate({ department: "IT", city: "Lyon", jobTitle: "Chief Technology Officer" })).toBe(true);
    expect(filter.evaluate({})).toBe(false);
  });

  it("R7 an empty filter passes everyone", () => {
    expect(compileScopingFilter({ groups: [] }).evaluate({})).toBe(true);
    expect(compileScopingFilter(undefined).evaluate({ department: "x" })).toBe(true);
    expect(compileScopingFilter({ groups: [] }).explain({})).toEqual({});
  });

  it("explains every clause in Entra's log form", () => {
    expect(filter.explain({ department: "Sales", city: "Lyon", jobTitle: null })).toEqual({
      "Sales in Paris.department EQUALS 'Sales'": true,
      "Sales in Paris.city EQUALS 'Paris'": false,
      "Executives.jobTitle Includes 'Chief'": false,
    });
    expect(compileScopingFilter(one("jobTitle", "IS NOT NULL")).explain({ jobTitle: "x" })).toEqual({ "G.jobTitle IS NOT NULL ''": true });
  });

  it("lists the attributes it reads", () => {
    expect(filter.references).toEqual(["department", "city", "jobTitle"]);
  });

  it("R7 filters a real user through sourceAttributesOf (booleans, extensions, telephoneNumber)", () => {
    const user = parseDirectoryUser({
      id: "u1",
      userPrincipalName: "ada@contoso.com",
      displayName: "Ada",
      department: "Sales",
      accountEnabled: false,
      businessPhones: ["+1 555 0100"],
      extensions: { extension_0123456789abcdef0123456789abcdef_costCenter: "CC-42" },
    });
    const f = compileScopingFilter({
      groups: [
        {
          name: "g",
          clauses: [
            { sourceOperandName: "accountEnabled", operatorName: "IS FALSE", targetOperand: { values: [] } },
            { sourceOperandName: "extension_0123456789abcdef0123456789abcdef_costCenter", operatorName: "ENDS_WITH", targetOperand: { values: ["-42"] } },
            { sourceOperandName: "telephoneNumber", operatorName: "REGEX MATCH", targetOperand: { values: ["^\\+1 "] } },
            { sourceOperandName: "netId", operatorName: "EQUALS", targetOperand: { values: ["u1"] } },
          ],
        },
      ],
    });
    expect(f.explain(sourceAttributesOf(user))).toEqual({
      "g.accountEnabled IS FALSE ''": true,
      "g.extension_0123456789abcdef0123456789abcdef_costCenter ENDS_WITH '-42'": true,
      "g.telephoneNumber REGEX MATCH '^\\+1 '": true,
      "g.netId EQUALS 'u1'": true,
    });
    expect(f.evaluate(sourceAttributesOf(user))).toBe(true);
  });
});

describe("configuration errors", () => {
  it("lists every problem with its JSON path", () => {
    const e = configError(() =>
      compileScopingFilter({
        groups: [
          {
            name: "bad",
            clauses: [
              { sourceOperandName: "department", operatorName: "STARTS_WITH", targetOperand: { values: ["S"] } },
              { sourceOperandName: "businessPhones", operatorName: "EQUALS", targetOperand: { values: ["1"] } },
              { sourceOperandName: "employeeId", operatorName: "Greater_Than", targetOperand: { values: ["1.5"] } },
              { sourceOperandName: "mail", operatorName: "REGEX MATCH", targetOperand: { values: ["(unclosed"] } },
              { sourceOperandName: "mail", operatorName: "REGEX MATCH", targetOperand: { values: ["(a)\\1"] } },
              { sourceOperandName: "mail", operatorName: "EQUALS", targetOperand: { values: [] } },
            ],
          },
          { name: "empty", clauses: [] },
        ],
      }),
    );
    expect(e.code).toBe("CONFIG_INVALID");
    expect(e.issues.map((i) => i.path)).toEqual([
      ["scopingFilter", "groups", 0, "clauses", 0, "operatorName"],
      ["scopingFilter", "groups", 0, "clauses", 1, "sourceOperandName"],
      ["scopingFilter", "groups", 0, "clauses", 2, "targetOperand", "values", 0],
      ["scopingFilter", "groups", 0, "clauses", 3, "targetOperand", "values", 0],
      ["scopingFilter", "groups", 0, "clauses", 4, "targetOperand", "values", 0],
      ["scopingFilter", "groups", 0, "clauses", 5, "targetOperand", "values"],
      ["scopingFilter", "groups", 1, "clauses"],
    ]);
    expect(e.issues[0]!.message).toContain("STARTS_WITH");
    expect(e.issues[0]!.message).toContain("NOT REGEX MATCH");
    expect(e.issues[1]!.message).toContain("multi-valued");
    expect(e.issues[2]!.message).toContain("'1.5' is not an integer");
    expect(e.issues[4]!.message).toContain("backreference");
    expect(e.message).toContain("$.scopingFilter.groups[0].clauses[0].operatorName");
  });

  for (const attribute of ["businessPhones", "otherMails", "proxyAddresses", "userType", "manager", "createdDateTime", "employeeHireDate", "lastPasswordChangeDateTime"]) {
    it(`${attribute === "userType" ? "R2 " : ""}R7 refuses '${attribute}' in a clause`, () => {
      const e = configError(() => compileScopingFilter(one(attribute, "IS NOT NULL")));
      expect(e.issues).toHaveLength(1);
      expect(e.issues[0]!.path).toEqual(["scopingFilter", "groups", 0, "clauses", 0, "sourceOperandName"]);
      expect(e.issues[0]!.message).toContain(attribute);
    });
  }

  it("takes a path prefix as an array or as options", () => {
    const bad = one("department", "nope", ["x"]);
    expect(configError(() => compileScopingFilter(bad, ["jobs", 2, "scopingFilter"])).issues[0]!.path).toEqual(["jobs", 2, "scopingFilter", "groups", 0, "clauses", 0, "operatorName"]);
    expect(configError(() => compileScopingFilter(bad, { pathPrefix: [] })).issues[0]!.path).toEqual(["groups", 0, "clauses", 0, "operatorName"]);
  });

  it("reports malformed JSON with paths", () => {
    const e = configError(() => compileScopingFilter({ groups: [{ name: "", clauses: [{ sourceOperandName: "mail" }] }] } as unknown as ScopingFilterInput));
    const paths = e.issues.map((i) => i.path);
    expect(paths).toContainEqual(["scopingFilter", "groups", 0, "name"]);
    expect(paths).toContainEqual(["scopingFilter", "groups", 0, "clauses", 0, "operatorName"]);
  });
});
