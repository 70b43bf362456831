import { ConfigError, type ConfigIssue } from "../errors/errors.ts";
import { zodIssuesToConfigIssues } from "../model/parse.ts";
import { AttributeMapping, type AttributeMappingInput, type FlowType } from "../model/sync-job-config.ts";
import { EXTENSION_ATTRIBUTE_PATTERN, type DirectoryUser, type UserAttributes, type UserType } from "../model/user.ts";
import { classifyTarget, fieldOfTarget, type TargetKind } from "./attribute-catalog.ts";
import { ALT_SEC_ID_EXPRESSION, defaultMappings } from "./default-mappings.ts";
import { ExpressionSyntaxError, IGNORE_FLOW, compileExpression, mappingSourceToExpression, toOutput, type CompiledExpression } from "./expression-bridge.ts";
import { MappingError } from "./mapping-error.ts";
import { sourceAttributesOf } from "./source-attributes.ts";

/** What {@link compileMappings} compiles: a job's mappings (null = the default set) and the userType of created users. */
export interface CompileMappingsInput {
  attributeMappings: ReadonlyArray<AttributeMapping | AttributeMappingInput> | null | undefined;
  /** userType of the users the job creates, used by the default set and when no mapping targets `userType`. Default `Member`. */
  userType?: UserType | undefined;
}

/** Options of {@link compileMappings}. */
export interface CompileMappingsOptions {
  /**
   * Attributes the target adapter can write (`DirectoryCapabilities.writableAttributes`);
   * `null`/absent means every user attribute. A target is accepted when its
   * name or the DirectoryUser field it writes (`businessPhones` for
   * `telephoneNumber`, `extensions` for an extension attribute) is listed.
   * Engine-handled targets (`alternativeSecurityIds`, `IsSoftDeleted`,
   * `userType`, `manager`) are not checked against it.
   */
  writableAttributes?: readonly string[] | null | undefined;
  /** JSON path prepended to every issue; default `["attributeMappings"]`. */
  pathPrefix?: ReadonlyArray<string | number> | undefined;
  /**
   * Extension attributes the directories declare as multi-valued. Such
   * attributes can be neither the source nor the target of a mapping (MAPPINGS.md).
   */
  multiValuedAttributes?: readonly string[] | undefined;
}

/** One compiled mapping. */
export interface CompiledMapping {
  /** Position in the job's `attributeMappings` (or in the default set). */
  readonly index: number;
  readonly targetAttributeName: string;
  readonly flowType: FlowType;
  readonly defaultValue: string | null;
  readonly matchingPriority: number;
  readonly caseInsensitive: boolean;
  /** True when the expression uses `Redact`: logs show `[Redact]` for this attribute. */
  readonly redacts: boolean;
  /** Source attributes the expression reads. */
  readonly references: readonly string[];
  /** The source as expression text (converted from Entra's tree when given as one). */
  readonly expression: string;
  /** How the target is written. */
  readonly targetKind: TargetKind;
}

/** The context of one evaluation. */
export interface MappingContext {
  /** The clock of `Now()`. */
  now?: (() => Date) | undefined;
  /** The random source of `Guid()` and `RandomString()`. */
  random?: (() => number) | undefined;
  /** The source tenant (read by `AltSecIdFromNetId`). */
  sourceTenantId?: string | undefined;
  /** Entra's `IsSoftDeleted` of this user when the engine knows more than the record (unassigned, out of filter). */
  isSoftDeleted?: boolean | undefined;
}

/**
 * What the mappings produce for one source user.
 *
 * @example
 * ```ts
 * const mapped: MappedUser = compiled.evaluate(user, { sourceTenantId });
 * if (link?.fingerprint === mapped.fingerprint) return; // nothing an update would write changed (R11)
 * ```
 */
