/**
 * Date handling for the expression language, with .NET / Visual Basic
 * semantics on UTC instants (milliseconds since the Unix epoch):
 * custom and standard .NET format strings (invariant culture) for formatting
 * and exact parsing, `DateTime.Parse`-like reading of common date strings,
 * VB `DateAdd` / `DateDiff`, and Active Directory ticks.
 *
 * Everything works on UTC fields, never on the process time zone.
 *
 * @module
 */

/** The format Entra uses for dates leaving `CDate`, `DateAdd`, `Now`, `DateFromNum`. */
export const ENTRA_DATE_FORMAT = "M/d/yyyy h:mm:ss tt";

/** A date produced by a date function; it leaves an expression as {@link ENTRA_DATE_FORMAT} text. */
export class DateTimeValue {
  constructor(readonly ms: number) {}

  toString(): string {
    return formatDotNetDateTime(this.ms, ENTRA_DATE_FORMAT);
  }
}

/** A problem with a date, a format string or an interval; callers turn it into a typed error. */
export class DateProblem extends Error {}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MS_PER_DAY = 86_400_000;
/** Milliseconds from 1601-01-01 (the AD / FILETIME epoch) to 1970-01-01. */
const FILETIME_EPOCH_OFFSET_MS = 11_644_473_600_000n;
const MAX_YEAR = 9999;

function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, ms);
  return d.getTime();
}

function daysInMonth(year: number, month: number): number {
  return new Date(utcMs(year, month + 1, 0)).getUTCDate();
}

function checkRange(ms: number): number {
  const year = new Date(ms).getUTCFullYear();
  if (!Number.isFinite(ms) || year < 1 || year > MAX_YEAR) throw new DateProblem("the date is outside the years 1 to 9999");
  return ms;
}

// ---------------------------------------------------------------------------
// Format strings

type FormatToken = { field: string; len: number } | { literal: string };

const FIELD_CHARS = new Set(["d", "f", "F", "g", "h", "H", "K", "m", "M", "s", "t", "y", "z"]);

/** Standard (one-letter) format strings of the invariant culture. */
const STANDARD_FORMATS: Record<string, string> = {
  d: "MM/dd/yyyy",
  D: "dddd, dd MMMM yyyy",
  f: "dddd, dd MMMM yyyy HH:mm",
  F: "dddd, dd MMMM yyyy HH:mm:ss",
  g: "MM/dd/yyyy HH:mm",
  G: "MM/dd/yyyy HH:mm:ss",
  m: "MMMM dd",
  M: "MMMM dd",
  o: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
  O: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
  r: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
  R: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
  s: "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
  t: "HH:mm",
  T: "HH:mm:ss",
  u: "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
  U: "dddd, dd MMMM yyyy HH:mm:ss",
  y: "yyyy MMMM",
  Y: "yyyy MMMM",
};

const tokenCache = new Map<string, FormatToken[]>();

/** Splits a .NET date format string into fields and literal text (throws {@link DateProblem}). */
export function tokenizeDotNetFormat(format: string): FormatToken[] {
  const cached = tokenCache.get(format);
  if (cached) return cached;
  let f = format;
  if (f.length === 0) throw new DateProblem("the format string is empty");
  if (f.length === 1) {
    const standard = STANDARD_FORMATS[f];
    if (standard === undefined) throw new DateProblem(`'${f}' is not a standard .NET date format (use %${f} for the single custom specifier)`);
    f = standard;
  }
  const tokens: FormatToken[] = [];
  const pushLiteral = (text: string): void => {
    const last = tokens[tokens.length - 1];
    if (last && "literal" in last) last.literal += text;
    else tokens.push({ literal: text });
  };
  for (let i = 0; i < f.length; ) {
    const c = f[i] as string;
    if (FIELD_CHARS.has(c)) {
      let j = i + 1;
      while (f[j] === c) j++;
      const len = j - i;
      if ((c === "f" || c === "F") && len > 7) throw new DateProblem(`'${c.repeat(len)}' has more than 7 fraction digits`);
      tokens.push({ field: c, len });
      i = j;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      let text = "";
      while (j < f.length && f[j] !== c) {
        if (f[j] === "\\" && j + 1 < f.length) j++;
        text += f[j];
        j++;
      }
      if (j >= f.length) throw new DateProblem(`the quoted text starting at position ${i} of the format is not closed by ${c}`);
      pushLiteral(text);
      i = j + 1;
    } else if (c === "\\") {
      if (i + 1 >= f.length) throw new DateProblem("the format ends with a lone backslash");
      pushLiteral(f[i + 1] as string);
      i += 2;
    } else if (c === "%") {
      const n = f[i + 1];
      if (n === undefined || !FIELD_CHARS.has(n) || f[i + 2] === n) throw new DateProblem(`'%' at position ${i} of the format must be followed by one format letter`);
      tokens.push({ field: n, len: 1 });
      i += 2;
    } else {
      pushLiteral(c);
      i++;
    }
  }
  if (tokenCache.size > 256) tokenCache.clear();
  tokenCache.set(format, tokens);
  return tokens;
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n));
  return (n < 0 ? "-" : "") + (s.length >= width ? s : "0".repeat(width - s.length) + s);
}

