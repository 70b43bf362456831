import { AdapterError, InvalidValueError, USER_STRING_ATTRIBUTES, type AlternativeSecurityId, type UserQuery } from "@tenantsync/core";
import type { GraphBatchResult, GraphRequest, GraphTransport } from "../transport/graph-transport.ts";
import { odataString, withQuery } from "../transport/odata-query.ts";
import { anchorFilterPath, formatAnchor, parseAnchor, readAnchorValue, type AnchorAttribute } from "./anchor-attribute.ts";

/**
 * Graph's limit on a filter with `in` or `or`: 15 expressions by default
 * (known issues, query parameters: "When using the `in` operator, the request
 * is limited to 15 expressions in the filter clause by default OR a URL
 * length of 2,048 characters when using advanced query capabilities").
 *
 * @example
 * ```ts
 * const chunks = Math.ceil(values.length / MAX_FILTER_EXPRESSIONS);
 * ```
 */
export const MAX_FILTER_EXPRESSIONS = 15;

/** The URL limit of advanced queries (same known issue). */
const MAX_ADVANCED_QUERY_URL = 2048;
/** The longest Graph root plus `/v1.0` among the national clouds (China), for the URL limit. */
const LONGEST_API_ROOT = "https://microsoftgraph.chinacloudapi.cn/v1.0".length;

/**
 * User properties whose `$filter` supports `in` by default (the directory
 * objects filter table of the Graph docs: mail, userPrincipalName and the
 * other properties marked "Default" in the `in` column). Queries on them are
 * grouped into `<property> in ('a','b',…)`.
 */
const IN_BY_DEFAULT = new Set(["userPrincipalName", "mail", "mailNickname", "displayName", "givenName", "surname", "jobTitle", "department", "city", "state", "country", "userType"]);

/**
 * Live and soft-deleted Graph users a query matched (raw Graph objects).
 *
 * @example
 * ```ts
 * const { live, deleted }: FoundUsers = found[0];
 * ```
 */
export interface FoundUsers {
  live: Record<string, unknown>[];
  deleted: Record<string, unknown>[];
}

/**
 * How one query is sent: alone (`single`), or grouped with others on the same
 * property into `in (…)` or `or`-ed `eq` clauses, whose answers are then
 * given back to each query by `matches`.
 */
interface Term {
  /** The `$filter` path. */
  path: string;
  /** How the values of a group are combined; `single` sends the query's own filter. */
  mode: "in" | "or" | "single";
  /** The value (`in`/`or`), or the whole filter (`single`). */
  value: string;
  advanced: boolean;
  includeDeleted: boolean;
  /**
   * Whether a user answered for a group of values is an answer to this query. Anchors are
   * always checked (a value that is not exactly that anchor is never taken for it, as
   * `findUsers` has always done); other queries only when their read asked several values.
   */
  matches(raw: Record<string, unknown>): boolean;
  strict: boolean;
}

function caseInsensitiveEquals(actual: unknown, expected: string): boolean {
  return typeof actual === "string" && actual.toLowerCase() === expected.toLowerCase();
}

/**
 * Whether a Graph user carries exactly the anchor `id` (a value that parses
 * as an anchor, tenant and object id compared without regard to case, as
 * Graph's filter compares them), never a prefix or other data in a shared attribute.
 *
 * @example
 * ```ts
 * holdsAnchor(raw, anchor, { tenantId: SOURCE, userId: "u1" });
 * ```
 */
export function holdsAnchor(raw: Record<string, unknown>, anchor: AnchorAttribute | null, id: AlternativeSecurityId): boolean {
  const found = anchor ? parseAnchor(readAnchorValue(raw, anchor)) : null;
  return found !== null && found.tenantId.toLowerCase() === id.tenantId.toLowerCase() && found.userId.toLowerCase() === id.userId.toLowerCase();
}

/**
 * Options of {@link planUserLookups}.
 *
 * @example
 * ```ts
 * const context: UserLookupContext = { tenantId, anchor, select: () => ["id", "mail"], transport, requireAnchor };
 * ```
 */
export interface UserLookupContext {
  tenantId: string;
  anchor: AnchorAttribute | null;
  /** The `$select` of user reads. */
  select(): readonly string[];
  transport: GraphTransport;
  /** The anchor attribute, or the adapter's CapabilityError when it has none. */
  requireAnchor(operation: string): AnchorAttribute;
}

