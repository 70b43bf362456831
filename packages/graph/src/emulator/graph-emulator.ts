import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  ConfigError,
  ConflictError,
  CursorExpiredError,
  InvalidValueError,
  NotFoundError,
  ThrottledError,
  TransientError,
  isTenantSyncError,
  systemClock,
  type Clock,
  type DirectoryUser,
  type UserAttributes,
} from "@tenantsync/core";
import { createMemoryDirectory, externalUserPrincipalName, type MemoryDirectory, type MemoryTenantInput } from "@tenantsync/memory";
import { createTokenBucket, type RateQuota, type TokenBucket } from "../transport/token-bucket.ts";
import { readEmulatorToken } from "./emulator-token.ts";
import { graphUserView, isSelectableUserProperty, selectProperties, SINGLE_USER_ONLY, type UserSideData } from "./graph-user-view.ts";
import { FilterSyntaxError, filterExpressionCount, filterPaths, hasAlternatives, matchesFilter, parseFilter, type FilterNode } from "./odata-filter.ts";
import { createUserIndex, type UserIndex } from "./user-index.ts";

/**
 * One fault the emulator injects: requests matching `method`/`path`/`tenantId`
 * are answered with `status` instead of being served.
 *
 * @example
 * ```ts
 * const rule: GraphEmulatorFaultRule = { status: 429, path: "/users/delta", retryAfterSeconds: 2.128, times: 3 };
 * ```
 */
export interface GraphEmulatorFaultRule {
  /** 429 (throttled), 500/502/503/504 (unavailable), or 410 (delta token gone: resync). */
  status: 429 | 410 | 500 | 502 | 503 | 504;
  /** Only this HTTP method (`GET`, `PATCH`, …). */
  method?: string | undefined;
  /** Only paths (after `/v1.0`, with the query) containing this text, or matching this pattern. */
  path?: string | RegExp | undefined;
  /** Only this tenant. */
  tenantId?: string | undefined;
  /** The `Retry-After` header, in seconds (fractions allowed). Default 1 for 429, none otherwise. */
  retryAfterSeconds?: number | undefined;
  /** Let this many matching requests through before faulting. Default 0. */
  skip?: number | undefined;
  /** Fault at most this many requests. Default: no limit. */
  times?: number | undefined;
  /** Fault every n-th matching request (after `skip`). Default 1: every one. */
  every?: number | undefined;
  /** Fault each matching request with this probability (0–1), from the seeded dice of {@link GraphEmulatorFaults.seed}. Default 1. */
  probability?: number | undefined;
  /** Also fault requests inside `$batch` (per item). Default true. */
  inBatch?: boolean | undefined;
}

/**
 * Faults of the emulator: extra latency and rules.
 *
 * @example
 * ```ts
 * emulator.setFaults({ latencyMs: 50, seed: 7, rules: [{ status: 429, probability: 0.3, retryAfterSeconds: 1.5 }] });
 * ```
 */
export interface GraphEmulatorFaults {
  /** Extra latency per HTTP request, in ms of the emulator's clock. */
  latencyMs?: number | undefined;
  /** Seed of the dice behind `probability`; the same seed and request sequence give the same faults. Default 1. */
  seed?: number | undefined;
  rules?: readonly GraphEmulatorFaultRule[] | undefined;
}

/**
 * Quotas the emulator enforces per tenant, answering 429 with Retry-After when exceeded.
 *
 * @example
 * ```ts
 * await startGraphEmulator({ tenants, quota: { writes: { limit: 3000, windowMs: 150_000 } } });
 * ```
 */
export interface GraphEmulatorQuota {
  /** Writes (POST/PATCH/PUT/DELETE, batch items counted one by one). Graph's identity quota is 3,000 per 150 s. */
  writes?: RateQuota | undefined;
  /** Every request (batch items counted one by one). */
  requests?: RateQuota | undefined;
}

/**
 * Options of {@link startGraphEmulator}.
 *
 * @example
 * ```ts
 * const options: GraphEmulatorOptions = { tenants: [{ id: tenantId, displayName: "Contoso", verifiedDomains: ["contoso.com"] }] };
 * ```
 */
export interface GraphEmulatorOptions {
  /** Memory directories to serve, one per tenant. */
  directories?: readonly MemoryDirectory[] | undefined;
  /** Tenants to create memory directories for (with `clock`). */
  tenants?: readonly MemoryTenantInput[] | undefined;
  /** TCP port on 127.0.0.1; default 0 (any free port). */
  port?: number | undefined;
  /** Latency added to every HTTP request, in ms of `clock`. */
  latencyMs?: number | undefined;
  faults?: GraphEmulatorFaults | undefined;
  quota?: GraphEmulatorQuota | undefined;
  /** Time for latency, quotas, token expiry and delta-token age; default the wall clock. Also the clock of directories created from `tenants`. */
  clock?: Clock | undefined;
  /** Default page size of lists and delta rounds; default 100. `$top` overrides it for lists. */
  pageSize?: number | undefined;
  /** At most this many `members@delta` entries per group per page; a larger group is split across pages, as Graph does. Default 20. */
  membersPerPage?: number | undefined;
  /** Show memory users' `alternativeSecurityId` in this attribute (an extension name or `extensionAttributeN`), so the Graph adapter finds them by anchor. */
  anchorAttribute?: string | undefined;
  /** Reject requests without a bearer token (401). Default true. */
  requireAuth?: boolean | undefined;
  /** Delta tokens older than this answer `syncStateNotFound`. Default 7 days. */
  deltaTokenLifetimeMs?: number | undefined;
  /**
   * Answer `$filter` lookups on `id`, `userPrincipalName`, `mail` and directory extensions
   * (`eq`, `in`, and `or`/`and` of those) from an index, so a lookup costs in proportion to its
   * answer instead of the tenant's size. The answers are the same as a full scan's (candidates
   * are checked with the filter). Default true; false scans every user for every filter.
   */
  indexedLookups?: boolean | undefined;
}

/**
 * What the emulator has served.
 *
 * @example
 * ```ts
 * const { throttled, batches, byRoute }: GraphEmulatorStats = emulator.stats();
 * ```
 */
export interface GraphEmulatorStats {
  /** HTTP requests received. */
  requests: number;
  /** `$batch` requests and the items they carried. */
  batches: number;
  batchItems: number;
  /** Served requests and batch items by `METHOD /route` (ids replaced by `{id}`). */
  byRoute: Record<string, number>;
  /** Answers by status (batch items included). */
  byStatus: Record<string, number>;
  /** 429 answers: from fault rules and from the quota. */
  throttled: number;
  /** 429 answers because the quota was exceeded. */
  quotaThrottled: number;
  /** Answers replaced by a fault rule. */
  faultsInjected: number;
  /** Writes served (successful or not, after faults and quota). */
  writes: number;
  /** Most HTTP requests in flight at once. */
  maxInFlight: number;
  /** User `$filter` queries (requests and batch items) answered from the index, and by scanning every user. */
  indexedQueries: number;
  scannedQueries: number;
}

/**
 * A running Graph emulator.
 *
 * @example
 * ```ts
 * const emulator: GraphEmulator = await startGraphEmulator({ tenants });
 * emulator.expireDeltaTokens(); // clients must resync
 * await emulator.close();
 * ```
 */
export interface GraphEmulator {
  /** `http://127.0.0.1:<port>`: append `/v1.0/…`; the tenant comes from the token's `tid` (or the only tenant). */
  readonly url: string;
  /** `http://127.0.0.1:<port>/<tenantId>`: a base URL that routes to that tenant whatever the token says. */
  urlFor(tenantId: string): string;
  /** The memory directory behind a tenant (use its `admin` to arrange and inspect). */
  directory(tenantId: string): MemoryDirectory;
  stats(): GraphEmulatorStats;
  resetStats(): void;
  /** Replaces the fault rules and latency (null: none). */
  setFaults(faults: GraphEmulatorFaults | null): void;
  /** Makes every delta and skip token issued so far answer `410 Gone` (forces clients to resync). */
  expireDeltaTokens(): void;
  close(): Promise<void>;
}

type Answer = { status: number; headers?: Record<string, string>; body?: unknown };

