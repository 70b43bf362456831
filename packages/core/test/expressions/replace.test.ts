import { describe, expect, it } from "vitest";
import { ExpressionSyntaxError, compileExpression } from "../../src/index.ts";

function ev(text: string, attributes: Record<string, unknown> = {}): unknown {
  return compileExpression(text).evaluate(attributes);
}

function compileFailure(text: string): ExpressionSyntaxError {
  try {
    compileExpression(text);
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) return error;
    throw error;
  }
  throw new Error(`${text} compiled`);
}

describe("Replace mode 1: oldValue + replacementValue", () => {
  it("replaces every occurrence, case-sensitively", () => {
    expect(ev('Replace([BusinessTitle],"Product Developer", , , "Software Engineer", , )', { BusinessTitle: "Product Developer" })).toBe("Software Engineer");
    expect(ev('Replace([mail], "@contoso.com", , ,"", ,)', { mail: "john.doe@contoso.com" })).toBe("john.doe");
    expect(ev('Replace([a], "-", , , "_", , )', { a: "en-US-x" })).toBe("en_US_x");
    expect(ev('Replace([a], "A", , , "_", , )', { a: "aAa" })).toBe("a_a");
  });
  it("treats regex characters in oldValue literally", () => {
    expect(ev('Replace([a], ".", , , "!", , )', { a: "a.b.c" })).toBe("a!b!c");
  });
  it("gives null for null, and an empty replacement for a null replacementValue", () => {
    expect(ev('Replace([a], "x", , , "y", , )')).toBeNull();
    expect(ev('Replace([a], "x", , , [r], , )', { a: "axa" })).toBe("aa");
  });
  it("replaces in each value of a multi-valued source", () => {
    expect(ev('Replace([a], "smtp:", , , "SMTP:", , )', { a: ["smtp:a", "smtp:b"] })).toEqual(["SMTP:a", "SMTP:b"]);
  });
});

describe("Replace mode 2: oldValue + template", () => {
  it("puts the source into the template", () => {
    expect(ev('Replace([UserID],"<username>", , , , , "<username>@contoso.com")', { UserID: "jsmith" })).toBe("jsmith@contoso.com");
    expect(ev('Replace([u],"%", , , , , "%.%")', { u: "x" })).toBe("x.x");
  });
  it("gives null for a null source", () => {
    expect(ev('Replace([UserID],"<username>", , , , , "<username>@contoso.com")')).toBeNull();
  });
});

describe("Replace mode 3: regexPattern + replacementValue", () => {
  it("follows the reference examples", () => {
    expect(
      ev('Replace([telephoneNumber], , "\\\\+(?<isdCode>\\\\d* )(?<phoneNumber>\\\\d{10})", , "${phoneNumber}", , )', { telephoneNumber: "+91 9998887777" }),
    ).toBe("9998887777");
    expect(ev('Replace([mailNickname], , "[a-zA-Z_]*", , "", , )', { mailNickname: "john_doe72" })).toBe("72");
  });
  it("keeps characters the pattern does not name (the reference's mobile example keeps +)", () => {
    expect(ev('Replace([mobile], , "[()\\\\s-]+", , "", , )', { mobile: "+1 (999) 888-7777" })).toBe("+19998887777");
    expect(ev('Replace([mobile], , "[^\\\\d]+", , "", , )', { mobile: "+1 (999) 888-7777" })).toBe("19998887777");
  });
  it("supports numbered groups, $$ and named groups in the replacement", () => {
    expect(ev('Replace([n], , "(\\\\w+) (\\\\w+)", , "$2, $1 ($$)", , )', { n: "Ada Lovelace" })).toBe("Lovelace, Ada ($)");
    expect(ev('Replace([m], , "(?<l>[^@]+)@(?<d>.+)", , "${d}\\\\${l}", , )', { m: "ada@contoso.com" })).toBe("contoso.com\\ada");
  });
  it("takes the pattern from an expression", () => {
    expect(ev('Replace([a], , [p], , "#", , )', { a: "a1b22", p: "\\d+" })).toBe("a#b#");
    expect(() => ev('Replace([a], , [p], , "#", , )', { a: "x", p: "(a)\\1" })).toThrow(/backreference/);
  });
  it("gives null for a null source", () => {
    expect(ev('Replace([a], , "x", , "y", , )')).toBeNull();
  });
});

