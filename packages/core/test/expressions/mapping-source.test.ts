import { describe, expect, it } from "vitest";
import { ConfigError, compileExpression, expressionToMappingSource, mappingSourceToExpression } from "../../src/index.ts";
import type { AttributeMappingSource } from "../../src/index.ts";

/**
 * The `parsedExpression` of the response example in Microsoft Graph's
 * "synchronizationSchema: parseExpression" reference page
 * (microsoftgraph/microsoft-graph-docs-contrib,
 * api-reference/v1.0/api/synchronization-synchronizationschema-parseexpression.md).
 */
const graphParsedReplace: AttributeMappingSource = {
  expression: 'Replace([preferredLanguage], "-", , , "_", , )',
  name: "Replace",
  parameters: [
    { key: "source", value: { expression: "[preferredLanguage]", name: "preferredLanguage", parameters: [], type: "Attribute" } },
    { key: "Find", value: { expression: '"-"', name: "-", parameters: [], type: "Constant" } },
    { key: "Replacement", value: { expression: '"_"', name: "_", parameters: [], type: "Constant" } },
  ],
  type: "Function",
};

describe("expressionToMappingSource", () => {
  it("produces Graph's tree for the documented Replace example", () => {
    expect(expressionToMappingSource('Replace([preferredLanguage], "-", , , "_", ,  )')).toEqual(graphParsedReplace);
  });

  it("uses Graph's parameter keys and nests functions", () => {
    const tree = expressionToMappingSource('Append(Join(", ", [LastName], [FirstName]), "@contoso.com")');
    expect(tree.type).toBe("Function");
    expect(tree.name).toBe("Append");
    expect(tree.parameters?.map((p) => p.key)).toEqual(["source", "suffix"]);
    const join = tree.parameters?.[0]?.value;
    expect(join?.name).toBe("Join");
    expect(join?.expression).toBe('Join(", ", [LastName], [FirstName])');
    expect(join?.parameters?.map((p) => p.key)).toEqual(["separator", "source", "source"]);
    expect(join?.parameters?.[0]?.value).toEqual({ type: "Constant", name: ", ", expression: '", "', parameters: [] });
  });

  it("keys Switch pairs as switchValue and leaves out empty positions", () => {
    const tree = expressionToMappingSource('Switch([Active], , "1", "True", "0", "False")');
    expect(tree.parameters?.map((p) => p.key)).toEqual(["source", "switchValue", "switchValue", "switchValue", "switchValue"]);
  });

  it("writes numbers and enum words as constants that keep their kind", () => {
    const tree = expressionToMappingSource('InStr([a], "e", 3, vbTextCompare)');
    expect(tree.parameters?.[2]?.value).toEqual({ type: "Constant", name: "3", expression: "3", parameters: [] });
    expect(tree.parameters?.[3]?.value).toEqual({ type: "Constant", name: "vbTextCompare", expression: "vbTextCompare", parameters: [] });
    expect(mappingSourceToExpression(tree)).toBe('InStr([a], "e", 3, vbTextCompare)');
  });

  it("writes operators as functions named by the operator", () => {
    const tree = expressionToMappingSource('IIF([a] = "x", "t-" & [b], [b])');
    const cond = tree.parameters?.[0]?.value;
    expect(cond?.name).toBe("=");
    expect(cond?.parameters?.map((p) => p.key)).toEqual(["left", "right"]);
    expect(tree.parameters?.[1]?.value.name).toBe("&");
    expect(mappingSourceToExpression(tree)).toBe('IIF([a] = "x", "t-" & [b], [b])');
  });

  it("uses the three-argument FormatDateTime when dateTimeStyles is empty", () => {
    const tree = expressionToMappingSource('FormatDateTime([d], , "yyyyMMdd", "yyyy-MM-dd")');
    expect(tree.parameters?.map((p) => p.key)).toEqual(["source", "inputFormat", "outputFormat"]);
    expect(tree.expression).toBe('FormatDateTime([d], "yyyyMMdd", "yyyy-MM-dd")');
    const styled = expressionToMappingSource('FormatDateTime([d], "AllowWhiteSpaces", "yyyyMMdd", "yyyy-MM-dd")');
    expect(styled.parameters?.map((p) => p.key)).toEqual(["source", "dateTimeStyles", "inputFormat", "outputFormat"]);
  });

  it("accepts a compiled expression and rejects text that does not compile", () => {
    expect(expressionToMappingSource(compileExpression("[mail]"))).toEqual({ type: "Attribute", name: "mail", expression: "[mail]", parameters: [] });
    expect(() => expressionToMappingSource("Nope([mail])")).toThrow(/unknown function/);
  });
});

