/**
 * Runtime values of the expression language and the conversions between
 * them. Internally a value is a string, number, boolean, bigint,
 * {@link DateTimeValue}, `Date`, null, an array of those, or an opaque
 * object passed through from the attributes.
 *
 * @module
 */
import { DateTimeValue } from "./dotnet-datetime.ts";

/**
 * The marker {@link CompiledExpression.evaluate} returns when
 * `IgnoreFlowIfNullOrEmpty` decided the target attribute must be left out of
 * this export. It is not a value: the attribute is neither written nor cleared.
 *
 * @example
 * ```ts
 * const out = compileExpression("IgnoreFlowIfNullOrEmpty([department])").evaluate({ department: "" });
 * if (out === IGNORE_FLOW) console.log("department is not sent");
 * ```
 */
export const IGNORE_FLOW: unique symbol = Symbol.for("@tenantsync/core.expression.ignoreFlow");
/** The type of {@link IGNORE_FLOW}. */
export type IgnoreFlow = typeof IGNORE_FLOW;

/**
 * What an expression evaluates to: a string (booleans as `"True"` /
 * `"False"`, dates as text), a number, null, an array for a multi-valued
 * result, or an object passed through unchanged from the attributes.
 *
 * @example
 * ```ts
 * const value: ExpressionValue = compileExpression("Split([groups], \",\")").evaluate({ groups: "a,b" }) as ExpressionValue; // ["a", "b"]
 * ```
 */
export type ExpressionValue = string | number | null | ExpressionValue[] | { readonly [key: string]: unknown };

/** Thrown (never escapes `evaluate`) when IgnoreFlowIfNullOrEmpty drops the attribute. */
export const IGNORE_SIGNAL: { readonly ignoreFlow: true } = Object.freeze({ ignoreFlow: true });

/** Null, undefined, or an empty multi-value. */
export function isNil(v: unknown): boolean {
  return v === null || v === undefined || (Array.isArray(v) && v.length === 0);
}

/** {@link isNil} or the empty string. */
export function isNilOrEmpty(v: unknown): boolean {
  return v === "" || isNil(v);
}

/** The value a single-valued context sees: the first value of a multi-value, null for none. */
export function first(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 0 ? null : (v[0] ?? null);
  return v ?? null;
}

/** A number the way .NET's `Double.ToString()` writes it (shortest round trip, `E+21` exponents). */
export function formatNumber(n: number): string {
  if (Object.is(n, -0)) return "0";
  const s = String(n);
  const e = s.indexOf("e");
  if (e < 0) return s;
  const mantissa = s.slice(0, e);
  const sign = s[e + 1] === "-" ? "-" : "+";
  const digits = s.slice(e + 2);
  return `${mantissa}E${sign}${digits.length < 2 ? `0${digits}` : digits}`;
}

/** The text of a value, or null. Booleans are `True`/`False`, dates use Entra's format. */
export function toText(v: unknown): string | null {
  if (typeof v === "string") return v;
  if (v === null || v === undefined) return null;
  if (typeof v === "number") return Number.isNaN(v) ? null : formatNumber(v);
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "bigint") return v.toString();
  if (v instanceof DateTimeValue) return v.toString();
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (Array.isArray(v)) return toText(first(v));
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

const NUMERIC = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;
const HEX = /^\s*&[hH]([0-9a-fA-F]{1,16})\s*$/;

/** A number from a value: numbers, numeric text, VB hex text (`&HF7`), booleans (1/0); NaN when not numeric; null for null. */
export function toNumber(v: unknown): number | null {
  const x = first(v);
  if (x === null) return null;
  if (typeof x === "number") return x;
  if (typeof x === "bigint") return Number(x);
  if (typeof x === "boolean") return x ? 1 : 0;
  if (typeof x === "string") {
    if (NUMERIC.test(x)) return Number(x);
    const h = HEX.exec(x);
    if (h) return Number(BigInt.asIntN(64, BigInt(`0x${h[1] as string}`)));
    return Number.NaN;
  }
  return Number.NaN;
}

