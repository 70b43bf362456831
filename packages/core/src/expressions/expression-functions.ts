/**
 * The functions of the expression language: argument lists (with the
 * parameter keys of Graph's `attributeMappingSource`), compile-time checks and
 * implementations. See docs/expressions.md for the behaviour of each.
 *
 * @module
 */
import { DotNetRegexError, compileDotNetRegex } from "./dotnet-regex.ts";
import type { DotNetRegex } from "./dotnet-regex.ts";
import {
  DateProblem,
  DateTimeValue,
  formatDotNetDateTime,
  msToTicks,
  parseDateTimeLoose,
  parseDotNetDateTimeExact,
  ticksToMs,
  toVbInterval,
  tokenizeDotNetFormat,
  vbDateAdd,
  vbDateDiff,
} from "./dotnet-datetime.ts";
import type { DateParseStyles, VbInterval } from "./dotnet-datetime.ts";
import { ExpressionEvaluationError } from "./expression-errors.ts";
import type { CallNode, ExpressionNode } from "./expression-node.ts";
import {
  IGNORE_SIGNAL,
  first,
  isNil,
  isNilOrEmpty,
  lowerSimple,
  mapText,
  properCase,
  toBoolean,
  toNumber,
  toText,
  trimDotNet,
  upperSimple,
} from "./expression-values.ts";
import { normalizeDiacritics } from "./normalize-diacritics.ts";

/**
 * What evaluation may read besides the attributes.
 *
 * @example
 * ```ts
 * const context: ExpressionContext = { now: () => new Date("2024-05-01T00:00:00Z"), sourceTenantId: "11111111-1111-4111-8111-111111111111" };
 * ```
 */
export interface ExpressionContext {
  /** The clock for `Now()` and for dates parsed without a date part. Defaults to the system clock. */
  now?: () => Date;
  /** A source of uniform numbers in [0, 1) for `Guid()` and `RandomString()`. Defaults to `crypto.getRandomValues`. */
  random?: () => number;
  /** The source tenant of the job; `AltSecIdFromNetId` prefixes it to the user's id. */
  sourceTenantId?: string;
}

/** Per-evaluation state. */
export interface EvalScope {
  readonly a: Readonly<Record<string, unknown>>;
  readonly c: ExpressionContext;
}

/** A compiled node. */
export type Thunk = (scope: EvalScope) => unknown;

/** A compiled argument. */
export interface CompiledArg {
  readonly node: ExpressionNode;
  readonly run: Thunk;
  /** True for a literal string, number or enum word; then {@link CompiledArg.value} is its value. */
  readonly constant: boolean;
  readonly value: unknown;
}

/** Services the compiler gives function builders. */
export interface CompileServices {
  /** Throws an ExpressionSyntaxError at `node` (or the call when absent). */
  fail(node: ExpressionNode | undefined, message: string): never;
  /** Records an attribute name the expression reads. */
  reference(name: string): void;
  /** Marks the expression as redacting its value in logs. */
  markRedacted(): void;
  /** Compiles a node (used for attribute names given as strings). */
  attribute(name: string): Thunk;
}

interface ParamDef {
  /** Key in Graph's attributeMappingSource parameters. */
  key: string;
  /** May be left empty. */
  optional?: boolean;
  /** Other accepted keys (compared without regard to case). */
  aliases?: readonly string[];
}

/** The definition of one function. */
export interface FunctionDef {
  readonly name: string;
  readonly params: readonly ParamDef[];
  /** A parameter that repeats after {@link FunctionDef.params} (Join's sources, Switch's pairs). */
  readonly repeat?: ParamDef;
  readonly min: number;
  readonly max: number;
  /** Extra count rule, for example Switch's even number; returns a message when broken. */
  readonly checkCount?: (count: number) => string | undefined;
  readonly build: (args: ReadonlyArray<CompiledArg | null>, call: CallNode, services: CompileServices) => Thunk;
}

type Args = ReadonlyArray<CompiledArg | null>;

const NULL_THUNK: Thunk = () => null;

function arg(args: Args, i: number): Thunk {
  return args[i]?.run ?? NULL_THUNK;
}

function fail(fn: string, call: CallNode, message: string, cause?: unknown): never {
  const position = call.span?.start;
  throw new ExpressionEvaluationError(fn, `${fn}: ${message}`, position === undefined ? { cause } : { position, cause });
}

function nowMs(scope: EvalScope): number {
  const n = scope.c.now;
  return n ? n().getTime() : Date.now();
}

function randomSource(scope: EvalScope): () => number {
  const r = scope.c.random;
  if (r) return r;
  const buf = new Uint32Array(1);
  return () => {
    globalThis.crypto.getRandomValues(buf);
    return (buf[0] as number) / 4_294_967_296;
  };
}

function randomInt(random: () => number, n: number): number {
  const x = Math.floor(random() * n);
  return x >= n ? n - 1 : x < 0 ? 0 : x;
}

function number(fn: string, call: CallNode, v: unknown, what: string): number | null {
  const n = toNumber(v);
  if (n !== null && Number.isNaN(n)) fail(fn, call, `${what} must be a number, got ${JSON.stringify(toText(v))}`);
  return n;
}

function integer(fn: string, call: CallNode, v: unknown, what: string): number | null {
  const n = number(fn, call, v, what);
  if (n !== null && !Number.isInteger(n)) fail(fn, call, `${what} must be a whole number, got ${n}`);
  return n;
}

