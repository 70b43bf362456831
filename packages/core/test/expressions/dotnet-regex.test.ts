import { describe, expect, it } from "vitest";
import { DotNetRegexError, compileDotNetRegex } from "../../src/expressions/dotnet-regex.ts";

function errorOf(pattern: string): DotNetRegexError {
  try {
    compileDotNetRegex(pattern);
  } catch (error) {
    if (error instanceof DotNetRegexError) return error;
    throw error;
  }
  throw new Error(`pattern ${pattern} compiled`);
}

describe("compileDotNetRegex: matching", () => {
  it("tests anywhere in the input", () => {
    const re = compileDotNetRegex("contoso\\.com$");
    expect(re.test("ada@contoso.com")).toBe(true);
    expect(re.test("ada@contosoXcom")).toBe(false);
  });

  it("honours ignoreCase and inline (?i)", () => {
    expect(compileDotNetRegex("ABC").test("abc")).toBe(false);
    expect(compileDotNetRegex("ABC", { ignoreCase: true }).test("abc")).toBe(true);
    expect(compileDotNetRegex("(?i)ABC").test("abc")).toBe(true);
    expect(compileDotNetRegex("(?i:A)B").test("aB")).toBe(true);
    expect(compileDotNetRegex("(?i:A)B").test("ab")).toBe(false);
  });

  it("gives \\d, \\w and \\s their Unicode meaning as in .NET", () => {
    expect(compileDotNetRegex("^\\d+$").test("١٢٣")).toBe(true); // Arabic-Indic digits
    expect(compileDotNetRegex("^\\w+$").test("Zoë_Łukasz")).toBe(true);
    expect(compileDotNetRegex("^\\s$").test("\u00a0")).toBe(true);
    expect(compileDotNetRegex("^\\W$").test("é")).toBe(false);
    expect(compileDotNetRegex("^[\\w.-]+$").test("zoë.o-b")).toBe(true);
    expect(compileDotNetRegex("^[^\\d]+$").test("abc")).toBe(true);
    expect(compileDotNetRegex("^[^\\d]+$").test("ab1")).toBe(false);
  });

  it("supports \\W and \\S inside a positive set", () => {
    expect(compileDotNetRegex("[\\W_]").replace("a b_c-d", "")).toBe("abcd");
    expect(compileDotNetRegex("^[^\\W]+$").test("abc")).toBe(true);
  });

  it("reads a { that is not a quantifier as a literal, as .NET does", () => {
    expect(compileDotNetRegex("a{,2}").test("a{,2}")).toBe(true);
    expect(compileDotNetRegex("^x{2}$").test("xx")).toBe(true);
    expect(compileDotNetRegex("^{name}$").test("{name}")).toBe(true);
  });

  it("translates escapes", () => {
    expect(compileDotNetRegex("^\\u00e9\\x41\\t\\040$").test("éA\t ")).toBe(true);
    expect(compileDotNetRegex("^\\uD83D\\uDE00$").test("😀")).toBe(true);
    expect(compileDotNetRegex("^\\cJ$").test("\n")).toBe(true);
    expect(compileDotNetRegex("^[\\b]$").test("\b")).toBe(true);
    expect(compileDotNetRegex("^\\p{Lu}\\P{Lu}$").test("Ab")).toBe(true);
    expect(compileDotNetRegex("^\\.\\#\\ $").test(".# ")).toBe(true);
  });

  it("ignores pattern white space and comments under x", () => {
    expect(compileDotNetRegex("(?x) a b  # comment\n c").test("abc")).toBe(true);
    expect(compileDotNetRegex("a b", { ignorePatternWhitespace: true }).test("ab")).toBe(true);
    expect(compileDotNetRegex("a(?#note)b").test("ab")).toBe(true);
    expect(compileDotNetRegex("(?x)[ ]").test(" ")).toBe(true);
  });

  it("runs captureless lookbehind", () => {
    expect(compileDotNetRegex("(?<=@)\\w+").replace("ada@contoso", "X")).toBe("ada@X");
    expect(compileDotNetRegex("(?<!@)b").test("@b")).toBe(false);
  });

  it("anchors ^ and $ at the whole input, and at lines under m", () => {
    expect(compileDotNetRegex("^b").test("a\nb")).toBe(false);
    expect(compileDotNetRegex("^b", { multiline: true }).test("a\nb")).toBe(true);
    expect(compileDotNetRegex("a.b").test("a\nb")).toBe(false);
    expect(compileDotNetRegex("a.b", { singleline: true }).test("a\nb")).toBe(true);
  });
});