/**
 * Formats a UTC instant with a .NET custom or standard format string,
 * invariant culture. Offsets (`z`, `zz`, `zzz`) print as `+0`, `+00`,
 * `+00:00` and `K` as `Z`, since every value is UTC.
 */
export function formatDotNetDateTime(ms: number, format: string): string {
  const tokens = tokenizeDotNetFormat(format);
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  const hour = d.getUTCHours();
  const minute = d.getUTCMinutes();
  const second = d.getUTCSeconds();
  const milli = d.getUTCMilliseconds();
  let out = "";
  for (const t of tokens) {
    if ("literal" in t) {
      out += t.literal;
      continue;
    }
    const n = t.len;
    switch (t.field) {
      case "d":
        out += n === 1 ? String(day) : n === 2 ? pad(day, 2) : n === 3 ? (DAYS[d.getUTCDay()] as string).slice(0, 3) : (DAYS[d.getUTCDay()] as string);
        break;
      case "M":
        out += n === 1 ? String(month) : n === 2 ? pad(month, 2) : n === 3 ? (MONTHS[month - 1] as string).slice(0, 3) : (MONTHS[month - 1] as string);
        break;
      case "y":
        out += n === 1 ? String(year % 100) : n === 2 ? pad(year % 100, 2) : pad(year, n);
        break;
      case "h": {
        const h12 = hour % 12 === 0 ? 12 : hour % 12;
        out += n === 1 ? String(h12) : pad(h12, 2);
        break;
      }
      case "H":
        out += n === 1 ? String(hour) : pad(hour, 2);
        break;
      case "m":
        out += n === 1 ? String(minute) : pad(minute, 2);
        break;
      case "s":
        out += n === 1 ? String(second) : pad(second, 2);
        break;
      case "f":
        out += (pad(milli, 3) + "0000").slice(0, n);
        break;
      case "F": {
        const digits = (pad(milli, 3) + "0000").slice(0, n).replace(/0+$/, "");
        // .NET drops a '.' written just before an F field that prints nothing.
        if (digits === "" && out.endsWith(".")) out = out.slice(0, -1);
        out += digits;
        break;
      }
      case "t":
        out += n === 1 ? (hour < 12 ? "A" : "P") : hour < 12 ? "AM" : "PM";
        break;
      case "z":
        out += n === 1 ? "+0" : n === 2 ? "+00" : "+00:00";
        break;
      case "K":
        out += "Z".repeat(n);
        break;
      case "g":
        out += "A.D.";
        break;
      default:
        break;
    }
  }
  return out;
}

/** White-space handling of exact parsing, after .NET's `DateTimeStyles`. */
export interface DateParseStyles {
  allowLeadingWhite: boolean;
  allowTrailingWhite: boolean;
  allowInnerWhite: boolean;
}

const WHITE = /\s/;

/**
 * Parses `text` exactly against a .NET format string (like
 * `DateTime.ParseExact`, invariant culture). A value with an offset is
 * converted to UTC; a value without one is read as UTC. Missing date parts
 * default as in .NET (no date at all: today; no year: this year).
 * Throws {@link DateProblem} when the text does not match.
 */
