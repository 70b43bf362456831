import { ConfigError, type ConfigIssue } from "../errors/errors.ts";
import { attributeKind } from "../mapping/attribute-catalog.ts";
import { zodIssuesToConfigIssues } from "../model/parse.ts";
import { ScopingFilter } from "../model/sync-job-config.ts";
import { compileScopingRegex } from "./scoping-regex.ts";
import { INTEGER_SCOPING_OPERATORS, SCOPING_OPERATORS, UNARY_SCOPING_OPERATORS, canonicalScopingOperator, type ScopingOperator } from "./scoping-operators.ts";

/**
 * The input shape of a scoping filter: Entra's `filter.groups` JSON.
 *
 * @example
 * ```ts
 * const input: ScopingFilterInput = { groups: [{ name: "Sales", clauses: [{ sourceOperandName: "department", operatorName: "EQUALS", targetOperand: { values: ["Sales"] } }] }] };
 * ```
 */
export interface ScopingFilterInput {
  groups: Array<{
    name: string;
    clauses: Array<{ sourceOperandName: string; operatorName: string; targetOperand: { values: string[] } }>;
  }>;
}

/** Options of {@link compileScopingFilter}. */
export interface CompileScopingFilterOptions {
  /** JSON path prepended to every issue; default `["scopingFilter"]`. */
  pathPrefix?: ReadonlyArray<string | number> | undefined;
}

/**
 * A scoping filter compiled once per job (regexes included). `evaluate` is
 * cheap: a few closure calls per clause.
 *
 * @example
 * ```ts
 * const filter: CompiledScopingFilter = compileScopingFilter(config.scopingFilter);
 * const inScope = filter.evaluate(sourceAttributesOf(user));
 * ```
 */
export interface CompiledScopingFilter {
  /** True when the user passes: any group passes, a group passes when all its clauses pass; no groups passes everyone. */
  evaluate(attributes: Record<string, unknown>): boolean;
  /**
   * Every clause's result, keyed the way Entra's provisioning logs show a
   * scoping decision: `"<group>.<attribute> <OPERATOR> '<value>'"`.
   */
  explain(attributes: Record<string, unknown>): Record<string, boolean>;
  /** The source attributes the filter reads (deduplicated, in order of first use). */
  readonly references: readonly string[];
}

type ClauseFn = (attributes: Record<string, unknown>) => boolean;

interface CompiledClause {
  key: string;
  test: ClauseFn;
}

const EMPTY: readonly string[] = [];

function isNullOrEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === "" || (Array.isArray(value) && value.length === 0);
}

/** The text form of a scalar value as .NET's ToString would print it, or null for non-scalars. */
function textOf(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : null;
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "bigint") return value.toString();
  return null;
}

const INTEGER_TEXT = /^\s*[+-]?\d+\s*$/;

/** The integer a value holds (Int64.Parse semantics: optional sign, surrounding spaces), or null. */
function integerOf(value: unknown): bigint | null {
  if (typeof value === "number") return Number.isSafeInteger(value) ? BigInt(value) : null;
  if (typeof value === "bigint") return value;
  if (typeof value === "string" && INTEGER_TEXT.test(value)) return BigInt(value.trim());
  return null;
}

/** The boolean a value holds (bool.Parse semantics: "true"/"false" in any case), or null. */
function booleanOf(value: unknown): boolean | null {
  if (typeof value === "boolean") return value;
  if (typeof value === "string") {
    const t = value.trim().toLowerCase();
    if (t === "true") return true;
    if (t === "false") return false;
  }
  return null;
}

function anyOf<T>(operands: readonly T[], pred: (operand: T) => boolean): boolean {
  for (const op of operands) if (pred(op)) return true;
  return false;
}

function noneOf<T>(operands: readonly T[], pred: (operand: T) => boolean): boolean {
  for (const op of operands) if (pred(op)) return false;
  return true;
}

