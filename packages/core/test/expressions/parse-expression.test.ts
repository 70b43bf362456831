import { describe, expect, it } from "vitest";
import { ExpressionSyntaxError, MAX_EXPRESSION_DEPTH, MAX_EXPRESSION_LENGTH, compileExpression, parseExpression, printExpression } from "../../src/index.ts";
import type { ExpressionNode } from "../../src/index.ts";

function syntaxError(text: string): ExpressionSyntaxError {
  try {
    compileExpression(text);
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected ${text} not to compile`);
}

/** The tree without spans, for comparisons. */
function bare(node: ExpressionNode): unknown {
  return JSON.parse(JSON.stringify(node, (key, value: unknown) => (key === "span" ? undefined : value)));
}

describe("parseExpression: the pieces of the language", () => {
  it("reads attributes, strings, numbers, hex and enum words", () => {
    expect(bare(parseExpression("[mail]"))).toEqual({ kind: "attribute", name: "mail" });
    expect(bare(parseExpression("[extension_abc_x.y]"))).toEqual({ kind: "attribute", name: "extension_abc_x.y" });
    expect(bare(parseExpression('"United States"'))).toEqual({ kind: "string", value: "United States" });
    expect(bare(parseExpression("42"))).toEqual({ kind: "number", value: 42, raw: "42" });
    expect(bare(parseExpression("-10"))).toEqual({ kind: "number", value: -10, raw: "-10" });
    expect(bare(parseExpression("1.5"))).toEqual({ kind: "number", value: 1.5, raw: "1.5" });
    expect(bare(parseExpression("&HF7"))).toEqual({ kind: "number", value: 247, raw: "&HF7" });
    expect(bare(parseExpression("&hff"))).toEqual({ kind: "number", value: 255, raw: "&hff" });
    expect(bare(parseExpression("vbTextCompare"))).toEqual({ kind: "enum", name: "vbTextCompare" });
    expect(bare(parseExpression("UTF8"))).toEqual({ kind: "enum", name: "UTF8" });
  });

  it("reads VB hex literals of up to 8 digits as 32-bit signed numbers", () => {
    expect((parseExpression("&HFFFFFFFF") as { value: number }).value).toBe(-1);
    expect((parseExpression("&H100000000") as { value: number }).value).toBe(4294967296);
  });

  it("unescapes \\\" and \\\\ in strings and keeps other backslashes", () => {
    expect(bare(parseExpression('"Company name: \\"Contoso\\""'))).toEqual({ kind: "string", value: 'Company name: "Contoso"' });
    expect(bare(parseExpression('"\\\\d+"'))).toEqual({ kind: "string", value: "\\d+" });
    expect(bare(parseExpression('"\\d+"'))).toEqual({ kind: "string", value: "\\d+" });
    expect(bare(parseExpression('"a\nb"'))).toEqual({ kind: "string", value: "a\nb" });
  });

  it("keeps empty argument positions, including trailing ones", () => {
    const tree = parseExpression('Replace([x], "a", , , "b", , )') as { args: unknown[] };
    expect(tree.args.map((a) => (a === null ? null : "arg"))).toEqual(["arg", "arg", null, null, "arg", null, null]);
    expect((parseExpression("Guid()") as { args: unknown[] }).args).toEqual([]);
    expect((parseExpression("F(,)") as { args: unknown[] }).args).toEqual([null, null]);
    expect((parseExpression("F( , [a])") as { args: unknown[] }).args[0]).toBeNull();
  });

  it("allows free white space, line breaks included", () => {
    const text = `Join( "@" ,\n\t[a] ,\r\n  [b]  )`;
    expect(printExpression(parseExpression(text))).toBe('Join("@", [a], [b])');
  });

  it("parses comparisons and & concatenation with & binding tighter", () => {
    expect(bare(parseExpression('[a] & "x" = "yx"'))).toEqual({
      kind: "comparison",
      op: "=",
      left: { kind: "concat", parts: [{ kind: "attribute", name: "a" }, { kind: "string", value: "x" }] },
      right: { kind: "string", value: "yx" },
    });
    for (const op of ["=", "<>", ">", ">=", "<", "<="]) {
      expect((parseExpression(`[a] ${op} 1`) as { op: string }).op).toBe(op);
    }
    expect(bare(parseExpression('("a" & "b")'))).toEqual({ kind: "concat", parts: [{ kind: "string", value: "a" }, { kind: "string", value: "b" }] });
  });

  it("records spans", () => {
    const tree = parseExpression('  ToLower( [mail] )') as { span: unknown; args: Array<{ span: unknown }> };
    expect(tree.span).toEqual({ start: 2, end: 19 });
    expect(tree.args[0]?.span).toEqual({ start: 11, end: 17 });
  });
});

describe("parseExpression: errors with exact positions", () => {
  it.each([
    ["ToLower([mail]", 14, 1, 15, "','"],
    ['Append([a] "x")', 11, 1, 12, "','"],
    ["", 0, 1, 1, "an operand"],
    ['Join(",",\n  [a],\n  [b]', 22, 3, 6, "')'"],
    ['"abc', 0, 1, 1, "'\"'"],
    ["[abc", 0, 1, 1, "']'"],
    ["F(1 2)", 4, 1, 5, "','"],
    ["[a] [b]", 4, 1, 5, "end of expression"],
    ["ToLower", 0, 1, 1, "'('"],
    ["F(,,)x", 5, 1, 6, "end of expression"],
    ["1abc", 1, 1, 2, "','"],
    ["#", 0, 1, 1, "an operand"],
  ])("%j fails at offset %i (line %i, column %i), expecting %s", (text, position, line, column, expected) => {
    const e = syntaxError(text);
    expect(e.code).toBe("EXPRESSION_SYNTAX");
    expect(e.position).toBe(position);
    expect(e.line).toBe(line);
    expect(e.column).toBe(column);
    expect(e.expected.join(" ")).toContain(expected);
    expect(e.message).toContain(`line ${line}, column ${column}`);
    expect(e.expression).toBe(text);
  });

  it("counts lines across \\r\\n, \\n and \\r", () => {
    const e = syntaxError('Join(",",\r\n[a],\r[b],\n  )x');
    expect([e.line, e.column]).toEqual([4, 4]);
  });

  it("rejects chained comparisons", () => {
    const e = syntaxError("[a] = [b] = [c]");
    expect(e.position).toBe(10);
    expect(e.message).toContain("nest IIF");
  });

  it("rejects bare words that are not enum words, naming them", () => {
    const e = syntaxError("IIF([a] = 1, True, False)");
    expect(e.position).toBe(13);
    expect(e.message).toContain("'True'");
  });

  it("rejects an empty attribute name", () => {
    expect(syntaxError("[ ]").position).toBe(0);
  });

  it("rejects expressions longer than 10,000 characters", () => {
    const e = syntaxError(`"${"x".repeat(MAX_EXPRESSION_LENGTH)}"`);
    expect(e.position).toBe(MAX_EXPRESSION_LENGTH);
    expect(e.message).toContain("10000 characters");
    expect(() => compileExpression(`"${"x".repeat(MAX_EXPRESSION_LENGTH - 2)}"`)).not.toThrow();
  });

  it("rejects nesting deeper than the limit as a syntax error, not a stack overflow", () => {
    const depth = MAX_EXPRESSION_DEPTH + 1;
    const deep = `${"Trim(".repeat(depth)}[a]${")".repeat(depth)}`;
    const e = syntaxError(deep);
    expect(e.message).toContain(`${MAX_EXPRESSION_DEPTH} levels`);
    const parens = `${"(".repeat(4000)}[a]${")".repeat(4000)}`;
    expect(syntaxError(parens).code).toBe("EXPRESSION_SYNTAX");
    const ok = `${"Trim(".repeat(MAX_EXPRESSION_DEPTH)}[a]${")".repeat(MAX_EXPRESSION_DEPTH)}`;
    expect(compileExpression(ok).evaluate({ a: " x " })).toBe("x");
  });

  it("handles a long & chain without deep recursion", () => {
    const text = Array.from({ length: 2400 }, (_, i) => `"${i % 10}"`).join("&");
    expect(text.length).toBeLessThanOrEqual(MAX_EXPRESSION_LENGTH);
    const out = compileExpression(text).evaluate({}) as string;
    expect(out.length).toBe(2400);
  });
});

describe("compile-time checks", () => {
  it("rejects unknown functions and suggests the right case", () => {
    const e = syntaxError("iif([a] = 1, 1, 2)");
    expect(e.position).toBe(0);
    expect(e.message).toContain("did you mean IIF");
    expect(syntaxError("Append([a], Frobnicate([b]))").position).toBe(12);
  });

  it("names Entra functions tenantsync does not implement", () => {
    expect(syntaxError('SelectUniqueValue([a], [b])').message).toContain("SelectUniqueValue is not supported");
  });

  it.each([
    ["Append([a])", "Append takes 2 arguments, got 1"],
    ['Append([a], "b", "c")', "Append takes 2 arguments, got 3"],
    ["Mid([a])", "Mid takes 2 to 3 arguments, got 1"],
    ["Join(\",\")", "Join takes at least 2 arguments, got 1"],
    ["Now(1)", "Now takes 0 arguments, got 1"],
    ['Switch([a], "d", "k")', "Switch takes at least 4 arguments, got 3"],
    ['Switch([a], "d", "k", "v", "k2")', "even number of arguments"],
    ['Append(, "b")', "argument 1 (source) cannot be left empty"],
    ['Switch([a], "d", , "v")', "argument 3 (switchValue) cannot be left empty"],
  ])("%s → %s", (text, message) => {
    expect(syntaxError(text).message).toContain(message);
  });

  it("checks constant arguments at compile time", () => {
    expect(syntaxError('DateAdd("days", 1, Now())').message).toContain("interval");
    expect(syntaxError('InStr("a", "b", 1, UTF8)').message).toContain("vbTextCompare");
    expect(syntaxError('ConvertFromBase64("AA==", vbTextCompare)').message).toContain("UTF8");
    expect(syntaxError('ToLower([a], "not a culture!")').message).toContain("culture");
    expect(syntaxError('FormatDateTime([a], "yyyy\'", "yyyy")').message).toContain("not closed");
    expect(syntaxError('FormatDateTime([a], "Bogus", "yyyy", "yyyy")').message).toContain("DateTimeStyles");
    expect(syntaxError('Replace([a], , "(a)\\\\1", , "x", , )').message).toContain("backreference");
    expect(syntaxError('Replace([a], , "(?<x>a)", "y", "z", , )').message).toContain("no group named 'y'");
    expect(syntaxError('Replace([a], "", , , "z", , )').message).toContain("oldValue cannot be empty");
  });

  it("points a regex problem at the pattern argument", () => {
    const text = 'Replace([a], , "a(?=b)", , "x", , )';
    const e = syntaxError(text);
    expect(e.position).toBe(text.indexOf('"a(?='));
    expect(e.message).toContain("lookahead");
  });
});

describe("printExpression", () => {
  it("prints canonical text", () => {
    expect(printExpression(parseExpression('Replace( [x],"a",,,"b",, )'))).toBe('Replace([x], "a", , , "b", , )');
    expect(printExpression(parseExpression('IIF([c]="USA",[c],[d])'))).toBe('IIF([c] = "USA", [c], [d])');
    expect(printExpression(parseExpression('"a\\"b\\\\c"'))).toBe('"a\\"b\\\\c"');
    expect(printExpression(parseExpression("BitAnd(&HF, -3)"))).toBe("BitAnd(&HF, -3)");
  });

  it("adds the parentheses the tree needs", () => {
    expect(printExpression({ kind: "concat", parts: [{ kind: "comparison", op: "=", left: { kind: "attribute", name: "a" }, right: { kind: "number", value: 1, raw: "1" } }, { kind: "string", value: "x" }] })).toBe(
      '([a] = 1) & "x"',
    );
    expect(printExpression({ kind: "concat", parts: [{ kind: "string", value: "a" }, { kind: "concat", parts: [{ kind: "string", value: "b" }, { kind: "string", value: "c" }] }] })).toBe(
      '"a" & ("b" & "c")',
    );
  });

  it("is what CompiledExpression.toString returns", () => {
    expect(compileExpression(' ToLower( [mail] ) ').toString()).toBe("ToLower([mail])");
  });
});
