import { describe, expect, it } from "vitest";
import { compileExpression } from "../../src/index.ts";
import type { ExpressionContext } from "../../src/index.ts";

function ev(text: string, attributes: Record<string, unknown> = {}, context?: ExpressionContext): unknown {
  return compileExpression(text).evaluate(attributes, context);
}

describe("Append", () => {
  it("appends a suffix", () => {
    expect(ev('Append([userPrincipalName], ".test")', { userPrincipalName: "John.Doe@contoso.com" })).toBe("John.Doe@contoso.com.test");
  });
  it("gives null for a null source and treats a null suffix as empty", () => {
    expect(ev('Append([a], ".test")')).toBeNull();
    expect(ev("Append([a], [b])", { a: "x" })).toBe("x");
    expect(ev('Append([a], "!")', { a: "" })).toBe("!");
  });
  it("appends to each value of a multi-valued source", () => {
    expect(ev('Append([a], "!")', { a: ["x", "y"] })).toEqual(["x!", "y!"]);
  });
});

describe("Join", () => {
  it("joins with a separator, skipping null and empty sources", () => {
    expect(ev('Join(", ", "", [surname], [givenName])', { givenName: "John", surname: "Doe" })).toBe("Doe, John");
    expect(ev('Join(".", [a], [missing], [b])', { a: "x", b: "y" })).toBe("x.y");
    expect(ev('Join("", [a], [b])')).toBe("");
  });
  it("contributes every value of a multi-valued source", () => {
    expect(ev('Join(";", [groups], "last")', { groups: ["a", "", null, "b"] })).toBe("a;b;last");
  });
  it("writes numbers and booleans as text", () => {
    expect(ev('Join("-", 1000, [flag], 1.5)', { flag: true })).toBe("1000-True-1.5");
  });
});

describe("Left", () => {
  it("takes characters from the left", () => {
    expect(ev('Left("John Doe", 3)')).toBe("Joh");
  });
  it("follows the reference for 0, negative, too long and null", () => {
    expect(ev('Left("John", 0)')).toBe("");
    expect(ev('Left("John", -1)')).toBe("John");
    expect(ev('Left("John", 10)')).toBe("John");
    expect(ev("Left([missing], 2)")).toBe("");
  });
  it("works per value and rejects a non-number count", () => {
    expect(ev("Left([a], 1)", { a: ["ab", "cd"] })).toEqual(["a", "c"]);
    expect(() => ev('Left("x", "two")')).toThrow(/NumChars must be a number/);
  });
});

describe("Mid", () => {
  it("takes a 1-based substring", () => {
    expect(ev('Mid("John Doe", 1, 3)')).toBe("Joh");
    expect(ev('Mid("John Doe", 6, 3)')).toBe("Doe");
    expect(ev('Mid("John Doe", 6, 30)')).toBe("Doe");
    expect(ev('Mid("John", 9, 2)')).toBe("");
  });
  it("takes the rest when the length is left out", () => {
    expect(ev('Mid("SMTP:a@x.com", 6)')).toBe("a@x.com");
    expect(ev('Mid("SMTP:a@x.com", 6, )')).toBe("a@x.com");
  });
  it("gives null for null and fails for a start below 1 like VB", () => {
    expect(ev("Mid([a], 1, 2)")).toBeNull();
    expect(() => ev('Mid("abc", 0, 1)')).toThrow(/start must be 1 or more/);
    expect(() => ev('Mid("abc", 1, -1)')).toThrow(/length must not be negative/);
  });
});

describe("Word", () => {
  it("returns the n-th word", () => {
    expect(ev('Word("The quick brown fox",3," ")')).toBe("brown");
    expect(ev('Word("This,string!has&many separators",3,",!&#")')).toBe("has");
  });
  it("does not count empty words between repeated delimiters", () => {
    expect(ev('Word("a,,b", 2, ",")')).toBe("b");
  });
  it("gives an empty string for too few words, a number below 1, or null", () => {
    expect(ev('Word("a b", 3, " ")')).toBe("");
    expect(ev('Word("a b", 0, " ")')).toBe("");
    expect(ev('Word([missing], 1, " ")')).toBe("");
  });
});