/** Builds the test of one clause; `null` operand lists mean a unary operator. */
function buildTest(attribute: string, operator: ScopingOperator, values: readonly string[], integers: readonly bigint[], regexes: ReadonlyArray<{ test(input: string): boolean }>): ClauseFn {
  // Every clause is false on a null or empty value, except IS NULL (SCOPING.md).
  const text =
    (pred: (value: string) => boolean): ClauseFn =>
    (attrs) => {
      const v = attrs[attribute];
      if (isNullOrEmpty(v)) return false;
      const t = textOf(v);
      return t !== null && pred(t);
    };
  const integer =
    (pred: (value: bigint) => boolean): ClauseFn =>
    (attrs) => {
      const v = attrs[attribute];
      if (isNullOrEmpty(v)) return false;
      const n = integerOf(v);
      return n !== null && pred(n);
    };
  switch (operator) {
    case "EQUALS":
      return text((t) => anyOf(values, (o) => t === o));
    case "NOT EQUALS":
      return text((t) => noneOf(values, (o) => t === o));
    case "Includes":
      return text((t) => anyOf(values, (o) => t.includes(o)));
    case "Excludes":
      return text((t) => noneOf(values, (o) => t.includes(o)));
    case "ENDS_WITH":
      return text((t) => anyOf(values, (o) => t.endsWith(o)));
    case "REGEX MATCH":
      return text((t) => anyOf(regexes, (r) => r.test(t)));
    case "NOT REGEX MATCH":
      return text((t) => noneOf(regexes, (r) => r.test(t)));
    case "IS TRUE":
      return (attrs) => booleanOf(attrs[attribute]) === true;
    case "IS FALSE":
      return (attrs) => booleanOf(attrs[attribute]) === false;
    case "IS NULL":
      return (attrs) => isNullOrEmpty(attrs[attribute]);
    case "IS NOT NULL":
      return (attrs) => !isNullOrEmpty(attrs[attribute]);
    case "Greater_Than":
      return integer((n) => anyOf(integers, (o) => n > o));
    case "Greater_Than_OR_EQUALS":
      return integer((n) => anyOf(integers, (o) => n >= o));
    case "Less_Than":
      return integer((n) => anyOf(integers, (o) => n < o));
    case "Less_Than_OR_EQUALS":
      return integer((n) => anyOf(integers, (o) => n <= o));
    case "&":
      return integer((n) => anyOf(integers, (o) => (n & o) !== 0n));
    case "!&":
      return integer((n) => noneOf(integers, (o) => (n & o) !== 0n));
  }
}

/** Why an attribute cannot be used in a clause, or null when it can. */
function unsupportedAttributeReason(name: string): string | null {
  switch (attributeKind(name)) {
    case "multi":
      return `'${name}' is multi-valued; multi-valued attributes cannot be used in scoping filters`;
    case "date":
      return `'${name}' is a date; date-typed attributes cannot be used in scoping filters`;
    case "reference":
      return `'${name}' is a reference; '${name}' cannot be used in scoping filters`;
    case "enum":
      return `'${name}' cannot be used in scoping filters (only internal members are ever in scope, R2)`;
    default:
      return null;
  }
}

/**
 * Compiles a scoping filter (Entra's `filter.groups` JSON) once per job.
 * Throws `ConfigError` listing every problem, each with its JSON path (for
 * example `["scopingFilter", "groups", 0, "clauses", 1, "operatorName"]`):
 * unknown operators, attributes that cannot be filtered on (multi-valued,
 * `userType`, `manager`, date-typed), missing or non-integer operands of
 * integer operators, invalid regular expressions, groups without clauses.
 *
 * Operator names are matched ignoring case and the space/underscore
 * difference (see {@link canonicalScopingOperator}); explain keys use the
 * canonical spelling. A clause with several operand values passes, for
 * positive operators, when any value satisfies it and, for negated ones
 * (`NOT EQUALS`, `Excludes`, `NOT REGEX MATCH`, `!&`), when none satisfies
 * the positive form. Operand values of the unary operators (`IS TRUE`,
 * `IS FALSE`, `IS NULL`, `IS NOT NULL`) are ignored.
 *
 * The second argument may be the path prefix itself (an array) or
 * {@link CompileScopingFilterOptions}.
 *
 * @example
 * ```ts
 * const filter = compileScopingFilter({
 *   groups: [{ name: "Sales", clauses: [{ sourceOperandName: "department", operatorName: "EQUALS", targetOperand: { values: ["Sales"] } }] }],
 * });
 * filter.evaluate({ department: "Sales" }); // true
 * filter.explain({ department: "HR" });     // { "Sales.department EQUALS 'Sales'": false }
 * ```
 */