function dateMs(fn: string, call: CallNode, v: unknown): number | null {
  const x = first(v);
  if (x === null) return null;
  if (x instanceof DateTimeValue) return x.ms;
  if (x instanceof Date) {
    if (Number.isNaN(x.getTime())) fail(fn, call, "the date is invalid");
    return x.getTime();
  }
  if (typeof x === "string") {
    try {
      return parseDateTimeLoose(x);
    } catch (error) {
      fail(fn, call, error instanceof Error ? error.message : String(error), error);
    }
  }
  return fail(fn, call, `expected a date, got ${JSON.stringify(toText(x))}`);
}

function constantText(a: CompiledArg | null | undefined): string | undefined {
  if (!a || !a.constant) return undefined;
  return toText(a.value) ?? undefined;
}

function describeNode(a: CompiledArg | null | undefined): ExpressionNode | undefined {
  return a?.node;
}

// ---------------------------------------------------------------------------
// Regular expressions

function regexFor(
  fn: string,
  call: CallNode,
  services: CompileServices,
  patternArg: CompiledArg | null | undefined,
  groupArg: CompiledArg | null | undefined,
): (scope: EvalScope) => DotNetRegex | null {
  const constPattern = constantText(patternArg);
  if (constPattern !== undefined) {
    let re: DotNetRegex;
    try {
      re = compileDotNetRegex(constPattern);
    } catch (error) {
      if (error instanceof DotNetRegexError) {
        services.fail(describeNode(patternArg), `${fn}: ${error.message}`);
      }
      throw error;
    }
    const group = constantText(groupArg);
    if (group !== undefined && !re.groupNames.includes(group)) {
      services.fail(describeNode(groupArg), `${fn}: the pattern ${JSON.stringify(constPattern)} has no group named '${group}' (groups: ${re.groupNames.join(", ")})`);
    }
    return () => re;
  }
  const run = patternArg?.run ?? NULL_THUNK;
  return (scope) => {
    const p = toText(run(scope));
    if (p === null) return null;
    try {
      return compileDotNetRegex(p);
    } catch (error) {
      return fail(fn, call, error instanceof Error ? error.message : String(error), error);
    }
  };
}

// ---------------------------------------------------------------------------
// Function definitions

const defs: FunctionDef[] = [];

function def(d: FunctionDef): void {
  defs.push(d);
}

const p = (key: string, optional = false, aliases?: readonly string[]): ParamDef => (aliases ? { key, optional, aliases } : { key, optional });

/** A function of one text argument applied to each value (null stays null). */
function textFunction(name: string, f: (text: string) => unknown): void {
  def({
    name,
    params: [p("source")],
    min: 1,
    max: 1,
    build: (args) => {
      const src = arg(args, 0);
      return (s) => mapText(src(s), f);
    },
  });
}

// ---- strings ---------------------------------------------------------------

def({
  name: "Append",
  params: [p("source"), p("suffix")],
  min: 2,
  max: 2,
  build: (args) => {
    const src = arg(args, 0);
    const suffix = arg(args, 1);
    return (s) => {
      const sfx = toText(suffix(s)) ?? "";
      return mapText(src(s), (t) => t + sfx);
    };
  },
});

def({
  name: "Join",
  params: [p("separator")],
  repeat: p("source"),
  min: 2,
  max: Number.POSITIVE_INFINITY,
  build: (args) => {
    const sep = arg(args, 0);
    const sources = args.slice(1).map((a) => a?.run ?? NULL_THUNK);
    return (s) => {
      const separator = toText(sep(s)) ?? "";
      const parts: string[] = [];
      for (const source of sources) {
        const v = source(s);
        if (Array.isArray(v)) {
          for (const x of v) {
            const t = toText(x);
            if (t !== null && t !== "") parts.push(t);
          }
        } else {
          const t = toText(v);
          if (t !== null && t !== "") parts.push(t);
        }
      }
      return parts.join(separator);
    };
  },
});

def({
  name: "Left",
  params: [p("source"), p("numChars")],
  min: 2,
  max: 2,
  build: (args, call) => {
    const src = arg(args, 0);
    const count = arg(args, 1);
    return (s) => {
      const n = integer("Left", call, count(s), "NumChars");
      const v = src(s);
      const take = (t: string): string => (n === null || n < 0 ? t : t.slice(0, n));
      if (Array.isArray(v)) return mapText(v, take);
      return take(toText(v) ?? "");
    };
  },
});

def({
  name: "Mid",
  params: [p("source"), p("start"), p("length", true)],
  min: 2,
  max: 3,
  build: (args, call) => {
    const src = arg(args, 0);
    const start = arg(args, 1);
    const length = args[2] ? args[2].run : undefined;
    return (s) => {
      const st = integer("Mid", call, start(s), "start");
      const len = length ? integer("Mid", call, length(s), "length") : null;
      if (st !== null && st < 1) fail("Mid", call, `start must be 1 or more (the first character is 1), got ${st}`);
      if (len !== null && len < 0) fail("Mid", call, `length must not be negative, got ${len}`);
      if (st === null) return null;
      return mapText(src(s), (t) => (len === null ? t.slice(st - 1) : t.slice(st - 1, st - 1 + len)));
    };
  },
});