describe("Replace mode 4: regexPattern + regexGroupName + replacementValue", () => {
  it("follows the reference examples", () => {
    expect(ev('Replace([AddressLineData], ,"(?<streetNumber>^\\\\d*)","streetNumber", "888", , )', { AddressLineData: "545 Tremont Street" })).toBe(
      "888 Tremont Street",
    );
    expect(ev('Replace([userPrincipalName], , "(?<Suffix>@(.)*)", "Suffix", "", , )', { userPrincipalName: "jsmith@contoso.com" })).toBe("jsmith");
  });
  it("replaces the group in every match and leaves the rest of each match", () => {
    expect(ev('Replace([a], , "x(?<d>\\\\d)", "d", "#", , )', { a: "x1 x2 y3" })).toBe("x# x# y3");
  });
  it("writes the replacement literally", () => {
    expect(ev('Replace([a], , "(?<d>\\\\d)", "d", "$1", , )', { a: "a1" })).toBe("a$1");
  });
});

describe("Replace mode 5: regexPattern + regexGroupName + replacementAttributeName", () => {
  const e = 'Replace([telephoneNumber], , "\\\\+(?<isdCode>\\\\d* )(?<phoneNumber>\\\\d{10})", "phoneNumber" , , [mobile], )';
  it("returns the source when it has a value", () => {
    expect(ev(e, { telephoneNumber: "+1 5551234567", mobile: "+91 8887779999" })).toBe("+1 5551234567");
  });
  it("extracts the group from the replacement attribute when the source is empty or null", () => {
    expect(ev(e, { telephoneNumber: "", mobile: "+91 8887779999" })).toBe("8887779999");
    expect(ev(e, { mobile: "+91 8887779999" })).toBe("8887779999");
  });
  it("gives null when the replacement attribute does not match", () => {
    expect(ev(e, { mobile: "none" })).toBeNull();
    expect(ev(e, {})).toBeNull();
  });
  it("accepts the replacement attribute's name as a string", () => {
    const byName = compileExpression('Replace([t], , "(?<d>\\\\d+)", "d", , "mobile", )');
    expect(byName.references).toEqual(["mobile", "t"]);
    expect(byName.evaluate({ mobile: "tel 42" })).toBe("42");
  });
});

describe("Replace: invalid combinations are compile errors", () => {
  it.each([
    ['Replace([a], "x", "y", , "z", , )', "oldValue and regexPattern"],
    ['Replace([a], "x", , , , , )', "oldValue needs replacementValue or template"],
    ['Replace([a], "x", , , "r", , "t")', "either replacementValue or template"],
    ['Replace([a], , , , "r", , )', "neither oldValue nor regexPattern"],
    ['Replace([a], , "x", , , , )', "regexPattern needs replacementValue"],
    ['Replace([a], , "(?<g>x)", "g", , , )', "regexGroupName needs replacementValue or replacementAttributeName"],
    ['Replace([a], , "x", , , [b], )', "replacementAttributeName needs regexGroupName"],
    ['Replace([a], , "x", , "r", , "t")', "template needs oldValue"],
  ])("%s", (text, message) => {
    expect(compileFailure(text).message).toContain(message);
  });
});

describe("Replace: no regular expression can hang a cycle", () => {
  // No-hang guard: a backtracking engine would need years for these inputs; the bound is generous on purpose.
  it("finishes catastrophic patterns against long non-matching input", () => {
    const input = `${"a".repeat(30_000)}!`;
    const started = Date.now();
    expect(ev('Replace([a], , "(a+)+$", , "x", , )', { a: input })).toBe(input);
    expect(ev('Replace([a], , "^(a|aa)+$", , "x", , )', { a: input })).toBe(input);
    expect(ev('Replace([a], , "(?<g>(a*)*b)", "g", "x", , )', { a: input })).toBe(input);
    expect(ev('Replace([t], , "(?<g>(\\\\w+\\\\s?)*$)", "g", , [a], )', { a: input })).toBe("");
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