export interface MappedUser {
  /**
   * What `createExternalUser` receives: every non-null value of every
   * mapping (ObjectAddOnly included; `defaultValue` applied when the result
   * is null; IGNORE_FLOW dropped), in DirectoryUser shape
   * (`telephoneNumber` → `businessPhones: [v]`; `extension_*` →
   * `extensions`; booleans as booleans). Excludes `userType`, `manager`,
   * `alternativeSecurityIds`, `IsSoftDeleted`, and empty strings.
   */
  createAttributes: UserAttributes;
  /** Values to match on, in priority order, skipping null values (the alternative security id is matched by the engine itself). */
  matchKeys: Array<{ attribute: string; value: string }>;
  /** Source manager id when `manager` is mapped (null when the source has none), undefined when it is not mapped. */
  managerSourceId: string | null | undefined;
  /** The userType the mappings produce and the flow type of the `userType` mapping (ObjectAddOnly when none maps it). */
  userType: { value: UserType; flowType: FlowType };
  /** Target attribute names whose values are redacted in logs. */
  redacted: ReadonlySet<string>;
  /** A stable fingerprint of everything an update would write (R11: update only on source change). */
  fingerprint: string;
  /**
   * The evaluated value of each mapping by target attribute name, in the
   * target's shape (`telephoneNumber` a string, booleans as booleans),
   * before default values; null when the expression gave null; absent when
   * it gave IGNORE_FLOW. {@link diffMappedUser} reads it.
   */
  values: ReadonlyMap<string, unknown>;
}

/**
 * A job's mappings, compiled once.
 *
 * @example
 * ```ts
 * const compiled: CompiledMappings = compileMappings({ attributeMappings: null });
 * compiled.sourceAttributes;   // attributes to $select
 * compiled.evaluate(user).createAttributes;
 * ```
 */
export interface CompiledMappings {
  readonly mappings: readonly CompiledMapping[];
  /** Every source attribute read by any mapping (for `$select` and change relevance), in order of first use. */
  readonly sourceAttributes: readonly string[];
  /** Target attribute names with matchingPriority > 0 (excluding alternativeSecurityIds), in priority order. */
  readonly matchingAttributes: readonly string[];
  /** True when a mapping targets `manager`. */
  readonly mapsManager: boolean;
  /**
   * Evaluates every mapping for one source user. Throws {@link MappingError}
   * (code `MAPPING_FAILED`, naming the mapping, its target attribute and the
   * user id) when an expression raises an error or gives a value the target
   * attribute cannot hold.
   */
  evaluate(source: DirectoryUser, context?: MappingContext): MappedUser;
}

interface Compiled extends CompiledMapping {
  readonly compiled: CompiledExpression;
  /**
   * For a source that is one attribute reference (`[department]`, most of the
   * default set): the attribute's name, read directly instead of through the
   * expression's closures, with exactly the result `evaluate` gives. Else null.
   */
  readonly direct: string | null;
  /** For a source that is one string literal (`"True"`): the string (what `evaluate` returns). Else undefined. */
  readonly constant: string | undefined;
}

/** The attribute a source expression is, when it is just `[name]` (and the name is not an Object.prototype member). */
function directAttribute(expr: CompiledExpression): string | null {
  const ast = expr.ast;
  return ast.kind === "attribute" && !(ast.name in Object.prototype) ? ast.name : null;
}

/** What `evaluate` returns for the expression `[name]` (a missing attribute is null). */
function readDirect(attributes: Readonly<Record<string, unknown>>, name: string): unknown {
  const v = attributes[name];
  return v === undefined || v === null ? null : typeof v === "string" ? v : toOutput(v);
}

/** Targets an update never writes: the target holds derived forms (see docs/scoping-and-mappings.md). */
export const UPDATE_EXCLUDED_TARGETS: ReadonlySet<string> = new Set(["userPrincipalName", "mailNickname"]);

function textOf(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : null;
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "bigint") return value.toString();
  return null;
}

class ValueShapeError extends Error {}

function single(value: unknown, target: string): unknown {
  if (!Array.isArray(value)) return value;
  if (value.length === 0) return null;
  if (value.length === 1) return value[0];
  throw new ValueShapeError(`gave ${value.length} values but '${target}' holds one value; use Item(), Join() or a single-valued source`);
}