export function parseDotNetDateTimeExact(text: string, format: string, styles: DateParseStyles, nowMs: number): number {
  const tokens = tokenizeDotNetFormat(format);
  let s = text;
  if (styles.allowLeadingWhite) s = s.replace(/^\s+/, "");
  if (styles.allowTrailingWhite) s = s.replace(/\s+$/, "");
  let p = 0;
  let year: number | undefined;
  let twoDigitYear = false;
  let month: number | undefined;
  let day: number | undefined;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let milli = 0;
  let pm: boolean | undefined;
  let offsetMinutes: number | undefined;
  let dayOfWeek: number | undefined;
  const fail = (what: string): never => {
    throw new DateProblem(`'${text}' does not match the format '${format}': ${what} at position ${p}`);
  };
  const skipInner = (): void => {
    if (styles.allowInnerWhite) while (p < s.length && WHITE.test(s[p] as string)) p++;
  };
  const digits = (min: number, max: number, what: string): number => {
    let q = p;
    while (q < s.length && q - p < max && s.charCodeAt(q) >= 48 && s.charCodeAt(q) <= 57) q++;
    if (q - p < min) fail(`expected ${min === max ? min : `${min} to ${max}`} digit${max === 1 ? "" : "s"} for ${what}`);
    const value = Number(s.slice(p, q));
    p = q;
    return value;
  };
  const name = (names: string[], abbreviated: boolean, what: string): number => {
    const rest = s.slice(p).toLowerCase();
    for (let i = 0; i < names.length; i++) {
      const n = (abbreviated ? (names[i] as string).slice(0, 3) : (names[i] as string)).toLowerCase();
      if (rest.startsWith(n)) {
        p += n.length;
        return i;
      }
    }
    return fail(`expected a ${what} name`);
  };
  const offset = (allowZ: boolean): void => {
    if (allowZ && (s[p] === "Z" || s[p] === "z")) {
      p++;
      offsetMinutes = 0;
      return;
    }
    const sign = s[p];
    if (sign !== "+" && sign !== "-") {
      if (allowZ) return;
      fail("expected an offset such as +02:00");
    }
    p++;
    const h = digits(1, 2, "the offset hours");
    let m = 0;
    if (s[p] === ":" && /\d/.test(s[p + 1] ?? "")) {
      p++;
      m = digits(2, 2, "the offset minutes");
    } else if (/^\d\d/.test(s.slice(p, p + 2))) {
      m = digits(2, 2, "the offset minutes");
    }
    if (h > 14 || m > 59) fail("the offset is out of range");
    offsetMinutes = (sign === "-" ? -1 : 1) * (h * 60 + m);
  };
  for (const t of tokens) {
    if ("literal" in t) {
      for (const ch of t.literal) {
        if (styles.allowInnerWhite && WHITE.test(ch)) {
          skipInner();
          continue;
        }
        skipInner();
        if (s[p] !== ch) fail(`expected '${ch}'`);
        p++;
      }
      continue;
    }
    skipInner();
    const n = t.len;
    switch (t.field) {
      case "d":
        if (n <= 2) day = digits(n, 2, "the day");
        else dayOfWeek = name(DAYS, n === 3, "day");
        break;
      case "M":
        if (n <= 2) month = digits(n, 2, "the month");
        else month = name(MONTHS, n === 3, "month") + 1;
        break;
      case "y":
        if (n <= 2) {
          year = digits(n, 2, "the year");
          twoDigitYear = true;
        } else {
          year = digits(n, Math.max(n, 4), "the year");
          twoDigitYear = false;
        }
        break;
      case "h":
      case "H":
        hour = digits(n === 1 ? 1 : 2, 2, "the hour");
        break;
      case "m":
        minute = digits(n === 1 ? 1 : 2, 2, "the minutes");
        break;
      case "s":
        second = digits(n === 1 ? 1 : 2, 2, "the seconds");
        break;
      case "f":
      case "F": {
        const start = p;
        digits(t.field === "f" ? n : 0, n, "the fraction of a second");
        const frac = s.slice(start, p);
        milli = frac === "" ? 0 : Math.floor(Number(`0.${frac}`) * 1000 + 1e-9);
        break;
      }
      case "t": {
        const want = n === 1 ? 1 : 2;
        const got = s.slice(p, p + want).toUpperCase();
        if (want === 1 ? got !== "A" && got !== "P" : got !== "AM" && got !== "PM") fail("expected AM or PM");
        pm = got.startsWith("P");
        p += want;
        break;
      }
      case "z":
        offset(false);
        break;
      case "K":
        offset(true);
        break;
      case "g": {
        const m = /^(A\.?D\.?)/i.exec(s.slice(p));
        if (m) p += m[0].length;
        break;
      }
      default:
        break;
    }
  }
  if (p !== s.length) fail("unexpected text");
  const now = new Date(nowMs);
  if (year === undefined && month === undefined && day === undefined) {
    year = now.getUTCFullYear();
    month = now.getUTCMonth() + 1;
    day = now.getUTCDate();
  }
  if (twoDigitYear && year !== undefined) year += year <= 49 ? 2000 : 1900;
  const y = year ?? now.getUTCFullYear();
  const mo = month ?? 1;
  const dd = day ?? 1;
  if (pm !== undefined) {
    if (hour > 12) fail("the hour is above 12 with AM/PM");
    if (pm && hour < 12) hour += 12;
    if (!pm && hour === 12) hour = 0;
  }
  if (y < 1 || y > MAX_YEAR || mo < 1 || mo > 12 || dd < 1 || dd > daysInMonth(y, mo) || hour > 23 || minute > 59 || second > 59) {
    fail("the date or time is out of range");
  }
  let ms = utcMs(y, mo, dd, hour, minute, second, milli);
  if (dayOfWeek !== undefined && new Date(ms).getUTCDay() !== dayOfWeek) fail("the day of the week does not match the date");
  if (offsetMinutes !== undefined) ms -= offsetMinutes * 60_000;
  return checkRange(ms);
}

