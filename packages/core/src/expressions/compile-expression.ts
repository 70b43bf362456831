import { ExpressionEvaluationError, ExpressionSyntaxError } from "./expression-errors.ts";
import { FUNCTIONS, UNSUPPORTED_FUNCTIONS } from "./expression-functions.ts";
import type { CompileServices, CompiledArg, EvalScope, ExpressionContext, Thunk } from "./expression-functions.ts";
import type { CallNode, ComparisonOperator, ExpressionNode } from "./expression-node.ts";
import { DateTimeValue } from "./dotnet-datetime.ts";
import { IGNORE_FLOW, IGNORE_SIGNAL, first, toNumber, toOutput, toText } from "./expression-values.ts";
import type { ExpressionValue, IgnoreFlow } from "./expression-values.ts";
import { parseExpression } from "./parse-expression.ts";
import { printExpression } from "./print-expression.ts";

/**
 * An expression compiled once, to be evaluated for many users.
 *
 * @example
 * ```ts
 * const upn = compileExpression('ToLower(Join("@", [mailNickname], "contoso.com"))');
 * upn.references;                                 // ["mailNickname"]
 * upn.evaluate({ mailNickname: "Ada.Lovelace" }); // "ada.lovelace@contoso.com"
 * ```
 */
export interface CompiledExpression {
  /** The text the expression was compiled from. */
  readonly source: string;
  /** The syntax tree. */
  readonly ast: ExpressionNode;
  /** The attribute names the expression reads, sorted, each once. */
  readonly references: readonly string[];
  /** True when the expression uses `Redact`: logs must show `[Redact]` instead of its value. */
  readonly redacts: boolean;
  /**
   * Evaluates the expression against one object's attributes (a missing
   * attribute is null). Returns a string (booleans as `"True"`/`"False"`,
   * dates produced by date functions as `M/d/yyyy h:mm:ss tt` in UTC), a
   * number, an array for a multi-valued result, null (write nothing), or
   * {@link IGNORE_FLOW}. Throws {@link ExpressionEvaluationError} when the
   * expression calls `Error(...)` or a function cannot handle its input.
   */
  evaluate(attributes: Readonly<Record<string, unknown>>, context?: ExpressionContext): ExpressionValue | IgnoreFlow;
  /** The canonical text (see {@link printExpression}). */
  toString(): string;
}

const EMPTY_CONTEXT: ExpressionContext = Object.freeze({});

const PROTOTYPE_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

function attributeThunk(name: string): Thunk {
  if (PROTOTYPE_NAMES.has(name)) {
    return (s) => (Object.prototype.hasOwnProperty.call(s.a, name) ? (s.a[name] ?? null) : null);
  }
  return (s) => {
    const v = s.a[name];
    return v === undefined ? null : v;
  };
}

function compare(op: ComparisonOperator, l: unknown, r: unknown): boolean {
  const a = first(l);
  const b = first(r);
  if (a === null || b === null) {
    const same = a === b;
    return op === "=" ? same : op === "<>" ? !same : false;
  }
  let c: number;
  const dateOf = (x: unknown): number | undefined => (x instanceof DateTimeValue ? x.ms : x instanceof Date ? x.getTime() : undefined);
  const da = dateOf(a);
  const db = dateOf(b);
  if (da !== undefined && db !== undefined) c = da - db;
  else if ((typeof a === "number" || typeof b === "number") && typeof a !== "boolean" && typeof b !== "boolean") {
    const na = toNumber(a);
    const nb = toNumber(b);
    if (na !== null && nb !== null && !Number.isNaN(na) && !Number.isNaN(nb)) c = na - nb;
    else c = ordinal(toText(a) ?? "", toText(b) ?? "");
  } else c = ordinal(toText(a) ?? "", toText(b) ?? "");
  switch (op) {
    case "=":
      return c === 0;
    case "<>":
      return c !== 0;
    case ">":
      return c > 0;
    case ">=":
      return c >= 0;
    case "<":
      return c < 0;
    case "<=":
      return c <= 0;
  }
}

function ordinal(a: string, b: string): number {
  return a === b ? 0 : a < b ? -1 : 1;
}

class Compiler implements CompileServices {
  readonly refs = new Set<string>();
  redacts = false;
  private current: CallNode | undefined;

  constructor(private readonly text: string) {}

  fail(node: ExpressionNode | undefined, message: string): never {
    const at = node?.span?.start ?? this.current?.span?.start ?? 0;
    throw new ExpressionSyntaxError(this.text, at, message);
  }

  reference(name: string): void {
    this.refs.add(name);
  }

  markRedacted(): void {
    this.redacts = true;
  }

  attribute(name: string): Thunk {
    this.refs.add(name);
    return attributeThunk(name);
  }

  compile(node: ExpressionNode): Thunk {
    switch (node.kind) {
      case "attribute":
        return this.attribute(node.name);
      case "string": {
        const v = node.value;
        return () => v;
      }
      case "number": {
        const v = node.value;
        return () => v;
      }
      case "enum": {
        const v = node.name;
        return () => v;
      }
      case "comparison": {
        const l = this.compile(node.left);
        const r = this.compile(node.right);
        const op = node.op;
        return (s) => compare(op, l(s), r(s));
      }
      case "concat": {
        const parts = node.parts.map((part) => this.compile(part));
        return (s) => {
          let out = "";
          for (const part of parts) out += toText(first(part(s))) ?? "";
          return out;
        };
      }
      case "call":
        return this.call(node);
    }
  }

