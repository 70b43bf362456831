/**
 * .NET regular expressions on a linear-time engine.
 *
 * Entra's mapping expressions and scoping filters take .NET regex patterns.
 * tenantsync never runs them on a backtracking engine: each pattern is
 * translated to RE2 syntax and executed by `re2js`, whose running time is
 * linear in the input, so a pattern from a configuration file cannot hang a
 * cycle (`(a+)+$` against a long non-matching input returns at once).
 *
 * What the translation does (see docs/expressions.md for the full list):
 * - `(?<name>…)` / `(?'name'…)` named groups, numbered the .NET way (unnamed
 *   groups first, then named groups in order of appearance);
 * - inline options `i m s n x`, scoped `(?i:…)`, comments `(?#…)`;
 * - `\d \w \s` and their negations with .NET's Unicode meaning;
 * - escapes `\uXXXX \xXX \0oo \cX \e \a \v`, `\p{Lu}` categories;
 * - a `{` that is not a quantifier is a literal, as in .NET;
 * - lookbehind `(?<=…)` / `(?<!…)` without capturing groups (re2js runs them
 *   in linear time).
 *
 * What it refuses, with a {@link DotNetRegexError} naming the construct and its
 * position: backreferences, lookahead, atomic groups, conditionals, balancing
 * groups, character-class subtraction, `\G`, Unicode block names, repeat
 * counts above 1000.
 *
 * @module
 */
import { RE2JS } from "re2js";
import { TenantSyncError } from "../errors/errors.ts";

/**
 * A .NET pattern that cannot be run (code `REGEX_UNSUPPORTED`: a construct
 * the linear-time engine cannot execute, such as a backreference) or is not
 * a valid pattern (code `REGEX_INVALID`). {@link DotNetRegexError.position}
 * is the 0-based offset of the construct in the pattern.
 *
 * @example
 * ```ts
 * try { compileDotNetRegex("(a)\\1"); }
 * catch (e) { if (e instanceof DotNetRegexError) console.log(e.construct, e.position); } // "backreference", 3
 * ```
 */
export class DotNetRegexError extends TenantSyncError {
  /** The .NET pattern as given. */
  readonly pattern: string;
  /** 0-based offset in {@link DotNetRegexError.pattern} of the offending construct, when known. */
  readonly position: number | undefined;
  /** Short name of the offending construct, for example `"backreference"` or `"lookahead"`. */
  readonly construct: string | undefined;

  constructor(
    code: "REGEX_UNSUPPORTED" | "REGEX_INVALID",
    message: string,
    details: { pattern: string; position?: number; construct?: string; cause?: unknown },
  ) {
    super(code, message, { cause: details.cause });
    this.pattern = details.pattern;
    this.position = details.position;
    this.construct = details.construct;
  }
}

/**
 * Options of {@link compileDotNetRegex}, named after .NET's `RegexOptions`.
 *
 * @example
 * ```ts
 * const options: DotNetRegexOptions = { ignoreCase: true };
 * ```
 */
export interface DotNetRegexOptions {
  /** `RegexOptions.IgnoreCase` (inline `i`). */
  ignoreCase?: boolean;
  /** `RegexOptions.Multiline` (inline `m`): `^` and `$` match at line breaks. */
  multiline?: boolean;
  /** `RegexOptions.Singleline` (inline `s`): `.` matches `\n` too. */
  singleline?: boolean;
  /** `RegexOptions.ExplicitCapture` (inline `n`): only named groups capture. */
  explicitCapture?: boolean;
  /** `RegexOptions.IgnorePatternWhitespace` (inline `x`): unescaped white space and `#` comments are ignored. */
  ignorePatternWhitespace?: boolean;
}

/**
 * One match of a {@link DotNetRegex}. Groups are addressed as in .NET: by
 * number (`0` is the whole match; unnamed groups come first, then named
 * groups) or by name.
 *
 * @example
 * ```ts
 * const m = compileDotNetRegex("(?<user>[^@]+)@(?<domain>.+)").match("ada@contoso.com");
 * m?.group("domain"); // "contoso.com"
 * ```
 */
export interface DotNetMatch {
  /** Offset of the match in the input (UTF-16 code units). */
  readonly index: number;
  /** The matched text. */
  readonly value: string;
  /** Text captured by a group, or null when the group did not take part or does not exist. */
  group(nameOrNumber: string | number): string | null;
  /** `[start, end)` offsets of a group's capture, or null when it did not take part or does not exist. */
  groupSpan(nameOrNumber: string | number): readonly [number, number] | null;
}

