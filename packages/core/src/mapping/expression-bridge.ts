/**
 * The few things the mapping layer takes from the expression language, in
 * one place.
 *
 * @module
 */
import type { AttributeMappingSource } from "../model/sync-job-config.ts";
import { expressionToMappingSource } from "../expressions/index.ts";

export { IGNORE_FLOW, ExpressionSyntaxError, compileExpression, mappingSourceToExpression } from "../expressions/index.ts";
export type { CompiledExpression } from "../expressions/index.ts";
/** How `evaluate` shapes a value it returns (used by the mapping layer's direct attribute reads). */
export { toOutput } from "../expressions/expression-values.ts";

/** Converts expression text to Entra's `attributeMappingSource` tree. */
export function expressionToEntraSource(text: string): AttributeMappingSource {
  return expressionToMappingSource(text);
}