/** Converts an expression result to the target's shape; null for no value. Throws ValueShapeError. */
function convert(kind: TargetKind, target: string, raw: unknown, jobUserType: UserType): unknown {
  if (raw === null || raw === undefined) return null;
  switch (kind) {
    case "string":
    case "telephoneNumber": {
      const v = single(raw, target);
      if (v === null || v === undefined) return null;
      const t = textOf(v);
      if (t === null) throw new ValueShapeError(`gave a ${typeof v} where '${target}' needs text`);
      return t;
    }
    case "boolean": {
      const v = single(raw, target);
      if (v === null || v === undefined || v === "") return null;
      if (typeof v === "boolean") return v;
      if (typeof v === "string") {
        const t = v.trim().toLowerCase();
        if (t === "true") return true;
        if (t === "false") return false;
      }
      throw new ValueShapeError(`gave '${String(v)}' but '${target}' needs True or False`);
    }
    case "multi": {
      const list = Array.isArray(raw) ? raw : [raw];
      const out: string[] = [];
      for (const item of list) {
        if (item === null || item === undefined || item === "") continue;
        const t = textOf(item);
        if (t === null) throw new ValueShapeError(`gave a ${typeof item} where '${target}' needs text values`);
        out.push(t);
      }
      return out;
    }
    case "extension": {
      const v = single(raw, target);
      if (v === null || v === undefined) return null;
      if (typeof v === "string" || typeof v === "boolean") return v;
      if (typeof v === "number" && Number.isFinite(v)) return v;
      throw new ValueShapeError(`gave a ${typeof v} where '${target}' needs a string, number or boolean`);
    }
    case "special": {
      if (target === "userType") {
        const v = single(raw, target);
        if (v === null || v === undefined || v === "") return null;
        const t = String(v).trim().toLowerCase();
        if (t === "member") return "Member";
        if (t === "guest") return "Guest";
        throw new ValueShapeError(`gave '${String(v)}' but userType must be Member or Guest (the job creates ${jobUserType} users by default)`);
      }
      if (target === "manager") {
        const v = single(raw, target);
        if (v === null || v === undefined || v === "") return null;
        const t = textOf(v);
        if (t === null) throw new ValueShapeError(`gave a ${typeof v} where 'manager' needs the manager's source object id`);
        return t;
      }
      return raw;
    }
  }
}

/** Marks a mapping slot left out by IGNORE_FLOW. */
const ABSENT: unique symbol = Symbol("absent");

/**
 * {@link MappedUser.values} without a Map per user: one array of slots (one
 * per compiled mapping, in order) read through the compiled set's shared
 * name → slot index. Behaves as a ReadonlyMap keyed by target attribute name.
 */
class MappingValues implements ReadonlyMap<string, unknown> {
  constructor(
    private readonly slotOf: ReadonlyMap<string, number>,
    private readonly slots: readonly unknown[],
  ) {}

  get(name: string): unknown {
    const k = this.slotOf.get(name);
    if (k === undefined) return undefined;
    const v = this.slots[k];
    return v === ABSENT ? undefined : v;
  }

  has(name: string): boolean {
    const k = this.slotOf.get(name);
    return k !== undefined && this.slots[k] !== ABSENT;
  }

  get size(): number {
    let n = 0;
    for (const v of this.slots) if (v !== ABSENT) n++;
    return n;
  }

  *entries(): MapIterator<[string, unknown]> {
    for (const [name, k] of this.slotOf) {
      const v = this.slots[k];
      if (v !== ABSENT) yield [name, v];
    }
  }

  *keys(): MapIterator<string> {
    for (const [name] of this.entries()) yield name;
  }

  *values(): MapIterator<unknown> {
    for (const [, v] of this.entries()) yield v;
  }

  forEach(fn: (value: unknown, key: string, map: ReadonlyMap<string, unknown>) => void, thisArg?: unknown): void {
    for (const [name, v] of this.entries()) fn.call(thisArg, v, name, this);
  }

  [Symbol.iterator](): MapIterator<[string, unknown]> {
    return this.entries();
  }
}

function slotValue(slots: readonly unknown[], k: number | undefined): unknown {
  return k === undefined || slots[k] === ABSENT ? undefined : slots[k];
}

function isEmptyValue(value: unknown): boolean {
  return value === null || value === undefined || value === "" || (Array.isArray(value) && value.length === 0);
}

// ---- fingerprint: a 64-bit hash (two 32-bit FNV-1a lanes with different primes, murmur-style finalizers) ----

/** Character codes of the hex digits 0-9a-f. */
const HEX_CODES: readonly number[] = Array.from("0123456789abcdef", (c) => c.charCodeAt(0));

/** Incremental hash of the values an update would write; the mapping order is fixed, so names need not be hashed. */
class FingerprintHasher {
  private h1 = 0x811c9dc5;
  private h2 = 0x050c5d1f;

