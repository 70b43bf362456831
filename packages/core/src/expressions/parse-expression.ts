import { ExpressionSyntaxError } from "./expression-errors.ts";
import { ENUM_WORDS } from "./expression-node.ts";
import type { ComparisonOperator, EnumWord, ExpressionNode } from "./expression-node.ts";

/**
 * Longest expression accepted, in characters (10,000).
 *
 * @example
 * ```ts
 * if (text.length > MAX_EXPRESSION_LENGTH) console.log("too long");
 * ```
 */
export const MAX_EXPRESSION_LENGTH = 10_000;
/**
 * Deepest nesting of calls and parentheses accepted (100).
 *
 * @example
 * ```ts
 * compileExpression("Trim(".repeat(MAX_EXPRESSION_DEPTH + 1) + "[a]" + ")".repeat(MAX_EXPRESSION_DEPTH + 1)); // ExpressionSyntaxError
 * ```
 */
export const MAX_EXPRESSION_DEPTH = 100;

const enumWords: ReadonlySet<string> = new Set(ENUM_WORDS);

type TokenKind = "attribute" | "string" | "number" | "ident" | "(" | ")" | "," | "&" | "op" | "eof";

interface Token {
  kind: TokenKind;
  start: number;
  end: number;
  /** Attribute name, unescaped string, identifier, number text, or operator. */
  text: string;
}

const EXPECT_OPERAND = "an operand: [attribute], \"string\", number, function call or (";

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11 || c === 0xa0 || c === 0xfeff || c === 0x2028 || c === 0x2029;
}

function describe(token: Token): string {
  switch (token.kind) {
    case "eof":
      return "end of expression";
    case "string":
      return `string ${JSON.stringify(token.text.length > 20 ? `${token.text.slice(0, 20)}…` : token.text)}`;
    case "attribute":
      return `[${token.text}]`;
    default:
      return `'${token.text}'`;
  }
}

class Lexer {
  private pos = 0;

  constructor(private readonly src: string) {}

  private fail(at: number, detail: string, expected?: readonly string[]): never {
    throw new ExpressionSyntaxError(this.src, at, detail, expected ? { expected } : {});
  }

  next(): Token {
    const src = this.src;
    let pos = this.pos;
    while (pos < src.length && isSpace(src.charCodeAt(pos))) pos++;
    const start = pos;
    if (pos >= src.length) {
      this.pos = pos;
      return { kind: "eof", start, end: start, text: "" };
    }
    const c = src.charCodeAt(pos);
    const ch = src[pos] as string;
    switch (ch) {
      case "(":
      case ")":
      case ",":
        this.pos = pos + 1;
        return { kind: ch, start, end: pos + 1, text: ch };
      case "[": {
        const close = src.indexOf("]", pos + 1);
        if (close < 0) this.fail(start, "attribute name is not closed by ']'", ["']'"]);
        const name = src.slice(pos + 1, close);
        if (name.trim() === "") this.fail(start, "empty attribute name []", ["an attribute name"]);
        const nl = name.search(/[\r\n]/);
        if (nl >= 0) this.fail(pos + 1 + nl, "attribute name contains a line break", ["']'"]);
        this.pos = close + 1;
        return { kind: "attribute", start, end: close + 1, text: name };
      }
      case '"':
        return this.string(start);
      case "&": {
        const h = src.charCodeAt(pos + 1);
        if ((h === 72 || h === 104) && isHexDigit(src.charCodeAt(pos + 2))) {
          let end = pos + 2;
          while (end < src.length && isHexDigit(src.charCodeAt(end))) end++;
          if (end - pos - 2 > 16) this.fail(start, "hexadecimal literal has more than 16 digits");
          this.pos = end;
          return { kind: "number", start, end, text: src.slice(pos, end) };
        }
        this.pos = pos + 1;
        return { kind: "&", start, end: pos + 1, text: "&" };
      }
      case "=":
        this.pos = pos + 1;
        return { kind: "op", start, end: pos + 1, text: "=" };
      case "<": {
        const n = src[pos + 1];
        const op = n === ">" ? "<>" : n === "=" ? "<=" : "<";
        this.pos = pos + op.length;
        return { kind: "op", start, end: this.pos, text: op };
      }
      case ">": {
        const op = src[pos + 1] === "=" ? ">=" : ">";
        this.pos = pos + op.length;
        return { kind: "op", start, end: this.pos, text: op };
      }
      default:
        break;
    }
    if (isDigit(c) || (ch === "-" && isDigit(src.charCodeAt(pos + 1)))) {
      let end = pos + 1;
      while (end < src.length && isDigit(src.charCodeAt(end))) end++;
      if (src[end] === "." && isDigit(src.charCodeAt(end + 1))) {
        end += 2;
        while (end < src.length && isDigit(src.charCodeAt(end))) end++;
      }
      if (isIdentPart(src.charCodeAt(end))) this.fail(end, `unexpected character '${src[end]}' after a number`, ["',' or ')'"]);
      this.pos = end;
      return { kind: "number", start, end, text: src.slice(pos, end) };
    }
    if (isIdentStart(c)) {
      let end = pos + 1;
      while (end < src.length && isIdentPart(src.charCodeAt(end))) end++;
      this.pos = end;
      return { kind: "ident", start, end, text: src.slice(pos, end) };
    }
    const cp = src.codePointAt(pos) as number;
    this.fail(start, `unexpected character '${String.fromCodePoint(cp)}'`, [EXPECT_OPERAND]);
  }