/**
 * A compiled .NET pattern. Stateless: safe to share and to call concurrently.
 *
 * @example
 * ```ts
 * const re = compileDotNetRegex("^(?<first>\\w+)\\s+(?<last>\\w+)$");
 * re.test("Ada Lovelace");                          // true
 * re.replace("Ada Lovelace", "${last}, ${first}");  // "Lovelace, Ada"
 * re.namedGroups("Ada Lovelace");                   // { first: "Ada", last: "Lovelace" }
 * ```
 */
export interface DotNetRegex {
  /** The .NET pattern as given. */
  readonly source: string;
  /** The equivalent RE2 pattern actually executed. */
  readonly translated: string;
  /** Group names in .NET group-number order: `"0"`, the unnamed groups' numbers, then the names. */
  readonly groupNames: readonly string[];
  /** True when the pattern matches somewhere in `input`. */
  test(input: string): boolean;
  /** The first match in `input`, or null. */
  match(input: string): DotNetMatch | null;
  /** Every match in `input`, left to right, with .NET's rules for empty matches. */
  matchAll(input: string): DotNetMatch[];
  /**
   * Replaces every match in `input`, like .NET's `Regex.Replace`. The
   * replacement uses .NET substitutions: `$1`, `${1}`, `${name}`, `$$`
   * (a dollar), `$&` (the match), `` $` `` (text before), `$'` (text after),
   * `$+` (the last group), `$_` (the whole input). A substitution naming no
   * group stays as literal text, as in .NET.
   */
  replace(input: string, replacement: string): string;
  /** The named groups of the first match (null for a group that did not take part), or null when nothing matches. */
  namedGroups(input: string): Record<string, string | null> | null;
}

// ---------------------------------------------------------------------------
// Translation

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  n: boolean;
  x: boolean;
}

interface Frame {
  /** Flags in force inside this group (changed by `(?x)` inside it). */
  flags: Flags;
  /** True inside a lookbehind, where capturing groups cannot run. */
  inLookbehind: boolean;
  /** Offset of the `(` that opened the group. */
  open: number;
}

interface GroupInfo {
  /** .NET name: a user name, or null for an unnamed group. */
  name: string | null;
  /** RE2 capture index (1-based). */
  re2Index: number;
}

interface Translation {
  pattern: string;
  groups: GroupInfo[];
}

const WORD_CLASS_BODY = "\\p{L}\\p{Mn}\\p{Nd}\\p{Pc}";
const SPACE_CLASS_BODY = "\\t\\n\\x0B\\f\\r\\x{85}\\p{Z}";
const DIGIT_CLASS_BODY = "\\p{Nd}";

/** Unicode general categories .NET accepts in `\p{…}` that RE2 also knows. */
const CATEGORIES = new Set([
  "L", "Lu", "Ll", "Lt", "Lm", "Lo",
  "M", "Mn", "Mc", "Me",
  "N", "Nd", "Nl", "No",
  "P", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po",
  "S", "Sm", "Sc", "Sk", "So",
  "Z", "Zs", "Zl", "Zp",
  "C", "Cc", "Cf", "Cs", "Co",
]);

const MAX_REPEAT = 1000;

function isWordChar(c: string): boolean {
  return /^[\p{L}\p{Mn}\p{Nd}\p{Pc}]$/u.test(c);
}