// ---------------------------------------------------------------------------
// Loose parsing (CDate)

const TIME = String.raw`(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,7}))?)?`;
const ZONE = String.raw`(Z|UTC|GMT|[+-]\d{1,2}(?::?\d{2})?)`;
const ISO_RE = new RegExp(String.raw`^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]${TIME})?\s*${ZONE}?$`, "i");
const YMD_SLASH_RE = new RegExp(String.raw`^(\d{4})/(\d{1,2})/(\d{1,2})(?:[T ]${TIME})?\s*${ZONE}?$`, "i");
const US_RE = new RegExp(String.raw`^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+${TIME}\s*(AM|PM)?)?\s*${ZONE}?$`, "i");
const RFC_RE = new RegExp(String.raw`^(?:[A-Za-z]{3,9},?\s+)?(\d{1,2})\s+([A-Za-z]{3,9})\s+(\d{4})(?:\s+${TIME})?\s*${ZONE}?$`, "i");

function zoneMinutes(zone: string | undefined): number {
  if (zone === undefined) return 0;
  const z = zone.toUpperCase();
  if (z === "Z" || z === "UTC" || z === "GMT") return 0;
  const m = /^([+-])(\d{1,2}):?(\d{2})?$/.exec(z);
  if (!m) throw new DateProblem(`'${zone}' is not a time-zone offset`);
  const total = Number(m[2]) * 60 + Number(m[3] ?? "0");
  if (Number(m[2]) > 14 || Number(m[3] ?? "0") > 59) throw new DateProblem(`'${zone}' is not a valid offset`);
  return (m[1] === "-" ? -1 : 1) * total;
}

function build(
  y: number,
  mo: number,
  d: number,
  h: string | undefined,
  mi: string | undefined,
  s: string | undefined,
  f: string | undefined,
  ampm: string | undefined,
  zone: string | undefined,
  text: string,
): number {
  let hour = Number(h ?? "0");
  const minute = Number(mi ?? "0");
  const second = Number(s ?? "0");
  const milli = f === undefined ? 0 : Math.floor(Number(`0.${f}`) * 1000 + 1e-9);
  if (ampm !== undefined) {
    if (hour < 1 || hour > 12) throw new DateProblem(`'${text}' has an hour outside 1-12 with ${ampm}`);
    const pm = ampm.toUpperCase() === "PM";
    if (pm && hour < 12) hour += 12;
    if (!pm && hour === 12) hour = 0;
  }
  if (y < 1 || y > MAX_YEAR || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || hour > 23 || minute > 59 || second > 59) {
    throw new DateProblem(`'${text}' is not a valid date`);
  }
  return checkRange(utcMs(y, mo, d, hour, minute, second, milli) - zoneMinutes(zone) * 60_000);
}

/**
 * Reads a date string the way `CDate` does (a subset of .NET's
 * `DateTime.Parse` with the invariant culture): ISO 8601 dates and date-times
 * with an optional offset (`2020-03-16-07:00`, `2009-06-15T01:45:30-07:00`),
 * `M/d/yyyy [h:mm[:ss] [AM|PM]]`, `yyyy/M/d`, and RFC 1123
 * (`Tue, 15 Jun 2009 08:45:30 GMT`). A value without an offset is UTC.
 * Throws {@link DateProblem} for anything else.
 */
export function parseDateTimeLoose(input: string): number {
  const text = input.trim();
  let m = ISO_RE.exec(text) ?? YMD_SLASH_RE.exec(text);
  if (m) return build(Number(m[1]), Number(m[2]), Number(m[3]), m[4], m[5], m[6], m[7], undefined, m[8], input);
  m = US_RE.exec(text);
  if (m) return build(Number(m[3]), Number(m[1]), Number(m[2]), m[4], m[5], m[6], m[7], m[8], m[9], input);
  m = RFC_RE.exec(text);
  if (m) {
    const monthName = (m[2] as string).toLowerCase();
    const month = MONTHS.findIndex((n) => n.toLowerCase() === monthName || n.slice(0, 3).toLowerCase() === monthName);
    if (month >= 0) return build(Number(m[3]), month + 1, Number(m[1]), m[4], m[5], m[6], m[7], undefined, m[8], input);
  }
  throw new DateProblem(`'${input}' is not a date CDate can read (use ISO 8601 such as 2024-05-01T10:00:00Z, or M/d/yyyy h:mm:ss tt)`);
}

