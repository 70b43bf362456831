import { describe, expect, it } from "vitest";
import { ExpressionEvaluationError, compileExpression } from "../../src/index.ts";
import type { ExpressionContext } from "../../src/index.ts";

function ev(text: string, attributes: Record<string, unknown> = {}, context?: ExpressionContext): unknown {
  return compileExpression(text).evaluate(attributes, context);
}

/** A deterministic [0, 1) source (a small LCG), so random functions can be checked exactly. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4_294_967_296;
  };
}

describe("BitAnd", () => {
  it("ANDs the bits of two numbers", () => {
    expect(ev("BitAnd(&HF, &HF7)")).toBe(7);
    expect(ev("BitAnd([uac], 2)", { uac: 514 })).toBe(2);
    expect(ev("BitAnd([uac], 2)", { uac: "512" })).toBe(0);
    expect(ev("BitAnd(-1, 255)")).toBe(255);
  });
  it("gives null for null and fails for non-integers", () => {
    expect(ev("BitAnd([a], 1)")).toBeNull();
    expect(() => ev("BitAnd(1.5, 1)")).toThrow(/whole number/);
    expect(() => ev('BitAnd("x", 1)')).toThrow(/value1 must be a number/);
  });
});

describe("Guid", () => {
  it("makes a version-4 GUID from the context's random source, reproducibly", () => {
    const a = ev("Guid()", {}, { random: seeded(42) });
    const b = ev("Guid()", {}, { random: seeded(42) });
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ev("Guid()", {}, { random: seeded(43) })).not.toBe(a);
  });
  it("uses the platform's random GUIDs without a random source", () => {
    const g = ev("Guid()") as string;
    expect(g).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ev("Guid()")).not.toBe(g);
  });
});

describe("RandomString", () => {
  const count = (s: string, re: RegExp): number => [...s].filter((c) => re.test(c)).length;

  it("meets the minimums and the length", () => {
    for (let seed = 1; seed <= 50; seed++) {
      const s = ev('RandomString(10,2,2,2,1,"?,")', {}, { random: seeded(seed) }) as string;
      expect(s).toHaveLength(10);
      expect(count(s, /\d/)).toBeGreaterThanOrEqual(2);
      expect(count(s, /[A-Z]/)).toBeGreaterThanOrEqual(2);
      expect(count(s, /[a-z]/)).toBeGreaterThanOrEqual(1);
      expect(count(s, /[^A-Za-z0-9]/)).toBeGreaterThanOrEqual(2);
      expect(s).not.toMatch(/[?,]/);
    }
  });

  it("is reproducible with the same random source and works without one", () => {
    expect(ev("RandomString(6,3,0,0,3)", {}, { random: seeded(7) })).toBe(ev("RandomString(6,3,0,0,3)", {}, { random: seeded(7) }));
    const s = ev("RandomString(6,3,0,0,3)") as string;
    expect(count(s, /\d/)).toBeGreaterThanOrEqual(3);
    expect(count(s, /[a-z]/)).toBeGreaterThanOrEqual(3);
  });

  it("fails for impossible requests", () => {
    expect(() => ev("RandomString(3,2,2,0,0)")).toThrow(/add up to more than Length/);
    expect(() => ev("RandomString(300,0,0,0,0)")).toThrow(/between 1 and 256/);
    expect(() => ev('RandomString(4,1,0,0,0,"0123456789")')).toThrow(/removes every character of a required kind/);
  });
});

describe("Redact", () => {
  it("lets the value flow and marks the expression as redacting", () => {
    const c = compileExpression("Redact([userPrincipalName])");
    expect(c.redacts).toBe(true);
    expect(c.evaluate({ userPrincipalName: "ada@contoso.com" })).toBe("ada@contoso.com");
    expect(compileExpression('Append(Redact(RandomString(6,3,0,0,3)), "!")').redacts).toBe(true);
    expect(compileExpression("[userPrincipalName]").redacts).toBe(false);
  });
});

describe("SingleAppRoleAssignment and AppRoleAssignmentsComplex", () => {
  it("returns one role name", () => {
    expect(ev("SingleAppRoleAssignment([appRoleAssignments])", { appRoleAssignments: ["User"] })).toBe("User");
    expect(ev("SingleAppRoleAssignment([appRoleAssignments])", { appRoleAssignments: [{ value: "Admin", displayName: "Administrator" }] })).toBe("Admin");
    expect(ev("SingleAppRoleAssignment([appRoleAssignments])", { appRoleAssignments: [] })).toBeNull();
  });
  it("returns every assignment", () => {
    const roles = [{ value: "Admin" }, { value: "User" }];
    expect(ev("AppRoleAssignmentsComplex([appRoleAssignments])", { appRoleAssignments: roles })).toEqual(roles);
    expect(ev("AppRoleAssignmentsComplex([appRoleAssignments])")).toBeNull();
  });
});

describe("AltSecIdFromNetId", () => {
  it("prefixes the source tenant id, lower-cased", () => {
    const ctx = { sourceTenantId: "AAAAAAAA-1111-4111-8111-111111111111" };
    expect(ev("AltSecIdFromNetId([netId])", { netId: "BBBBBBBB-2222-4222-8222-222222222222" }, ctx)).toBe(
      "aaaaaaaa-1111-4111-8111-111111111111:bbbbbbbb-2222-4222-8222-222222222222",
    );
  });
  it("is the id alone without a source tenant, and null without an id", () => {
    expect(ev("AltSecIdFromNetId([netId])", { netId: "ABC" })).toBe("abc");
    expect(ev("AltSecIdFromNetId([netId])", {}, { sourceTenantId: "t" })).toBeNull();
  });
});

describe("evaluate: values leaving an expression", () => {
  it("renders booleans as True/False, keeps numbers, arrays and null", () => {
    expect(ev("[a]", { a: true })).toBe("True");
    expect(ev("[a]", { a: false })).toBe("False");
    expect(ev("[a]", { a: 3 })).toBe(3);
    expect(ev("[a]", { a: ["x", null, "y"] })).toEqual(["x", "y"]);
    expect(ev("[a]", {})).toBeNull();
    expect(ev("[a]", { a: undefined })).toBeNull();
    expect(ev("[a]", { a: 12n })).toBe("12");
    expect(ev("[a]", { a: new Date("2024-01-02T03:04:05Z") })).toBe("2024-01-02T03:04:05.000Z");
    expect(ev('"x" = "x"')).toBe("True");
  });
  it("passes objects through unchanged", () => {
    const manager = { id: "m1" };
    expect(ev("[manager]", { manager })).toEqual(manager);
  });
  it("never reads inherited properties as attributes", () => {
    expect(ev("[constructor]", {})).toBeNull();
    expect(ev("[__proto__]", {})).toBeNull();
    expect(ev("[toString]", { toString: "own" })).toBe("own");
  });
  it("lists the attributes an expression reads", () => {
    expect(compileExpression('Join(" ", [givenName], [surname], [givenName])').references).toEqual(["givenName", "surname"]);
    expect(compileExpression('IIF([a] = "x", Coalesce([b], "c"), [d] & [e])').references).toEqual(["a", "b", "d", "e"]);
    expect(compileExpression('"constant"').references).toEqual([]);
  });
  it("wraps unexpected failures in an ExpressionEvaluationError", () => {
    const throwing = {
      get a(): unknown {
        throw new Error("backing store failed");
      },
    };
    const e = (() => {
      try {
        compileExpression("ToLower([a])").evaluate(throwing);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(ExpressionEvaluationError);
    expect((e as Error).message).toContain("backing store failed");
  });
});

describe("compile once, evaluate many", () => {
  it("gives the same results from one compiled expression across inputs", () => {
    const c = compileExpression('ToLower(Join("@", NormalizeDiacritics(StripSpaces(Join(".", [PreferredFirstName], [PreferredLastName]))), "contoso.com"))');
    expect(c.evaluate({ PreferredFirstName: "John", PreferredLastName: "Smith" })).toBe("john.smith@contoso.com");
    expect(c.evaluate({ PreferredFirstName: "Zoë", PreferredLastName: "Van Dyke" })).toBe("zoe.vandyke@contoso.com");
    expect(c.evaluate({ PreferredFirstName: "John", PreferredLastName: "Smith" })).toBe("john.smith@contoso.com");
  });
});