function isHex(c: string | undefined): boolean {
  return c !== undefined && /^[0-9A-Fa-f]$/.test(c);
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

/** RE2 text for a literal code point outside a class. */
function literal(cp: number): string {
  if (cp < 0x20 || cp === 0x7f) return `\\x{${cp.toString(16)}}`;
  const c = String.fromCodePoint(cp);
  if (cp < 0x80 && /[^A-Za-z0-9\s]/.test(c)) return `\\${c}`;
  if (c === " ") return " ";
  return c;
}

/** RE2 text for a literal code point inside a class. */
function classLiteral(cp: number): string {
  if (cp < 0x21 || cp === 0x7f) return `\\x{${cp.toString(16)}}`;
  const c = String.fromCodePoint(cp);
  if (cp < 0x80 && /[^A-Za-z0-9]/.test(c)) return `\\${c}`;
  return c;
}

class Translator {
  private pos = 0;
  private out = "";
  private readonly stack: Frame[];
  private readonly groups: GroupInfo[] = [];
  private re2Count = 0;
  private usesLookbehind = false;

  constructor(
    private readonly src: string,
    flags: Flags,
  ) {
    this.stack = [{ flags, inLookbehind: false, open: -1 }];
  }

  get needsLookbehindFlag(): boolean {
    return this.usesLookbehind;
  }

  private get frame(): Frame {
    return this.stack[this.stack.length - 1] as Frame;
  }

  private unsupported(construct: string, at: number, what: string, advice: string): never {
    throw new DotNetRegexError(
      "REGEX_UNSUPPORTED",
      `Regular expression ${JSON.stringify(this.src)} uses ${what} at position ${at}, which the linear-time regex engine cannot run. ${advice}`,
      { pattern: this.src, position: at, construct },
    );
  }

  private invalid(at: number, what: string): never {
    throw new DotNetRegexError("REGEX_INVALID", `Invalid regular expression ${JSON.stringify(this.src)} at position ${at}: ${what}.`, {
      pattern: this.src,
      position: at,
    });
  }

  translate(): Translation {
    const src = this.src;
    while (this.pos < src.length) {
      const c = src[this.pos] as string;
      const flags = this.frame.flags;
      if (flags.x && (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\v")) {
        this.pos++;
        continue;
      }
      if (flags.x && c === "#") {
        while (this.pos < src.length && src[this.pos] !== "\n") this.pos++;
        continue;
      }
      switch (c) {
        case "\\":
          this.out += this.escapeOutsideClass();
          break;
        case "[":
          this.out += this.charClass();
          break;
        case "(":
          this.openGroup();
          break;
        case ")":
          if (this.stack.length === 1) this.invalid(this.pos, "too many ')'");
          this.stack.pop();
          this.out += ")";
          this.pos++;
          break;
        case "{":
          this.out += this.brace();
          break;
        case "}":
          this.out += "\\}";
          this.pos++;
          break;
        case ".":
        case "^":
        case "$":
        case "|":
        case "*":
        case "+":
        case "?":
          this.out += c;
          this.pos++;
          break;
        default: {
          const cp = src.codePointAt(this.pos) as number;
          this.out += literal(cp);
          this.pos += cp > 0xffff ? 2 : 1;
        }
      }
    }
    if (this.stack.length > 1) this.invalid(this.frame.open, "'(' is never closed");
    return { pattern: this.out, groups: this.groups };
  }

  /** `{n}`, `{n,}`, `{n,m}` are quantifiers; anything else is literal text in .NET. */
  private brace(): string {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos, this.pos + 24));
    if (!m) {
      this.pos++;
      return "\\{";
    }
    const min = Number(m[1]);
    const max = m[3] === undefined || m[3] === "" ? undefined : Number(m[3]);
    if (min > MAX_REPEAT || (max !== undefined && max > MAX_REPEAT)) {
      this.unsupported("repeat count", this.pos, `the repeat count ${m[0]}`, `Counts above ${MAX_REPEAT} are not supported; use * or + instead.`);
    }
    if (max !== undefined && max < min) this.invalid(this.pos, `illegal {x,y} with x > y in ${m[0]}`);
    this.pos += m[0].length;
    return m[0];
  }

  private captureGroup(name: string | null, at: number): string {
    if (this.frame.inLookbehind) {
      this.unsupported(
        "capture in lookbehind",
        at,
        "a capturing group inside a lookbehind",
        "Use a non-capturing group (?:…) inside the lookbehind.",
      );
    }
    this.re2Count++;
    this.groups.push({ name, re2Index: this.re2Count });
    return "(";
  }

  private pushFrame(open: number, lookbehind = false, flags: Flags = this.frame.flags): void {
    this.stack.push({ flags: { ...flags }, inLookbehind: this.frame.inLookbehind || lookbehind, open });
  }

  private openGroup(): void {
    const src = this.src;
    const open = this.pos;
    if (src[open + 1] !== "?") {
      this.pos++;
      const capturing = !this.frame.flags.n;
      this.pushFrame(open);
      this.out += capturing ? this.captureGroup(null, open) : "(?:";
      return;
    }
    const kind = src[open + 2];
    switch (kind) {
      case ":":
        this.pos = open + 3;
        this.pushFrame(open);
        this.out += "(?:";
        return;
      case "=":
      case "!":
        this.unsupported(
          "lookahead",
          open,
          `a lookahead (?${kind}…)`,
          "Rewrite the pattern without lookahead (for example match more text and use a named group).",
        );
        break;
      case ">":
        this.unsupported("atomic group", open, "an atomic group (?>…)", "Use a non-capturing group (?:…) instead.");
        break;
      case "(":
        this.unsupported("conditional", open, "a conditional (?(…)…|…)", "Use an alternation (…|…) instead.");
        break;
      case "#": {
        const end = src.indexOf(")", open);
        if (end < 0) this.invalid(open, "unterminated (?#…) comment");
        this.pos = end + 1;
        return;
      }
      case "<":
      case "'": {
        const next = src[open + 3];
        if (kind === "<" && (next === "=" || next === "!")) {
          this.pos = open + 4;
          this.usesLookbehind = true;
          this.pushFrame(open, true);
          this.out += `(?<${next}`;
          return;
        }
        this.namedGroup(open, kind === "<" ? ">" : "'");
        return;
      }
      case "P":
        if (src[open + 3] === "<") this.invalid(open, "(?P<…>) is not .NET syntax; write (?<name>…)");
        break;
      default:
        break;
    }
    this.inlineOptions(open);
  }

  private namedGroup(open: number, close: string): void {
    const src = this.src;
    const end = src.indexOf(close, open + 3);
    if (end < 0) this.invalid(open, `group name is not closed by '${close}'`);
    const name = src.slice(open + 3, end);
    if (name.includes("-")) {
      this.unsupported("balancing group", open, `a balancing group (?<${name}>…)`, "Balancing groups have no linear-time equivalent.");
    }
    if (name === "") this.invalid(open, "empty group name");
    if (/^\d+$/.test(name)) {
      this.unsupported("numbered group", open, `an explicitly numbered group (?<${name}>…)`, "Give the group a name that starts with a letter.");
    }
    if (![...name].every(isWordChar) || isDigit(name[0])) this.invalid(open, `invalid group name '${name}'`);
    this.pos = end + 1;
    this.pushFrame(open);
    this.out += this.captureGroup(name, open);
  }

  /** `(?imnsx-imnsx)` and `(?imnsx-imnsx:…)`. */
  private inlineOptions(open: number): void {
    const src = this.src;
    let i = open + 2;
    let on = true;
    const flags = { ...this.frame.flags };
    const set: Array<[string, boolean]> = [];
    for (; i < src.length; i++) {
      const c = src[i] as string;
      if (c === "-") {
        on = false;
        continue;
      }
      if (c === ")" || c === ":") break;
      const lower = c.toLowerCase();
      if (lower === "i" || lower === "m" || lower === "s" || lower === "n" || lower === "x") {
        flags[lower] = on;
        set.push([lower, on]);
        continue;
      }
      this.invalid(open, `unrecognized grouping construct '(?${src.slice(open + 2, i + 1)}'`);
    }
    if (i >= src.length) this.invalid(open, "unterminated group");
    const engineOn = set.filter(([f, v]) => v && "ims".includes(f)).map(([f]) => f);
    const engineOff = set.filter(([f, v]) => !v && "ims".includes(f)).map(([f]) => f);
    const flagText = engineOn.join("") + (engineOff.length > 0 ? `-${engineOff.join("")}` : "");
    if (src[i] === ")") {
      // Applies to the rest of the enclosing group.
      this.frame.flags = flags;
      if (flagText !== "") this.out += `(?${flagText})`;
      this.pos = i + 1;
      return;
    }
    this.pos = i + 1;
    this.pushFrame(open, false, flags);
    this.out += `(?${flagText}:`;
  }

  private escapeOutsideClass(): string {
    const src = this.src;
    const at = this.pos;
    const c = src[at + 1];
    if (c === undefined) this.invalid(at, "illegal \\ at end of pattern");
    switch (c) {
      case "d":
        this.pos += 2;
        return `[${DIGIT_CLASS_BODY}]`;
      case "D":
        this.pos += 2;
        return `[^${DIGIT_CLASS_BODY}]`;
      case "w":
        this.pos += 2;
        return `[${WORD_CLASS_BODY}]`;
      case "W":
        this.pos += 2;
        return `[^${WORD_CLASS_BODY}]`;
      case "s":
        this.pos += 2;
        return `[${SPACE_CLASS_BODY}]`;
      case "S":
        this.pos += 2;
        return `[^${SPACE_CLASS_BODY}]`;
      case "b":
      case "B":
      case "A":
      case "z":
        this.pos += 2;
        return `\\${c}`;
      case "Z":
        this.pos += 2;
        return "\\z";
      case "G":
        this.unsupported("\\G", at, "the \\G anchor", "Anchor with ^ instead.");
        break;
      case "k":
        this.unsupported("backreference", at, "a named backreference \\k<…>", "Backreferences have no linear-time equivalent.");
        break;
      case "p":
      case "P":
        return this.category();
      default:
        break;
    }
    if (c >= "1" && c <= "9") {
      this.unsupported("backreference", at, `a backreference \\${c}`, "Backreferences have no linear-time equivalent.");
    }
    if (c === "<" || (c === "'" && /^\\'\w+'/u.test(src.slice(at)))) {
      this.unsupported("backreference", at, "a named backreference", "Backreferences have no linear-time equivalent.");
    }
    const cp = this.characterEscape();
    return literal(cp);
  }

  /** `\p{Lu}` / `\P{Lu}` at this.pos; returns RE2 text usable inside or outside a class. */
  private category(): string {
    const src = this.src;
    const at = this.pos;
    const neg = src[at + 1] === "P";
    if (src[at + 2] !== "{") this.invalid(at, "\\p must be followed by {name}");
    const end = src.indexOf("}", at + 3);
    if (end < 0) this.invalid(at, "\\p{ is not closed by }");
    const name = src.slice(at + 3, end);
    if (name.startsWith("Is")) {
      this.unsupported("unicode block", at, `the Unicode block \\p{${name}}`, "Use a general category such as \\p{L}, or an explicit range such as [\\u0370-\\u03FF].");
    }
    if (!CATEGORIES.has(name)) this.invalid(at, `unknown property '${name}'`);
    this.pos = end + 1;
    return `\\${neg ? "P" : "p"}{${name}}`;
  }

  /** A single-character escape at this.pos (after `\`), returns its code point and advances. */
  private characterEscape(): number {
    const src = this.src;
    const at = this.pos;
    const c = src[at + 1] as string;
    this.pos = at + 2;
    switch (c) {
      case "t":
        return 9;
      case "n":
        return 10;
      case "v":
        return 11;
      case "f":
        return 12;
      case "r":
        return 13;
      case "a":
        return 7;
      case "e":
        return 27;
      case "0": {
        let value = 0;
        let k = 0;
        while (k < 2 && /[0-7]/.test(src[this.pos] ?? "")) {
          value = value * 8 + Number(src[this.pos]);
          this.pos++;
          k++;
        }
        return value;
      }
      case "x": {
        const hex = src.slice(at + 2, at + 4);
        if (hex.length < 2 || !isHex(hex[0]) || !isHex(hex[1])) this.invalid(at, "\\x needs exactly two hex digits");
        this.pos = at + 4;
        return parseInt(hex, 16);
      }
      case "u": {
        const hex = src.slice(at + 2, at + 6);
        if (hex.length < 4 || ![...hex].every((h) => isHex(h))) this.invalid(at, "\\u needs exactly four hex digits");
        this.pos = at + 6;
        const unit = parseInt(hex, 16);
        if (unit >= 0xd800 && unit <= 0xdbff && src[this.pos] === "\\" && src[this.pos + 1] === "u") {
          const low = src.slice(this.pos + 2, this.pos + 6);
          if (low.length === 4 && [...low].every((h) => isHex(h))) {
            const lowUnit = parseInt(low, 16);
            if (lowUnit >= 0xdc00 && lowUnit <= 0xdfff) {
              this.pos += 6;
              return 0x10000 + ((unit - 0xd800) << 10) + (lowUnit - 0xdc00);
            }
          }
        }
        if (unit >= 0xd800 && unit <= 0xdfff) {
          this.unsupported("lone surrogate", at, `the lone surrogate \\u${hex}`, "The engine matches whole code points; write the full surrogate pair.");
        }
        return unit;
      }
      case "c": {
        const letter = src[at + 2];
        if (letter === undefined || !/[A-Za-z@[\\\]^_]/.test(letter)) this.invalid(at, "\\c needs a control letter");
        this.pos = at + 3;
        return letter.toUpperCase().charCodeAt(0) & 0x1f;
      }
      default: {
        const cp = src.codePointAt(at + 1) as number;
        const ch = String.fromCodePoint(cp);
        if (isWordChar(ch)) this.invalid(at, `unrecognized escape sequence \\${ch}`);
        this.pos = at + 1 + ch.length;
        return cp;
      }
    }
  }

  /** A character class at this.pos (`[`). */
  private charClass(): string {
    const src = this.src;
    const open = this.pos;
    let i = open + 1;
    let negated = false;
    if (src[i] === "^") {
      negated = true;
      i++;
    }
    const items: string[] = [];
    /** Negated multi-range classes (\W, \S) that cannot sit inside an RE2 class. */
    const complements: string[] = [];
    let first = true;
    // prevSingle: the last item was a single character that may start a range.
    let prevCp: number | null = null;
    while (true) {
      if (i >= src.length) this.invalid(open, "unterminated [] set");
      const c = src[i] as string;
      if (c === "]" && !first) {
        i++;
        break;
      }
      first = false;
      if (c === "-" && src[i + 1] === "[" && items.length + complements.length > 0) {
        this.unsupported("class subtraction", i, "a character-class subtraction [a-z-[…]]", "List the wanted characters explicitly.");
      }
      if (c === "-" && prevCp !== null && src[i + 1] !== "]" && src[i + 1] !== undefined) {
        // A range prevCp-next.
        const rangeAt = i;
        i++;
        let hi: number;
        if (src[i] === "\\") {
          this.pos = i;
          const e = src[i + 1];
          if (e === "d" || e === "D" || e === "w" || e === "W" || e === "s" || e === "S" || e === "p" || e === "P") {
            this.invalid(rangeAt, "a range cannot end with a character class");
          }
          hi = this.classCharEscape();
          i = this.pos;
        } else {
          hi = src.codePointAt(i) as number;
          i += hi > 0xffff ? 2 : 1;
        }
        if (hi < prevCp) this.invalid(rangeAt, "[x-y] range in reverse order");
        items.pop();
        items.push(`${classLiteral(prevCp)}-${classLiteral(hi)}`);
        prevCp = null;
        continue;
      }
      if (c === "\\") {
        const e = src[i + 1];
        this.pos = i;
        switch (e) {
          case "d":
            items.push(DIGIT_CLASS_BODY);
            this.pos = i + 2;
            prevCp = null;
            break;
          case "D":
            items.push("\\P{Nd}");
            this.pos = i + 2;
            prevCp = null;
            break;
          case "w":
            items.push(WORD_CLASS_BODY);
            this.pos = i + 2;
            prevCp = null;
            break;
          case "s":
            items.push(SPACE_CLASS_BODY);
            this.pos = i + 2;
            prevCp = null;
            break;
          case "W":
            complements.push(WORD_CLASS_BODY);
            this.pos = i + 2;
            prevCp = null;
            break;
          case "S":
            complements.push(SPACE_CLASS_BODY);
            this.pos = i + 2;
            prevCp = null;
            break;
          case "p":
          case "P":
            items.push(this.category());
            prevCp = null;
            break;
          default: {
            const cp = this.classCharEscape();
            items.push(classLiteral(cp));
            prevCp = cp;
          }
        }
        i = this.pos;
        continue;
      }
      const cp = src.codePointAt(i) as number;
      items.push(classLiteral(cp));
      prevCp = cp;
      i += cp > 0xffff ? 2 : 1;
    }
    this.pos = i;
    const body = items.join("");
    if (complements.length === 0) return `[${negated ? "^" : ""}${body}]`;
    if (!negated) {
      // [a\W] = a | \W: an alternation of the positive part and each complement.
      const parts = complements.map((comp) => `[^${comp}]`);
      if (body !== "") parts.unshift(`[${body}]`);
      return `(?:${parts.join("|")})`;
    }
    if (body === "" && complements.length === 1) return `[${complements[0] as string}]`;
    this.unsupported("negated class with \\W or \\S", open, "a negated set containing \\W or \\S", "Write the set without \\W/\\S, for example [^\\w…] becomes an explicit list.");
  }

  /** A single-character escape inside a class (`\b` is a backspace there). */
  private classCharEscape(): number {
    const src = this.src;
    const at = this.pos;
    const e = src[at + 1];
    if (e === undefined) this.invalid(at, "illegal \\ at end of pattern");
    if (e === "b") {
      this.pos = at + 2;
      return 8;
    }
    if (e >= "1" && e <= "9") {
      // Inside a class .NET reads \1.. as octal.
      let value = 0;
      let k = 0;
      let p = at + 1;
      while (k < 3 && /[0-7]/.test(src[p] ?? "")) {
        value = value * 8 + Number(src[p]);
        p++;
        k++;
      }
      if (k === 0) this.invalid(at, `unrecognized escape sequence \\${e}`);
      this.pos = p;
      return value & 0xff;
    }
    return this.characterEscape();
  }
}

