import type { ExpressionNode } from "./expression-node.ts";

/** A string constant as expression text: quotes and backslashes escaped with a backslash. */
export function quoteExpressionString(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function numberText(node: { value: number; raw: string }): string {
  return node.raw !== "" ? node.raw : String(node.value);
}

function operand(node: ExpressionNode, parentIsConcat: boolean): string {
  const text = printExpression(node);
  if (node.kind === "comparison" || (parentIsConcat && node.kind === "concat")) return `(${text})`;
  return text;
}

/**
 * Prints a syntax tree as canonical expression text: function calls as
 * `Name(a, b)` with `", "` between arguments (an empty argument position
 * prints as nothing: `Replace([x], "a", , , "b", , )`), operators with one
 * space on each side, parentheses only where needed. Parsing the printed text
 * gives back the same tree.
 *
 * @example
 * ```ts
 * printExpression(parseExpression('Join( ",",[a] ,  [b])')); // 'Join(",", [a], [b])'
 * ```
 */
export function printExpression(node: ExpressionNode): string {
  switch (node.kind) {
    case "attribute":
      return `[${node.name}]`;
    case "string":
      return quoteExpressionString(node.value);
    case "number":
      return numberText(node);
    case "enum":
      return node.name;
    case "call":
      return `${node.name}(${node.args.map((a) => (a === null ? "" : printExpression(a))).join(", ")})`;
    case "comparison":
      return `${operand(node.left, false)} ${node.op} ${operand(node.right, false)}`;
    case "concat":
      return node.parts.map((p) => operand(p, true)).join(" & ");
  }
}