describe("Trim and StripSpaces", () => {
  it("trims .NET white space at both ends", () => {
    expect(ev('Trim(" Test ")')).toBe("Test");
    expect(ev("Trim([a])", { a: "\u00a0\t x y \u3000\n" })).toBe("x y");
  });
  it("trims each value of a multi-valued attribute", () => {
    expect(ev("Trim([proxyAddresses])", { proxyAddresses: [" a ", "b "] })).toEqual(["a", "b"]);
  });
  it("removes only space characters with StripSpaces", () => {
    expect(ev("StripSpaces([a])", { a: " J o\thn " })).toBe("Jo\thn");
    expect(ev("StripSpaces([a])")).toBeNull();
    expect(ev("Trim([a])", { a: "" })).toBe("");
  });
});

describe("ToLower, ToUpper", () => {
  it("changes case with the invariant culture by default", () => {
    expect(ev("ToLower([a])", { a: "John.SMITH@Contoso.com" })).toBe("john.smith@contoso.com");
    expect(ev("ToUpper([a])", { a: "straße" })).toBe("STRAßE");
  });
  it("uses the culture given", () => {
    expect(ev('ToUpper([a], "tr-TR")', { a: "istanbul" })).toBe("İSTANBUL");
    expect(ev('ToLower([a], "tr-TR")', { a: "ISPARTA" })).toBe("ısparta");
    expect(ev("ToUpper([a], )", { a: "x" })).toBe("X");
  });
  it("gives null for null and works per value", () => {
    expect(ev("ToLower([a])")).toBeNull();
    expect(ev("ToUpper([a])", { a: ["a", "b"] })).toEqual(["A", "B"]);
  });
  it("fails for a culture that is not a culture name at evaluation", () => {
    expect(() => ev("ToLower([a], [c])", { a: "X", c: "no such culture!" })).toThrow(/not a culture name/);
  });
});

describe("PCase", () => {
  it("follows the reference examples", () => {
    expect(ev("PCase([firstName])", { firstName: "PABLO GONSALVES (SECOND)" })).toBe("Pablo Gonsalves (Second)");
    expect(ev("PCase([lastName],\" '-\")", { lastName: "PINTO-DE'SILVA" })).toBe("Pinto-De'Silva");
    expect(ev('PCase(Join(" ",[firstName],[lastName]))', { firstName: "GREGORY", lastName: "JAMES" })).toBe("Gregory James");
  });
  it("keeps an apostrophe inside a word with the default separators", () => {
    expect(ev("PCase([a])", { a: "o'NEIL mcdonald-smith" })).toBe("O'neil Mcdonald-Smith");
  });
  it("capitalises the first letter after digits, like .NET ToTitleCase", () => {
    expect(ev("PCase([a])", { a: "3RD avenue" })).toBe("3Rd Avenue");
  });
  it("gives null for null", () => {
    expect(ev("PCase([a])")).toBeNull();
  });
});

describe("NormalizeDiacritics", () => {
  it("follows Entra's table", () => {
    expect(ev("NormalizeDiacritics([givenName])", { givenName: "Zoë" })).toBe("Zoe");
    expect(ev("NormalizeDiacritics([a])", { a: "Ærøskøbing Œuvre Straße Łódź İzmir ı ǣ" })).toBe("AEroeskoebing OEuvre Strasse Lodz Izmir i ae");
    expect(ev("NormalizeDiacritics([a])", { a: "ÅÄÖ åäö ñ č ș ț ÿ" })).toBe("AAO aao n c s t y");
  });
  it("leaves other scripts alone", () => {
    expect(ev("NormalizeDiacritics([a])", { a: "Йорк 東京" })).toBe("Йорк 東京");
  });
  it("gives null for null", () => {
    expect(ev("NormalizeDiacritics([a])")).toBeNull();
  });
});