function translate(pattern: string, flags: Flags): { translation: Translation; lookbehind: boolean } {
  const t = new Translator(pattern, flags);
  const translation = t.translate();
  return { translation, lookbehind: t.needsLookbehindFlag };
}

// ---------------------------------------------------------------------------
// Runtime

type ReplacementPart = string | { group: number } | { special: "before" | "after" | "last" | "input" };

class CompiledDotNetRegex implements DotNetRegex {
  readonly source: string;
  readonly translated: string;
  readonly groupNames: readonly string[];
  private readonly re: RE2JS;
  /** .NET group number → RE2 indices that make up the group (several for a repeated name). */
  private readonly slots: number[][];
  private readonly numberByName: Map<string, number>;
  private readonly replacementCache = new Map<string, ReplacementPart[]>();

  constructor(source: string, translated: string, re: RE2JS, groups: GroupInfo[]) {
    this.source = source;
    this.translated = translated;
    this.re = re;
    const names: string[] = ["0"];
    const slots: number[][] = [[0]];
    const numberByName = new Map<string, number>([["0", 0]]);
    for (const g of groups) {
      if (g.name === null) {
        const n = slots.length;
        slots.push([g.re2Index]);
        names.push(String(n));
        numberByName.set(String(n), n);
      }
    }
    for (const g of groups) {
      if (g.name === null) continue;
      const existing = numberByName.get(g.name);
      if (existing !== undefined) {
        (slots[existing] as number[]).push(g.re2Index);
        continue;
      }
      const n = slots.length;
      slots.push([g.re2Index]);
      names.push(g.name);
      numberByName.set(g.name, n);
    }
    this.groupNames = names;
    this.slots = slots;
    this.numberByName = numberByName;
  }