interface TenantState {
  dir: MemoryDirectory;
  defaultDomain: string;
  side: Map<string, UserSideData>;
  /** Ids of users whose emulator-only data changed, in order (feeds users delta). */
  sideLog: string[];
  writes: TokenBucket | null;
  requests: TokenBucket | null;
  /** Users by id, UPN, mail and extensions; valid while `indexCursor` is set (the change-feed position it has caught up to). */
  index: UserIndex;
  indexCursor: string | null;
  /** Catch-ups of the index run one after another. */
  indexChain: Promise<boolean>;
}

interface RequestContext {
  tenant: TenantState;
  tenantId: string;
  apiBase: string;
  method: string;
  /** Path after /v1.0, as sent (percent-encoded), without the query. */
  rawPath: string;
  segments: string[];
  query: URLSearchParams;
  headers: Record<string, string>;
  body: unknown;
  inBatch: boolean;
  /** The query string as sent (percent-encoded, with its '?'), for URL length limits. */
  rawQuery: string;
  /** Shared by an HTTP request and the items of its $batch: the index catch-up of this request. */
  shared: { index?: Promise<boolean> };
}

interface DeltaState {
  tenantId: string;
  kind: "users" | "groups";
  cursor: string;
  sideSeq: number;
  select: string[] | null;
  ids: string[] | null;
  issuedAt: number;
  generation: number;
}

interface PageState {
  tenantId: string;
  items: unknown[];
  pageSize: number;
  context: string;
  path: string;
  generation: number;
  /** For delta rounds: the state the final page's deltaLink carries. */
  final?: DeltaState | undefined;
}

/** Graph's limit on the expressions of a filter with `in` or `or` (known issues: query parameters). */
const MAX_FILTER_EXPRESSIONS = 15;
/** Graph's limit on the URL of an advanced query (known issues: query parameters). */
const MAX_ADVANCED_QUERY_URL = 2048;
/** The root a real request's URL starts with, for the URL length limit. */
const GRAPH_API_ROOT = "https://graph.microsoft.com/v1.0";
const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const JSON_TYPE = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";
const USER_TYPE = "#microsoft.graph.user";
const GROUP_TYPE = "#microsoft.graph.group";

function graphError(status: number, code: string, message: string, extra: { details?: unknown[]; headers?: Record<string, string>; innerCode?: string } = {}): Answer {
  return {
    status,
    headers: extra.headers ?? {},
    body: {
      error: {
        code,
        message,
        ...(extra.details ? { details: extra.details } : {}),
        innerError: { ...(extra.innerCode ? { code: extra.innerCode } : {}), date: new Date().toISOString().slice(0, 19), "request-id": randomId(), "client-request-id": randomId() },
      },
    },
  };
}

