import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ExpressionEvaluationError,
  ExpressionSyntaxError,
  compileExpression,
  expressionToMappingSource,
  mappingSourceToExpression,
  parseExpression,
  printExpression,
} from "../../src/index.ts";
import type { ComparisonOperator, EnumWord, ExpressionNode } from "../../src/index.ts";

/** Runs of the round-trip properties; `FC_RUNS` overrides. */
const numRuns = Number(process.env.FC_RUNS ?? 200);
/** Runs of the "compile never crashes" fuzz: 100,000 by default, scaled by FC_RUNS (500 per unit). */
const fuzzRuns = process.env.FC_RUNS === undefined ? 100_000 : Number(process.env.FC_RUNS) * 500;
/** A generous guard against a hang, not a timing assertion. */
const TIMEOUT = 120_000;

/** The tree without spans. */
function bare(node: ExpressionNode): unknown {
  return JSON.parse(JSON.stringify(node, (key, value: unknown) => (key === "span" ? undefined : value)));
}

const FRAGMENTS = [
  "(", ")", ",", ", ", " ", "\n", "[a]", "[", "]", '"', '"x"', '\\"', "\\", "&", "&H", "&HF", "=", "<>", "<", ">=", "-", "-1", "1.5", "42",
  "vbTextCompare", "UTF8", "Replace(", "IIF(", "Switch(", "Join(", "Append(", "Mid(", "FormatDateTime(", "DateAdd(", "Coalesce(", "Not(", "Error(",
  "IgnoreFlowIfNullOrEmpty(", "Guid()", "Now()", '"(a+)+$"', '"(?<g>x)"', '"\\\\1"', '"yyyy"', '"d"', "Frob(", "iif(", "Trim(",
];

const fuzzText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 24 }).map((parts) => parts.join("")),
);

describe("compileExpression never crashes", () => {
  it(
    `returns or throws ExpressionSyntaxError for arbitrary text (${fuzzRuns} runs)`,
    () => {
      fc.assert(
        fc.property(fuzzText, (text) => {
          // Plain checks instead of expect(): this body runs 100,000 times.
          try {
            compileExpression(text);
          } catch (error) {
            if (!(error instanceof ExpressionSyntaxError)) throw error;
            if (!(error.position >= 0 && error.position <= text.length && error.line >= 1 && error.column >= 1)) {
              throw new Error(`bad error location ${error.position} ${error.line}:${error.column} for ${JSON.stringify(text)}`);
            }
          }
        }),
        { numRuns: fuzzRuns },
      );
    },
    TIMEOUT,
  );
});

// ---------------------------------------------------------------------------
// Arbitrary syntax trees (any function name: syntax only)

const identifier = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/);
const attributeName = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !/[\]\r\n]/.test(s) && s.trim() !== "");
const stringLeaf: fc.Arbitrary<ExpressionNode> = fc.string({ maxLength: 12 }).map((value) => ({ kind: "string", value }));
const numberLeaf: fc.Arbitrary<ExpressionNode> = fc.oneof(
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map((n) => ({ kind: "number" as const, value: n, raw: String(n) })),
  fc.tuple(fc.integer({ min: -999, max: 999 }), fc.integer({ min: 0, max: 999 })).map(([i, f]) => {
    const raw = `${i}.${f}`;
    return { kind: "number" as const, value: Number(raw), raw };
  }),
  fc.integer({ min: 0, max: 0x7fffffff }).map((n) => ({ kind: "number" as const, value: n, raw: `&H${n.toString(16).toUpperCase()}` })),
);
const enumLeaf: fc.Arbitrary<ExpressionNode> = fc
  .constantFrom<EnumWord>("vbTextCompare", "vbBinaryCompare", "UTF8", "ASCII", "Unicode")
  .map((name) => ({ kind: "enum", name }));
const attributeLeaf: fc.Arbitrary<ExpressionNode> = attributeName.map((name) => ({ kind: "attribute", name }));
const operator = fc.constantFrom<ComparisonOperator>("=", "<>", ">", ">=", "<", "<=");

const anyTree = fc.letrec<{ node: ExpressionNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    attributeLeaf,
    stringLeaf,
    numberLeaf,
    enumLeaf,
    fc
      .tuple(identifier, fc.array(fc.option(tie("node"), { nil: null }), { maxLength: 4 }))
      // A single empty argument has no text of its own: F() is a call without arguments.
      .filter(([, args]) => !(args.length === 1 && args[0] === null))
      .map(([name, args]): ExpressionNode => ({ kind: "call", name, args })),
    fc.tuple(operator, tie("node"), tie("node")).map(([op, left, right]): ExpressionNode => ({ kind: "comparison", op, left, right })),
    fc.array(tie("node"), { minLength: 2, maxLength: 3 }).map((parts): ExpressionNode => ({ kind: "concat", parts })),
  ),
})).node;

describe("print → parse", () => {
  it("gives back the same tree", () => {
    fc.assert(
      fc.property(anyTree, (tree) => {
        const text = printExpression(tree);
        expect(bare(parseExpression(text))).toEqual(bare(tree));
        expect(printExpression(parseExpression(text))).toBe(text);
      }),
      { numRuns },
    );
  });
});

// ---------------------------------------------------------------------------
// Valid expressions (known functions, right arity) for the Graph round trip

