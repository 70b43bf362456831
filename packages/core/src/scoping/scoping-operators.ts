/**
 * The operators of a scoping-filter clause, spelled as Entra spells them in
 * the portal and in the synchronization schema JSON (`filterClause.operatorName`).
 * See SCOPING.md and Entra's "Scoping users or groups to be provisioned with
 * scoping filters" (MicrosoftDocs/entra-docs,
 * docs/identity/app-provisioning/define-conditional-rules-for-provisioning-user-accounts.md).
 *
 * @example
 * ```ts
 * SCOPING_OPERATORS.includes("REGEX MATCH"); // true
 * ```
 */
export const SCOPING_OPERATORS = [
  "EQUALS",
  "NOT EQUALS",
  "Includes",
  "Excludes",
  "ENDS_WITH",
  "REGEX MATCH",
  "NOT REGEX MATCH",
  "IS TRUE",
  "IS FALSE",
  "IS NULL",
  "IS NOT NULL",
  "Greater_Than",
  "Greater_Than_OR_EQUALS",
  "Less_Than",
  "Less_Than_OR_EQUALS",
  "&",
  "!&",
] as const;

/** One of {@link SCOPING_OPERATORS}, in Entra's canonical spelling. */
export type ScopingOperator = (typeof SCOPING_OPERATORS)[number];

/** Operators that take no operand value. */
export const UNARY_SCOPING_OPERATORS: ReadonlySet<ScopingOperator> = new Set<ScopingOperator>(["IS TRUE", "IS FALSE", "IS NULL", "IS NOT NULL"]);

/** Operators whose operand must be an integer. */
export const INTEGER_SCOPING_OPERATORS: ReadonlySet<ScopingOperator> = new Set<ScopingOperator>(["Greater_Than", "Greater_Than_OR_EQUALS", "Less_Than", "Less_Than_OR_EQUALS", "&", "!&"]);

function normalize(name: string): string {
  return name.trim().toUpperCase().replace(/[\s_]+/g, " ");
}

const BY_NORMALIZED = new Map<string, ScopingOperator>(SCOPING_OPERATORS.map((op) => [normalize(op), op]));

/**
 * The canonical spelling of a scoping operator, or `null` when `name` is not
 * one. Matching ignores case, surrounding spaces, and the difference between
 * a space and an underscore, so `"not equals"`, `"NOT_EQUALS"` and
 * `"Greater Than"` are accepted as `"NOT EQUALS"` and `"Greater_Than"`.
 *
 * @example
 * ```ts
 * canonicalScopingOperator("greater than or equals"); // "Greater_Than_OR_EQUALS"
 * canonicalScopingOperator("STARTS_WITH");            // null
 * ```
 */
export function canonicalScopingOperator(name: string): ScopingOperator | null {
  return BY_NORMALIZED.get(normalize(name)) ?? null;
}