/**
 * Lookups planned for one `$batch` round: the chains to send, and how to
 * read each query's users from their answers.
 *
 * @example
 * ```ts
 * const plan = planUserLookups(queries, context);
 * const found = await plan.collect(await transport.batch(plan.chains));
 * ```
 */
export interface UserLookupPlan {
  /** One single-request chain per filtered read, for `transport.batch` (alone or with other chains). */
  readonly chains: GraphRequest[][];
  /**
   * Each query's users (anchor queries: only users holding exactly that
   * anchor), in the order of the queries, or the typed error of a read that
   * answered it; follows `@odata.nextLink` pages. `results` are the answers
   * to `chains`, in order.
   */
  collect(results: readonly (readonly GraphBatchResult[])[], signal?: AbortSignal): Promise<Array<FoundUsers | AdapterError>>;
}

/** The `$filter` term of a findUsers query; InvalidValueError for a property Graph cannot match on. */
function termOf(query: UserQuery, context: UserLookupContext): Term {
  const { tenantId } = context;
  const includeDeleted = query.includeDeleted === true;
  if ("alternativeSecurityId" in query) {
    const a = context.requireAnchor("findUsers by alternativeSecurityId");
    const { path, advanced } = anchorFilterPath(a);
    const id = query.alternativeSecurityId;
    // Directory extensions (and onPremisesExtensionAttributes) are documented with eq and ne only
    // (user-list.md): anchors are grouped as or-ed eq clauses, not `in`.
    return { path, mode: "or", value: formatAnchor(id), advanced, includeDeleted, matches: (raw) => holdsAnchor(raw, a, id), strict: true };
  }
  const name = query.attribute;
  const n = /^(?:onPremisesExtensionAttributes[./])?(extensionAttribute(?:[1-9]|1[0-5]))$/.exec(name);
  if (n) return { path: "", mode: "single", value: `onPremisesExtensionAttributes/${n[1]} eq ${odataString(query.value)}`, advanced: true, includeDeleted, matches: () => true, strict: false };
  if (name === "accountEnabled" || name === "showInAddressList") {
    if (query.value !== "true" && query.value !== "false") throw new InvalidValueError(`findUsers: '${name}' takes "true" or "false", not '${query.value}'.`, { property: name, tenantId });
    return { path: "", mode: "single", value: `${name} eq ${query.value}`, advanced: false, includeDeleted, matches: () => true, strict: false };
  }
  const value = query.value;
  if (name === "id") return { path: "id", mode: "or", value, advanced: false, includeDeleted, matches: (raw) => caseInsensitiveEquals(raw["id"], value), strict: false };
  if (IN_BY_DEFAULT.has(name)) return { path: name, mode: "in", value, advanced: false, includeDeleted, matches: (raw) => caseInsensitiveEquals(raw[name], value), strict: false };
  if ((USER_STRING_ATTRIBUTES as readonly string[]).includes(name) || /^extension_[0-9a-fA-F]{32}_\w+$/.test(name)) {
    return { path: "", mode: "single", value: `${name} eq ${odataString(value)}`, advanced: false, includeDeleted, matches: () => true, strict: false };
  }
  throw new InvalidValueError(`findUsers: tenant ${tenantId} cannot match users on '${name}' through Graph; use a user string property, a directory extension or extensionAttribute1…15.`, { property: name, tenantId });
}

function filterOf(path: string, mode: Term["mode"], values: readonly string[]): string {
  if (mode === "single") return values[0] as string;
  if (values.length === 1) return `${path} eq ${odataString(values[0] as string)}`;
  return mode === "in" ? `${path} in (${values.map(odataString).join(",")})` : values.map((v) => `${path} eq ${odataString(v)}`).join(" or ");
}

/**
 * Plans `findUsers` queries as few filtered reads as Graph allows: queries
 * on the same property (anchors, `id`, and the properties that support `in`)
 * become one filter per 15 values (`in (…)`, or `or`-ed `eq` for anchors and
 * ids), advanced queries also kept under a 2,048-character URL; each filter
 * is read among live users and, for queries with `includeDeleted`, in
 * `/directory/deletedItems/microsoft.graph.user`. Other queries are read
 * alone. Throws what `findUsers` throws for a query it cannot send.
 *
 * @example
 * ```ts
 * const plan = planUserLookups([{ alternativeSecurityId: { tenantId, userId: "u1" }, includeDeleted: true }], context);
 * const [found] = await plan.collect(await transport.batch(plan.chains));
 * ```
 */