  private groupNumber(nameOrNumber: string | number): number | undefined {
    if (typeof nameOrNumber === "number") return nameOrNumber >= 0 && nameOrNumber < this.slots.length ? nameOrNumber : undefined;
    return this.numberByName.get(nameOrNumber);
  }

  test(input: string): boolean {
    return this.re.test(input);
  }

  private makeMatch(spans: Array<readonly [number, number] | null>, input: string): DotNetMatch {
    const whole = spans[0] as readonly [number, number];
    const spanOf = (nameOrNumber: string | number): readonly [number, number] | null => {
      const n = this.groupNumber(nameOrNumber);
      if (n === undefined) return null;
      const indices = this.slots[n] as number[];
      // A name used by several groups: .NET keeps the last capture; the last
      // participating group in pattern order stands for it here.
      for (let k = indices.length - 1; k >= 0; k--) {
        const span = spans[indices[k] as number];
        if (span) return span;
      }
      return null;
    };
    return {
      index: whole[0],
      value: input.slice(whole[0], whole[1]),
      group: (nameOrNumber) => {
        const span = spanOf(nameOrNumber);
        return span ? input.slice(span[0], span[1]) : null;
      },
      groupSpan: spanOf,
    };
  }

  /** Iterates matches the .NET way; `visit` returns false to stop. */
  private scan(input: string, visit: (spans: Array<readonly [number, number] | null>) => boolean): void {
    const m = this.re.matcher(input);
    const groupCount = m.groupCount();
    let pos = 0;
    while (pos <= input.length && m.find(pos)) {
      const spans: Array<readonly [number, number] | null> = [];
      for (let g = 0; g <= groupCount; g++) {
        const s = m.start(g);
        spans.push(s < 0 ? null : [s, m.end(g)]);
      }
      if (!visit(spans)) return;
      const [s, e] = spans[0] as readonly [number, number];
      if (e > s) pos = e;
      else {
        if (s >= input.length) return;
        const code = input.charCodeAt(s);
        pos = s + (code >= 0xd800 && code <= 0xdbff && s + 1 < input.length ? 2 : 1);
      }
    }
  }

