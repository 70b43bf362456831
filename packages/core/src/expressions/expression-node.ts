/**
 * The syntax tree of a mapping expression, as produced by
 * {@link parseExpression} and printed by {@link printExpression}.
 *
 * Nodes carry an optional `span` (0-based `[start, end)` offsets in the text
 * they were parsed from); hand-built trees may leave it out.
 *
 * @module
 */

/** Offsets of a node in the text it was parsed from: `start` inclusive, `end` exclusive. */
export interface ExpressionSpan {
  start: number;
  end: number;
}

/** `[name]`: the value of a source attribute (null when absent). */
export interface AttributeNode {
  kind: "attribute";
  name: string;
  span?: ExpressionSpan;
}

/** `"text"`: a string constant (`value` is the text after unescaping). */
export interface StringNode {
  kind: "string";
  value: string;
  span?: ExpressionSpan;
}

/** A number: decimal (`42`, `-10`, `1.5`) or VB hexadecimal (`&HF7`). `raw` is the text as written. */
export interface NumberNode {
  kind: "number";
  value: number;
  raw: string;
  span?: ExpressionSpan;
}

/**
 * The bare words an expression may use as constants.
 *
 * @example
 * ```ts
 * ENUM_WORDS.includes("vbTextCompare"); // true
 * ```
 */
export const ENUM_WORDS = ["vbTextCompare", "vbBinaryCompare", "UTF8", "ASCII", "Unicode"] as const;
/** One of {@link ENUM_WORDS}. */
export type EnumWord = (typeof ENUM_WORDS)[number];

/** A bare enum word such as `vbTextCompare`. */
export interface EnumNode {
  kind: "enum";
  name: EnumWord;
  span?: ExpressionSpan;
}

/** `Name(arg, , arg)`: a function call; `null` stands for an argument position left empty. */
export interface CallNode {
  kind: "call";
  name: string;
  args: Array<ExpressionNode | null>;
  span?: ExpressionSpan;
}

/** The comparison operators allowed in conditions. */
export type ComparisonOperator = "=" | "<>" | ">" | ">=" | "<" | "<=";

/** `left op right`: a comparison; it evaluates to a boolean. */
export interface ComparisonNode {
  kind: "comparison";
  op: ComparisonOperator;
  left: ExpressionNode;
  right: ExpressionNode;
  span?: ExpressionSpan;
}

/** `a & b & c`: string concatenation (Cloud Sync dialect), at least two parts. */
export interface ConcatNode {
  kind: "concat";
  parts: ExpressionNode[];
  span?: ExpressionSpan;
}

/**
 * A node of an expression's syntax tree.
 *
 * @example
 * ```ts
 * const tree: ExpressionNode = { kind: "call", name: "ToLower", args: [{ kind: "attribute", name: "mail" }] };
 * printExpression(tree); // "ToLower([mail])"
 * ```
 */
export type ExpressionNode = AttributeNode | StringNode | NumberNode | EnumNode | CallNode | ComparisonNode | ConcatNode;