  private call(node: CallNode): Thunk {
    const fn = FUNCTIONS.get(node.name);
    const at = node.span?.start ?? 0;
    if (!fn) {
      const unsupported = UNSUPPORTED_FUNCTIONS.get(node.name);
      if (unsupported) throw new ExpressionSyntaxError(this.text, at, `the Entra function ${node.name} is not supported by tenantsync: ${unsupported}`);
      const lower = node.name.toLowerCase();
      const near = [...FUNCTIONS.keys()].find((k) => k.toLowerCase() === lower);
      throw new ExpressionSyntaxError(
        this.text,
        at,
        near ? `unknown function '${node.name}'; function names are case-sensitive: did you mean ${near}?` : `unknown function '${node.name}'`,
      );
    }
    const count = node.args.length;
    if (count < fn.min || count > fn.max) {
      const range = fn.max === Number.POSITIVE_INFINITY ? `at least ${fn.min}` : fn.min === fn.max ? `${fn.min}` : `${fn.min} to ${fn.max}`;
      throw new ExpressionSyntaxError(this.text, at, `${fn.name} takes ${range} argument${fn.max === 1 ? "" : "s"}, got ${count}`);
    }
    const countProblem = fn.checkCount?.(count);
    if (countProblem) throw new ExpressionSyntaxError(this.text, at, countProblem);
    const args: Array<CompiledArg | null> = [];
    for (let i = 0; i < count; i++) {
      const a = node.args[i] ?? null;
      const param = i < fn.params.length ? fn.params[i] : fn.repeat;
      if (a === null) {
        if (!param?.optional) {
          throw new ExpressionSyntaxError(this.text, at, `${fn.name}: argument ${i + 1} (${param?.key ?? "?"}) cannot be left empty`);
        }
        args.push(null);
        continue;
      }
      const constant = a.kind === "string" || a.kind === "number" || a.kind === "enum";
      const value = a.kind === "string" ? a.value : a.kind === "number" ? a.value : a.kind === "enum" ? a.name : undefined;
      args.push({ node: a, run: this.compile(a), constant, value });
    }
    const saved = this.current;
    this.current = node;
    try {
      return fn.build(args, node, this);
    } finally {
      this.current = saved;
    }
  }
}

class Compiled implements CompiledExpression {
  readonly source: string;
  readonly ast: ExpressionNode;
  readonly references: readonly string[];
  readonly redacts: boolean;
  private readonly run: Thunk;
  private canonical: string | undefined;

  constructor(source: string, ast: ExpressionNode, run: Thunk, references: readonly string[], redacts: boolean) {
    this.source = source;
    this.ast = ast;
    this.run = run;
    this.references = references;
    this.redacts = redacts;
  }

  evaluate(attributes: Readonly<Record<string, unknown>>, context: ExpressionContext = EMPTY_CONTEXT): ExpressionValue | IgnoreFlow {
    const scope: EvalScope = { a: attributes, c: context };
    try {
      return toOutput(this.run(scope));
    } catch (error) {
      if (error === IGNORE_SIGNAL) return IGNORE_FLOW;
      if (error instanceof ExpressionEvaluationError) throw error;
      const detail = error instanceof Error ? error.message : String(error);
      throw new ExpressionEvaluationError("expression", `Evaluating ${this.toString()} failed: ${detail}`, { cause: error });
    }
  }

  toString(): string {
    this.canonical ??= printExpression(this.ast);
    return this.canonical;
  }
}

/**
 * Compiles an expression tree (for example one built by hand or converted
 * from Graph JSON). `text` is used in error messages and positions; it
 * defaults to the tree's canonical text.
 *
 * @example
 * ```ts
 * const c = compileExpressionNode({ kind: "call", name: "ToUpper", args: [{ kind: "attribute", name: "country" }] });
 * c.evaluate({ country: "nl" }); // "NL"
 * ```
 */
export function compileExpressionNode(ast: ExpressionNode, text: string = printExpression(ast)): CompiledExpression {
  const compiler = new Compiler(text);
  const run = compiler.compile(ast);
  return new Compiled(text, ast, run, [...compiler.refs].sort(), compiler.redacts);
}

/**
 * Compiles Entra's attribute-mapping expression language: parses the text,
 * checks every function name and argument count, validates constant
 * arguments (regular expressions, date formats, intervals, encodings) and
 * turns the tree into closures, so that evaluating it for each user costs
 * microseconds.
 *
 * Throws {@link ExpressionSyntaxError} (code `EXPRESSION_SYNTAX`) with the
 * position, line and column of the problem.
 *
 * @example
 * ```ts
 * const mail = compileExpression('Replace([mail], , "(?<local>[^@]+)@.*", , "${local}@fabrikam.com", , )');
 * mail.evaluate({ mail: "ada@contoso.com" }); // "ada@fabrikam.com"
 * ```
 */
export function compileExpression(text: string): CompiledExpression {
  const ast = parseExpression(text);
  return compileExpressionNode(ast, text);
}
