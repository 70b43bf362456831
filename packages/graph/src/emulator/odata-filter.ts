/**
 * A small OData `$filter` parser and evaluator for the Graph emulator: the
 * subset the Graph adapter and typical tests send. Supports `eq`, `ne`, `ge`,
 * `le`, `gt`, `lt`, `in (…)`, `and`, `or`, `not`, parentheses,
 * `startsWith(p,'x')`, `endsWith(p,'x')`, property paths (`a/b`), and string
 * (with `''` escapes), `null`, `true`/`false` and number literals. String
 * comparisons ignore case, as Graph's do for directory properties.
 *
 * @example
 * ```ts
 * const node: FilterNode = parseFilter("mail eq 'a@contoso.com'");
 * ```
 */
export type FilterNode =
  | { kind: "and" | "or"; left: FilterNode; right: FilterNode }
  | { kind: "not"; operand: FilterNode }
  | { kind: "compare"; op: "eq" | "ne" | "ge" | "le" | "gt" | "lt"; path: string[]; value: Literal }
  | { kind: "in"; path: string[]; values: Literal[] }
  | { kind: "call"; name: "startswith" | "endswith"; path: string[]; value: Literal };

type Literal = string | number | boolean | null;
type Token = { t: "str"; v: string } | { t: "word"; v: string } | { t: "num"; v: number } | { t: "(" } | { t: ")" } | { t: "," };

/** A `$filter` the emulator cannot read. */
export class FilterSyntaxError extends Error {}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "(" || c === ")" || c === ",") {
      out.push({ t: c });
      i++;
    } else if (c === "'") {
      let v = "";
      i++;
      for (;;) {
        if (i >= text.length) throw new FilterSyntaxError(`unterminated string in $filter at ${i}`);
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            v += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += text[i];
        i++;
      }
      out.push({ t: "str", v });
    } else if (/[-0-9]/.test(c) && /^-?\d+(\.\d+)?(?![\w-])/.test(text.slice(i))) {
      const m = /^-?\d+(\.\d+)?/.exec(text.slice(i)) as RegExpExecArray;
      out.push({ t: "num", v: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_$@]/.test(c)) {
      const m = /^[A-Za-z0-9_$@./-]+/.exec(text.slice(i)) as RegExpExecArray;
      out.push({ t: "word", v: m[0] });
      i += m[0].length;
    } else throw new FilterSyntaxError(`unexpected '${c}' in $filter at ${i}`);
  }
  return out;
}

/**
 * Parses a `$filter` expression.
 *
 * @example
 * ```ts
 * parseFilter("id eq 'a' or id eq 'b'");
 * ```
 */
export function parseFilter(text: string): FilterNode {
  const tokens = tokenize(text);
  let p = 0;
  const peek = () => tokens[p];
  const word = (w: string) => {
    const t = peek();
    return t?.t === "word" && t.v.toLowerCase() === w;
  };
  const expect = (t: Token["t"]) => {
    if (peek()?.t !== t) throw new FilterSyntaxError(`expected '${t}' in $filter`);
    p++;
  };
  const literal = (): Literal => {
    const t = tokens[p++];
    if (!t) throw new FilterSyntaxError("expected a value at the end of $filter");
    if (t.t === "str" || t.t === "num") return t.v;
    if (t.t === "word") {
      const w = t.v.toLowerCase();
      if (w === "null") return null;
      if (w === "true") return true;
      if (w === "false") return false;
      if (/^[0-9a-f-]{36}$/i.test(t.v)) return t.v;
    }
    throw new FilterSyntaxError("expected a literal in $filter");
  };
  const path = (): string[] => {
    const t = tokens[p++];
    if (t?.t !== "word") throw new FilterSyntaxError("expected a property in $filter");
    return t.v.split("/");
  };
  const primary = (): FilterNode => {
    if (peek()?.t === "(") {
      p++;
      const inner = or();
      expect(")");
      return inner;
    }
    if (word("not")) {
      p++;
      return { kind: "not", operand: primary() };
    }
    const t = peek();
    if (t?.t === "word" && (t.v.toLowerCase() === "startswith" || t.v.toLowerCase() === "endswith") && tokens[p + 1]?.t === "(") {
      p += 2;
      const prop = path();
      expect(",");
      const value = literal();
      expect(")");
      return { kind: "call", name: t.v.toLowerCase() as "startswith" | "endswith", path: prop, value };
    }
    const prop = path();
    const op = tokens[p++];
    if (op?.t !== "word") throw new FilterSyntaxError("expected an operator in $filter");
    const o = op.v.toLowerCase();
    if (o === "in") {
      const usage = `the in operator takes a parenthesised list of values, for example ${prop.join("/")} in ('a','b')`;
      if (peek()?.t !== "(") throw new FilterSyntaxError(`${usage}`);
      p++;
      if (peek()?.t === ")") throw new FilterSyntaxError(`${usage}; the list is empty`);
      const values: Literal[] = [];
      for (;;) {
        const t = peek();
        if (!t || (t.t !== "str" && t.t !== "num" && t.t !== "word")) throw new FilterSyntaxError(`${usage}; expected a value at position ${values.length + 1} of the list`);
        values.push(literal());
        if (peek()?.t === ",") {
          p++;
          continue;
        }
        if (peek()?.t === ")") break;
        throw new FilterSyntaxError(`${usage}; expected ',' or ')' after value ${values.length} of the list`);
      }
      p++;
      return { kind: "in", path: prop, values };
    }
    if (o !== "eq" && o !== "ne" && o !== "ge" && o !== "le" && o !== "gt" && o !== "lt") throw new FilterSyntaxError(`unsupported operator '${op.v}' in $filter`);
    return { kind: "compare", op: o, path: prop, value: literal() };
  };
  const and = (): FilterNode => {
    let left = primary();
    while (word("and")) {
      p++;
      left = { kind: "and", left, right: primary() };
    }
    return left;
  };
  const or = (): FilterNode => {
    let left = and();
    while (word("or")) {
      p++;
      left = { kind: "or", left, right: and() };
    }
    return left;
  };
  const node = or();
  if (p !== tokens.length) throw new FilterSyntaxError("unexpected text after the end of $filter");
  return node;
}