  match(input: string): DotNetMatch | null {
    let found: DotNetMatch | null = null;
    this.scan(input, (spans) => {
      found = this.makeMatch(spans, input);
      return false;
    });
    return found;
  }

  matchAll(input: string): DotNetMatch[] {
    const all: DotNetMatch[] = [];
    this.scan(input, (spans) => {
      all.push(this.makeMatch(spans, input));
      return true;
    });
    return all;
  }

  namedGroups(input: string): Record<string, string | null> | null {
    const m = this.match(input);
    if (!m) return null;
    const out: Record<string, string | null> = {};
    for (const name of this.groupNames) {
      if (!/^\d+$/.test(name)) out[name] = m.group(name);
    }
    return out;
  }

  replace(input: string, replacement: string): string {
    let parts = this.replacementCache.get(replacement);
    if (!parts) {
      parts = this.parseReplacement(replacement);
      if (this.replacementCache.size > 64) this.replacementCache.clear();
      this.replacementCache.set(replacement, parts);
    }
    const ps = parts;
    let out = "";
    let last = 0;
    this.scan(input, (spans) => {
      const match = this.makeMatch(spans, input);
      const [s, e] = spans[0] as readonly [number, number];
      out += input.slice(last, s);
      for (const p of ps) {
        if (typeof p === "string") out += p;
        else if ("group" in p) out += match.group(p.group) ?? "";
        else if (p.special === "before") out += input.slice(0, s);
        else if (p.special === "after") out += input.slice(e);
        else if (p.special === "input") out += input;
        else out += match.group(this.slots.length - 1) ?? "";
      }
      last = e;
      return true;
    });
    return out + input.slice(last);
  }

