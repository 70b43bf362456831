import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileScopingFilter, type ScopingFilterInput } from "../../src/scoping/scoping-filter.ts";
import { INTEGER_SCOPING_OPERATORS, SCOPING_OPERATORS, UNARY_SCOPING_OPERATORS } from "../../src/scoping/scoping-operators.ts";

/** A generous guard against a hang, not a timing assertion; scales with FC_RUNS. */
const TIMEOUT = 60_000 + Number(process.env.FC_RUNS ?? 0) * 50;
const numRuns = Number(process.env.FC_RUNS ?? 200);

const ATTRIBUTES = ["department", "city", "jobTitle", "employeeId", "accountEnabled"] as const;
const TEXTS = ["Sales", "sales", "Paris", "1", "42", "-7", "True", "False", "a", ""];
const PATTERNS = ["^S", "s$", "[0-9]+", "(?i)paris", "a|b"];

const clauseArb = fc.constantFrom(...SCOPING_OPERATORS).chain((operatorName) =>
  fc.record({
    sourceOperandName: fc.constantFrom(...ATTRIBUTES),
    operatorName: fc.constant(operatorName as string),
    targetOperand: fc.record({
      values: UNARY_SCOPING_OPERATORS.has(operatorName)
        ? fc.constant([] as string[])
        : INTEGER_SCOPING_OPERATORS.has(operatorName)
          ? fc.array(fc.integer({ min: -50, max: 50 }).map(String), { minLength: 1, maxLength: 2 })
          : operatorName.includes("REGEX")
            ? fc.array(fc.constantFrom(...PATTERNS), { minLength: 1, maxLength: 2 })
            : fc.array(fc.constantFrom(...TEXTS.filter((t) => t !== "")), { minLength: 1, maxLength: 2 }),
    }),
  }),
);

const filterArb: fc.Arbitrary<ScopingFilterInput> = fc.record({
  groups: fc.array(fc.record({ name: fc.constantFrom("A", "B", "C"), clauses: fc.array(clauseArb, { minLength: 1, maxLength: 4 }) }), { maxLength: 4 }),
});

const valueArb = fc.oneof(fc.constantFrom<unknown>(null, undefined, true, false, ...TEXTS), fc.integer({ min: -60, max: 60 }), fc.integer({ min: -60, max: 60 }).map(String));
const attrsArb = fc.record(Object.fromEntries(ATTRIBUTES.map((a) => [a, valueArb])) as Record<(typeof ATTRIBUTES)[number], fc.Arbitrary<unknown>>);

function keyOf(group: string, c: ScopingFilterInput["groups"][number]["clauses"][number]): string {
  return `${group}.${c.sourceOperandName} ${c.operatorName} '${c.targetOperand.values.join(",")}'`;
}

describe("scoping filter properties", () => {
  it("R7 the order of groups and of clauses within groups does not change the result", () => {
    fc.assert(
      fc.property(
        filterArb.chain((filter) =>
          fc.tuple(
            fc.constant(filter),
            fc.shuffledSubarray(filter.groups, { minLength: filter.groups.length, maxLength: filter.groups.length }).chain((groups) =>
              fc.tuple(...groups.map((g) => fc.shuffledSubarray(g.clauses, { minLength: g.clauses.length, maxLength: g.clauses.length }).map((clauses) => ({ name: g.name, clauses })))),
            ),
          ),
        ),
        fc.array(attrsArb, { minLength: 1, maxLength: 5 }),
        ([filter, shuffledGroups], users) => {
          const a = compileScopingFilter(filter);
          const b = compileScopingFilter({ groups: shuffledGroups });
          for (const u of users) expect(b.evaluate(u)).toBe(a.evaluate(u));
        },
      ),
      { numRuns },
    );
  }, TIMEOUT);

  it("R7 explain always agrees with evaluate (OR over groups of AND over the explained clauses)", () => {
    fc.assert(
      fc.property(filterArb, attrsArb, (filter, attrs) => {
        const f = compileScopingFilter(filter);
        const explained = f.explain(attrs);
        const expected = filter.groups.length === 0 || filter.groups.some((g) => g.clauses.every((c) => explained[keyOf(g.name, c)] === true));
        expect(f.evaluate(attrs)).toBe(expected);
        const keys = new Set(filter.groups.flatMap((g) => g.clauses.map((c) => keyOf(g.name, c))));
        expect(new Set(Object.keys(explained))).toEqual(keys);
      }),
      { numRuns },
    );
  }, TIMEOUT);

  it("R7 every clause except IS NULL is false when its attribute is null or empty", () => {
    fc.assert(
      fc.property(clauseArb, fc.constantFrom<unknown>(null, undefined, ""), (clause, empty) => {
        const f = compileScopingFilter({ groups: [{ name: "g", clauses: [clause] }] });
        expect(f.evaluate({ [clause.sourceOperandName]: empty })).toBe(clause.operatorName === "IS NULL");
      }),
      { numRuns },
    );
  }, TIMEOUT);
});
