/**
 * The attribute-mapping expression language (Entra-compatible): parse,
 * print, compile, evaluate, convert to and from Graph's
 * `attributeMappingSource`, and the .NET regular expressions it uses.
 * Explicit re-exports for use inside `@tenantsync/core`; the public surface
 * is `@tenantsync/core` itself.
 *
 * @module
 */
export { compileExpression, compileExpressionNode } from "./compile-expression.ts";
export type { CompiledExpression } from "./compile-expression.ts";
export { DotNetRegexError, compileDotNetRegex } from "./dotnet-regex.ts";
export type { DotNetMatch, DotNetRegex, DotNetRegexOptions } from "./dotnet-regex.ts";
export { ExpressionEvaluationError, ExpressionSyntaxError } from "./expression-errors.ts";
export type { ExpressionContext } from "./expression-functions.ts";
export { ENUM_WORDS } from "./expression-node.ts";
export type {
  AttributeNode,
  CallNode,
  ComparisonNode,
  ComparisonOperator,
  ConcatNode,
  EnumNode,
  EnumWord,
  ExpressionNode,
  ExpressionSpan,
  NumberNode,
  StringNode,
} from "./expression-node.ts";
export { IGNORE_FLOW } from "./expression-values.ts";
export type { ExpressionValue, IgnoreFlow } from "./expression-values.ts";
export { expressionToMappingSource, mappingSourceToExpression } from "./mapping-source.ts";
export { normalizeDiacritics } from "./normalize-diacritics.ts";
export { MAX_EXPRESSION_DEPTH, MAX_EXPRESSION_LENGTH, parseExpression } from "./parse-expression.ts";
export { printExpression } from "./print-expression.ts";