  /** Parses .NET substitutions (see {@link DotNetRegex.replace}). */
  private parseReplacement(text: string): ReplacementPart[] {
    const parts: ReplacementPart[] = [];
    let lit = "";
    const flush = (): void => {
      if (lit !== "") parts.push(lit);
      lit = "";
    };
    for (let i = 0; i < text.length; i++) {
      const c = text[i] as string;
      if (c !== "$" || i + 1 >= text.length) {
        lit += c;
        continue;
      }
      const n = text[i + 1] as string;
      if (n === "$") {
        lit += "$";
        i++;
        continue;
      }
      const special = n === "&" ? 0 : n === "`" ? "before" : n === "'" ? "after" : n === "+" ? "last" : n === "_" ? "input" : undefined;
      if (special !== undefined) {
        flush();
        parts.push(special === 0 ? { group: 0 } : { special });
        i++;
        continue;
      }
      if (n === "{") {
        const end = text.indexOf("}", i + 2);
        const name = end < 0 ? "" : text.slice(i + 2, end);
        const number = /^\d+$/.test(name) ? this.groupNumber(Number(name)) : this.groupNumber(name);
        if (name !== "" && number !== undefined) {
          flush();
          parts.push({ group: number });
          i = end;
          continue;
        }
        lit += c;
        continue;
      }
      if (isDigit(n)) {
        let j = i + 1;
        while (isDigit(text[j])) j++;
        const number = this.groupNumber(Number(text.slice(i + 1, j)));
        if (number !== undefined) {
          flush();
          parts.push({ group: number });
          i = j - 1;
          continue;
        }
      }
      lit += c;
    }
    flush();
    return parts;
  }
}

