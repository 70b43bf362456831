/**
 * Scoping filters (SCOPING.md): compile Entra's `filter.groups` JSON once per
 * job, evaluate it per user, explain it clause by clause.
 *
 * @module
 */
export { compileScopingFilter } from "./scoping-filter.ts";
export type { CompiledScopingFilter, CompileScopingFilterOptions, ScopingFilterInput } from "./scoping-filter.ts";
export { INTEGER_SCOPING_OPERATORS, SCOPING_OPERATORS, UNARY_SCOPING_OPERATORS, canonicalScopingOperator } from "./scoping-operators.ts";
export type { ScopingOperator } from "./scoping-operators.ts";