  /** Starts a new fingerprint (one hasher serves every evaluation of a compiled set). */
  reset(): void {
    this.h1 = 0x811c9dc5;
    this.h2 = 0x050c5d1f;
  }

  private code(c: number): void {
    this.h1 = Math.imul(this.h1 ^ c, 0x01000193);
    this.h2 = Math.imul(this.h2 ^ c, 0x5bd1e995);
  }

  private text(t: string): void {
    let h1 = this.h1;
    let h2 = this.h2;
    for (let i = 0; i < t.length; i++) {
      const c = t.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    }
    this.h1 = h1;
    this.h2 = h2;
  }

  /** Adds one value, tagged by type and length so that distinct sequences hash differently. */
  value(v: unknown): void {
    if (v === null || v === undefined) this.code(0x10000);
    else if (typeof v === "string") {
      this.code(0x20000 + (v.length & 0xffff));
      this.text(v);
    } else if (typeof v === "boolean") this.code(v ? 0x30001 : 0x30000);
    else if (typeof v === "number") {
      this.code(0x40000);
      this.text(String(v));
    } else if (Array.isArray(v)) {
      this.code(0x50000 + (v.length & 0xffff));
      for (const item of v) this.value(item);
    } else {
      this.code(0x60000);
      this.text(JSON.stringify(v) ?? "");
    }
  }

  /** Marks a mapping left out of this export (IGNORE_FLOW), distinct from any value. */
  absent(): void {
    this.code(0x70000);
  }

  digest(): string {
    let h1 = this.h1;
    let h2 = this.h2;
    h1 = Math.imul(h1 ^ (h1 >>> 16), 0x85ebca6b);
    h1 = Math.imul(h1 ^ (h1 >>> 13), 0xc2b2ae35);
    h1 ^= h1 >>> 16;
    h2 = Math.imul(h2 ^ (h2 >>> 15), 0x2c1b3c6d);
    h2 = Math.imul(h2 ^ (h2 >>> 12), 0x297a2d39);
    h2 ^= h2 >>> 15;
    // 16 lower-case hex digits, as (h >>> 0).toString(16).padStart(8, "0") twice, in one flat string.
    const x = HEX_CODES;
    return String.fromCharCode(
      x[(h1 >>> 28) & 15]!, x[(h1 >>> 24) & 15]!, x[(h1 >>> 20) & 15]!, x[(h1 >>> 16) & 15]!, x[(h1 >>> 12) & 15]!, x[(h1 >>> 8) & 15]!, x[(h1 >>> 4) & 15]!, x[h1 & 15]!,
      x[(h2 >>> 28) & 15]!, x[(h2 >>> 24) & 15]!, x[(h2 >>> 20) & 15]!, x[(h2 >>> 16) & 15]!, x[(h2 >>> 12) & 15]!, x[(h2 >>> 8) & 15]!, x[(h2 >>> 4) & 15]!, x[h2 & 15]!,
    );
  }
}

function normalizedExpressionText(text: string): string {
  // Whitespace outside string literals does not matter.
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === "\\" && i + 1 < text.length) out += text[++i];
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (!/\s/.test(c)) out += c;
  }
  return out;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function syntaxMessage(error: unknown, text: string): string {
  const shown = JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
  if (error instanceof ExpressionSyntaxError) return `the expression ${shown} is invalid at line ${error.line}, column ${error.column} (offset ${error.position}): ${error.detail}`;
  return `the expression ${shown} is invalid: ${describeError(error)}`;
}

/**
 * Compiles a job's attribute mappings once: every expression (text, or
 * Entra's `attributeMappingSource` tree converted to text) is compiled, and
 * the set is validated. `attributeMappings: null` compiles the default
 * cross-tenant set ({@link defaultMappings}).
 *
 * Throws `ConfigError` listing every problem with its path
 * (`["attributeMappings", 3, "source"]`, …): syntax errors (with the
 * expression position), duplicate targets, targets that cannot be mapped
 * (photos, custom security attributes, passwords, `otherMails`,
 * `proxyAddresses`, attributes the target does not declare or cannot write),
 * multi-valued extension attributes, a changed `alternativeSecurityIds`
 * mapping (it must be `AltSecIdFromNetId([netId])` with matching priority 1,
 * flow Always), matching priorities on attributes that cannot be matched,
 * and constant values a target cannot hold (`userType` other than Member or
 * Guest, a boolean target other than True or False).
 *
 * @example
 * ```ts
 * const compiled = compileMappings({ attributeMappings: null, userType: "Member" }, { writableAttributes: target.capabilities.writableAttributes });
 * const mapped = compiled.evaluate(sourceUser, { sourceTenantId });
 * await target.createExternalUser({ alternativeSecurityId, userType: resolveUserType(mapped, null), attributes: mapped.createAttributes }, { sourceTenantId });
 * ```
 */
