import { TenantSyncError } from "../errors/errors.ts";

/** 1-based line and column of a 0-based offset in `text` (columns count UTF-16 code units). */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * An expression could not be compiled: bad syntax, an unknown function, a
 * wrong number of arguments, an invalid constant argument (for example a
 * regular expression the engine cannot run), or a limit exceeded (10,000
 * characters, 100 levels of nesting). Code `EXPRESSION_SYNTAX`.
 *
 * {@link ExpressionSyntaxError.position} is the 0-based offset of the problem;
 * {@link ExpressionSyntaxError.line} and {@link ExpressionSyntaxError.column}
 * are 1-based; {@link ExpressionSyntaxError.expected} lists what would have
 * been accepted there, when that is a syntax question.
 *
 * @example
 * ```ts
 * try { compileExpression('ToLower([mail]'); }
 * catch (e) {
 *   if (e instanceof ExpressionSyntaxError) console.log(e.line, e.column, e.expected); // 1 15 ["',' or ')'"]
 * }
 * ```
 */
export class ExpressionSyntaxError extends TenantSyncError {
  /** The expression text. */
  readonly expression: string;
  /** 0-based offset of the problem in {@link ExpressionSyntaxError.expression}. */
  readonly position: number;
  /** 1-based line of the problem. */
  readonly line: number;
  /** 1-based column of the problem (UTF-16 code units). */
  readonly column: number;
  /** What the parser would have accepted at that position (empty when the problem is not about syntax). */
  readonly expected: readonly string[];
  /** The problem alone, without the location prefix. */
  readonly detail: string;

  constructor(expression: string, position: number, detail: string, options: { expected?: readonly string[]; cause?: unknown } = {}) {
    const { line, column } = lineAndColumn(expression, position);
    super("EXPRESSION_SYNTAX", `Expression error at line ${line}, column ${column} (offset ${position}): ${detail}`, { cause: options.cause });
    this.expression = expression;
    this.position = position;
    this.line = line;
    this.column = column;
    this.expected = options.expected ?? [];
    this.detail = detail;
  }
}

/**
 * Evaluating a compiled expression failed for this input: `Error("…")` was
 * reached (the message is exactly the text given to `Error`), or a function
 * got a value it cannot work with (an unparseable date, an index out of
 * range, an `IIF` condition over a null attribute, …). Code `EXPRESSION_ERROR`.
 * The engine reports it as a per-user failure, never as a crash of the cycle.
 *
 * @example
 * ```ts
 * try { compileExpression('Error("department is required")').evaluate({}); }
 * catch (e) { if (e instanceof ExpressionEvaluationError) console.log(e.message); } // "department is required"
 * ```
 */
export class ExpressionEvaluationError extends TenantSyncError {
  /** The function that failed, for example `"CDate"` or `"Error"`. */
  readonly functionName: string;
  /** 0-based offset of the failing call in the expression text, when known. */
  readonly position: number | undefined;
  /** True when the error was raised on purpose by the expression's `Error(...)` function. */
  readonly raisedByExpression: boolean;

  constructor(
    functionName: string,
    message: string,
    options: { position?: number; raisedByExpression?: boolean; cause?: unknown } = {},
  ) {
    super("EXPRESSION_ERROR", message, { cause: options.cause });
    this.functionName = functionName;
    this.position = options.position;
    this.raisedByExpression = options.raisedByExpression ?? false;
  }
}