describe("compileDotNetRegex: groups", () => {
  it("numbers unnamed groups before named ones, as .NET does", () => {
    const re = compileDotNetRegex("(?<name>x)(y)");
    expect(re.groupNames).toEqual(["0", "1", "name"]);
    expect(re.replace("xy", "$1|$2|${name}")).toBe("y|x|x");
  });

  it("extracts named groups, null for one that did not take part", () => {
    const re = compileDotNetRegex("(?<first>\\w+) (?:(?<middle>\\w+) )?(?<last>\\w+)");
    expect(re.namedGroups("Ada Lovelace")).toEqual({ first: "Ada", middle: null, last: "Lovelace" });
    expect(re.namedGroups("!!!")).toBeNull();
    expect(compileDotNetRegex("(?'q'a)").namedGroups("a")).toEqual({ q: "a" });
  });

  it("reports group spans", () => {
    const m = compileDotNetRegex("@(?<domain>.+)$").match("ada@contoso.com");
    expect(m?.index).toBe(3);
    expect(m?.value).toBe("@contoso.com");
    expect(m?.groupSpan("domain")).toEqual([4, 15]);
    expect(m?.group("nope")).toBeNull();
  });

  it("makes unnamed groups non-capturing under explicit capture (n)", () => {
    expect(compileDotNetRegex("(?n)(a)(?<b>b)").groupNames).toEqual(["0", "b"]);
    expect(compileDotNetRegex("(a)(?<b>b)", { explicitCapture: true }).replace("ab", "$1|${b}|$2")).toBe("b|b|$2"); // b is group 1 when (a) does not capture
  });

  it("lets a name repeat across alternatives", () => {
    const re = compileDotNetRegex("(?<v>a\\d)|(?<v>b\\d)");
    expect(re.namedGroups("b7")).toEqual({ v: "b7" });
    expect(re.namedGroups("a1")).toEqual({ v: "a1" });
  });
});

describe("compileDotNetRegex: replace", () => {
  it("replaces every match", () => {
    expect(compileDotNetRegex("o").replace("foo boo", "0")).toBe("f00 b00");
  });

  it("handles empty matches like .NET", () => {
    expect(compileDotNetRegex("a*").replace("baaac", "-")).toBe("-b--c-");
    expect(compileDotNetRegex("x*").replace("😀", "-")).toBe("-😀-");
    expect(compileDotNetRegex("").replace("", "-")).toBe("-");
  });

  it("implements the .NET substitutions", () => {
    const re = compileDotNetRegex("(?<d>\\d)");
    expect(re.replace("a1b", "[$$]")).toBe("a[$]b");
    expect(re.replace("a1b", "[$&]")).toBe("a[1]b");
    expect(re.replace("a1b", "[$`]")).toBe("a[a]b");
    expect(re.replace("a1b", "[$']")).toBe("a[b]b");
    expect(re.replace("a1b", "[$_]")).toBe("a[a1b]b");
    expect(re.replace("a1b", "[$+]")).toBe("a[1]b");
    expect(re.replace("a1b", "[${1}]")).toBe("a[1]b");
  });

  it("keeps substitutions that name no group as literal text", () => {
    const re = compileDotNetRegex("(\\d)");
    expect(re.replace("1", "$2|${x}|$|$x|${")).toBe("$2|${x}|$|$x|${");
    expect(re.replace("1", "$10")).toBe("$10");
  });

  it("writes an empty string for a group that did not take part", () => {
    expect(compileDotNetRegex("(a)|(b)").replace("b", "[$1][$2]")).toBe("[][b]");
  });
});

describe("compileDotNetRegex: refusals", () => {
  it.each([
    ["(a)\\1", "backreference", 3],
    ["(?<n>a)\\k<n>", "backreference", 7],
    ["a(?=b)", "lookahead", 1],
    ["a(?!b)", "lookahead", 1],
    ["(?>a+)", "atomic group", 0],
    ["(?(a)b|c)", "conditional", 0],
    ["(?<o-c>a)", "balancing group", 0],
    ["[a-z-[aeiou]]", "class subtraction", 4],
    ["\\Ga", "\\G", 0],
    ["\\p{IsGreek}", "unicode block", 0],
    ["a{1001}", "repeat count", 1],
    ["(?<=(a))b", "capture in lookbehind", 4],
    ["[^\\Wx]", "negated class with \\W or \\S", 0],
  ])("refuses %s as %s at %i", (pattern, construct, position) => {
    const e = errorOf(pattern);
    expect(e.code).toBe("REGEX_UNSUPPORTED");
    expect(e.construct).toBe(construct);
    expect(e.position).toBe(position);
    expect(e.message).toContain(`position ${position}`);
    expect(e.pattern).toBe(pattern);
  });

  it.each([["("], [")"], ["\\q"], ["[abc"], ["[z-a]"], ["a{3,1}"], ["\\"], ["(?<1a>x)"], ["\\xZ1"], ["**"], ["(?Q)"]])(
    "rejects the malformed pattern %s",
    (pattern) => {
      expect(errorOf(pattern).code).toBe("REGEX_INVALID");
    },
  );
});

describe("compileDotNetRegex: no catastrophic backtracking", () => {
  // No-hang guard: a backtracking engine needs years for these; the bound is generous on purpose.
  it("finishes (a+)+$ and friends against long non-matching input", () => {
    const input = `${"a".repeat(20_000)}!`;
    const started = Date.now();
    for (const pattern of ["(a+)+$", "(a|aa)+$", "(a*)*b", "^(\\w+\\s?)*$", "(.*a){20}"]) {
      const re = compileDotNetRegex(pattern);
      re.test(input);
      re.replace(input, "x");
      re.match(input);
    }
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
