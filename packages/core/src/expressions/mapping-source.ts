import { ConfigError } from "../errors/errors.ts";
import type { ConfigIssue } from "../errors/errors.ts";
import type { AttributeMappingSource } from "../model/sync-job-config.ts";
import { compileExpression } from "./compile-expression.ts";
import type { CompiledExpression } from "./compile-expression.ts";
import { ExpressionSyntaxError } from "./expression-errors.ts";
import { FUNCTIONS } from "./expression-functions.ts";
import type { FunctionDef } from "./expression-functions.ts";
import { ENUM_WORDS } from "./expression-node.ts";
import type { CallNode, ComparisonOperator, EnumWord, ExpressionNode } from "./expression-node.ts";
import { MAX_EXPRESSION_DEPTH, parseExpression } from "./parse-expression.ts";
import { printExpression } from "./print-expression.ts";

const COMPARISONS: ReadonlySet<string> = new Set(["=", "<>", ">", ">=", "<", "<="]);
const enumWords: ReadonlySet<string> = new Set(ENUM_WORDS);
const REPLACE_POSITIONS = 7;

/**
 * The form a tree takes in Graph JSON, where empty parameters do not exist:
 * trailing empty positions dropped, `Replace` always with its seven
 * positions (as Entra writes it), `FormatDateTime` without `dateTimeStyles`
 * in its three-argument form.
 */
function normalize(node: ExpressionNode): ExpressionNode {
  switch (node.kind) {
    case "call": {
      let args = node.args.map((a) => (a === null ? null : normalize(a)));
      if (node.name === "FormatDateTime" && args.length === 4 && args[1] === null) args = [args[0] ?? null, args[2] ?? null, args[3] ?? null];
      while (args.length > 0 && args[args.length - 1] === null) args.pop();
      if (node.name === "Replace") while (args.length < REPLACE_POSITIONS) args.push(null);
      return { ...node, args };
    }
    case "comparison":
      return { ...node, left: normalize(node.left), right: normalize(node.right) };
    case "concat":
      return { ...node, parts: node.parts.map(normalize) };
    default:
      return node;
  }
}

function paramKey(fn: FunctionDef | undefined, call: CallNode, index: number): string {
  if (!fn) return `arg${index + 1}`;
  if (fn.name === "FormatDateTime" && call.args.length === 3) return (["source", "inputFormat", "outputFormat"][index] as string);
  const param = index < fn.params.length ? fn.params[index] : fn.repeat;
  return param?.key ?? `arg${index + 1}`;
}

function toSource(node: ExpressionNode): AttributeMappingSource {
  switch (node.kind) {
    case "attribute":
      return { type: "Attribute", name: node.name, expression: printExpression(node), parameters: [] };
    case "string":
      return { type: "Constant", name: node.value, expression: printExpression(node), parameters: [] };
    case "number":
    case "enum":
      return { type: "Constant", name: printExpression(node), expression: printExpression(node), parameters: [] };
    case "call": {
      const fn = FUNCTIONS.get(node.name);
      const parameters: Array<{ key: string; value: AttributeMappingSource }> = [];
      node.args.forEach((a, i) => {
        if (a !== null) parameters.push({ key: paramKey(fn, node, i), value: toSource(a) });
      });
      return { type: "Function", name: node.name, expression: printExpression(node), parameters };
    }
    case "comparison":
      return {
        type: "Function",
        name: node.op,
        expression: printExpression(node),
        parameters: [
          { key: "left", value: toSource(node.left) },
          { key: "right", value: toSource(node.right) },
        ],
      };
    case "concat":
      return {
        type: "Function",
        name: "&",
        expression: printExpression(node),
        parameters: node.parts.map((part) => ({ key: "source", value: toSource(part) })),
      };
  }
}