def({
  name: "Word",
  params: [p("source"), p("wordNumber"), p("delimiters")],
  min: 3,
  max: 3,
  build: (args, call) => {
    const src = arg(args, 0);
    const num = arg(args, 1);
    const delims = arg(args, 2);
    return (s) => {
      const n = integer("Word", call, num(s), "WordNumber");
      const d = toText(delims(s)) ?? "";
      const word = (t: string): string => {
        if (n === null || n < 1) return "";
        const words: string[] = [];
        let current = "";
        for (const ch of t) {
          if (d.includes(ch)) {
            if (current !== "") words.push(current);
            current = "";
          } else current += ch;
        }
        if (current !== "") words.push(current);
        return words[n - 1] ?? "";
      };
      const v = src(s);
      if (Array.isArray(v)) return mapText(v, word);
      return word(toText(v) ?? "");
    };
  },
});

textFunction("Trim", trimDotNet);
textFunction("StripSpaces", (t) => t.replaceAll(" ", ""));
textFunction("NormalizeDiacritics", normalizeDiacritics);

function cultureFunction(name: string, f: (text: string, culture?: string) => string): void {
  def({
    name,
    params: [p("source"), p("culture", true)],
    min: 1,
    max: 2,
    build: (args, call, services) => {
      const src = arg(args, 0);
      const cultureArg = args[1];
      const checkCulture = (c: string): string => {
        try {
          return Intl.getCanonicalLocales(c)[0] ?? c;
        } catch {
          return "";
        }
      };
      const constCulture = constantText(cultureArg);
      if (constCulture !== undefined && constCulture !== "" && checkCulture(constCulture) === "") {
        services.fail(cultureArg?.node, `${name}: '${constCulture}' is not a culture name (for example en-US or tr-TR)`);
      }
      if (!cultureArg) return (s) => mapText(src(s), (t) => f(t));
      const cult = cultureArg.run;
      return (s) => {
        const c = toText(cult(s));
        let culture: string | undefined;
        if (c !== null && c !== "") {
          culture = checkCulture(c);
          if (culture === "") fail(name, call, `'${c}' is not a culture name (for example en-US or tr-TR)`);
        }
        return mapText(src(s), (t) => f(t, culture));
      };
    },
  });
}

cultureFunction("ToLower", lowerSimple);
cultureFunction("ToUpper", upperSimple);

def({
  name: "PCase",
  params: [p("source"), p("wordSeparators", true)],
  min: 1,
  max: 2,
  build: (args) => {
    const src = arg(args, 0);
    const sepArg = args[1];
    if (!sepArg) return (s) => mapText(src(s), (t) => properCase(t));
    const sep = sepArg.run;
    return (s) => {
      const separators = toText(sep(s));
      return mapText(src(s), (t) => properCase(t, separators === null || separators === "" ? undefined : separators));
    };
  },
});

def({
  name: "Split",
  params: [p("source"), p("delimiter")],
  min: 2,
  max: 2,
  build: (args) => {
    const src = arg(args, 0);
    const delim = arg(args, 1);
    return (s) => {
      const v = src(s);
      if (isNil(v)) return null;
      const d = toText(delim(s)) ?? "";
      const split = (t: string): string[] => (d === "" ? [t] : t.split(d));
      if (Array.isArray(v)) {
        const out: string[] = [];
        for (const x of v) {
          const t = toText(x);
          if (t !== null) out.push(...split(t));
        }
        return out;
      }
      const t = toText(v);
      return t === null ? null : split(t);
    };
  },
});

def({
  name: "InStr",
  params: [p("value1"), p("value2"), p("start", true), p("compareType", true)],
  min: 2,
  max: 4,
  build: (args, call, services) => {
    const hay = arg(args, 0);
    const needle = arg(args, 1);
    const startArg = args[2] ? args[2].run : undefined;
    const ignoreCase = compareMode("InStr", args[3], services);
    return (s) => {
      const h = toText(first(hay(s)));
      const n = toText(first(needle(s)));
      const st = startArg ? integer("InStr", call, startArg(s), "start") : null;
      if (st !== null && st < 1) fail("InStr", call, `start must be 1 or more, got ${st}`);
      if (h === null || n === null) return null;
      const from = (st ?? 1) - 1;
      if (from > h.length) return 0;
      const i = ignoreCase(s) ? lowerSimple(h).indexOf(lowerSimple(n), from) : h.indexOf(n, from);
      return i + 1;
    };
  },
});

/** A compareType argument (vbTextCompare: ignore case; vbBinaryCompare or empty: exact). */
function compareMode(fn: string, a: CompiledArg | null | undefined, services: CompileServices): (scope: EvalScope) => boolean {
  if (!a) return () => false;
  const read = (v: unknown): boolean | undefined => {
    const t = toText(v);
    if (t === null || t === "" || t === "vbBinaryCompare" || t === "0") return false;
    if (t === "vbTextCompare" || t === "1") return true;
    return undefined;
  };
  if (a.constant) {
    const mode = read(a.value);
    if (mode === undefined) services.fail(a.node, `${fn}: the compare type must be vbTextCompare or vbBinaryCompare`);
    return () => mode;
  }
  const run = a.run;
  return (s) => read(run(s)) ?? false;
}

def({
  name: "ConvertToBase64",
  params: [p("source")],
  min: 1,
  max: 1,
  build: (args) => {
    const src = arg(args, 0);
    return (s) =>
      mapText(src(s), (t) => {
        const bytes = new Uint8Array(t.length * 2);
        for (let i = 0; i < t.length; i++) {
          const c = t.charCodeAt(i);
          bytes[2 * i] = c & 0xff;
          bytes[2 * i + 1] = c >> 8;
        }
        return bytesToBase64(bytes);
      });
  },
});

function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

const utf8 = new TextEncoder();