export function compileMappings(input: CompileMappingsInput, options: CompileMappingsOptions = {}): CompiledMappings {
  const prefix = options.pathPrefix ?? ["attributeMappings"];
  const jobUserType: UserType = input.userType ?? "Member";
  const raw = input.attributeMappings ?? defaultMappings({ userType: jobUserType });
  const writable = options.writableAttributes ? new Set(options.writableAttributes) : null;
  const multiValued = new Set(options.multiValuedAttributes ?? []);
  const issues: ConfigIssue[] = [];
  const compiled: Compiled[] = [];
  const targets = new Map<string, number>();
  const fields = new Map<string, number>();

  if (!Array.isArray(raw)) {
    throw new ConfigError([{ path: prefix, message: "attributeMappings must be an array of mappings, or null for the default set" }], "attribute mappings");
  }

  raw.forEach((input: unknown, i: number) => {
    const path = [...prefix, i];
    const parsed = AttributeMapping.safeParse(input);
    if (!parsed.success) {
      issues.push(...zodIssuesToConfigIssues(parsed.error.issues, path));
      return;
    }
    const m = parsed.data;
    const target = m.targetAttributeName;
    let ok = true;

    const prev = targets.get(target);
    if (prev !== undefined) {
      issues.push({ path: [...path, "targetAttributeName"], message: `'${target}' is already mapped by ${formatIndex(prefix, prev)}; a target attribute has one mapping` });
      ok = false;
    } else targets.set(target, i);

    const cls = classifyTarget(target);
    if (!cls.ok) {
      issues.push({ path: [...path, "targetAttributeName"], message: cls.reason });
      ok = false;
    }
    const kind: TargetKind = cls.ok ? cls.kind : "string";
    if (cls.ok && kind !== "special") {
      const field = fieldOfTarget(target, kind);
      if (writable !== null && !writable.has(target) && !writable.has(field)) {
        issues.push({ path: [...path, "targetAttributeName"], message: `the target directory cannot write '${target}' (it declares: ${[...writable].join(", ") || "nothing"}); remove this mapping or use another target attribute` });
        ok = false;
      }
      if (kind === "extension" && multiValued.has(target)) {
        issues.push({ path: [...path, "targetAttributeName"], message: `'${target}' is a multi-valued extension attribute; multi-valued extension attributes cannot be mapped` });
        ok = false;
      }
      if (kind !== "extension") {
        const other = fields.get(field);
        if (other !== undefined && prev === undefined) {
          issues.push({ path: [...path, "targetAttributeName"], message: `'${target}' writes '${field}', which ${formatIndex(prefix, other)} already writes; keep one of them` });
          ok = false;
        } else fields.set(field, i);
      }
    }

    let text: string;
    if (typeof m.source === "string") text = m.source;
    else {
      try {
        text = mappingSourceToExpression(m.source);
      } catch (error) {
        if (error instanceof ConfigError) for (const issue of error.issues) issues.push({ path: [...path, "source", ...issue.path], message: issue.message });
        else issues.push({ path: [...path, "source"], message: `cannot read this attributeMappingSource tree: ${describeError(error)}` });
        return;
      }
    }
    let expr: CompiledExpression;
    try {
      expr = compileExpression(text);
    } catch (error) {
      issues.push({ path: [...path, "source"], message: syntaxMessage(error, text) });
      return;
    }
    const references = [...expr.references];
    for (const ref of references) {
      if (multiValued.has(ref) && EXTENSION_ATTRIBUTE_PATTERN.test(ref)) {
        issues.push({ path: [...path, "source"], message: `the expression reads '${ref}', a multi-valued extension attribute; multi-valued extension attributes cannot be mapped` });
        ok = false;
      }
    }

    if (target === "alternativeSecurityIds") {
      if (normalizedExpressionText(text) !== ALT_SEC_ID_EXPRESSION) {
        issues.push({ path: [...path, "source"], message: `the alternativeSecurityIds mapping is fixed: its source must be ${ALT_SEC_ID_EXPRESSION} (remove the mapping to use the default)` });
        ok = false;
      }
      if (m.matchingPriority !== 1) {
        issues.push({ path: [...path, "matchingPriority"], message: "the alternativeSecurityIds mapping is fixed: its matchingPriority must be 1" });
        ok = false;
      }
      if (m.flowType !== "Always") {
        issues.push({ path: [...path, "flowType"], message: "the alternativeSecurityIds mapping is fixed: its flowType must be Always" });
        ok = false;
      }
    } else if (m.matchingPriority > 0 && cls.ok && kind !== "string" && kind !== "telephoneNumber" && kind !== "extension") {
      issues.push({ path: [...path, "matchingPriority"], message: `'${target}' cannot be a matching attribute; match on a unique single-valued attribute such as mail or employeeId` });
      ok = false;
    }

    // A constant source can be checked now rather than failing for every user.
    if (cls.ok && references.length === 0) {
      let value: unknown;
      let evaluated = false;
      try {
        value = expr.evaluate({}, { now: () => new Date(0), random: () => 0.5 });
        evaluated = true;
      } catch {
        // an expression that always fails (Error("…")) is reported per user
      }
      if (evaluated && value !== IGNORE_FLOW) {
        try {
          convert(kind, target, value, jobUserType);
        } catch (error) {
          issues.push({ path: [...path, "source"], message: `the constant source ${describeError(error)}` });
          ok = false;
        }
      }
    }
    if (cls.ok && m.defaultValue !== null) {
      try {
        convert(kind, target, m.defaultValue, jobUserType);
      } catch (error) {
        issues.push({ path: [...path, "defaultValue"], message: `the default value ${describeError(error)}` });
        ok = false;
      }
    }

    if (!ok) return;
    compiled.push({
      index: i,
      targetAttributeName: target,
      flowType: m.flowType,
      defaultValue: m.defaultValue,
      matchingPriority: m.matchingPriority,
      caseInsensitive: m.caseInsensitive,
      redacts: expr.redacts,
      references,
      expression: text,
      targetKind: kind,
      compiled: expr,
      direct: directAttribute(expr),
      constant: expr.ast.kind === "string" ? expr.ast.value : undefined,
    });
  });
  if (issues.length > 0) throw new ConfigError(issues, "attribute mappings");
  return buildCompiledMappings(compiled, jobUserType);
}