const regexCache = new Map<string, DotNetRegex>();
const REGEX_CACHE_LIMIT = 500;

/**
 * Translates a .NET regular expression to RE2 syntax and compiles it on the
 * linear-time `re2js` engine. Compiled patterns are cached, so calling this
 * again with the same pattern and options is cheap.
 *
 * Throws {@link DotNetRegexError}: code `REGEX_UNSUPPORTED` for a construct the
 * engine cannot run (backreference, lookahead, atomic group, conditional,
 * balancing group, class subtraction, `\G`, Unicode blocks), `REGEX_INVALID`
 * for a malformed pattern. Both name the position.
 *
 * @example
 * ```ts
 * const re = compileDotNetRegex("(?<local>[^@]+)@contoso\\.com", { ignoreCase: true });
 * re.test("Ada@CONTOSO.com");                        // true
 * re.replace("ada@contoso.com", "${local}@fabrikam.com"); // "ada@fabrikam.com"
 * ```
 */
export function compileDotNetRegex(pattern: string, options: DotNetRegexOptions = {}): DotNetRegex {
  const key = `${options.ignoreCase ? "i" : ""}${options.multiline ? "m" : ""}${options.singleline ? "s" : ""}${options.explicitCapture ? "n" : ""}${options.ignorePatternWhitespace ? "x" : ""}/${pattern}`;
  const cached = regexCache.get(key);
  if (cached) return cached;
  const { translation, lookbehind } = translate(pattern, {
    i: options.ignoreCase === true,
    m: options.multiline === true,
    s: options.singleline === true,
    n: options.explicitCapture === true,
    x: options.ignorePatternWhitespace === true,
  });
  let flags = 0;
  if (options.ignoreCase) flags |= RE2JS.CASE_INSENSITIVE;
  if (options.multiline) flags |= RE2JS.MULTILINE;
  if (options.singleline) flags |= RE2JS.DOTALL;
  if (lookbehind) flags |= RE2JS.LOOKBEHINDS;
  let re: RE2JS;
  try {
    re = RE2JS.compile(translation.pattern, flags);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new DotNetRegexError(
      "REGEX_INVALID",
      `Invalid or unsupported regular expression ${JSON.stringify(pattern)}: ${detail}.`,
      { pattern, cause: error },
    );
  }
  const compiled = new CompiledDotNetRegex(pattern, translation.pattern, re, translation.groups);
  if (regexCache.size >= REGEX_CACHE_LIMIT) regexCache.clear();
  regexCache.set(key, compiled);
  return compiled;
}