/** A boolean from a value: booleans, `True`/`False` in any case, numbers (non-zero is true); undefined when not boolean-like. Null is false. */
export function toBoolean(v: unknown): boolean | undefined {
  const x = first(v);
  if (x === null) return false;
  if (typeof x === "boolean") return x;
  if (typeof x === "number") return x !== 0;
  if (typeof x === "bigint") return x !== 0n;
  if (typeof x === "string") {
    const t = x.trim().toLowerCase();
    if (t === "true") return true;
    if (t === "false") return false;
    const n = toNumber(t);
    if (n !== null && !Number.isNaN(n)) return n !== 0;
  }
  return undefined;
}

/** Applies a text function to each value of a multi-value, or to the single value; null stays null. */
export function mapText(v: unknown, f: (text: string) => unknown): unknown {
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const x of v) {
      const t = toText(x);
      if (t !== null) out.push(f(t));
    }
    return out;
  }
  const t = toText(v);
  return t === null ? null : f(t);
}

/** A value as it leaves `evaluate`. */
export function toOutput(v: unknown): ExpressionValue {
  if (typeof v === "string") return v;
  if (v === null || v === undefined) return null;
  if (typeof v === "number") return Number.isNaN(v) ? null : v;
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "bigint") return v.toString();
  if (v instanceof DateTimeValue) return v.toString();
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (Array.isArray(v)) {
    const out: ExpressionValue[] = [];
    for (const x of v) {
      const o = toOutput(x);
      if (o === null) continue;
      if (Array.isArray(o)) out.push(...o);
      else out.push(o);
    }
    return out;
  }
  if (typeof v === "object") return v as { readonly [key: string]: unknown };
  return String(v);
}

/** Characters .NET's `Char.IsWhiteSpace` accepts. */
const DOTNET_WHITE = "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const TRIM_RE = new RegExp(`^[${DOTNET_WHITE}]+|[${DOTNET_WHITE}]+$`, "g");

/** .NET `String.Trim()`. */
export function trimDotNet(s: string): string {
  return s.replace(TRIM_RE, "");
}

const ASCII = /^[\x00-\x7f]*$/;

function mapChars(s: string, f: (ch: string) => string): string {
  let out = "";
  for (const ch of s) {
    const m = f(ch);
    out += m.length === ch.length ? m : ch;
  }
  return out;
}

/** Lower case with simple (length-preserving) case mapping, like .NET; `culture` selects locale rules (for example `tr-TR`). */
export function lowerSimple(s: string, culture?: string): string {
  if (culture === undefined) return ASCII.test(s) ? s.toLowerCase() : mapChars(s, (ch) => ch.toLowerCase());
  return mapChars(s, (ch) => ch.toLocaleLowerCase(culture));
}

/** Upper case with simple (length-preserving) case mapping, like .NET (`ß` stays `ß`). */
export function upperSimple(s: string, culture?: string): string {
  if (culture === undefined) return ASCII.test(s) ? s.toUpperCase() : mapChars(s, (ch) => ch.toUpperCase());
  return mapChars(s, (ch) => ch.toLocaleUpperCase(culture));
}

const LETTER = /^\p{L}$/u;
const SEPARATOR = /^[\p{Z}\p{Cc}\p{Cf}\p{P}\p{S}]$/u;

/**
 * Proper case. Without `separators`, words follow .NET's `ToTitleCase` (on
 * lower-cased text): a word starts at a letter and runs until a separator
 * (white space, punctuation, symbols, control characters); an apostrophe
 * inside a word does not end it. With `separators`, only those characters
 * separate words, and the first character of each word is upper-cased.
 */
export function properCase(s: string, separators?: string): string {
  const lower = lowerSimple(s);
  let out = "";
  if (separators !== undefined) {
    let atStart = true;
    for (const ch of lower) {
      if (separators.includes(ch)) {
        out += ch;
        atStart = true;
      } else if (atStart) {
        out += upperSimple(ch);
        atStart = false;
      } else out += ch;
    }
    return out;
  }
  let inWord = false;
  for (const ch of lower) {
    if (LETTER.test(ch)) {
      out += inWord ? ch : upperSimple(ch);
      inWord = true;
    } else if (ch === "'" || ch === "\u2019") {
      out += ch;
    } else if (SEPARATOR.test(ch)) {
      out += ch;
      inWord = false;
    } else out += ch;
  }
  return out;
}