function formatIndex(prefix: ReadonlyArray<string | number>, index: number): string {
  const last = prefix[prefix.length - 1];
  return `${typeof last === "string" ? last : "mappings"}[${index}]`;
}

function buildCompiledMappings(compiled: readonly Compiled[], jobUserType: UserType): CompiledMappings {
  const sourceAttributes: string[] = [];
  const seen = new Set<string>();
  for (const m of compiled) {
    for (const ref of m.references) {
      if (!seen.has(ref)) {
        seen.add(ref);
        sourceAttributes.push(ref);
      }
    }
  }
  const matching = compiled
    .filter((m) => m.matchingPriority > 0 && m.targetAttributeName !== "alternativeSecurityIds")
    .sort((a, b) => a.matchingPriority - b.matchingPriority || a.index - b.index);
  const redacted: ReadonlySet<string> = new Set(compiled.filter((m) => m.redacts).map((m) => m.targetAttributeName));
  const userTypeMapping = compiled.find((m) => m.targetAttributeName === "userType");
  const managerMapping = compiled.find((m) => m.targetAttributeName === "manager");
  // What an update can write: every mapping but ObjectAddOnly ones, the
  // engine-handled targets (userType only when Always, manager), and the
  // targets updates never write.
  const inFingerprint = compiled.map((m) => {
    if (m.flowType === "ObjectAddOnly" || UPDATE_EXCLUDED_TARGETS.has(m.targetAttributeName)) return false;
    if (m.targetKind !== "special") return true;
    return m.targetAttributeName === "manager" || (m.targetAttributeName === "userType" && m.flowType === "Always");
  });
  const mappings: readonly CompiledMapping[] = Object.freeze(compiled.map(({ compiled: _c, direct: _d, constant: _k, ...rest }) => Object.freeze(rest)));
  const slotOf: ReadonlyMap<string, number> = new Map(compiled.map((m, k) => [m.targetAttributeName, k]));
  const userTypeSlot = slotOf.get("userType");
  const managerSlot = slotOf.get("manager");
  // evaluate() runs to completion without yielding and is never re-entered, so one hasher serves every call.
  const sharedHasher = new FingerprintHasher();
  const matchingSlots = matching.map((m) => ({ attribute: m.targetAttributeName, slot: slotOf.get(m.targetAttributeName)! }));

  function fail(m: Compiled, user: DirectoryUser, what: string, cause?: unknown): never {
    throw new MappingError(`Mapping attributeMappings[${m.index}] (target '${m.targetAttributeName}', source ${JSON.stringify(m.expression)}) failed for source user ${user.id}: ${what}. Fix the user's data or the mapping; the user is retried when either changes.`, {
      userId: user.id,
      targetAttributeName: m.targetAttributeName,
      mappingIndex: m.index,
      expression: m.expression,
      cause,
    });
  }

  return {
    mappings,
    sourceAttributes: Object.freeze(sourceAttributes),
    matchingAttributes: Object.freeze(matching.map((m) => m.targetAttributeName)),
    mapsManager: managerMapping !== undefined,
    evaluate(source, context = {}) {
      const attrs = sourceAttributesOf(source, { IsSoftDeleted: context.isSoftDeleted });
      const exprContext = { now: context.now, random: context.random, sourceTenantId: context.sourceTenantId };
      const slots = new Array<unknown>(compiled.length);
      const create: UserAttributes = {};
      let extensions: Record<string, string | number | boolean | null> | null = null;
      const hasher = sharedHasher;
      hasher.reset();
      for (let k = 0; k < compiled.length; k++) {
        const m = compiled[k]!;
        let rawValue: unknown;
        try {
          rawValue = m.direct !== null ? readDirect(attrs, m.direct) : m.constant !== undefined ? m.constant : m.compiled.evaluate(attrs, exprContext);
        } catch (error) {
          fail(m, source, describeError(error), error);
        }
        if (rawValue === IGNORE_FLOW) {
          slots[k] = ABSENT;
          if (inFingerprint[k]) hasher.absent();
          continue;
        }
        let value: unknown;
        let createValue: unknown;
        try {
          value = convert(m.targetKind, m.targetAttributeName, rawValue, jobUserType);
          createValue = value === null && m.defaultValue !== null ? convert(m.targetKind, m.targetAttributeName, m.defaultValue, jobUserType) : value;
        } catch (error) {
          fail(m, source, `the expression ${describeError(error)}`, error);
        }
        slots[k] = value;
        if (inFingerprint[k]) hasher.value(value);
        if (isEmptyValue(createValue)) continue;
        switch (m.targetKind) {
          case "string":
          case "boolean":
            (create as Record<string, unknown>)[m.targetAttributeName] = createValue;
            break;
          case "telephoneNumber":
            create.businessPhones = [createValue as string];
            break;
          case "multi":
            create.businessPhones = createValue as string[];
            break;
          case "extension":
            (extensions ??= {})[m.targetAttributeName] = createValue as string | number | boolean;
            break;
          case "special":
            break;
        }
      }
      if (extensions !== null) create.extensions = extensions;

      const matchKeys: Array<{ attribute: string; value: string }> = [];
      for (const { attribute, slot } of matchingSlots) {
        const t = textOf(slotValue(slots, slot));
        if (t !== null && t !== "") matchKeys.push({ attribute, value: t });
      }
      let userType: MappedUser["userType"];
      if (userTypeMapping === undefined) userType = { value: jobUserType, flowType: "ObjectAddOnly" };
      else {
        const v = slotValue(slots, userTypeSlot) ?? (userTypeMapping.defaultValue !== null ? convert("special", "userType", userTypeMapping.defaultValue, jobUserType) : null);
        userType = { value: (v as UserType | null) ?? jobUserType, flowType: userTypeMapping.flowType };
      }
      return {
        createAttributes: create,
        matchKeys,
        managerSourceId: managerMapping === undefined ? undefined : ((slotValue(slots, managerSlot) as string | null | undefined) ?? null),
        userType,
        redacted,
        fingerprint: `v1:${hasher.digest()}`,
        values: new MappingValues(slotOf, slots),
      };
    },
  };
}