/** Every property path a filter reads (for advanced-query checks). */
export function filterPaths(node: FilterNode): string[][] {
  switch (node.kind) {
    case "and":
    case "or":
      return [...filterPaths(node.left), ...filterPaths(node.right)];
    case "not":
      return filterPaths(node.operand);
    default:
      return [node.path];
  }
}

/**
 * How many equality expressions a filter holds, the way Graph counts them
 * against its limit on `in` lists and `or`-ed clauses: each value of an `in`
 * list and every other comparison or function call counts one.
 *
 * @example
 * ```ts
 * filterExpressionCount(parseFilter("mail in ('a','b') or userPrincipalName eq 'c'")); // 3
 * ```
 */
export function filterExpressionCount(node: FilterNode): number {
  switch (node.kind) {
    case "and":
    case "or":
      return filterExpressionCount(node.left) + filterExpressionCount(node.right);
    case "not":
      return filterExpressionCount(node.operand);
    case "in":
      return node.values.length;
    default:
      return 1;
  }
}

/**
 * Whether a filter combines alternatives (`or`, or an `in` list): the filters
 * Graph limits to 15 expressions outside advanced queries.
 *
 * @example
 * ```ts
 * hasAlternatives(parseFilter("mail eq 'a' or mail eq 'b'")); // true
 * ```
 */
export function hasAlternatives(node: FilterNode): boolean {
  switch (node.kind) {
    case "or":
    case "in":
      return true;
    case "and":
      return hasAlternatives(node.left) || hasAlternatives(node.right);
    case "not":
      return hasAlternatives(node.operand);
    default:
      return false;
  }
}

function lookup(record: Record<string, unknown>, path: string[]): unknown {
  let value: unknown = record;
  for (const part of path) {
    if (typeof value !== "object" || value === null) return undefined;
    const obj = value as Record<string, unknown>;
    const key = part in obj ? part : Object.keys(obj).find((k) => k.toLowerCase() === part.toLowerCase());
    value = key === undefined ? undefined : obj[key];
  }
  return value;
}

function norm(value: unknown): unknown {
  return typeof value === "string" ? value.toLowerCase() : value === undefined ? null : value;
}

function compare(actual: unknown, op: string, expected: Literal): boolean {
  if (Array.isArray(actual)) return op === "ne" ? actual.every((a) => compare(a, op, expected)) : actual.some((a) => compare(a, op, expected));
  const a = norm(actual);
  const e = norm(expected);
  switch (op) {
    case "eq":
      return a === e;
    case "ne":
      return a !== e;
    default: {
      if (a === null || e === null) return false;
      const x = a as string | number;
      const y = e as string | number;
      return op === "ge" ? x >= y : op === "le" ? x <= y : op === "gt" ? x > y : x < y;
    }
  }
}

/**
 * Evaluates a parsed filter against one object.
 *
 * @example
 * ```ts
 * matchesFilter(parseFilter("mail eq 'A@contoso.com'"), { mail: "a@contoso.com" }); // true
 * ```
 */
export function matchesFilter(node: FilterNode, record: Record<string, unknown>): boolean {
  switch (node.kind) {
    case "and":
      return matchesFilter(node.left, record) && matchesFilter(node.right, record);
    case "or":
      return matchesFilter(node.left, record) || matchesFilter(node.right, record);
    case "not":
      return !matchesFilter(node.operand, record);
    case "compare":
      return compare(lookup(record, node.path), node.op, node.value);
    case "in":
      return node.values.some((v) => compare(lookup(record, node.path), "eq", v));
    case "call": {
      const actual = lookup(record, node.path);
      if (typeof actual !== "string" || typeof node.value !== "string") return false;
      return node.name === "startswith" ? actual.toLowerCase().startsWith(node.value.toLowerCase()) : actual.toLowerCase().endsWith(node.value.toLowerCase());
    }
  }
}