  /** A string literal: `\"` is a quote, `\\` a backslash; any other backslash stays as written. */
  private string(start: number): Token {
    const src = this.src;
    let out = "";
    let i = start + 1;
    let chunk = i;
    while (true) {
      if (i >= src.length) this.fail(start, "string literal is not closed by '\"'", ["'\"'"]);
      const c = src.charCodeAt(i);
      if (c === 34) break;
      if (c === 92) {
        const n = src.charCodeAt(i + 1);
        if (n === 34 || n === 92) {
          out += src.slice(chunk, i) + src[i + 1];
          i += 2;
          chunk = i;
          continue;
        }
      }
      i++;
    }
    out += src.slice(chunk, i);
    this.pos = i + 1;
    return { kind: "string", start, end: i + 1, text: out };
  }
}

class Parser {
  private tok: Token;
  private readonly lexer: Lexer;
  private depth = 0;

  constructor(private readonly src: string) {
    this.lexer = new Lexer(src);
    this.tok = this.lexer.next();
  }

  /** The kind of the current token (a method, so that narrowing does not survive advance()). */
  private peek(): TokenKind {
    return this.tok.kind;
  }

  private advance(): Token {
    const t = this.tok;
    this.tok = this.lexer.next();
    return t;
  }

  private fail(at: number, detail: string, expected?: readonly string[]): never {
    throw new ExpressionSyntaxError(this.src, at, detail, expected ? { expected } : {});
  }

  private unexpected(expected: string[]): never {
    this.fail(this.tok.start, `expected ${expected.join(" or ")} but found ${describe(this.tok)}`, expected);
  }

  parseAll(): ExpressionNode {
    if (this.peek() === "eof") this.fail(0, "the expression is empty", [EXPECT_OPERAND]);
    const node = this.expression();
    if (this.peek() !== "eof") {
      this.unexpected(["end of expression"]);
    }
    return node;
  }

  private enter(at: number): void {
    this.depth++;
    if (this.depth > MAX_EXPRESSION_DEPTH) this.fail(at, `the expression is nested more than ${MAX_EXPRESSION_DEPTH} levels deep`);
  }

  private expression(): ExpressionNode {
    const left = this.concat();
    if (this.peek() !== "op") return left;
    const op = this.advance().text as ComparisonOperator;
    const right = this.concat();
    const node: ExpressionNode = { kind: "comparison", op, left, right, span: { start: spanStart(left), end: spanEnd(right) } };
    if (this.peek() === "op") this.fail(this.tok.start, "comparisons cannot be chained (a = b = c); nest IIF calls instead");
    return node;
  }