/**
 * Converts an expression to Graph's `attributeMappingSource` tree (the JSON
 * Entra stores in a synchronization schema). Function parameters use Graph's
 * keys (`source`, `suffix`, `separator`; for `Replace`: `Find`,
 * `RegularExpression`, `RegularExpressionGroupName`, `Replacement`,
 * `ReplacementPropertyName`, `Template`); an empty argument position has no
 * parameter. Comparisons and `&` become functions named by their operator
 * (parameters `left`/`right`, and `source` for each part of `&`).
 *
 * Throws {@link ExpressionSyntaxError} when the text does not compile.
 *
 * @example
 * ```ts
 * expressionToMappingSource('Append([mailNickname], "@contoso.com")');
 * // { type: "Function", name: "Append", expression: 'Append([mailNickname], "@contoso.com")', parameters: [
 * //   { key: "source", value: { type: "Attribute", name: "mailNickname", expression: "[mailNickname]", parameters: [] } },
 * //   { key: "suffix", value: { type: "Constant", name: "@contoso.com", expression: '"@contoso.com"', parameters: [] } } ] }
 * ```
 */
export function expressionToMappingSource(expression: string | CompiledExpression): AttributeMappingSource {
  const compiled = typeof expression === "string" ? compileExpression(expression) : expression;
  return toSource(normalize(compiled.ast));
}

type Path = Array<string | number>;

class SourceReader {
  readonly issues: ConfigIssue[] = [];

  private issue(path: Path, message: string): null {
    this.issues.push({ path: [...path], message });
    return null;
  }

  read(value: unknown, path: Path, depth: number): ExpressionNode | null {
    if (depth > MAX_EXPRESSION_DEPTH) return this.issue(path, `the mapping source is nested more than ${MAX_EXPRESSION_DEPTH} levels deep`);
    if (value === null || typeof value !== "object" || Array.isArray(value)) return this.issue(path, "expected an attributeMappingSource object");
    const src = value as Record<string, unknown>;
    const type = src.type;
    const name = src.name;
    const expression = src.expression;
    switch (type) {
      case "Attribute": {
        if (typeof name !== "string" || name.trim() === "") return this.issue([...path, "name"], "an Attribute source needs the attribute name");
        if (/[\]\r\n]/.test(name)) return this.issue([...path, "name"], `attribute name ${JSON.stringify(name)} cannot contain ']' or a line break`);
        return { kind: "attribute", name };
      }
      case "Constant":
        return this.constant(name, expression, path);
      case "Function":
        return this.func(src, path, depth);
      default:
        return this.issue([...path, "type"], `type must be Attribute, Constant or Function, got ${JSON.stringify(type)}`);
    }
  }

  private constant(name: unknown, expression: unknown, path: Path): ExpressionNode | null {
    if (typeof expression === "string") {
      const text = expression.trim();
      // The expression text tells a number or an enum word from a string.
      if (typeof name !== "string" || name === text) {
        if (enumWords.has(text)) return { kind: "enum", name: text as EnumWord };
        if (/^(-?\d+(\.\d+)?|&[hH][0-9a-fA-F]{1,16})$/.test(text)) {
          const node = parseExpression(text);
          if (node.kind === "number") return node;
        }
      }
      if (typeof name !== "string" && text.startsWith('"')) {
        try {
          const node = parseExpression(text);
          if (node.kind === "string") return { kind: "string", value: node.value };
        } catch (error) {
          if (!(error instanceof ExpressionSyntaxError)) throw error;
        }
      }
    }
    if (typeof name !== "string") return this.issue([...path, "name"], "a Constant source needs its value in name");
    return { kind: "string", value: name };
  }

  private func(src: Record<string, unknown>, path: Path, depth: number): ExpressionNode | null {
    const name = src.name;
    if (typeof name !== "string" || name === "") return this.issue([...path, "name"], "a Function source needs the function name");
    const rawParams = src.parameters ?? [];
    if (!Array.isArray(rawParams)) return this.issue([...path, "parameters"], "parameters must be an array of { key, value }");
    const params: Array<{ key: string; value: ExpressionNode | null; index: number }> = [];
    rawParams.forEach((entry: unknown, i) => {
      const at = [...path, "parameters", i];
      if (entry === null || typeof entry !== "object" || typeof (entry as { key?: unknown }).key !== "string") {
        this.issue(at, "a parameter must be { key: string, value: attributeMappingSource }");
        return;
      }
      const e = entry as { key: string; value?: unknown };
      params.push({ key: e.key, value: this.read(e.value, [...at, "value"], depth + 1), index: i });
    });
    if (COMPARISONS.has(name)) {
      const left = params.find((p) => p.key.toLowerCase() === "left");
      const right = params.find((p) => p.key.toLowerCase() === "right");
      if (!left || !right || params.length !== 2) return this.issue([...path, "parameters"], `the comparison ${name} needs exactly the parameters left and right`);
      if (!left.value || !right.value) return null;
      return { kind: "comparison", op: name as ComparisonOperator, left: left.value, right: right.value };
    }
    if (name === "&") {
      if (params.length < 2) return this.issue([...path, "parameters"], "the & operator needs at least two source parameters");
      const parts = params.map((p) => p.value);
      if (parts.some((x) => x === null)) return null;
      return { kind: "concat", parts: parts as ExpressionNode[] };
    }
    const fn = FUNCTIONS.get(name);
    if (!fn) return this.issue([...path, "name"], `unknown function '${name}'`);
    const slots: Array<ExpressionNode | null> = [];
    const filled = new Set<number>();
    const keyMatches = (key: string, param: { key: string; aliases?: readonly string[] } | undefined): boolean =>
      param !== undefined && (param.key.toLowerCase() === key || (param.aliases ?? []).some((a) => a.toLowerCase() === key));
    const threeArgDate = fn.name === "FormatDateTime" && !params.some((p) => p.key.toLowerCase() === "datetimestyles");
    const fixed = threeArgDate ? fn.params.filter((x) => x.key !== "dateTimeStyles") : fn.params;
    let nextRepeat = fixed.length;
    let ok = true;
    for (const p of params) {
      const key = p.key.toLowerCase();
      const at = [...path, "parameters", p.index, "key"];
      let index = fixed.findIndex((param) => keyMatches(key, param));
      if (index >= 0 && filled.has(index)) {
        if (keyMatches(key, fn.repeat)) index = -1;
        else {
          this.issue(at, `${fn.name} has the parameter '${p.key}' twice`);
          ok = false;
          continue;
        }
      }
      if (index < 0) {
        if (!keyMatches(key, fn.repeat)) {
          const keys = [...fixed.map((x) => x.key), ...(fn.repeat ? [`${fn.repeat.key} (repeated)`] : [])];
          this.issue(at, `${fn.name} has no parameter '${p.key}' (parameters: ${keys.join(", ") || "none"})`);
          ok = false;
          continue;
        }
        index = nextRepeat++;
      }
      filled.add(index);
      while (slots.length <= index) slots.push(null);
      slots[index] = p.value;
      if (p.value === null) ok = false;
    }
    if (!ok) return null;
    if (fn.name === "Replace") while (slots.length < REPLACE_POSITIONS) slots.push(null);
    return { kind: "call", name: fn.name, args: slots };
  }
}

