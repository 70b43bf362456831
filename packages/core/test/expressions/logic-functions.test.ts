import { describe, expect, it } from "vitest";
import { ExpressionEvaluationError, IGNORE_FLOW, compileExpression } from "../../src/index.ts";

function ev(text: string, attributes: Record<string, unknown> = {}): unknown {
  return compileExpression(text).evaluate(attributes);
}

function evalError(text: string, attributes: Record<string, unknown> = {}): ExpressionEvaluationError {
  try {
    ev(text, attributes);
  } catch (error) {
    if (error instanceof ExpressionEvaluationError) return error;
    throw error;
  }
  throw new Error(`${text} did not fail`);
}

describe("IIF", () => {
  it("returns one of two values", () => {
    const e = 'IIF([country]="USA",[country],[department])';
    expect(ev(e, { country: "USA", department: "Sales" })).toBe("USA");
    expect(ev(e, { country: "NL", department: "Sales" })).toBe("Sales");
  });
  it("nests for AND and OR", () => {
    const and = 'IIF([country]="USA",IIF([state]="CA","True","False"),"False")';
    expect(ev(and, { country: "USA", state: "CA" })).toBe("True");
    expect(ev(and, { country: "USA", state: "WA" })).toBe("False");
    const or = 'IIF([country]="USA","True",IIF([state]="CA","True","False"))';
    expect(ev(or, { country: "NL", state: "CA" })).toBe("True");
  });
  it("compares case-sensitively and numerically when a side is a number", () => {
    expect(ev('IIF([c]="usa","y","n")', { c: "USA" })).toBe("n");
    expect(ev('IIF([n] > 5, "big", "small")', { n: "10" })).toBe("big");
    expect(ev('IIF([n] >= 10, "big", "small")', { n: 10 })).toBe("big");
    expect(ev('IIF([n] < 5, "small", "big")', { n: 10 })).toBe("big");
    expect(ev('IIF([a] <> "x", "diff", "same")', { a: "x" })).toBe("same");
    expect(ev('IIF([a] <= "b", "le", "gt")', { a: "a" })).toBe("le");
  });
  it("evaluates only the branch it returns", () => {
    expect(ev('IIF([a]="x", "ok", Error("not reached"))', { a: "x" })).toBe("ok");
  });
  it("accepts a boolean-valued condition", () => {
    expect(ev('IIF(IsPresent([x]), "p", "a")', { x: "v" })).toBe("p");
    expect(ev('IIF([flag], "on", "off")', { flag: true })).toBe("on");
    expect(ev('IIF(DateDiff("d", CDate("2024-01-01"), CDate("2024-01-09")) > 5, "late", "soon")')).toBe("late");
  });
  it("fails when the condition reads a null or empty attribute, suggesting Switch", () => {
    for (const attrs of [{}, { country: "" }, { country: [] }]) {
      const e = evalError('IIF([country]="","Other",[country])', attrs);
      expect(e.code).toBe("EXPRESSION_ERROR");
      expect(e.functionName).toBe("IIF");
      expect(e.position).toBe(0);
      expect(e.message).toContain('Switch([country], [country], "", "fallback")');
    }
    expect(evalError('IIF(IsNullOrEmpty([country]),"Other",[country])').functionName).toBe("IIF");
    expect(evalError('IIF(IsPresent([country]),[country],"Other")').functionName).toBe("IIF");
  });
  it("fails for a condition that is not boolean", () => {
    expect(evalError('IIF([a], "y", "n")', { a: "maybe" }).message).toContain("must be True or False");
  });
});