  private concat(): ExpressionNode {
    const first = this.primary();
    if (this.peek() !== "&") return first;
    const parts = [first];
    while (this.peek() === "&") {
      this.advance();
      parts.push(this.primary());
    }
    return { kind: "concat", parts, span: { start: spanStart(first), end: spanEnd(parts[parts.length - 1] as ExpressionNode) } };
  }

  private primary(): ExpressionNode {
    const t = this.tok;
    switch (t.kind) {
      case "attribute":
        this.advance();
        return { kind: "attribute", name: t.text, span: { start: t.start, end: t.end } };
      case "string":
        this.advance();
        return { kind: "string", value: t.text, span: { start: t.start, end: t.end } };
      case "number": {
        this.advance();
        const value = t.text.startsWith("&") ? parseHex(t.text) : Number(t.text);
        if (!Number.isFinite(value)) this.fail(t.start, `number ${t.text} is out of range`);
        return { kind: "number", value, raw: t.text, span: { start: t.start, end: t.end } };
      }
      case "ident":
        return this.identifier();
      case "(": {
        this.enter(t.start);
        this.advance();
        const inner = this.expression();
        if (this.peek() !== ")") this.unexpected(["')'"]);
        this.advance();
        this.depth--;
        return inner;
      }
      default:
        this.unexpected([EXPECT_OPERAND]);
    }
  }

  private identifier(): ExpressionNode {
    const t = this.advance();
    if (this.peek() !== "(") {
      if (enumWords.has(t.text)) return { kind: "enum", name: t.text as EnumWord, span: { start: t.start, end: t.end } };
      this.fail(
        t.start,
        `'${t.text}' is neither a function call nor one of the words ${ENUM_WORDS.join(", ")}; a function call needs '(' and text needs quotes`,
        ["'('"],
      );
    }
    this.enter(this.tok.start);
    this.advance();
    const args: Array<ExpressionNode | null> = [];
    if (this.peek() === ")") {
      const close = this.advance();
      this.depth--;
      return { kind: "call", name: t.text, args, span: { start: t.start, end: close.end } };
    }
    while (true) {
      const k = this.peek();
      args.push(k === "," || k === ")" ? null : this.expression());
      if (this.peek() === ",") {
        this.advance();
        continue;
      }
      if (this.peek() === ")") break;
      this.unexpected(["','", "')'"]);
    }
    const close = this.advance();
    this.depth--;
    return { kind: "call", name: t.text, args, span: { start: t.start, end: close.end } };
  }
}

function spanStart(node: ExpressionNode): number {
  return node.span?.start ?? 0;
}

function spanEnd(node: ExpressionNode): number {
  return node.span?.end ?? 0;
}

function parseHex(text: string): number {
  // VB reads &H literals of up to 8 digits as 32-bit signed integers (&HFFFFFFFF is -1);
  // longer ones as 64-bit.
  const digits = text.slice(2);
  const big = BigInt(`0x${digits}`);
  const signed = digits.length <= 8 ? BigInt.asIntN(32, big) : BigInt.asIntN(64, big);
  return Number(signed);
}

/**
 * Parses expression text into its syntax tree, checking syntax only
 * (function names and argument counts are checked by
 * {@link compileExpression}). Linear in the length of the text; at most
 * 10,000 characters and 100 levels of nesting.
 *
 * Throws {@link ExpressionSyntaxError} with the position, line, column and
 * what was expected.
 *
 * @example
 * ```ts
 * const tree = parseExpression('Join(" ", [givenName], [surname])');
 * tree.kind; // "call"
 * ```
 */
export function parseExpression(text: string): ExpressionNode {
  if (typeof text !== "string") throw new ExpressionSyntaxError(String(text), 0, "the expression must be a string");
  if (text.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionSyntaxError(text, MAX_EXPRESSION_LENGTH, `the expression is longer than ${MAX_EXPRESSION_LENGTH} characters (${text.length})`);
  }
  return new Parser(text).parseAll();
}