describe("mappingSourceToExpression", () => {
  it("turns Graph's documented tree back into Entra's text", () => {
    expect(mappingSourceToExpression(graphParsedReplace)).toBe('Replace([preferredLanguage], "-", , , "_", , )');
  });

  it("accepts minimal trees without expression fields", () => {
    expect(mappingSourceToExpression({ type: "Function", name: "ToLower", parameters: [{ key: "source", value: { type: "Attribute", name: "mail" } }] })).toBe(
      "ToLower([mail])",
    );
    expect(mappingSourceToExpression({ type: "Constant", name: 'say "hi"' })).toBe('"say \\"hi\\""');
    expect(mappingSourceToExpression({ type: "Constant", name: null, expression: '"x"' })).toBe('"x"');
  });

  it("matches keys without regard to case and accepts the reference's names for Replace", () => {
    const src: AttributeMappingSource = {
      type: "Function",
      name: "Replace",
      parameters: [
        { key: "Source", value: { type: "Attribute", name: "mail" } },
        { key: "regexPattern", value: { type: "Constant", name: "@.*$" } },
        { key: "replacementValue", value: { type: "Constant", name: "" } },
      ],
    };
    expect(mappingSourceToExpression(src)).toBe('Replace([mail], , "@.*$", , "", , )');
  });

  it("places parameters by key whatever their order", () => {
    const src: AttributeMappingSource = {
      type: "Function",
      name: "Mid",
      parameters: [
        { key: "length", value: { type: "Constant", name: "3", expression: "3" } },
        { key: "source", value: { type: "Attribute", name: "givenName" } },
        { key: "start", value: { type: "Constant", name: "1", expression: "1" } },
      ],
    };
    expect(mappingSourceToExpression(src)).toBe("Mid([givenName], 1, 3)");
  });

  it("reports every problem with its JSON path", () => {
    let error: unknown;
    try {
      mappingSourceToExpression({
        type: "Function",
        name: "Append",
        parameters: [
          { key: "source", value: { type: "Attribute", name: "" } },
          { key: "bogus", value: { type: "Constant", name: "x" } },
          { key: "suffix", value: { type: "Thing" as "Constant", name: "x" } },
        ],
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues.map((i) => [i.path.join("."), i.message]).sort();
    expect(issues).toEqual([
      ["parameters.0.value.name", "an Attribute source needs the attribute name"],
      ["parameters.1.key", "Append has no parameter 'bogus' (parameters: source, suffix)"],
      ["parameters.2.value.type", 'type must be Attribute, Constant or Function, got "Thing"'],
    ]);
  });

  it("rejects unknown functions, repeated keys and trees that do not compile", () => {
    expect(() => mappingSourceToExpression({ type: "Function", name: "Frob", parameters: [] })).toThrow(/unknown function 'Frob'/);
    expect(() =>
      mappingSourceToExpression({
        type: "Function",
        name: "Append",
        parameters: [
          { key: "source", value: { type: "Attribute", name: "a" } },
          { key: "source", value: { type: "Attribute", name: "b" } },
        ],
      }),
    ).toThrow(/parameter 'source' twice/);
    expect(() => mappingSourceToExpression({ type: "Function", name: "Append", parameters: [{ key: "source", value: { type: "Attribute", name: "a" } }] })).toThrow(
      /does not compile: Append takes 2 arguments/,
    );
  });

  it("refuses trees nested too deeply instead of overflowing the stack", () => {
    let tree: AttributeMappingSource = { type: "Attribute", name: "a" };
    for (let i = 0; i < 50_000; i++) tree = { type: "Function", name: "Trim", parameters: [{ key: "source", value: tree }] };
    expect(() => mappingSourceToExpression(tree)).toThrow(/nested more than 100 levels/);
  });
});