describe("Split", () => {
  it("splits on a delimiter and keeps empty pieces like .NET", () => {
    expect(ev('Split([a], ",")', { a: "PermissionSetOne,PermissionSetTwo" })).toEqual(["PermissionSetOne", "PermissionSetTwo"]);
    expect(ev('Split([a], ",")', { a: "a,,b" })).toEqual(["a", "", "b"]);
    expect(ev('Split([a], ", ")', { a: "a, b" })).toEqual(["a", "b"]);
  });
  it("gives the whole string for an empty delimiter and null for null", () => {
    expect(ev('Split([a], "")', { a: "a,b" })).toEqual(["a,b"]);
    expect(ev('Split([a], ",")')).toBeNull();
  });
});

describe("InStr", () => {
  it("finds the 1-based position", () => {
    expect(ev('InStr("The quick brown fox","quick")')).toBe(5);
    expect(ev('InStr("repEated","e",3,vbBinaryCompare)')).toBe(7);
    expect(ev('InStr("repEated","e",3,vbTextCompare)')).toBe(4);
    expect(ev('InStr("abc","z")')).toBe(0);
  });
  it("handles empty positions, empty needle, null and bad start", () => {
    expect(ev('InStr("abcabc","b", , )')).toBe(2);
    expect(ev('InStr("abc","", 2)')).toBe(2);
    expect(ev('InStr("abc","a", 9)')).toBe(0);
    expect(ev('InStr([a],"a")')).toBeNull();
    expect(() => ev('InStr("abc","a", 0)')).toThrow(/start must be 1 or more/);
  });
});

describe("ConvertToBase64, ConvertFromBase64, ConvertToUTF8Hex", () => {
  it("follow the reference examples", () => {
    expect(ev('ConvertToBase64("Hello world!")')).toBe("SABlAGwAbABvACAAdwBvAHIAbABkACEA");
    expect(ev('ConvertToUTF8Hex("Hello world!")')).toBe("48656C6C6F20776F726C6421");
    expect(ev('ConvertFromBase64("SABlAGwAbABvACAAdwBvAHIAbABkACEA")')).toBe("Hello world!");
    expect(ev('ConvertFromBase64("SGVsbG8gd29ybGQh", UTF8)')).toBe("Hello world!");
  });
  it("round-trips non-ASCII text", () => {
    expect(ev("ConvertFromBase64(ConvertToBase64([a]))", { a: "Zoë 😀" })).toBe("Zoë 😀");
    expect(ev("ConvertToUTF8Hex([a])", { a: "é" })).toBe("C3A9");
  });
  it("decodes ASCII with ? for bytes above 127", () => {
    expect(ev("ConvertFromBase64([a], ASCII)", { a: "SGnp" })).toBe("Hi?");
  });
  it("gives null for null and fails for text that is not base64", () => {
    expect(ev("ConvertToBase64([a])")).toBeNull();
    expect(() => ev('ConvertFromBase64("not base64!")')).toThrow(/not base64/);
  });
});

describe("CStr", () => {
  it("writes numbers, booleans and dates as text", () => {
    expect(ev("CStr([a])", { a: 42 })).toBe("42");
    expect(ev("CStr([a])", { a: 1e21 })).toBe("1E+21");
    expect(ev("CStr([a])", { a: false })).toBe("False");
    expect(ev("CStr([dn])", { dn: "cn=Joe,dc=contoso,dc=com" })).toBe("cn=Joe,dc=contoso,dc=com");
    expect(ev('CStr(CDate("2024-01-02T03:04:05Z"))')).toBe("1/2/2024 3:04:05 AM");
    expect(ev("CStr([a])")).toBeNull();
  });
});

describe("the & operator", () => {
  it("concatenates, reading null as empty", () => {
    expect(ev('"t-" & [alias]', { alias: "bob" })).toBe("t-bob");
    expect(ev('"t-" & [alias] & "!"')).toBe("t-!");
    expect(ev("[a] & 1", { a: ["x", "y"] })).toBe("x1");
  });
});