describe("Switch", () => {
  const tz = 'Switch([state], "Australia/Sydney", "NSW", "Australia/Sydney","QLD", "Australia/Brisbane", "SA", "Australia/Adelaide")';
  it("returns the value of the matching key, else the default", () => {
    expect(ev(tz, { state: "QLD" })).toBe("Australia/Brisbane");
    expect(ev(tz, { state: "WA" })).toBe("Australia/Sydney");
  });
  it("compares case-sensitively", () => {
    expect(ev(tz, { state: "qld" })).toBe("Australia/Sydney");
  });
  it('matches a null or empty source with the key ""', () => {
    const e = 'Switch([country], [country], "", "Other")';
    expect(ev(e, {})).toBe("Other");
    expect(ev(e, { country: "" })).toBe("Other");
    expect(ev(e, { country: "NL" })).toBe("NL");
  });
  it("gives null when nothing matches and the default is left empty", () => {
    expect(ev('Switch([a], , "1", "one")', { a: "2" })).toBeNull();
    expect(ev('Switch([Active], , "1", "True", "0", "False")', { Active: "0" })).toBe("False");
  });
  it("compares the text of numbers and booleans", () => {
    expect(ev('Switch([n], "?", "1", "one", "True", "yes")', { n: 1 })).toBe("one");
    expect(ev('Switch([n], "?", "1", "one", "True", "yes")', { n: true })).toBe("yes");
  });
  it("evaluates keys that are expressions, in order", () => {
    expect(ev('Switch([a], "none", [b], "b matched", [c], "c matched")', { a: "x", b: "y", c: "x" })).toBe("c matched");
  });
  it("evaluates only the chosen value", () => {
    expect(ev('Switch([a], Error("default"), "x", "hit")', { a: "x" })).toBe("hit");
  });
});

describe("Coalesce", () => {
  it("returns the first non-null argument", () => {
    expect(ev("Coalesce([mail],[userPrincipalName])", { userPrincipalName: "John.Doe@contoso.com" })).toBe("John.Doe@contoso.com");
    expect(ev('Coalesce([a], [b], "default")')).toBe("default");
    expect(ev("Coalesce([a], [b])")).toBeNull();
  });
  it("treats an empty string as a value and an empty multi-value as null", () => {
    expect(ev('Coalesce([a], "d")', { a: "" })).toBe("");
    expect(ev('Coalesce([a], "d")', { a: [] })).toBe("d");
  });
});

describe("Not and CBool", () => {
  it("Not flips True and gives True for anything else", () => {
    expect(ev('Not("True")')).toBe("False");
    expect(ev("Not([a])", { a: true })).toBe("False");
    expect(ev('Not("False")')).toBe("True");
    expect(ev('Not("true")')).toBe("True");
    expect(ev("Not([missing])")).toBe("True");
    expect(ev("Not(IsNull([a]))", { a: "x" })).toBe("True");
  });
  it("CBool reads comparisons, booleans and numbers", () => {
    expect(ev("CBool([attribute1] = [attribute2])", { attribute1: "a", attribute2: "a" })).toBe("True");
    expect(ev("CBool([attribute1] = [attribute2])", { attribute1: "a", attribute2: "b" })).toBe("False");
    expect(ev("CBool([attribute1] = [attribute2])")).toBe("True");
    expect(ev("CBool([a] = [b])", { a: "x" })).toBe("False");
    expect(ev("CBool(5)")).toBe("True");
    expect(ev("CBool(0)")).toBe("False");
    expect(ev('CBool("TRUE")')).toBe("True");
    expect(ev("CBool([a])")).toBe("False");
    expect(() => ev('CBool("perhaps")')).toThrow(/cannot read "perhaps" as a boolean/);
  });
});

describe("IsNull, IsNullOrEmpty, IsPresent, IsString", () => {
  it.each([
    [{}, "True", "True", "False", "False"],
    [{ a: "" }, "False", "True", "False", "True"],
    [{ a: "x" }, "False", "False", "True", "True"],
    [{ a: " " }, "False", "False", "True", "True"],
    [{ a: [] }, "True", "True", "False", "False"],
    [{ a: ["x"] }, "False", "False", "True", "False"],
    [{ a: 5 }, "False", "False", "True", "False"],
  ])("for %j: IsNull %s, IsNullOrEmpty %s, IsPresent %s, IsString %s", (attrs, isNull, isNullOrEmpty, isPresent, isString) => {
    expect(ev("IsNull([a])", attrs)).toBe(isNull);
    expect(ev("IsNullOrEmpty([a])", attrs)).toBe(isNullOrEmpty);
    expect(ev("IsPresent([a])", attrs)).toBe(isPresent);
    expect(ev("IsString([a])", attrs)).toBe(isString);
  });
});