/** mulberry32: a small seeded generator of numbers in [0, 1). */
function seededDice(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomId(): string {
  const h = randomBytes(16).toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const notFound = (id: string) => graphError(404, "Request_ResourceNotFound", `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
const badRequest = (message: string, code = "Request_BadRequest") => graphError(400, code, message);

/** Maps a memory directory error to Graph's answer for it. */
function answerForError(error: unknown, objectId: string): Answer {
  if (error instanceof ConflictError) {
    const message = `Another object with the same value for property ${error.property} already exists.`;
    return graphError(400, "Request_BadRequest", message, { details: [{ code: "ObjectConflict", message, target: error.property }] });
  }
  if (error instanceof NotFoundError) return notFound(error.objectId || objectId);
  if (error instanceof ConfigError) {
    const target = error.issues[0]?.path.map(String).join(".") ?? "";
    return graphError(400, "Request_BadRequest", `Invalid value specified for property '${target}' of resource 'User'. ${error.issues.map((i) => i.message).join("; ")}`, { details: [{ code: "InvalidValue", message: error.message, target }] });
  }
  if (error instanceof InvalidValueError) return graphError(400, "Request_BadRequest", `Invalid value specified for property '${error.property ?? ""}' of resource 'User'.`);
  if (error instanceof ThrottledError) return graphError(429, "TooManyRequests", "Please retry again later.", { innerCode: "429", headers: { "Retry-After": String((error.retryAfterMs ?? 1000) / 1000) } });
  if (error instanceof TransientError) return graphError(503, "ServiceUnavailable", "The service is temporarily unavailable.", { headers: error.retryAfterMs ? { "Retry-After": String(error.retryAfterMs / 1000) } : {} });
  if (error instanceof CursorExpiredError) return graphError(410, "resyncRequired", "The delta token is no longer valid; start over with a full sync.");
  if (isTenantSyncError(error)) return graphError(400, "Request_BadRequest", error.message);
  return graphError(500, "InternalServerError", error instanceof Error ? error.message : String(error));
}

function option(query: URLSearchParams, name: string): string | null {
  for (const [k, v] of query) if (k.toLowerCase() === name.toLowerCase()) return v;
  return null;
}

function routeName(method: string, segments: readonly string[]): string {
  const known = new Set(["users", "groups", "delta", "manager", "$ref", "members", "transitiveMembers", "microsoft.graph.user", "directory", "deletedItems", "restore", "invitations", "policies", "crossTenantAccessPolicy", "partners", "identitySynchronization", "organization", "$batch"]);
  return `${method} /${segments.map((s) => (known.has(s) ? s : "{id}")).join("/")}`;
}

/**
 * Starts an HTTP server on 127.0.0.1 that answers the subset of Microsoft
 * Graph v1.0 the tenantsync Graph adapter uses, over memory directories (one
 * per tenant): `/organization`, `/users` (list, get, PATCH, DELETE,
 * `$select`, `$filter`, `$expand=manager`, paging), `/users/delta` and
 * `/groups/delta` with opaque tokens, `@removed`, `manager@delta`,
 * `members@delta` split across pages and `$deltatoken=latest`, group members
 * and transitive members, `/directory/deletedItems` (list, get, restore,
 * hard delete), `POST /invitations`, `manager/$ref`, the cross-tenant access
 * policy partner and identitySynchronization resources, and JSON `$batch`
 * (`dependsOn`, per-item status, answers out of order). Faults (429 with
 * Retry-After, 5xx, 410, latency) and a write quota can be injected.
 *
 * Routing: `url` + `/v1.0/…` serves the tenant named by the bearer token's
 * `tid` claim (see `createEmulatorToken`), or the only tenant;
 * `urlFor(tenantId)` + `/v1.0/…` serves that tenant whatever the token.
 *
 * @example
 * ```ts
 * const emulator = await startGraphEmulator({ tenants: [{ id: tenantId, displayName: "Contoso", verifiedDomains: ["contoso.com"] }] });
 * const directory = createGraphDirectory({ tenantId, credential: createEmulatorCredential({ tenantId }), baseUrl: emulator.url, appId });
 * emulator.directory(tenantId).admin.addUser({ userPrincipalName: "adele@contoso.com", displayName: "Adele" });
 * await emulator.close();
 * ```
 */
export async function startGraphEmulator(options: GraphEmulatorOptions = {}): Promise<GraphEmulator> {
  const clock = options.clock ?? systemClock;
  const pageSizeDefault = options.pageSize ?? 100;
  const membersPerPage = options.membersPerPage ?? 20;
  const requireAuth = options.requireAuth ?? true;
  const deltaLifetime = options.deltaTokenLifetimeMs ?? 7 * 24 * 3600_000;
  const anchorAttribute = options.anchorAttribute;
  const tenants = new Map<string, TenantState>();
  const addDirectory = (dir: MemoryDirectory) => {
    const key = dir.tenant.id.toLowerCase();
    if (tenants.has(key)) throw new ConfigError([{ path: ["directories"], message: `tenant ${dir.tenant.id} is given twice` }], "Graph emulator options");
    tenants.set(key, {
      dir,
      defaultDomain: dir.tenant.verifiedDomains[0] ?? "",
      side: new Map(),
      sideLog: [],
      writes: options.quota?.writes ? createTokenBucket(options.quota.writes, clock) : null,
      requests: options.quota?.requests ? createTokenBucket(options.quota.requests, clock) : null,
      index: createUserIndex(),
      indexCursor: null,
      indexChain: Promise.resolve(true),
    });
  };
  for (const dir of options.directories ?? []) addDirectory(dir);
  for (const tenant of options.tenants ?? []) addDirectory(createMemoryDirectory({ tenant, clock }));
  if (tenants.size === 0) throw new ConfigError([{ path: ["tenants"], message: "give at least one tenant or directory" }], "Graph emulator options");

  let faults: GraphEmulatorFaults = options.faults ?? {};
  let ruleCounters = new Map<GraphEmulatorFaultRule, { seen: number; hit: number }>();
  let dice = seededDice(faults.seed ?? 1);
  let generation = 0;
  const pages = new Map<string, { state: PageState; offset: number }>();
  const deltas = new Map<string, DeltaState>();
  let inFlight = 0;
  const emptyStats = (): GraphEmulatorStats => ({ requests: 0, batches: 0, batchItems: 0, byRoute: {}, byStatus: {}, throttled: 0, quotaThrottled: 0, faultsInjected: 0, writes: 0, maxInFlight: 0, indexedQueries: 0, scannedQueries: 0 });
  let stats = emptyStats();
  const newToken = () => randomBytes(18).toString("base64url");

  // ---------------------------------------------------------------- helpers

  const sideOf = (t: TenantState, id: string): UserSideData => {
    let side = t.side.get(id);
    if (!side) {
      side = { extensionAttributes: {} };
      t.side.set(id, side);
    }
    return side;
  };
  const view = (t: TenantState, user: DirectoryUser) => graphUserView(user, t.side.get(user.id), { defaultDomain: t.defaultDomain, anchorAttribute });
  const snapshot = (t: TenantState) => t.dir.admin.snapshot();

  const parseSelect = (ctx: RequestContext, extra: readonly string[] = []): string[] | null | Answer => {
    const raw = option(ctx.query, "$select");
    if (raw === null) return null;
    const names = raw.split(",").map((s) => s.trim()).filter(Boolean);
    for (const name of names) {
      if (extra.includes(name)) continue;
      if (SINGLE_USER_ONLY.has(name.toLowerCase())) return graphError(501, "NotImplemented", "This operation target is not yet supported.");
      if (!isSelectableUserProperty(name)) return badRequest(`Could not find a property named '${name}' on type 'microsoft.graph.user'.`, "BadRequest");
    }
    return names;
  };
  const isAnswer = (value: unknown): value is Answer => typeof value === "object" && value !== null && "status" in value;

  const advanced = (ctx: RequestContext) => (ctx.headers["consistencylevel"] ?? "").toLowerCase() === "eventual" && (option(ctx.query, "$count") ?? "").toLowerCase() === "true";

  const parseFilterOption = (ctx: RequestContext): FilterNode | null | Answer => {
    const raw = option(ctx.query, "$filter");
    if (raw === null) return null;
    let node: FilterNode;
    try {
      node = parseFilter(raw);
    } catch (error) {
      return badRequest(`Invalid filter clause: ${error instanceof FilterSyntaxError ? error.message : String(error)}`, "BadRequest");
    }
    // Filters on onPremisesExtensionAttributes are advanced queries.
    if (filterPaths(node).some((p) => p[0]?.toLowerCase() === "onpremisesextensionattributes") && !advanced(ctx)) {
      return badRequest("Unsupported or invalid query filter clause specified for property 'onPremisesExtensionAttributes' of resource 'User'. Send ConsistencyLevel: eventual and $count=true.", "Request_UnsupportedQuery");
    }
    // Graph's known issues: with `in`, a filter is limited to 15 expressions by default, or to a URL of
    // 2,048 characters in an advanced query (the URL limit also applies to `eq` in advanced queries).
    // Or-ed clauses are held to the same 15 (Graph answers "Too many child clauses … containing 'OR'
    // operators: N. Max allowed: 15.").
    if (advanced(ctx)) {
      const length = GRAPH_API_ROOT.length + ctx.rawPath.length + ctx.rawQuery.length;
      if (length > MAX_ADVANCED_QUERY_URL) return badRequest(`The request URL is ${length} characters long; advanced queries ($filter with ConsistencyLevel: eventual) are limited to ${MAX_ADVANCED_QUERY_URL}. Split the filter into several requests (a $batch holds 20).`, "Request_UnsupportedQuery");
    } else if (hasAlternatives(node)) {
      const count = filterExpressionCount(node);
      if (count > MAX_FILTER_EXPRESSIONS) return badRequest(`Too many child clauses specified in search filter expression containing 'OR' operators: ${count}. Max allowed: ${MAX_FILTER_EXPRESSIONS}.`, "Request_UnsupportedQuery");
    }
    return node;
  };

  /** Answers the first page of a list and keeps the rest behind a $skiptoken. */
  const pagedList = (ctx: RequestContext, items: unknown[], context: string, pathForNext: string, size: number): Answer => {
    const state: PageState = { tenantId: ctx.tenantId, items, pageSize: size, context, path: pathForNext, generation };
    const body = nextPage(ctx, state, 0);
    if (advanced(ctx)) (body as Record<string, unknown>)["@odata.count"] = items.length;
    return { status: 200, body: reorderCount(body as Record<string, unknown>) };
  };
  const reorderCount = (body: Record<string, unknown>) => {
    const { "@odata.context": context, "@odata.count": count, ...rest } = body;
    return { "@odata.context": context, ...(count !== undefined ? { "@odata.count": count } : {}), ...rest };
  };
  const nextPage = (ctx: RequestContext, state: PageState, offset: number): Record<string, unknown> => {
    const value = state.items.slice(offset, offset + state.pageSize);
    const end = offset + value.length;
    const body: Record<string, unknown> = { "@odata.context": state.context };
    if (end < state.items.length) {
      // A skip token names a position in a fixed result, so a link can be followed again.
      const token = newToken();
      pages.set(token, { state, offset: end });
      body["@odata.nextLink"] = `${ctx.apiBase}${state.path}?$skiptoken=${token}`;
    } else if (state.final) {
      const token = newToken();
      deltas.set(token, state.final);
      body["@odata.deltaLink"] = `${ctx.apiBase}${state.path}?$deltatoken=${token}`;
    }
    body["value"] = value;
    return body;
  };
  /** Continues a list or delta round from its $skiptoken; null when the query has none. */
  const continuePaging = (ctx: RequestContext): Answer | null => {
    const token = option(ctx.query, "$skiptoken");
    if (token === null) return null;
    const entry = pages.get(token);
    if (!entry || entry.state.tenantId !== ctx.tenantId) return badRequest("The $skiptoken is not valid.", "Request_BadRequest");
    if (entry.state.generation !== generation) return gone(ctx, entry.state.path);
    return { status: 200, body: nextPage(ctx, entry.state, entry.offset) };
  };
  const gone = (ctx: RequestContext, path: string): Answer =>
    graphError(410, "resyncRequired", "The delta token is no longer valid. Start over with a full synchronization.", { headers: { Location: `${ctx.apiBase}${path}?$deltatoken=` } });

  const users = (t: TenantState): DirectoryUser[] => snapshot(t).users;
  const binUsers = (t: TenantState): DirectoryUser[] => snapshot(t).bin;

  // ---------------------------------------------------------------- the user index
  // The emulator's own writes re-index the user they touched at once; changes made
  // through the directory's admin API (tests, seeding) are caught up from its change
  // feed at the start of every request that uses the index.

  const indexEnabled = options.indexedLookups ?? true;
  /** Re-indexes one user now (after the emulator wrote it). */
  const reindex = (t: TenantState, id: string) => {
    if (t.indexCursor === null) return;
    const user = t.dir.admin.getUser(id);
    t.index.set(id, user ? view(t, user) : null);
  };
  const catchUp = async (t: TenantState): Promise<boolean> => {
    try {
      if (t.indexCursor === null) {
        // The position first: changes made while the snapshot is indexed are read again next time.
        const cursor = await t.dir.currentCursor();
        t.index.clear();
        const snap = t.dir.admin.snapshot();
        for (const user of snap.users) t.index.set(user.id, view(t, user));
        for (const user of snap.bin) t.index.set(user.id, view(t, user));
        t.indexCursor = cursor;
        return true;
      }
      let cursor = t.indexCursor;
      for await (const page of t.dir.readChanges(cursor)) {
        for (const change of page.changes) {
          const id = change.type === "user" ? change.user.id : change.type === "userRemoved" ? change.userId : null;
          if (id === null) continue;
          const user = t.dir.admin.getUser(id);
          t.index.set(id, user ? view(t, user) : null);
        }
        cursor = page.cursor;
      }
      t.indexCursor = cursor;
      return true;
    } catch {
      // A directory that refuses its change feed (injected faults): scan instead, rebuild later.
      t.indexCursor = null;
      return false;
    }
  };
  /** Whether the index of the request's tenant is usable; catches it up once per HTTP request. */
  const indexReady = (ctx: RequestContext): Promise<boolean> => {
    if (!indexEnabled) return Promise.resolve(false);
    const t = ctx.tenant;
    ctx.shared.index ??= t.indexChain = t.indexChain.then(() => catchUp(t));
    return ctx.shared.index;
  };
  /** The users among `ids` that are live (or in the bin), in id order (the order of a scan). */
  const indexed = (t: TenantState, ids: Iterable<string>, where: "live" | "bin"): DirectoryUser[] => {
    const out: DirectoryUser[] = [];
    for (const id of [...new Set(ids)].sort(byId)) {
      const user = t.dir.admin.getUser(id);
      if (user && (user.deletedDateTime !== null) === (where === "bin")) out.push(user);
    }
    return out;
  };

  const findLive = async (t: TenantState, ctx: RequestContext, idOrUpn: string): Promise<DirectoryUser | null> => {
    if (idOrUpn.includes("@")) {
      const candidates = (await indexReady(ctx)) ? indexed(t, t.index.lookup("userPrincipalName", idOrUpn), "live") : users(t);
      return candidates.find((u) => u.userPrincipalName.toLowerCase() === idOrUpn.toLowerCase()) ?? null;
    }
    const user = t.dir.admin.getUser(idOrUpn);
    return user && user.deletedDateTime === null ? user : null;
  };

  const withManager = (t: TenantState, ctx: RequestContext, user: DirectoryUser, item: Record<string, unknown>): Record<string, unknown> => {
    const expand = option(ctx.query, "$expand");
    if (!expand || !/^manager\b/i.test(expand) || user.managerId === null) return item;
    const manager = t.dir.admin.getUser(user.managerId);
    if (!manager || manager.deletedDateTime !== null) return item;
    const inner = /^manager\(\$select=([^)]*)\)$/i.exec(expand)?.[1];
    const selected = selectProperties(view(t, manager), inner ? inner.split(",") : null);
    return { ...item, manager: { "@odata.type": USER_TYPE, ...selected } };
  };

  const userItems = async (t: TenantState, ctx: RequestContext, where: "live" | "bin"): Promise<Answer | Record<string, unknown>[]> => {
    const select = parseSelect(ctx);
    if (isAnswer(select)) return select;
    const filter = parseFilterOption(ctx);
    if (isAnswer(filter)) return filter;
    let list: DirectoryUser[];
    const candidates = filter && (await indexReady(ctx)) ? t.index.plan(filter) : null;
    if (candidates) {
      stats.indexedQueries++;
      list = indexed(t, candidates, where);
    } else {
      if (filter) stats.scannedQueries++;
      list = where === "live" ? users(t) : binUsers(t);
    }
    const out: Record<string, unknown>[] = [];
    for (const user of list) {
      const v = view(t, user);
      if (filter && !matchesFilter(filter, v)) continue;
      out.push(withManager(t, ctx, user, selectProperties(v, select)));
    }
    return out;
  };

  const topOf = (ctx: RequestContext): number | Answer => {
    const raw = option(ctx.query, "$top");
    if (raw === null) return pageSizeDefault;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 999) return badRequest(`Invalid page size specified: '${raw}'. Must be between 1 and 999 inclusive.`, "Request_UnsupportedQuery");
    return n;
  };

  const touchSide = (t: TenantState, id: string) => t.sideLog.push(id);

  // ---------------------------------------------------------------- delta

  const userDeltaItem = (t: TenantState, user: DirectoryUser, select: string[] | null): Record<string, unknown> => {
    const plain = (select ?? []).filter((s) => s.toLowerCase() !== "manager");
    const item = selectProperties(view(t, user), select ? plain : null);
    if (select?.some((s) => s.toLowerCase() === "manager") && user.managerId !== null) item["manager@delta"] = [{ "@odata.type": USER_TYPE, id: user.managerId }];
    return item;
  };

  const idsFromDeltaFilter = (ctx: RequestContext): string[] | null | Answer => {
    const raw = option(ctx.query, "$filter");
    if (raw === null) return null;
    const ids: string[] = [];
    const collect = (node: FilterNode): boolean => {
      if (node.kind === "or") return collect(node.left) && collect(node.right);
      if (node.kind === "compare" && node.op === "eq" && node.path.length === 1 && node.path[0]?.toLowerCase() === "id" && typeof node.value === "string") {
        ids.push(node.value);
        return true;
      }
      return false;
    };
    let node: FilterNode;
    try {
      node = parseFilter(raw);
    } catch (error) {
      return badRequest(`Invalid filter clause: ${error instanceof Error ? error.message : String(error)}`, "BadRequest");
    }
    if (!collect(node)) return badRequest("Delta queries support only $filter=id eq '…' (or-ed).", "Request_UnsupportedQuery");
    if (ids.length > 50) return badRequest("Delta queries support at most 50 ids in $filter.", "Request_UnsupportedQuery");
    return ids;
  };

  const groupMembersLinks = (t: TenantState, memberIds: Iterable<[string, boolean]>): Record<string, unknown>[] => {
    const out: Record<string, unknown>[] = [];
    for (const [id, removed] of memberIds) {
      const type = t.dir.admin.getGroup(id) ? GROUP_TYPE : USER_TYPE;
      out.push({ "@odata.type": type, id, ...(removed ? { "@removed": { reason: "deleted" } } : {}) });
    }
    return out;
  };

  const groupDeltaItems = (t: TenantState, group: { id: string; displayName: string }, links: Record<string, unknown>[], select: string[] | null): Record<string, unknown>[] => {
    const base: Record<string, unknown> = { id: group.id };
    if (!select || select.some((s) => s.toLowerCase() === "displayname")) base["displayName"] = group.displayName;
    const wantsMembers = !select || select.some((s) => s.toLowerCase() === "members");
    if (!wantsMembers || links.length === 0) return [base];
    const out: Record<string, unknown>[] = [];
    for (let i = 0; i < links.length; i += membersPerPage) out.push({ ...base, "members@delta": links.slice(i, i + membersPerPage) });
    return out;
  };

  const deltaRound = async (t: TenantState, ctx: RequestContext, kind: "users" | "groups"): Promise<Answer> => {
    const path = `/${kind}/delta`;
    const pageAnswer = continuePaging(ctx);
    if (pageAnswer) return pageAnswer;
    const deltaToken = option(ctx.query, "$deltatoken");
    let state: DeltaState;
    let items: unknown[];
    if (deltaToken !== null && deltaToken !== "latest") {
      if (deltaToken === "") return gone(ctx, path);
      const previous = deltas.get(deltaToken);
      if (!previous || previous.tenantId !== ctx.tenantId || previous.kind !== kind) return graphError(400, "syncStateNotFound", "The delta token is not valid or has expired.");
      if (previous.generation !== generation) return gone(ctx, path);
      if (clock.now().getTime() - previous.issuedAt > deltaLifetime) return graphError(400, "syncStateNotFound", "The delta token has expired (tokens for directory objects are valid for 7 days).");
      const touched = new Map<string, boolean>(); // users: id → true; groups: "g\nm" → removed
      const removedGroups = new Set<string>();
      const groupIds = kind === "groups" ? (previous.ids ?? snapshot(t).groups.map((g) => g.id)) : [];
      let cursor = previous.cursor;
      try {
        for await (const page of t.dir.readChanges(cursor, kind === "groups" ? { groupIds } : {})) {
          for (const change of page.changes) {
            if (kind === "users" && change.type === "user") touched.set(change.user.id, true);
            if (kind === "users" && change.type === "userRemoved") touched.set(change.userId, true);
            if (kind === "groups" && change.type === "membership") touched.set(`${change.groupId}\n${change.memberId}`, change.removed);
            if (kind === "groups" && change.type === "groupRemoved") removedGroups.add(change.groupId);
          }
          cursor = page.cursor;
        }
      } catch (error) {
        return answerForError(error, deltaToken);
      }
      if (kind === "users") {
        for (let i = previous.sideSeq; i < t.sideLog.length; i++) touched.set(t.sideLog[i] as string, true);
        items = [...touched.keys()].filter((id) => !previous.ids || previous.ids.includes(id)).map((id) => {
          const user = t.dir.admin.getUser(id);
          if (!user) return { id, "@removed": { reason: "deleted" } };
          if (user.deletedDateTime !== null) return { id, "@removed": { reason: "changed" } };
          return userDeltaItem(t, user, previous.select);
        });
      } else {
        const byGroup = new Map<string, Array<[string, boolean]>>();
        for (const [key, removed] of touched) {
          const [groupId = "", memberId = ""] = key.split("\n");
          if (removedGroups.has(groupId)) continue;
          let list = byGroup.get(groupId);
          if (!list) byGroup.set(groupId, (list = []));
          list.push([memberId, removed]);
        }
        items = [];
        for (const [groupId, members] of byGroup) {
          const group = t.dir.admin.getGroup(groupId);
          if (group) items.push(...groupDeltaItems(t, group, groupMembersLinks(t, members), previous.select));
        }
        for (const groupId of removedGroups) items.push({ id: groupId, "@removed": { reason: "deleted" } });
      }
      state = { ...previous, cursor, sideSeq: t.sideLog.length, issuedAt: clock.now().getTime(), generation };
    } else {
      const select = kind === "users" ? parseSelect(ctx, ["manager"]) : (option(ctx.query, "$select")?.split(",").map((s) => s.trim()) ?? null);
      if (isAnswer(select)) return select;
      const ids = idsFromDeltaFilter(ctx);
      if (isAnswer(ids)) return ids;
      let cursor: string;
      try {
        cursor = await t.dir.currentCursor();
      } catch (error) {
        return answerForError(error, "delta");
      }
      state = { tenantId: ctx.tenantId, kind, cursor, sideSeq: t.sideLog.length, select, ids, issuedAt: clock.now().getTime(), generation };
      if (deltaToken === "latest") {
        items = [];
      } else if (kind === "users") {
        items = users(t)
          .filter((u) => !ids || ids.includes(u.id))
          .map((u) => userDeltaItem(t, u, select));
      } else {
        const snap = snapshot(t);
        const live = new Set(snap.users.map((u) => u.id));
        const groupIds = new Set(snap.groups.map((g) => g.id));
        items = [];
        for (const group of snap.groups) {
          if (ids && !ids.includes(group.id)) continue;
          const members = group.members.filter((m) => live.has(m) || groupIds.has(m)).map((m): [string, boolean] => [m, false]);
          items.push(...groupDeltaItems(t, group, groupMembersLinks(t, members), select));
        }
      }
    }
    const context = `${ctx.apiBase}/$metadata#${kind}${state.select ? `(${state.select.join(",")})` : ""}`;
    const round: PageState = { tenantId: ctx.tenantId, items, pageSize: pageSizeDefault, context, path, generation, final: state };
    return { status: 200, body: nextPage(ctx, round, 0) };
  };

  // ---------------------------------------------------------------- writes

  const patchUser = async (t: TenantState, ctx: RequestContext, id: string, body: unknown): Promise<Answer> => {
    if (typeof body !== "object" || body === null || Array.isArray(body)) return badRequest("The request body must be a JSON object.");
    const user = await findLive(t, ctx, id);
    if (!user) return notFound(id);
    const changes: Record<string, unknown> = {};
    const extensions: Record<string, unknown> = {};
    let onPrem: Record<string, unknown> | undefined;
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      if (/^extension_[0-9a-f]{32}_\w+$/i.test(key)) extensions[key] = value;
      else if (key === "onPremisesExtensionAttributes") {
        if (typeof value !== "object" || value === null) return badRequest("Invalid value specified for property 'onPremisesExtensionAttributes' of resource 'User'.");
        onPrem = value as Record<string, unknown>;
      } else if (["id", "createdDateTime", "deletedDateTime", "creationType", "externalUserState", "identities", "origin", "homeTenantId", "alternativeSecurityId", "managerId", "extensions"].includes(key)) {
        return badRequest(`Property '${key}' is read-only and cannot be set.`);
      } else changes[key] = value;
    }
    if (onPrem) {
      for (const [key, value] of Object.entries(onPrem)) {
        if (!/^extensionAttribute([1-9]|1[0-5])$/.test(key)) return badRequest(`Invalid property '${key}' of onPremisesExtensionAttributes.`);
        if (value !== null && typeof value !== "string") return badRequest(`Invalid value specified for property 'onPremisesExtensionAttributes/${key}' of resource 'User'.`);
      }
    }
    if (Object.keys(extensions).length > 0) changes["extensions"] = extensions;
    try {
      t.dir.admin.updateUser(user.id, changes as UserAttributes);
    } catch (error) {
      return answerForError(error, id);
    } finally {
      reindex(t, user.id);
    }
    if (onPrem) {
      const side = sideOf(t, user.id);
      for (const [key, value] of Object.entries(onPrem)) side.extensionAttributes[key] = value as string | null;
      touchSide(t, user.id);
    }
    return { status: 204 };
  };

  const invite = async (t: TenantState, ctx: RequestContext): Promise<Answer> => {
    const body = (typeof ctx.body === "object" && ctx.body !== null ? ctx.body : {}) as Record<string, unknown>;
    const email = body["invitedUserEmailAddress"];
    const redirect = body["inviteRedirectUrl"];
    if (typeof email !== "string" || !/^[^@\s]+@[^@\s]+$/.test(email)) return badRequest("Property invitedUserEmailAddress is required and must be an email address.", "BadRequest");
    if (typeof redirect !== "string" || redirect === "") return badRequest("Property inviteRedirectUrl is required.", "BadRequest");
    const type = body["invitedUserType"] ?? "Guest";
    if (type !== "Guest" && type !== "Member") return badRequest("Property invitedUserType must be 'Guest' or 'Member'.", "BadRequest");
    const names = externalUserPrincipalName(email, t.defaultDomain);
    // Inviting an address that already has a B2B user re-invites that user.
    const candidates = (await indexReady(ctx)) ? indexed(t, [...t.index.lookup("userPrincipalName", names.userPrincipalName), ...t.index.lookup("mail", email)], "live") : users(t);
    const existing = candidates.find((u) => u.userPrincipalName.toLowerCase() === names.userPrincipalName.toLowerCase() || (u.mail ?? "").toLowerCase() === email.toLowerCase());
    let user: DirectoryUser;
    if (existing) {
      if (existing.origin !== "external") return badRequest(`The invited user already exists in the directory as an internal user (${existing.id}).`, "BadRequest");
      user = existing;
    } else {
      try {
        user = t.dir.admin.addUser({
          userPrincipalName: names.userPrincipalName,
          mailNickname: names.mailNickname,
          mail: email,
          displayName: typeof body["invitedUserDisplayName"] === "string" && body["invitedUserDisplayName"] ? body["invitedUserDisplayName"] : (email.split("@")[0] as string),
          userType: type,
          origin: "external",
          showInAddressList: false,
        });
      } catch (error) {
        return answerForError(error, email);
      }
      reindex(t, user.id);
      sideOf(t, user.id).externalUserState = "PendingAcceptance";
    }
    const id = randomId();
    return {
      status: 201,
      body: {
        "@odata.context": `${ctx.apiBase}/$metadata#invitations/$entity`,
        id,
        inviteRedeemUrl: `https://login.microsoftonline.com/redeem?rd=https%3a%2f%2finvitations.microsoft.com%2fredeem%2f%3ftenant%3d${ctx.tenantId}%26user%3d${id}`,
        invitedUserDisplayName: body["invitedUserDisplayName"] ?? null,
        invitedUserType: type,
        invitedUserEmailAddress: email,
        sendInvitationMessage: body["sendInvitationMessage"] === true,
        resetRedemption: false,
        inviteRedirectUrl: redirect,
        status: existing ? "Completed" : "PendingAcceptance",
        invitedUserMessageInfo: { messageLanguage: null, customizedMessageBody: null, ccRecipients: [{ emailAddress: { name: null, address: null } }] },
        invitedUser: { id: user.id },
      },
    };
  };

  // ---------------------------------------------------------------- policies

  const partnerView = (t: TenantState, partnerId: string) => snapshot(t).partnerSettings.find((p) => p.tenantId.toLowerCase() === partnerId.toLowerCase()) ?? null;

  const policies = (t: TenantState, ctx: RequestContext, rest: string[]): Answer => {
    const admin = t.dir.admin;
    const body = (typeof ctx.body === "object" && ctx.body !== null ? ctx.body : {}) as Record<string, unknown>;
    const partnerJson = (p: NonNullable<ReturnType<typeof partnerView>>) => ({
      tenantId: p.tenantId,
      inboundTrust: null,
      isServiceProvider: null,
      isInMultiTenantOrganization: false,
      automaticUserConsentSettings: { inboundAllowed: p.automaticUserConsentSettings.inboundAllowed, outboundAllowed: p.automaticUserConsentSettings.outboundAllowed },
      b2bCollaborationInbound: null,
      b2bCollaborationOutbound: null,
      b2bDirectConnectInbound: null,
      b2bDirectConnectOutbound: null,
      tenantRestrictions: null,
      crossCloudMeetingConfiguration: { inboundAllowed: null, outboundAllowed: null },
    });
    const save = (partnerId: string, next: { isSyncAllowed?: boolean; inboundAllowed?: boolean; outboundAllowed?: boolean }) => {
      const p = partnerView(t, partnerId);
      admin.setPartnerSettings({
        tenantId: partnerId,
        userSyncInbound: { isSyncAllowed: next.isSyncAllowed ?? p?.userSyncInbound.isSyncAllowed ?? false },
        automaticUserConsentSettings: {
          inboundAllowed: next.inboundAllowed ?? p?.automaticUserConsentSettings.inboundAllowed ?? false,
          outboundAllowed: next.outboundAllowed ?? p?.automaticUserConsentSettings.outboundAllowed ?? false,
        },
      });
    };
    const consent = (b: Record<string, unknown>) => {
      const c = (typeof b["automaticUserConsentSettings"] === "object" && b["automaticUserConsentSettings"] !== null ? b["automaticUserConsentSettings"] : {}) as Record<string, unknown>;
      return {
        ...(typeof c["inboundAllowed"] === "boolean" ? { inboundAllowed: c["inboundAllowed"] } : {}),
        ...(typeof c["outboundAllowed"] === "boolean" ? { outboundAllowed: c["outboundAllowed"] } : {}),
      };
    };
    const syncAllowed = (b: Record<string, unknown>) => {
      const s = (typeof b["userSyncInbound"] === "object" && b["userSyncInbound"] !== null ? b["userSyncInbound"] : {}) as Record<string, unknown>;
      return typeof s["isSyncAllowed"] === "boolean" ? { isSyncAllowed: s["isSyncAllowed"] } : {};
    };
    try {
      if (rest.length === 0) {
        if (ctx.method === "GET") return { status: 200, body: { "@odata.context": `${ctx.apiBase}/$metadata#policies/crossTenantAccessPolicy/partners`, value: snapshot(t).partnerSettings.map(partnerJson) } };
        if (ctx.method === "POST") {
          const partnerId = body["tenantId"];
          if (typeof partnerId !== "string") return badRequest("Property tenantId is required.");
          if (partnerView(t, partnerId)) return graphError(409, "Request_MultipleObjectsWithSameKeyValue", "A conflicting object with one or more of the specified property values is present in the directory.", { details: [{ code: "ConflictingObjects", message: "A conflicting object with one or more of the specified property values is present in the directory." }] });
          save(partnerId, consent(body));
          return { status: 201, body: { "@odata.context": `${ctx.apiBase}/$metadata#policies/crossTenantAccessPolicy/partners/$entity`, ...partnerJson(partnerView(t, partnerId) as NonNullable<ReturnType<typeof partnerView>>) } };
        }
      }
      const partnerId = decodeURIComponent(rest[0] ?? "");
      const existing = partnerView(t, partnerId);
      const missing = graphError(404, "Directory_ObjectNotFound", `Unable to read the company information from the directory for partner '${partnerId}'.`);
      if (rest.length === 1) {
        if (ctx.method === "GET") return existing ? { status: 200, body: partnerJson(existing) } : missing;
        if (ctx.method === "PATCH") {
          if (!existing) return missing;
          save(partnerId, consent(body));
          return { status: 204 };
        }
        if (ctx.method === "DELETE") return admin.removePartnerSettings(partnerId) ? { status: 204 } : missing;
      }
      if (rest.length === 2 && rest[1] === "identitySynchronization") {
        const syncJson = (p: NonNullable<typeof existing>) => ({ tenantId: p.tenantId, displayName: null, userSyncInbound: { isSyncAllowed: p.userSyncInbound.isSyncAllowed } });
        if (ctx.method === "GET") return existing ? { status: 200, body: syncJson(existing) } : missing;
        if (ctx.method === "PUT") {
          save(partnerId, syncAllowed(body));
          return { status: 204 };
        }
        if (ctx.method === "PATCH") {
          if (!existing) return missing;
          save(partnerId, syncAllowed(body));
          return { status: 204 };
        }
        if (ctx.method === "DELETE") {
          if (!existing) return missing;
          save(partnerId, { isSyncAllowed: false });
          return { status: 204 };
        }
      }
    } catch (error) {
      return answerForError(error, rest[0] ?? "");
    }
    return unsupported(ctx);
  };
  const unsupported = (ctx: RequestContext): Answer => badRequest(`Resource not found for the segment '${ctx.segments.join("/")}' (${ctx.method}) in the Graph emulator.`, "BadRequest");

  // ---------------------------------------------------------------- groups

  const groupMembers = (t: TenantState, ctx: RequestContext, groupId: string, transitive: boolean, cast: boolean): Answer => {
    const admin = t.dir.admin;
    const root = admin.getGroup(groupId);
    if (!root) return notFound(groupId);
    if (cast && transitive && !advanced(ctx)) return badRequest("The OData cast on transitiveMembers needs ConsistencyLevel: eventual and $count=true.", "Request_UnsupportedQuery");
    const select = parseSelect(ctx);
    if (isAnswer(select)) return select;
    const found: Record<string, unknown>[] = [];
    const seen = new Set<string>([groupId]);
    const queue = [root];
    for (let i = 0; i < queue.length; i++) {
      for (const m of (queue[i] as { members: string[] }).members) {
        if (seen.has(m)) continue;
        seen.add(m);
        const nested = admin.getGroup(m);
        if (nested) {
          if (transitive) queue.push(nested);
          if (!cast) found.push({ "@odata.type": GROUP_TYPE, id: nested.id, displayName: nested.displayName });
          continue;
        }
        const user = admin.getUser(m);
        if (!user || user.deletedDateTime !== null) continue;
        const item = selectProperties(view(t, user), select);
        found.push(cast ? item : { "@odata.type": USER_TYPE, ...item });
      }
    }
    const top = topOf(ctx);
    if (isAnswer(top)) return top;
    const segment = transitive ? "transitiveMembers" : "members";
    return pagedList(ctx, found, `${ctx.apiBase}/$metadata#${cast ? "users" : "directoryObjects"}`, `/groups/${encodeURIComponent(groupId)}/${segment}${cast ? "/microsoft.graph.user" : ""}`, top);
  };

  // ---------------------------------------------------------------- router

  const serve = async (ctx: RequestContext): Promise<Answer> => {
    const t = ctx.tenant;
    const admin = t.dir.admin;
    const s = ctx.segments;
    const m = ctx.method;
    const n = s.length;
    try {
      if (s[0] === "organization" && n === 1 && m === "GET") {
        const tenant = t.dir.tenant;
        return {
          status: 200,
          body: {
            "@odata.context": `${ctx.apiBase}/$metadata#organization`,
            value: [{ id: tenant.id, displayName: tenant.displayName, verifiedDomains: tenant.verifiedDomains.map((name, i) => ({ name, isDefault: i === 0, isInitial: name.endsWith(".onmicrosoft.com"), type: "Managed", capabilities: "Email, OfficeCommunicationsOnline" })) }],
          },
        };
      }
      if (s[0] === "users") {
        if (n === 1 && m === "GET") {
          const more = continuePaging(ctx);
          if (more) return more;
          const items = await userItems(t, ctx, "live");
          if (isAnswer(items)) return items;
          const top = topOf(ctx);
          if (isAnswer(top)) return top;
          const select = option(ctx.query, "$select");
          // Known Graph limit: with $expand, a page of directory objects holds at most 100.
          const size = option(ctx.query, "$expand") ? Math.min(top, 100) : top;
          return pagedList(ctx, items, `${ctx.apiBase}/$metadata#users${select ? `(${select})` : ""}`, "/users", size);
        }
        if (n === 2 && s[1] === "delta" && m === "GET") return await deltaRound(t, ctx, "users");
        const id = s[1] as string;
        if (n === 2 && m === "GET") {
          const user = await findLive(t, ctx, id);
          if (!user) return notFound(id);
          const select = parseSelect(ctx);
          if (isAnswer(select)) return select;
          return { status: 200, body: { "@odata.context": `${ctx.apiBase}/$metadata#users/$entity`, ...withManager(t, ctx, user, selectProperties(view(t, user), select)) } };
        }
        if (n === 2 && m === "PATCH") return await patchUser(t, ctx, id, ctx.body);
        if (n === 2 && m === "DELETE") {
          const user = await findLive(t, ctx, id);
          if (!user) return notFound(id);
          admin.deleteUser(user.id);
          reindex(t, user.id);
          return { status: 204 };
        }
        if (n === 3 && s[2] === "manager" && m === "GET") {
          const user = await findLive(t, ctx, id);
          const manager = user?.managerId ? await findLive(t, ctx, user.managerId) : null;
          if (!manager) return notFound(id);
          return { status: 200, body: { "@odata.type": USER_TYPE, ...selectProperties(view(t, manager), null) } };
        }
        if (n === 4 && s[2] === "manager" && s[3] === "$ref") {
          const user = await findLive(t, ctx, id);
          if (!user) return notFound(id);
          if (m === "PUT") {
            const ref = (ctx.body as Record<string, unknown> | undefined)?.["@odata.id"];
            const managerId = typeof ref === "string" ? /\/(?:users|directoryObjects)\/([^/?]+)$/.exec(ref)?.[1] : undefined;
            if (!managerId) return badRequest("The request body must be {\"@odata.id\": \"https://graph.microsoft.com/v1.0/users/{id}\"}.");
            admin.setManager(user.id, decodeURIComponent(managerId));
            return { status: 204 };
          }
          if (m === "DELETE") {
            if (user.managerId === null) return notFound(`${id}/manager`);
            admin.setManager(user.id, null);
            return { status: 204 };
          }
        }
      }
      if (s[0] === "groups") {
        if (n === 2 && s[1] === "delta" && m === "GET") return await deltaRound(t, ctx, "groups");
        if ((n === 3 || n === 4) && (s[2] === "members" || s[2] === "transitiveMembers") && m === "GET" && (n === 3 || s[3] === "microsoft.graph.user")) {
          const more = continuePaging(ctx);
          if (more) return more;
          return groupMembers(t, ctx, s[1] as string, s[2] === "transitiveMembers", n === 4);
        }
      }
      if (s[0] === "directory" && s[1] === "deletedItems") {
        if (n === 2) return badRequest("Listing deleted items needs a type cast, for example /directory/deletedItems/microsoft.graph.user.", "Request_BadRequest");
        if (n === 3 && s[2] === "microsoft.graph.user" && m === "GET") {
          const more = continuePaging(ctx);
          if (more) return more;
          const items = await userItems(t, ctx, "bin");
          if (isAnswer(items)) return items;
          const top = topOf(ctx);
          if (isAnswer(top)) return top;
          return pagedList(ctx, items, `${ctx.apiBase}/$metadata#users`, "/directory/deletedItems/microsoft.graph.user", top);
        }
        const id = s[2] as string;
        const binned = admin.getUser(id);
        const inBin = binned !== null && binned.deletedDateTime !== null;
        if (n === 3 && m === "GET") {
          if (!inBin) return notFound(id);
          const select = parseSelect(ctx);
          if (isAnswer(select)) return select;
          return { status: 200, body: { "@odata.context": `${ctx.apiBase}/$metadata#directoryObjects/$entity`, "@odata.type": USER_TYPE, ...selectProperties(view(t, binned), select) } };
        }
        if (n === 3 && m === "DELETE") {
          if (!inBin) return notFound(id);
          admin.hardDeleteUser(id);
          reindex(t, id);
          return { status: 204 };
        }
        if (n === 4 && s[3] === "restore" && m === "POST") {
          if (!inBin) return notFound(id);
          const restored = admin.restoreUser(id);
          reindex(t, id);
          return { status: 200, body: { "@odata.context": `${ctx.apiBase}/$metadata#directoryObjects/$entity`, "@odata.type": USER_TYPE, ...selectProperties(view(t, restored), null) } };
        }
      }
      if (s[0] === "invitations" && n === 1 && m === "POST") return await invite(t, ctx);
      if (s[0] === "policies" && s[1] === "crossTenantAccessPolicy" && s[2] === "partners") return policies(t, ctx, s.slice(3));
    } catch (error) {
      return answerForError(error, s[s.length - 1] ?? "");
    }
    return unsupported(ctx);
  };

  // ---------------------------------------------------------------- gate: faults and quota

  const matchRule = (rule: GraphEmulatorFaultRule, ctx: RequestContext, pathWithQuery: string): boolean => {
    if (ctx.inBatch && rule.inBatch === false) return false;
    if (rule.method && rule.method.toUpperCase() !== ctx.method) return false;
    if (rule.tenantId && rule.tenantId.toLowerCase() !== ctx.tenantId.toLowerCase()) return false;
    if (rule.path !== undefined) {
      if (typeof rule.path === "string" ? !pathWithQuery.includes(rule.path) : !rule.path.test(pathWithQuery)) return false;
    }
    return true;
  };

  const gate = (ctx: RequestContext): Answer | null => {
    const query = ctx.query.toString();
    const pathWithQuery = `${ctx.rawPath}${query ? `?${decodeURIComponent(query)}` : ""}`;
    for (const rule of faults.rules ?? []) {
      if (!matchRule(rule, ctx, pathWithQuery)) continue;
      let counter = ruleCounters.get(rule);
      if (!counter) ruleCounters.set(rule, (counter = { seen: 0, hit: 0 }));
      counter.seen++;
      const after = counter.seen - (rule.skip ?? 0);
      if (after <= 0 || (rule.times !== undefined && counter.hit >= rule.times) || (after - 1) % (rule.every ?? 1) !== 0) continue;
      if (rule.probability !== undefined && dice() >= rule.probability) continue;
      counter.hit++;
      stats.faultsInjected++;
      const retryAfter = rule.retryAfterSeconds ?? (rule.status === 429 ? 1 : undefined);
      const headers: Record<string, string> = retryAfter !== undefined ? { "Retry-After": String(retryAfter) } : {};
      switch (rule.status) {
        case 429:
          return graphError(429, "TooManyRequests", "Please retry again later.", { headers, innerCode: "429" });
        case 410:
          return gone(ctx, ctx.rawPath);
        case 503:
          return graphError(503, "ServiceUnavailable", "The service is temporarily unavailable. Please retry later.", { headers });
        case 504:
          return graphError(504, "GatewayTimeout", "The gateway did not receive a timely response.", { headers });
        default:
          return graphError(rule.status, rule.status === 502 ? "BadGateway" : "InternalServerError", "An internal server error occurred in the Graph emulator (injected fault).", { headers });
      }
    }
    if (ctx.segments[0] === "$batch") return null;
    const quotaAnswer = (bucket: TokenBucket, information: string): Answer | null => {
      const wait = bucket.tryTake(1);
      if (wait === 0) return null;
      stats.quotaThrottled++;
      return graphError(429, "TooManyRequests", "Please retry again later.", {
        innerCode: "429",
        headers: { "Retry-After": (wait / 1000).toFixed(3), "x-ms-throttle-scope": `Tenant_Application/${information === "WriteLimitExceeded" ? "Write" : "ReadWrite"}/emulator/${ctx.tenantId}`, "x-ms-throttle-information": information },
      });
    };
    if (ctx.tenant.requests) {
      const a = quotaAnswer(ctx.tenant.requests, "ResourceUnitLimitExceeded");
      if (a) return a;
    }
    if (ctx.method !== "GET" && ctx.tenant.writes) {
      const a = quotaAnswer(ctx.tenant.writes, "WriteLimitExceeded");
      if (a) return a;
    }
    return null;
  };

  const count = (ctx: RequestContext, answer: Answer) => {
    stats.byStatus[String(answer.status)] = (stats.byStatus[String(answer.status)] ?? 0) + 1;
    if (answer.status === 429) stats.throttled++;
  };

  const handle = async (ctx: RequestContext): Promise<Answer> => {
    const blocked = gate(ctx);
    if (blocked) {
      count(ctx, blocked);
      return blocked;
    }
    const route = routeName(ctx.method, ctx.segments);
    stats.byRoute[route] = (stats.byRoute[route] ?? 0) + 1;
    if (ctx.method !== "GET" && ctx.segments[0] !== "$batch") stats.writes++;
    const answer = ctx.segments[0] === "$batch" && ctx.segments.length === 1 && ctx.method === "POST" && !ctx.inBatch ? await batch(ctx) : await serve(ctx);
    count(ctx, answer);
    return answer;
  };

  const batch = async (ctx: RequestContext): Promise<Answer> => {
    const requests = (ctx.body as { requests?: unknown } | undefined)?.requests;
    if (!Array.isArray(requests)) return badRequest("A batch request needs a 'requests' array.", "BadRequest");
    if (requests.length > 20) return badRequest("The number of batch requests exceeds the limit of 20.", "BadRequest");
    const items = requests as Array<Record<string, unknown>>;
    const ids = items.map((r) => String(r["id"] ?? "").toLowerCase());
    if (new Set(ids).size !== ids.length || ids.some((id) => id === "")) return badRequest("Every batch request needs a unique id.", "BadRequest");
    for (const item of items) {
      const headers = Object.fromEntries(Object.entries((item["headers"] as Record<string, string> | undefined) ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
      if (item["body"] !== undefined && !headers["content-type"]) return badRequest(`Batch request ${String(item["id"])} has a body but no Content-Type header.`, "BadRequest");
      for (const dep of (item["dependsOn"] as unknown[] | undefined) ?? []) {
        if (!ids.includes(String(dep).toLowerCase())) return badRequest(`Batch request ${String(item["id"])} depends on unknown id '${String(dep)}'.`, "BadRequest");
      }
    }
    stats.batches++;
    stats.batchItems += items.length;
    const results = new Map<string, Promise<Answer>>();
    const run = (item: Record<string, unknown>): Promise<Answer> => {
      const id = String(item["id"]).toLowerCase();
      const existing = results.get(id);
      if (existing) return existing;
      const promise = (async (): Promise<Answer> => {
        for (const dep of (item["dependsOn"] as unknown[] | undefined) ?? []) {
          const depItem = items.find((r) => String(r["id"]).toLowerCase() === String(dep).toLowerCase()) as Record<string, unknown>;
          const depAnswer = await run(depItem);
          if (depAnswer.status >= 400) {
            const a = graphError(424, "FailedDependency", `Request ${String(item["id"])} was not run because request ${String(dep)} failed.`);
            count(ctx, a);
            return a;
          }
        }
        const url = String(item["url"] ?? "");
        const parsed = new URL(url.startsWith("/") ? url : `/${url}`, "http://batch.local");
        const headers = Object.fromEntries(Object.entries((item["headers"] as Record<string, string> | undefined) ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
        return handle({
          ...ctx,
          method: String(item["method"] ?? "GET").toUpperCase(),
          rawPath: parsed.pathname,
          segments: parsed.pathname.split("/").filter(Boolean).map(decodeURIComponent),
          query: parsed.searchParams,
          rawQuery: parsed.search,
          headers,
          body: item["body"],
          inBatch: true,
        });
      })();
      results.set(id, promise);
      return promise;
    };
    const answers = await Promise.all(items.map(run));
    // Graph answers batch items in any order: reverse them, so clients must correlate by id.
    const responses = items
      .map((item, i) => {
        const a = answers[i] as Answer;
        return { id: String(item["id"]), status: a.status, headers: { ...(a.body !== undefined ? { "Content-Type": "application/json" } : {}), ...a.headers }, ...(a.body !== undefined ? { body: a.body } : {}) };
      })
      .reverse();
    return { status: 200, body: { responses } };
  };

  // ---------------------------------------------------------------- HTTP

  const resolveTenant = (segments: string[], authorization: string | undefined): { tenant: TenantState; tenantId: string; prefix: string; rest: string[] } | Answer => {
    let prefix = "";
    let rest = segments;
    let tenant: TenantState | undefined;
    const first = segments[0];
    if (first && first !== "v1.0" && tenants.has(first.toLowerCase())) {
      tenant = tenants.get(first.toLowerCase());
      prefix = `/${first}`;
      rest = segments.slice(1);
    }
    if (rest[0] !== "v1.0") return graphError(400, "BadRequest", "Only /v1.0 is served by the Graph emulator.");
    const bearer = /^Bearer\s+(.+)$/i.exec(authorization ?? "")?.[1];
    if (requireAuth && !bearer) return graphError(401, "InvalidAuthenticationToken", "Access token is empty.");
    const claims = bearer ? readEmulatorToken(bearer) : null;
    if (claims && claims.exp * 1000 <= clock.now().getTime()) return graphError(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.");
    if (!tenant) {
      tenant = claims ? tenants.get(claims.tid.toLowerCase()) : tenants.size === 1 ? [...tenants.values()][0] : undefined;
      if (!tenant) return graphError(401, "InvalidAuthenticationToken", claims ? `The token's tenant ${claims.tid} is not served by this emulator.` : "Cannot tell the tenant: use urlFor(tenantId) or a token with a tid claim.");
    } else if (claims && claims.tid.toLowerCase() !== tenant.dir.tenant.id.toLowerCase()) {
      return graphError(401, "InvalidAuthenticationToken", `The token is for tenant ${claims.tid}, not ${tenant.dir.tenant.id}.`);
    }
    return { tenant, tenantId: tenant.dir.tenant.id, prefix, rest: rest.slice(1) };
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        stats.requests++;
        inFlight++;
        stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
        let answer: Answer;
        try {
          const latency = (options.latencyMs ?? 0) + (faults.latencyMs ?? 0);
          if (latency > 0) await clock.sleep(latency);
          const url = new URL(req.url ?? "/", "http://emulator.local");
          const segments = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
          const routed = resolveTenant(segments, req.headers.authorization);
          if (isAnswer(routed)) answer = routed;
          else {
            const text = Buffer.concat(chunks).toString("utf8");
            let body: unknown;
            let bad = false;
            if (text.length > 0) {
              try {
                body = JSON.parse(text);
              } catch {
                bad = true;
              }
            }
            const rawPrefix = `${routed.prefix}/v1.0`;
            answer = bad
              ? badRequest("The request body is not valid JSON.", "BadRequest")
              : await handle({
                  tenant: routed.tenant,
                  tenantId: routed.tenantId,
                  apiBase: `http://${req.headers.host ?? "127.0.0.1"}${rawPrefix}`,
                  method: (req.method ?? "GET").toUpperCase(),
                  rawPath: url.pathname.slice(url.pathname.indexOf("/v1.0") + 5),
                  segments: routed.rest,
                  query: url.searchParams,
                  headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(",") : (v ?? "")])),
                  body,
                  inBatch: false,
                  rawQuery: url.search,
                  shared: {},
                });
          }
        } catch (error) {
          answer = graphError(500, "InternalServerError", error instanceof Error ? error.message : String(error));
        }
        inFlight--;
        const text = answer.body === undefined ? "" : JSON.stringify(answer.body);
        const clientRequestId = req.headers["client-request-id"];
        res.writeHead(answer.status, {
          ...(text ? { "Content-Type": JSON_TYPE } : {}),
          "OData-Version": "4.0",
          "request-id": randomId(),
          ...(typeof clientRequestId === "string" ? { "client-request-id": clientRequestId } : {}),
          ...answer.headers,
        });
        res.end(text);
      })();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    urlFor: (tenantId) => `${url}/${tenantId}`,
    directory(tenantId) {
      const t = tenants.get(tenantId.toLowerCase());
      if (!t) throw new NotFoundError("tenant", tenantId, { message: `The Graph emulator serves no tenant ${tenantId}` });
      return t.dir;
    },
    stats: () => structuredClone(stats),
    resetStats() {
      stats = emptyStats();
    },
    setFaults(next) {
      faults = next ?? {};
      ruleCounters = new Map();
      dice = seededDice(faults.seed ?? 1);
    },
    expireDeltaTokens() {
      generation++;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