def({
  name: "ConvertToUTF8Hex",
  params: [p("source")],
  min: 1,
  max: 1,
  build: (args) => {
    const src = arg(args, 0);
    return (s) =>
      mapText(src(s), (t) => {
        let out = "";
        for (const b of utf8.encode(t)) out += (b < 16 ? "0" : "") + b.toString(16).toUpperCase();
        return out;
      });
  },
});

type Encoding = "Unicode" | "UTF8" | "ASCII";

function readEncoding(v: unknown): Encoding | undefined {
  const t = toText(v);
  if (t === null || t === "" || t === "Unicode") return "Unicode";
  if (t === "UTF8") return "UTF8";
  if (t === "ASCII") return "ASCII";
  return undefined;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

def({
  name: "ConvertFromBase64",
  params: [p("source"), p("encoding", true)],
  min: 1,
  max: 2,
  build: (args, call, services) => {
    const src = arg(args, 0);
    const encArg = args[1];
    if (encArg?.constant && readEncoding(encArg.value) === undefined) {
      services.fail(encArg.node, "ConvertFromBase64: the encoding must be Unicode, UTF8 or ASCII");
    }
    const enc = encArg?.run;
    return (s) => {
      const encoding = enc ? readEncoding(enc(s)) : "Unicode";
      if (encoding === undefined) fail("ConvertFromBase64", call, "the encoding must be Unicode, UTF8 or ASCII");
      return mapText(src(s), (t) => {
        const clean = t.replace(/\s+/g, "");
        if (clean.length % 4 !== 0 || !BASE64.test(clean)) fail("ConvertFromBase64", call, `'${t.length > 40 ? `${t.slice(0, 40)}…` : t}' is not base64 text`);
        const binary = atob(clean);
        const bytes = new Uint8Array(binary.length);
        for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
        if (encoding === "ASCII") {
          let out = "";
          for (const b of bytes) out += b < 0x80 ? String.fromCharCode(b) : "?";
          return out;
        }
        return new TextDecoder(encoding === "UTF8" ? "utf-8" : "utf-16le").decode(bytes);
      });
    };
  },
});

def({
  name: "CStr",
  params: [p("source")],
  min: 1,
  max: 1,
  build: (args) => {
    const src = arg(args, 0);
    return (s) => mapText(src(s), (t) => t);
  },
});

// ---- Replace -----------------------------------------------------------------

def({
  name: "Replace",
  params: [
    p("source"),
    p("Find", true, ["oldValue"]),
    p("RegularExpression", true, ["regexPattern"]),
    p("RegularExpressionGroupName", true, ["regexGroupName"]),
    p("Replacement", true, ["replacementValue"]),
    p("ReplacementPropertyName", true, ["replacementAttributeName"]),
    p("Template", true, ["template"]),
  ],
  min: 2,
  max: 7,
  build: (args, call, services) => {
    const [source, oldValue, pattern, group, replacement, replacementAttr, template] = [0, 1, 2, 3, 4, 5, 6].map((i) => args[i] ?? null);
    const src = arg(args, 0);
    const fnFail = (message: string): never =>
      services.fail(
        call,
        `Replace: ${message}. Give oldValue + replacementValue, oldValue + template, regexPattern + replacementValue, regexPattern + regexGroupName + replacementValue, or regexPattern + regexGroupName + replacementAttributeName`,
      );
    void source;
    if (oldValue && pattern) fnFail("oldValue and regexPattern cannot both be given");
    if (oldValue) {
      if (group || replacementAttr) fnFail("regexGroupName and replacementAttributeName need a regexPattern");
      if (replacement && template) fnFail("give either replacementValue or template with oldValue, not both");
      if (!replacement && !template) fnFail("oldValue needs replacementValue or template");
      if (oldValue.constant && toText(oldValue.value) === "") services.fail(oldValue.node, "Replace: oldValue cannot be empty");
      const old = oldValue.run;
      if (replacement) {
        // Mode 1: every occurrence of oldValue in source becomes replacementValue.
        const rep = replacement.run;
        return (s) => {
          const o = toText(old(s));
          const r = toText(rep(s)) ?? "";
          return mapText(src(s), (t) => (o === null || o === "" ? t : t.replaceAll(o, r)));
        };
      }
      // Mode 2: every occurrence of oldValue in template becomes source.
      const tpl = (template as CompiledArg).run;
      return (s) => {
        const o = toText(old(s));
        const t = toText(tpl(s));
        if (t === null) return null;
        return mapText(src(s), (value) => (o === null || o === "" ? t : t.replaceAll(o, value)));
      };
    }
    if (!pattern) fnFail("neither oldValue nor regexPattern is given");
    if (template) fnFail("template needs oldValue");
    const regex = regexFor("Replace", call, services, pattern, group);
    if (group && replacementAttr) {
      if (replacement) fnFail("give either replacementValue or replacementAttributeName with regexGroupName, not both");
      // Mode 5: keep source when it has a value; else extract the group from the replacement attribute.
      const other =
        replacementAttr.node.kind === "string" ? services.attribute(replacementAttr.node.value) : replacementAttr.run;
      const grp = group.run;
      return (s) => {
        const v = src(s);
        if (!isNilOrEmpty(v)) return v;
        const re = regex(s);
        const g = toText(grp(s));
        if (re === null || g === null) return null;
        return mapText(other(s), (t) => re.match(t)?.group(g) ?? null);
      };
    }
    if (replacementAttr) fnFail("replacementAttributeName needs regexGroupName");
    if (!replacement) fnFail(group ? "regexGroupName needs replacementValue or replacementAttributeName" : "regexPattern needs replacementValue");
    const rep = (replacement as CompiledArg).run;
    if (group) {
      // Mode 4: the text captured by the group, in every match, becomes replacementValue.
      const grp = group.run;
      return (s) => {
        const re = regex(s);
        const g = toText(grp(s));
        const r = toText(rep(s)) ?? "";
        if (re === null || g === null) return src(s);
        return mapText(src(s), (t) => {
          let out = "";
          let last = 0;
          for (const m of re.matchAll(t)) {
            const span = m.groupSpan(g);
            if (!span || span[0] < last) continue;
            out += t.slice(last, span[0]) + r;
            last = span[1];
          }
          return out + t.slice(last);
        });
      };
    }
    // Mode 3: regex replace with .NET substitutions ($1, ${name}, $$).
    return (s) => {
      const re = regex(s);
      const r = toText(rep(s)) ?? "";
      if (re === null) return src(s);
      return mapText(src(s), (t) => re.replace(t, r));
    };
  },
});

// ---- logic -----------------------------------------------------------------

function collectAttributes(node: ExpressionNode, into: Set<string>): void {
  switch (node.kind) {
    case "attribute":
      into.add(node.name);
      break;
    case "call":
      for (const a of node.args) if (a) collectAttributes(a, into);
      break;
    case "comparison":
      collectAttributes(node.left, into);
      collectAttributes(node.right, into);
      break;
    case "concat":
      for (const part of node.parts) collectAttributes(part, into);
      break;
    default:
      break;
  }
}

def({
  name: "IIF",
  params: [p("condition"), p("valueIfTrue"), p("valueIfFalse")],
  min: 3,
  max: 3,
  build: (args, call, services) => {
    const condArg = args[0] as CompiledArg;
    const cond = condArg.run;
    const yes = arg(args, 1);
    const no = arg(args, 2);
    const names = new Set<string>();
    collectAttributes(condArg.node, names);
    const reads = [...names].map((name) => ({ name, read: services.attribute(name) }));
    return (s) => {
      for (const r of reads) {
        if (isNilOrEmpty(r.read(s))) {
          fail(
            "IIF",
            call,
            `the condition reads [${r.name}], which is null or empty, and Entra fails IIF conditions over null or empty attributes. Test for a missing value with Switch([${r.name}], [${r.name}], "", "fallback") instead`,
          );
        }
      }
      const c = toBoolean(cond(s));
      if (c === undefined) fail("IIF", call, `the condition must be True or False, got ${JSON.stringify(toText(cond(s)))}`);
      return c ? yes(s) : no(s);
    };
  },
});

def({
  name: "Switch",
  params: [p("source"), p("defaultValue", true)],
  repeat: p("switchValue"),
  min: 4,
  max: Number.POSITIVE_INFINITY,
  checkCount: (n) => (n % 2 === 0 ? undefined : "Switch needs a source, a default value and key/value pairs: an even number of arguments"),
  build: (args) => {
    const src = arg(args, 0);
    const dflt = arg(args, 1);
    const pairs: Array<{ key: CompiledArg; value: Thunk }> = [];
    for (let i = 2; i + 1 < args.length; i += 2) pairs.push({ key: args[i] as CompiledArg, value: arg(args, i + 1) });
    const keyOf = (v: unknown): string => toText(first(v)) ?? "";
    if (pairs.every((pair) => pair.key.constant)) {
      const table = new Map<string, Thunk>();
      for (const pair of pairs) {
        const k = keyOf(pair.key.value);
        if (!table.has(k)) table.set(k, pair.value);
      }
      return (s) => {
        const hit = table.get(keyOf(src(s)));
        return hit ? hit(s) : dflt(s);
      };
    }
    return (s) => {
      const k = keyOf(src(s));
      for (const pair of pairs) if (keyOf(pair.key.run(s)) === k) return pair.value(s);
      return dflt(s);
    };
  },
});

def({
  name: "Coalesce",
  params: [],
  repeat: p("source"),
  min: 1,
  max: Number.POSITIVE_INFINITY,
  build: (args) => {
    const sources = args.map((a) => a?.run ?? NULL_THUNK);
    return (s) => {
      for (const source of sources) {
        const v = source(s);
        if (!isNil(v)) return v;
      }
      return null;
    };
  },
});

def({
  name: "Not",
  params: [p("source")],
  min: 1,
  max: 1,
  build: (args) => {
    const src = arg(args, 0);
    return (s) => {
      const v = first(src(s));
      return !(v === true || v === "True");
    };
  },
});

def({
  name: "CBool",
  params: [p("source")],
  min: 1,
  max: 1,
  build: (args, call) => {
    const src = arg(args, 0);
    return (s) => {
      const v = src(s);
      const b = toBoolean(v);
      if (b === undefined) fail("CBool", call, `cannot read ${JSON.stringify(toText(v))} as a boolean (expected True, False or a number)`);
      return b;
    };
  },
});

def({ name: "IsNull", params: [p("source")], min: 1, max: 1, build: (args) => { const src = arg(args, 0); return (s) => isNil(src(s)); } });
def({ name: "IsNullOrEmpty", params: [p("source")], min: 1, max: 1, build: (args) => { const src = arg(args, 0); return (s) => isNilOrEmpty(src(s)); } });
def({ name: "IsPresent", params: [p("source")], min: 1, max: 1, build: (args) => { const src = arg(args, 0); return (s) => !isNilOrEmpty(src(s)); } });
def({ name: "IsString", params: [p("source")], min: 1, max: 1, build: (args) => { const src = arg(args, 0); return (s) => typeof src(s) === "string"; } });

def({
  name: "IgnoreFlowIfNullOrEmpty",
  params: [p("source")],
  min: 1,
  max: 1,
  build: (args) => {
    const src = arg(args, 0);
    return (s) => {
      const v = src(s);
      if (isNilOrEmpty(v)) throw IGNORE_SIGNAL;
      return v;
    };
  },
});

// ---- multi-valued ------------------------------------------------------------

function asList(v: unknown): unknown[] {
  if (Array.isArray(v)) return v.filter((x) => x !== null && x !== undefined);
  return v === null || v === undefined ? [] : [v];
}

def({
  name: "Count",
  params: [p("source")],
  min: 1,
  max: 1,
  build: (args) => {
    const src = arg(args, 0);
    return (s) => asList(src(s)).length;
  },
});

def({
  name: "Item",
  params: [p("source"), p("index")],
  min: 2,
  max: 2,
  build: (args, call) => {
    const src = arg(args, 0);
    const idx = arg(args, 1);
    return (s) => {
      const v = src(s);
      const i = integer("Item", call, idx(s), "index");
      if (isNil(v) || i === null) return null;
      const list = asList(v);
      if (i < 1 || i > list.length) fail("Item", call, `index ${i} is out of range: the attribute has ${list.length} value${list.length === 1 ? "" : "s"} (the first is 1)`);
      return list[i - 1];
    };
  },
});

def({
  name: "RemoveDuplicates",
  params: [p("source")],
  min: 1,
  max: 1,
  build: (args) => {
    const src = arg(args, 0);
    return (s) => {
      const v = src(s);
      if (isNil(v)) return null;
      const seen = new Set<string>();
      const out: unknown[] = [];
      for (const x of asList(v)) {
        const k = typeof x === "string" ? x : `\u0000${toText(x) ?? ""}`;
        if (seen.has(k)) continue;
        seen.add(k);
        out.push(x);
      }
      return out;
    };
  },
});

def({
  name: "Contains",
  params: [p("source"), p("value"), p("compareType", true)],
  min: 2,
  max: 3,
  build: (args, _call, services) => {
    const src = arg(args, 0);
    const needle = arg(args, 1);
    const ignoreCase = compareMode("Contains", args[2], services);
    return (s) => {
      const n = toText(first(needle(s)));
      if (n === null) return 0;
      const ic = ignoreCase(s);
      const want = ic ? lowerSimple(n) : n;
      const list = asList(src(s));
      for (let i = 0; i < list.length; i++) {
        const t = toText(list[i]);
        if (t !== null && (ic ? lowerSimple(t) : t).includes(want)) return i + 1;
      }
      return 0;
    };
  },
});

// ---- dates -----------------------------------------------------------------

function intervalOf(fn: string, a: CompiledArg | null | undefined, call: CallNode, services: CompileServices): (s: EvalScope) => VbInterval {
  const describe = `${fn}: the interval must be one of yyyy, q, m, y, d, w, ww, h, n, s`;
  if (a?.constant) {
    const t = toText(a.value) ?? "";
    const interval = toVbInterval(t);
    if (interval === undefined) services.fail(a.node, `${describe}, got '${t}'`);
    return () => interval;
  }
  const run = a?.run ?? NULL_THUNK;
  return (s) => {
    const t = toText(run(s)) ?? "";
    return toVbInterval(t) ?? fail(fn, call, `the interval must be one of yyyy, q, m, y, d, w, ww, h, n, s, got '${t}'`);
  };
}

function guardDate<T>(fn: string, call: CallNode, f: () => T): T {
  try {
    return f();
  } catch (error) {
    if (error instanceof DateProblem) fail(fn, call, error.message, error);
    throw error;
  }
}

def({
  name: "CDate",
  params: [p("source")],
  min: 1,
  max: 1,
  build: (args, call) => {
    const src = arg(args, 0);
    return (s) => {
      const ms = dateMs("CDate", call, src(s));
      return ms === null ? null : new DateTimeValue(ms);
    };
  },
});

def({
  name: "DateAdd",
  params: [p("interval"), p("value"), p("dateTime")],
  min: 3,
  max: 3,
  build: (args, call, services) => {
    const interval = intervalOf("DateAdd", args[0], call, services);
    const count = arg(args, 1);
    const date = arg(args, 2);
    return (s) => {
      const n = number("DateAdd", call, count(s), "value");
      const ms = dateMs("DateAdd", call, date(s));
      if (n === null || ms === null) return null;
      const i = interval(s);
      return new DateTimeValue(guardDate("DateAdd", call, () => vbDateAdd(i, n, ms)));
    };
  },
});

def({
  name: "DateDiff",
  params: [p("interval"), p("date1"), p("date2")],
  min: 3,
  max: 3,
  build: (args, call, services) => {
    const interval = intervalOf("DateDiff", args[0], call, services);
    const d1 = arg(args, 1);
    const d2 = arg(args, 2);
    return (s) => {
      const a = dateMs("DateDiff", call, d1(s));
      const b = dateMs("DateDiff", call, d2(s));
      if (a === null || b === null) return null;
      return vbDateDiff(interval(s), a, b);
    };
  },
});

function ticksOf(fn: string, call: CallNode, v: unknown): bigint | null {
  const x = first(v);
  if (x === null) return null;
  if (typeof x === "bigint") return x;
  if (typeof x === "number") {
    if (!Number.isInteger(x)) fail(fn, call, `expected whole ticks, got ${x}`);
    return BigInt(x);
  }
  if (typeof x === "string" && /^\s*-?\d+\s*$/.test(x)) return BigInt(x.trim());
  return fail(fn, call, `expected a number of ticks (100 ns since 1601-01-01), got ${JSON.stringify(toText(x))}`);
}

def({
  name: "DateFromNum",
  params: [p("source")],
  min: 1,
  max: 1,
  build: (args, call) => {
    const src = arg(args, 0);
    return (s) => {
      const ticks = ticksOf("DateFromNum", call, src(s));
      if (ticks === null) return null;
      return new DateTimeValue(guardDate("DateFromNum", call, () => ticksToMs(ticks)));
    };
  },
});

def({
  name: "NumFromDate",
  params: [p("source")],
  min: 1,
  max: 1,
  build: (args, call) => {
    const src = arg(args, 0);
    return (s) => {
      const ms = dateMs("NumFromDate", call, src(s));
      return ms === null ? null : msToTicks(ms).toString();
    };
  },
});

const STYLE_NAMES: Record<string, Partial<DateParseStyles> | null> = {
  none: null,
  allowleadingwhite: { allowLeadingWhite: true },
  allowtrailingwhite: { allowTrailingWhite: true },
  allowinnerwhite: { allowInnerWhite: true },
  allowwhitespaces: { allowLeadingWhite: true, allowTrailingWhite: true, allowInnerWhite: true },
  nocurrentdatedefault: null,
  adjusttouniversal: null,
  assumelocal: null,
  assumeuniversal: null,
  roundtripkind: null,
};

const DEFAULT_STYLES: DateParseStyles = { allowLeadingWhite: true, allowTrailingWhite: true, allowInnerWhite: false };

/** Reads a DateTimeStyles list ("AllowWhiteSpaces, AssumeUniversal"); undefined when a name is unknown. */
function readStyles(text: string | null): DateParseStyles | undefined {
  if (text === null || text.trim() === "") return DEFAULT_STYLES;
  const styles: DateParseStyles = { allowLeadingWhite: false, allowTrailingWhite: false, allowInnerWhite: false };
  for (const raw of text.split(/[\s,|]+/)) {
    if (raw === "") continue;
    const name = raw.replace(/^(System\.Globalization\.)?DateTimeStyles\./i, "").toLowerCase();
    if (!(name in STYLE_NAMES)) return undefined;
    Object.assign(styles, STYLE_NAMES[name] ?? {});
  }
  return styles;
}

def({
  name: "FormatDateTime",
  params: [p("source"), p("dateTimeStyles", true), p("inputFormat"), p("outputFormat")],
  min: 3,
  max: 4,
  build: (args, call, services) => {
    // The older three-argument form has no dateTimeStyles.
    const four = args.length === 4;
    const src = arg(args, 0);
    const stylesArg = four ? args[1] : null;
    const inArg = args[four ? 2 : 1];
    const outArg = args[four ? 3 : 2];
    for (const a of [inArg, outArg]) {
      const f = constantText(a);
      if (f !== undefined) {
        try {
          tokenizeDotNetFormat(f);
        } catch (error) {
          services.fail(a?.node, `FormatDateTime: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
    if (stylesArg?.constant && readStyles(toText(stylesArg.value)) === undefined) {
      services.fail(stylesArg.node, `FormatDateTime: unknown DateTimeStyles value '${toText(stylesArg.value)}'`);
    }
    const stylesRun = stylesArg?.run;
    const inRun = inArg?.run ?? NULL_THUNK;
    const outRun = outArg?.run ?? NULL_THUNK;
    return (s) => {
      const v = src(s);
      if (isNil(v)) return null;
      const styles = stylesRun ? readStyles(toText(stylesRun(s))) : DEFAULT_STYLES;
      if (styles === undefined) fail("FormatDateTime", call, "unknown DateTimeStyles value");
      const inFormat = toText(inRun(s));
      const outFormat = toText(outRun(s));
      if (inFormat === null || outFormat === null) fail("FormatDateTime", call, "inputFormat and outputFormat are required");
      const convert = (x: unknown): string | null => {
        if (x === null || x === undefined) return null;
        return guardDate("FormatDateTime", call, () => {
          const ms =
            x instanceof DateTimeValue ? x.ms : x instanceof Date ? x.getTime() : parseDotNetDateTimeExact(toText(x) ?? "", inFormat, styles, nowMs(s));
          return formatDotNetDateTime(ms, outFormat);
        });
      };
      if (Array.isArray(v)) return v.map(convert).filter((x) => x !== null);
      return convert(v);
    };
  },
});

def({
  name: "Now",
  params: [],
  min: 0,
  max: 0,
  build: () => (s) => new DateTimeValue(nowMs(s)),
});

// ---- numbers -----------------------------------------------------------------

def({
  name: "BitAnd",
  params: [p("value1"), p("value2")],
  min: 2,
  max: 2,
  build: (args, call) => {
    const a = arg(args, 0);
    const b = arg(args, 1);
    return (s) => {
      const x = integer("BitAnd", call, a(s), "value1");
      const y = integer("BitAnd", call, b(s), "value2");
      if (x === null || y === null) return null;
      return Number(BigInt.asIntN(64, BigInt(x) & BigInt(y)));
    };
  },
});

// ---- other -----------------------------------------------------------------

def({
  name: "Guid",
  params: [],
  min: 0,
  max: 0,
  build: () => (s) => {
    if (!s.c.random) return globalThis.crypto.randomUUID();
    const random = s.c.random;
    const bytes: number[] = [];
    for (let i = 0; i < 16; i++) bytes.push(randomInt(random, 256));
    bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40;
    bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
    const hex = bytes.map((b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  },
});

/** Special characters of the Windows password complexity rule. */
const SPECIALS = "~!@#$%^&*_-+=`|\\(){}[]:;\"'<>,.?/";
const DIGITS = "0123456789";
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";

def({
  name: "RandomString",
  params: [p("length"), p("minimumNumbers"), p("minimumSpecialCharacters"), p("minimumCapital"), p("minimumLowerCase"), p("charactersToAvoid", true)],
  min: 5,
  max: 6,
  build: (args, call) => {
    const runs = [0, 1, 2, 3, 4].map((i) => arg(args, i));
    const avoidRun = args[5]?.run;
    const names = ["Length", "MinimumNumbers", "MinimumSpecialCharacters", "MinimumCapital", "MinimumLowerCase"];
    return (s) => {
      const n = runs.map((r, i) => integer("RandomString", call, r(s), names[i] as string) ?? 0);
      const [length, digits, specials, capitals, lowers] = n as [number, number, number, number, number];
      if (n.some((x) => x < 0)) fail("RandomString", call, "counts must not be negative");
      if (length < 1 || length > 256) fail("RandomString", call, `Length must be between 1 and 256, got ${length}`);
      if (digits + specials + capitals + lowers > length) fail("RandomString", call, `the minimum counts add up to more than Length (${length})`);
      const avoid = toText(avoidRun ? avoidRun(s) : null) ?? "";
      const keep = (set: string): string => [...set].filter((c) => !avoid.includes(c)).join("");
      const sets = [keep(DIGITS), keep(SPECIALS), keep(UPPER), keep(LOWER)];
      const mins = [digits, specials, capitals, lowers];
      const random = randomSource(s);
      const chars: string[] = [];
      sets.forEach((set, i) => {
        if ((mins[i] as number) > 0 && set === "") fail("RandomString", call, "CharactersToAvoid removes every character of a required kind");
        for (let k = 0; k < (mins[i] as number); k++) chars.push(set[randomInt(random, set.length)] as string);
      });
      const all = sets.join("");
      if (all === "") fail("RandomString", call, "CharactersToAvoid removes every character");
      while (chars.length < length) chars.push(all[randomInt(random, all.length)] as string);
      for (let i = chars.length - 1; i > 0; i--) {
        const j = randomInt(random, i + 1);
        [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
      }
      return chars.join("");
    };
  },
});

def({
  name: "Redact",
  params: [p("source")],
  min: 1,
  max: 1,
  build: (args, _call, services) => {
    services.markRedacted();
    return arg(args, 0);
  },
});

def({
  name: "Error",
  params: [p("message")],
  min: 1,
  max: 1,
  build: (args, call) => {
    const msg = arg(args, 0);
    return (s) => {
      const text = toText(first(msg(s))) ?? "Error() was called";
      const position = call.span?.start;
      throw new ExpressionEvaluationError("Error", text, position === undefined ? { raisedByExpression: true } : { position, raisedByExpression: true });
    };
  },
});

function roleName(x: unknown): string | null {
  if (x !== null && typeof x === "object" && !Array.isArray(x) && !(x instanceof Date)) {
    const o = x as Record<string, unknown>;
    return toText(o.value ?? o.displayName ?? o.id ?? null);
  }
  return toText(x);
}

def({
  name: "SingleAppRoleAssignment",
  params: [p("source")],
  min: 1,
  max: 1,
  build: (args) => {
    const src = arg(args, 0);
    return (s) => {
      for (const x of asList(src(s))) {
        const name = roleName(x);
        if (name !== null && name !== "") return name;
      }
      return null;
    };
  },
});

def({
  name: "AppRoleAssignmentsComplex",
  params: [p("source")],
  min: 1,
  max: 1,
  build: (args) => {
    const src = arg(args, 0);
    return (s) => {
      const v = src(s);
      if (isNil(v)) return null;
      return asList(v).filter((x) => !isNilOrEmpty(x));
    };
  },
});

def({
  name: "AltSecIdFromNetId",
  params: [p("source")],
  min: 1,
  max: 1,
  build: (args) => {
    const src = arg(args, 0);
    return (s) => {
      const id = toText(first(src(s)));
      if (id === null || id === "") return null;
      const tenant = s.c.sourceTenantId;
      return tenant ? `${tenant.toLowerCase()}:${id.toLowerCase()}` : id.toLowerCase();
    };
  },
});

/** Every function of the language, by its (case-sensitive) name. */
export const FUNCTIONS: ReadonlyMap<string, FunctionDef> = new Map(defs.map((d) => [d.name, d]));

/** Entra functions tenantsync knows by name but does not implement (they need Entra's own services). */
export const UNSUPPORTED_FUNCTIONS: ReadonlyMap<string, string> = new Map([
  ["SelectUniqueValue", "it needs a uniqueness query against the target directory while mapping; generate candidates in a matching rule instead"],
  ["DNComponent", "tenantsync has no distinguished names"],
  ["StringFromSid", "tenantsync has no binary security identifiers"],
  ["DefaultDomain", "use the target tenant's domain as a constant"],
  ["AppRoleAssignments", "use AppRoleAssignmentsComplex or SingleAppRoleAssignment"],
]);