export function planUserLookups(queries: readonly UserQuery[], context: UserLookupContext): UserLookupPlan {
  const terms = queries.map((q) => termOf(q, context));
  const select = context.select().join(",");
  const allowance = Math.max(LONGEST_API_ROOT, context.transport.apiBase.length);

  // Group by how the filter is built; a value asked twice is sent once.
  type Read = { filter: string; advanced: boolean; includeDeleted: boolean; queries: number[]; values: number };
  const reads: Read[] = [];
  const groups = new Map<string, { term: Term; values: string[]; byValue: Map<string, number[]> }>();
  terms.forEach((term, i) => {
    if (term.mode === "single") {
      reads.push({ filter: term.value, advanced: term.advanced, includeDeleted: term.includeDeleted, queries: [i], values: 1 });
      return;
    }
    const key = `${term.mode}\n${term.path}\n${term.advanced}\n${term.includeDeleted}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { term, values: [], byValue: new Map() }));
    const valueKey = term.value.toLowerCase();
    let asking = group.byValue.get(valueKey);
    if (!asking) {
      group.byValue.set(valueKey, (asking = []));
      group.values.push(term.value);
    }
    asking.push(i);
  });
  const pathOf = (filter: string, advanced: boolean, deleted: boolean) =>
    withQuery(deleted ? "/directory/deletedItems/microsoft.graph.user" : "/users", { $filter: filter, $select: select, ...(deleted ? {} : { $expand: "manager($select=id)" }), ...(advanced ? { $count: "true" } : {}) });
  for (const { term, values, byValue } of groups.values()) {
    let chunk: string[] = [];
    const flush = () => {
      if (chunk.length === 0) return;
      reads.push({ filter: filterOf(term.path, term.mode, chunk), advanced: term.advanced, includeDeleted: term.includeDeleted, queries: chunk.flatMap((v) => byValue.get(v.toLowerCase()) ?? []), values: chunk.length });
      chunk = [];
    };
    for (const value of values) {
      if (chunk.length >= MAX_FILTER_EXPRESSIONS) flush();
      if (term.advanced && chunk.length > 0 && allowance + pathOf(filterOf(term.path, term.mode, [...chunk, value]), true, false).length > MAX_ADVANCED_QUERY_URL) flush();
      chunk.push(value);
    }
    flush();
  }

  const chains: GraphRequest[][] = [];
  const slots: Array<{ read: Read; deleted: boolean; headers: Record<string, string> | undefined }> = [];
  for (const read of reads) {
    const headers = read.advanced ? { ConsistencyLevel: "eventual" } : undefined;
    chains.push([{ method: "GET", path: pathOf(read.filter, read.advanced, false), headers, objectType: "users" }]);
    slots.push({ read, deleted: false, headers });
    if (read.includeDeleted) {
      chains.push([{ method: "GET", path: pathOf(read.filter, read.advanced, true), headers, objectType: "deleted users" }]);
      slots.push({ read, deleted: true, headers });
    }
  }

  return {
    chains,
    async collect(results, signal) {
      const out: Array<FoundUsers | AdapterError> = terms.map(() => ({ live: [], deleted: [] }));
      for (const [i, slot] of slots.entries()) {
        const r = results[i]?.[0];
        if (!r) throw new AdapterError("GRAPH_BAD_RESPONSE", `Graph $batch in tenant ${context.tenantId} lost a query answer.`, { tenantId: context.tenantId });
        if (!r.ok) {
          for (const q of slot.read.queries) out[q] = r.error;
          continue;
        }
        const found = valuesOf(r.response.body);
        const next = asRecord(r.response.body)["@odata.nextLink"];
        if (typeof next === "string") {
          for await (const page of context.transport.pages({ method: "GET", path: context.transport.relativeLink(next), headers: slot.headers, objectType: "users" }, signal)) found.push(...valuesOf(page));
        }
        for (const q of slot.read.queries) {
          const target = out[q];
          if (target instanceof AdapterError || target === undefined) continue;
          const term = terms[q] as Term;
          target[slot.deleted ? "deleted" : "live"] = term.strict || slot.read.values > 1 ? found.filter((raw) => term.matches(raw)) : found;
        }
      }
      return out;
    },
  };
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function valuesOf(body: unknown): Record<string, unknown>[] {
  const v = asRecord(body)["value"];
  return Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => typeof x === "object" && x !== null) : [];
}