// ---------------------------------------------------------------------------
// VB date arithmetic

/** The interval names of `DateAdd` / `DateDiff` (VB): yyyy q m y d w ww h n s. */
export type VbInterval = "yyyy" | "q" | "m" | "y" | "d" | "w" | "ww" | "h" | "n" | "s";

const INTERVALS: ReadonlySet<string> = new Set(["yyyy", "q", "m", "y", "d", "w", "ww", "h", "n", "s"]);

/** The interval for a name (case-insensitive), or undefined when it is not one. */
export function toVbInterval(name: string): VbInterval | undefined {
  const lower = name.toLowerCase();
  return INTERVALS.has(lower) ? (lower as VbInterval) : undefined;
}

function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  if (year < 1 || year > MAX_YEAR) throw new DateProblem("the result is outside the years 1 to 9999");
  const day = Math.min(d.getUTCDate(), daysInMonth(year, month));
  return utcMs(year, month, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

/** VB `DateAdd`: adds `count` (truncated to an integer) intervals; months and years keep the day, clamped to the month's end. */
export function vbDateAdd(interval: VbInterval, count: number, ms: number): number {
  const n = Math.trunc(count);
  switch (interval) {
    case "yyyy":
      return checkRange(addMonths(ms, n * 12));
    case "q":
      return checkRange(addMonths(ms, n * 3));
    case "m":
      return checkRange(addMonths(ms, n));
    case "y":
    case "d":
    case "w":
      return checkRange(ms + n * MS_PER_DAY);
    case "ww":
      return checkRange(ms + n * 7 * MS_PER_DAY);
    case "h":
      return checkRange(ms + n * 3_600_000);
    case "n":
      return checkRange(ms + n * 60_000);
    case "s":
      return checkRange(ms + n * 1000);
  }
}

function dayNumber(ms: number): number {
  return Math.floor(ms / MS_PER_DAY);
}

/**
 * VB `DateDiff(interval, date1, date2)`: positive when date2 is later. Years,
 * quarters and months count calendar boundaries; `ww` counts Sunday-based
 * week starts; days, `w` weeks, hours, minutes and seconds count whole
 * elapsed units (truncated).
 */
export function vbDateDiff(interval: VbInterval, ms1: number, ms2: number): number {
  const a = new Date(ms1);
  const b = new Date(ms2);
  const diff = ms2 - ms1;
  let result: number;
  switch (interval) {
    case "yyyy":
      result = b.getUTCFullYear() - a.getUTCFullYear();
      break;
    case "q":
      result = (b.getUTCFullYear() - a.getUTCFullYear()) * 4 + (Math.floor(b.getUTCMonth() / 3) - Math.floor(a.getUTCMonth() / 3));
      break;
    case "m":
      result = (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth());
      break;
    case "y":
    case "d":
      result = Math.trunc(diff / MS_PER_DAY);
      break;
    case "w":
      result = Math.trunc(diff / (7 * MS_PER_DAY));
      break;
    case "ww": {
      const sunday1 = dayNumber(ms1) - a.getUTCDay();
      const sunday2 = dayNumber(ms2) - b.getUTCDay();
      result = (sunday2 - sunday1) / 7;
      break;
    }
    case "h":
      result = Math.trunc(diff / 3_600_000);
      break;
    case "n":
      result = Math.trunc(diff / 60_000);
      break;
    case "s":
      result = Math.trunc(diff / 1000);
      break;
  }
  return result === 0 ? 0 : result;
}

// ---------------------------------------------------------------------------
// Active Directory ticks

/** AD / FILETIME ticks (100 ns since 1601-01-01 UTC) to epoch milliseconds (sub-millisecond ticks are dropped). */
export function ticksToMs(ticks: bigint): number {
  const ms = ticks / 10_000n - FILETIME_EPOCH_OFFSET_MS;
  const n = Number(ms);
  if (!Number.isFinite(n) || Math.abs(n) > 8.64e15) throw new DateProblem(`${ticks} ticks is outside the dates this engine can represent`);
  return n;
}

/** Epoch milliseconds to AD / FILETIME ticks. */
export function msToTicks(ms: number): bigint {
  return (BigInt(Math.trunc(ms)) + FILETIME_EPOCH_OFFSET_MS) * 10_000n;
}