export function compileScopingFilter(filter: ScopingFilterInput | null | undefined, optionsOrPrefix?: CompileScopingFilterOptions | ReadonlyArray<string | number>): CompiledScopingFilter {
  const prefix: ReadonlyArray<string | number> = Array.isArray(optionsOrPrefix)
    ? (optionsOrPrefix as ReadonlyArray<string | number>)
    : ((optionsOrPrefix as CompileScopingFilterOptions | undefined)?.pathPrefix ?? ["scopingFilter"]);
  const parsed = ScopingFilter.safeParse(filter ?? { groups: [] });
  if (!parsed.success) throw new ConfigError(zodIssuesToConfigIssues(parsed.error.issues, prefix), "scoping filter");

  const issues: ConfigIssue[] = [];
  const groups: CompiledClause[][] = [];
  const references: string[] = [];
  const seen = new Set<string>();

  parsed.data.groups.forEach((group, gi) => {
    const groupPath = [...prefix, "groups", gi];
    if (group.clauses.length === 0) {
      issues.push({ path: [...groupPath, "clauses"], message: `scoping filter group '${group.name}' has no clauses; give it at least one clause or remove the group` });
    }
    const compiled: CompiledClause[] = [];
    group.clauses.forEach((clause, ci) => {
      const clausePath = [...groupPath, "clauses", ci];
      const attribute = clause.sourceOperandName;
      const values = clause.targetOperand.values;
      let ok = true;

      const reason = unsupportedAttributeReason(attribute);
      if (reason !== null) {
        issues.push({ path: [...clausePath, "sourceOperandName"], message: reason });
        ok = false;
      }
      const operator = canonicalScopingOperator(clause.operatorName);
      if (operator === null) {
        issues.push({ path: [...clausePath, "operatorName"], message: `unknown scoping operator '${clause.operatorName}'; use one of: ${SCOPING_OPERATORS.join(", ")}` });
        return;
      }
      const unary = UNARY_SCOPING_OPERATORS.has(operator);
      if (!unary && values.length === 0) {
        issues.push({ path: [...clausePath, "targetOperand", "values"], message: `operator '${operator}' needs a value to compare with` });
        ok = false;
      }
      const integers: bigint[] = [];
      if (INTEGER_SCOPING_OPERATORS.has(operator)) {
        values.forEach((v, vi) => {
          const n = integerOf(v);
          if (n === null) {
            issues.push({ path: [...clausePath, "targetOperand", "values", vi], message: `operator '${operator}' compares integers; '${v}' is not an integer` });
            ok = false;
          } else integers.push(n);
        });
      }
      const regexes: Array<{ test(input: string): boolean }> = [];
      if (operator === "REGEX MATCH" || operator === "NOT REGEX MATCH") {
        values.forEach((v, vi) => {
          try {
            regexes.push(compileScopingRegex(v));
          } catch (error) {
            issues.push({ path: [...clausePath, "targetOperand", "values", vi], message: `invalid regular expression '${v}': ${error instanceof Error ? error.message : String(error)}` });
            ok = false;
          }
        });
      }
      if (!ok) return;
      if (!seen.has(attribute)) {
        seen.add(attribute);
        references.push(attribute);
      }
      compiled.push({
        key: `${group.name}.${attribute} ${operator} '${unary ? "" : values.join(",")}'`,
        test: buildTest(attribute, operator, unary ? EMPTY : values, integers, regexes),
      });
    });
    groups.push(compiled);
  });
  if (issues.length > 0) throw new ConfigError(issues, "scoping filter");

  const tests = groups.map((g) => g.map((c) => c.test));
  return {
    references,
    evaluate(attributes) {
      if (tests.length === 0) return true;
      for (const group of tests) {
        let pass = true;
        for (const test of group) {
          if (!test(attributes)) {
            pass = false;
            break;
          }
        }
        if (pass) return true;
      }
      return false;
    },
    explain(attributes) {
      const out: Record<string, boolean> = {};
      for (const group of groups) for (const clause of group) out[clause.key] = clause.test(attributes);
      return out;
    },
  };
}