describe("IgnoreFlowIfNullOrEmpty", () => {
  it("drops the attribute for null or empty values", () => {
    expect(ev("IgnoreFlowIfNullOrEmpty([department])")).toBe(IGNORE_FLOW);
    expect(ev("IgnoreFlowIfNullOrEmpty([department])", { department: "" })).toBe(IGNORE_FLOW);
    expect(ev("IgnoreFlowIfNullOrEmpty([department])", { department: [] })).toBe(IGNORE_FLOW);
  });
  it("passes other values through", () => {
    expect(ev("IgnoreFlowIfNullOrEmpty([department])", { department: "Sales" })).toBe("Sales");
    expect(ev("IgnoreFlowIfNullOrEmpty([n])", { n: 0 })).toBe(0);
  });
  it("drops the attribute when an expression inside returns empty", () => {
    const e = 'IgnoreFlowIfNullOrEmpty(Switch([prefix], "", "3443", "Dr.", "3444", "Prof.", "3445", "Prof. Dr."))';
    expect(ev(e, { prefix: "3444" })).toBe("Prof.");
    expect(ev(e, { prefix: "9999" })).toBe(IGNORE_FLOW);
  });
  it("drops the whole mapping when reached deeper inside another function", () => {
    expect(ev('Append(IgnoreFlowIfNullOrEmpty([a]), "x")')).toBe(IGNORE_FLOW);
    expect(ev('Append(IgnoreFlowIfNullOrEmpty([a]), "x")', { a: "v" })).toBe("vx");
  });
  it("is a distinct marker, not a string", () => {
    expect(typeof IGNORE_FLOW).toBe("symbol");
    expect(IGNORE_FLOW).not.toBe("");
  });
});

describe("Count, Item, RemoveDuplicates, Contains", () => {
  it("Count counts values", () => {
    expect(ev("Count([a])", { a: ["x", "y", "z"] })).toBe(3);
    expect(ev("Count([a])", { a: "x" })).toBe(1);
    expect(ev("Count([a])")).toBe(0);
    expect(ev("Count([a])", { a: [] })).toBe(0);
  });
  it("Item takes a 1-based value and fails out of range", () => {
    expect(ev("Item([proxyAddresses], 1)", { proxyAddresses: ["SMTP:a@x.com", "smtp:b@x.com"] })).toBe("SMTP:a@x.com");
    expect(ev("Item([a], 2)", { a: ["x", "y"] })).toBe("y");
    expect(ev("Item([a], 1)", { a: "only" })).toBe("only");
    expect(ev("Item([a], 1)")).toBeNull();
    expect(() => ev("Item([a], 0)", { a: ["x"] })).toThrow(/index 0 is out of range/);
    expect(() => ev("Item([a], 3)", { a: ["x", "y"] })).toThrow(/has 2 values/);
  });
  it("RemoveDuplicates keeps the first of equal values, case-sensitively", () => {
    expect(ev("RemoveDuplicates([p])", { p: ["a", "b", "a", "A", "b"] })).toEqual(["a", "b", "A"]);
    expect(ev("RemoveDuplicates([p])", { p: "x" })).toEqual(["x"]);
    expect(ev("RemoveDuplicates([p])")).toBeNull();
  });
  it("Contains gives the index of the first value containing the text", () => {
    const p = { proxyAddresses: ["smtp:b@x.com", "SMTP:a@x.com", "x500:/o=x"] };
    expect(ev('Contains([proxyAddresses], "SMTP:")', p)).toBe(2);
    expect(ev('Contains([proxyAddresses], "SMTP:", vbTextCompare)', p)).toBe(1);
    expect(ev('Contains([proxyAddresses], "sip:")', p)).toBe(0);
    expect(ev('Contains([missing], "x")')).toBe(0);
    expect(ev('Mid(Item([proxyAddresses],Contains([proxyAddresses], "SMTP:")),6)', p)).toBe("a@x.com");
  });
});

describe("Error", () => {
  it("throws an ExpressionEvaluationError carrying exactly the message", () => {
    const e = evalError('Switch([accountName], [accountName], "", Error("AccountName is required"))');
    expect(e.code).toBe("EXPRESSION_ERROR");
    expect(e.message).toBe("AccountName is required");
    expect(e.functionName).toBe("Error");
    expect(e.raisedByExpression).toBe(true);
    expect(e.position).toBe(41); // where Error( starts
    expect(ev('Switch([accountName], [accountName], "", Error("AccountName is required"))', { accountName: "ada" })).toBe("ada");
  });
  it("builds the message from an expression", () => {
    expect(evalError('Error(Join(" ", "missing", [what]))', { what: "mail" }).message).toBe("missing mail");
  });
  it("marks other evaluation failures as not raised by the expression, naming the function", () => {
    const e = evalError('CDate("not a date")');
    expect(e.raisedByExpression).toBe(false);
    expect(e.functionName).toBe("CDate");
    expect(e.message).toMatch(/^CDate: /);
  });
});