/**
 * Converts Graph's `attributeMappingSource` JSON tree to expression text
 * (the inverse of {@link expressionToMappingSource}). Parameters are matched
 * to argument positions by key, without regard to case; the reference's
 * names are accepted too (`oldValue` for `Find`, `regexPattern` for
 * `RegularExpression`, …). A Constant whose `expression` is a number or an
 * enum word keeps that kind; any other Constant is a string.
 *
 * Throws {@link ConfigError} listing every problem with its JSON path, or
 * when the resulting expression does not compile.
 *
 * @example
 * ```ts
 * mappingSourceToExpression({ type: "Function", name: "ToLower", parameters: [{ key: "source", value: { type: "Attribute", name: "mail" } }] });
 * // "ToLower([mail])"
 * ```
 */
export function mappingSourceToExpression(source: AttributeMappingSource): string {
  const reader = new SourceReader();
  const node = reader.read(source, [], 0);
  if (reader.issues.length > 0 || node === null) throw new ConfigError(reader.issues, "attribute mapping source");
  const text = printExpression(node);
  try {
    compileExpression(text);
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) {
      throw new ConfigError([{ path: [], message: `the expression ${text} does not compile: ${error.detail}` }], "attribute mapping source", { cause: error });
    }
    throw error;
  }
  return text;
}