const attr = fc.constantFrom("givenName", "surname", "mail", "department", "n", "multi").map((name): ExpressionNode => ({ kind: "attribute", name }));
const str = fc.string({ maxLength: 8 }).map((value): ExpressionNode => ({ kind: "string", value }));
const nonEmptyStr = fc.string({ minLength: 1, maxLength: 6 }).map((value): ExpressionNode => ({ kind: "string", value }));
const int = (min: number, max: number): fc.Arbitrary<ExpressionNode> => fc.integer({ min, max }).map((n) => ({ kind: "number", value: n, raw: String(n) }));
const call = (name: string, args: Array<ExpressionNode | null>): ExpressionNode => ({ kind: "call", name, args });
const patterns = fc.constantFrom("\\d+", "^(?<first>\\w+)", "[aeiou]", "(a+)+$", "\\s");

const validTree = fc.letrec<{ text: ExpressionNode }>((tie) => {
  const t = tie("text");
  return {
    text: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      attr,
      str,
      int(-50, 50),
      t.map((x) => call("ToLower", [x])),
      fc.tuple(t, fc.option(fc.constantFrom("en-US", "tr-TR"), { nil: null })).map(([x, c]) => call("ToUpper", [x, c === null ? null : { kind: "string", value: c }])),
      t.map((x) => call("Trim", [x])),
      t.map((x) => call("NormalizeDiacritics", [x])),
      fc.tuple(t, t).map(([a, b]) => call("Append", [a, b])),
      fc.tuple(str, fc.array(t, { minLength: 1, maxLength: 3 })).map(([sep, xs]) => call("Join", [sep, ...xs])),
      fc.array(t, { minLength: 1, maxLength: 3 }).map((xs) => call("Coalesce", xs)),
      fc
        .tuple(t, fc.option(t, { nil: null }), fc.array(fc.tuple(str, t), { minLength: 1, maxLength: 2 }))
        .map(([x, d, pairs]) => call("Switch", [x, d, ...pairs.flat()])),
      fc.tuple(t, int(1, 5), fc.option(int(0, 5), { nil: null })).map(([x, s, l]) => call("Mid", l === null ? [x, s] : [x, s, l])),
      fc.tuple(t, int(-2, 5)).map(([x, n]) => call("Left", [x, n])),
      fc.tuple(t, nonEmptyStr, t).map(([x, o, r]) => call("Replace", [x, o, null, null, r, null, null])),
      fc.tuple(t, patterns, t).map(([x, p, r]) => call("Replace", [x, null, { kind: "string", value: p }, null, r, null, null])),
      fc.tuple(t, nonEmptyStr, str).map(([x, o, tpl]) => call("Replace", [x, o, null, null, null, null, tpl])),
      fc.tuple(operator, t, t, t, t).map(([op, l, r, a, b]) => call("IIF", [{ kind: "comparison", op, left: l, right: r }, a, b])),
      fc.array(t, { minLength: 2, maxLength: 3 }).map((parts): ExpressionNode => ({ kind: "concat", parts })),
      fc
        .tuple(t, fc.option(fc.constant("AllowWhiteSpaces"), { nil: null }), fc.boolean())
        .map(([x, styles, four]) =>
          four || styles !== null
            ? call("FormatDateTime", [x, styles === null ? null : { kind: "string", value: styles }, { kind: "string", value: "yyyy-MM-dd" }, { kind: "string", value: "dd.MM.yyyy" }])
            : call("FormatDateTime", [x, { kind: "string", value: "yyyy-MM-dd" }, { kind: "string", value: "dd.MM.yyyy" }]),
        ),
      fc
        .tuple(t, t, fc.option(int(1, 4), { nil: null }), fc.option(fc.constantFrom<EnumWord>("vbTextCompare", "vbBinaryCompare"), { nil: null }))
        .map(([a, b, s, m]) => call("InStr", [a, b, s, m === null ? null : { kind: "enum", name: m }])),
      t.map((x) => call("Not", [x])),
      t.map((x) => call("IsPresent", [x])),
      fc.tuple(t, int(0, 3), nonEmptyStr).map(([x, n, d]) => call("Word", [x, n, d])),
      fc.tuple(fc.constantFrom("d", "m", "yyyy"), int(-3, 3), t).map(([i, n, x]) => call("DateAdd", [{ kind: "string", value: i }, n, x])),
    ),
  };
}).text;

const attributes = fc.record(
  {
    givenName: fc.oneof(fc.constant(null), fc.constantFrom("Zoë", "John", "", "a-b c", "2024-01-05")),
    surname: fc.oneof(fc.constant(null), fc.string({ maxLength: 6 })),
    mail: fc.constantFrom("ada@contoso.com", "x", ""),
    department: fc.oneof(fc.constant(undefined), fc.constantFrom("Sales", "R&D")),
    n: fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constant("7")),
    multi: fc.array(fc.constantFrom("a", "B", "c1"), { maxLength: 3 }),
  },
  { requiredKeys: [] },
);

function outcome(text: string, attrs: Record<string, unknown>): unknown {
  try {
    return { value: compileExpression(text).evaluate(attrs, { now: () => new Date("2024-05-01T00:00:00Z") }) };
  } catch (error) {
    if (error instanceof ExpressionEvaluationError) return { error: error.message };
    throw error;
  }
}

describe("Graph JSON → expression → Graph JSON", () => {
  it(
    "round-trips, and the expression read back means the same",
    () => {
      fc.assert(
        fc.property(validTree, attributes, (tree, attrs) => {
          const text = printExpression(tree);
          const json = expressionToMappingSource(text);
          const back = mappingSourceToExpression(json);
          expect(expressionToMappingSource(back)).toEqual(json);
          expect(mappingSourceToExpression(JSON.parse(JSON.stringify(json)))).toBe(back);
          expect(outcome(back, attrs)).toEqual(outcome(text, attrs));
        }),
        { numRuns },
      );
    },
    TIMEOUT,
  );
});
