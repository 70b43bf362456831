import {
  AdapterError,
  CapabilityError,
  Cloud,
  ConfigError,
  ConflictError,
  DEFAULT_DIRECTORY_CAPABILITIES,
  EXTENSION_ATTRIBUTE_PATTERN,
  InvalidValueError,
  NotFoundError,
  PolicyError,
  USER_STRING_ATTRIBUTES,
  parseTenant,
  systemClock,
  throwIfAborted,
  type AlternativeSecurityId,
  type CallOptions,
  type ChangeFeedOptions,
  type ChangePage,
  type Clock,
  type ConfigIssue,
  type CreateExternalUserInput,
  type DirectoryCapabilities,
  type DirectoryChange,
  type DirectoryPort,
  type DirectoryUser,
  type GetUserOptions,
  type ListUsersOptions,
  type PartnerSettings,
  type Tenant,
  type UserAttributes,
  type UserQuery,
  type WriteOptions,
} from "@tenantsync/core";
import { createTokenProvider, type GraphTokenCredential } from "./auth/token-provider.ts";
import { graphEndpointsFor, type GraphCloudEndpoints } from "./clouds/national-clouds.ts";
import { createGroupDeltaAccumulator, groupDeltaChanges, mergeGroupsDeltaPage, usersDeltaChanges } from "./delta/delta-page.ts";
import { decodeGraphCursor, encodeGraphCursor, type GraphCursorState, type GroupDeltaState } from "./delta/graph-cursor.ts";
import { partnerSettingsFromGraph } from "./policies/partner-settings.ts";
import { createBatchCoalescer } from "./transport/batch-coalescer.ts";
import { createGraphTransport, type GraphBatchResult, type GraphQuotaOptions, type GraphRequest, type GraphResponse } from "./transport/graph-transport.ts";
import { odataString, segment, withQuery } from "./transport/odata-query.ts";
import { anchorFilterPath, anchorPatch, formatAnchor, parseAnchor, readAnchorValue, resolveAnchorAttribute, type AnchorAttribute } from "./users/anchor-attribute.ts";
import { classifyGraphUser, externalNames, graphUserToDirectoryUser, toGraphUserPatch, userSelect } from "./users/user-mapping.ts";

/**
 * Options of {@link createGraphDirectory}.
 *
 * @example
 * ```ts
 * const options: GraphDirectoryOptions = { tenantId, credential, cloud: "commercial", appId: "b7d8e648-520f-41d3-b9c0-fdeb91768a0a" };
 * ```
 */
export interface GraphDirectoryOptions {
  /** The tenant this directory reads or writes (GUID). */
  tenantId: string;
  /** Anything shaped like `@azure/core-auth`'s TokenCredential; asked for `{graphRoot}/.default` tokens for `tenantId`. */
  credential: GraphTokenCredential;
  /** The tenant's cloud; picks Graph's host and the token scope. Default `commercial`. */
  cloud?: Cloud | undefined;
  /** Overrides Graph's root (no version segment), e.g. the emulator's URL. The token scope still follows `cloud`. */
  baseUrl?: string | undefined;
  /** The application (client) id; names the default anchor attribute `extension_<appId>_tenantSyncAnchor`. */
  appId?: string | undefined;
  /**
   * Where the anchor (source tenant + source object id) of synced users lives:
   * a directory extension name, or `extensionAttribute1`…`extensionAttribute15`.
   * Without it and without `appId` the directory can be a source only.
   */
  anchorAttribute?: string | undefined;
  /** HTTP requests in flight at once (a `$batch` counts as one). Default 4. */
  concurrency?: number | undefined;
  /** Client-side quotas; default Graph's identity write quota and invitation limit. */
  quota?: GraphQuotaOptions | undefined;
  /** The fetch to use; default the global one. */
  fetch?: typeof globalThis.fetch | undefined;
  /** Time source for backoff, Retry-After waits, quotas and token expiry. Default the wall clock. */
  clock?: Clock | undefined;
  /** Retries of throttled (429) and unavailable (503/504) calls before the typed error is thrown. Default 8. */
  maxRetries?: number | undefined;
  /** `inviteRedirectUrl` of invitations. Default `https://myapps.microsoft.com`. */
  inviteRedirectUrl?: string | undefined;
  /**
   * Directory extensions (`extension_<appId>_<name>`) to read on every user read. Graph returns an
   * extension only when it is selected; the adapter also reads those it has written or been asked for.
   * List the extensions your job maps, so the change feed (whose `$select` is fixed when a round starts) carries them.
   */
  extensionAttributes?: readonly string[] | undefined;
  /** `$top` of list reads (1–999). Default 999. */
  pageSize?: number | undefined;
  /** Refuse writes when the target's partner settings do not allow inbound user sync from `sourceTenantId` (R3, defence in depth). Default true. */
  checkTrustSettings?: boolean | undefined;
  /**
   * How long an allowing trust check may be reused, in ms of `clock`. Default 0: every write is checked
   * (writes made at the same moment share one check), so a withdrawal stops the very next write (R3).
   */
  trustSettingsCacheMs?: number | undefined;
  /** Per-request timeout in real ms. Default 100 s. */
  requestTimeoutMs?: number | undefined;
  /** Source of backoff jitter in [0, 1). Default Math.random. */
  random?: (() => number) | undefined;
}

/**
 * The {@link DirectoryPort} over Microsoft Graph v1.0, plus what it resolved
 * from its options.
 *
 * @example
 * ```ts
 * const directory: GraphDirectory = createGraphDirectory({ tenantId, credential, appId });
 * directory.anchorAttribute?.name; // "extension_<appId>_tenantSyncAnchor"
 * ```
 */
export interface GraphDirectory extends DirectoryPort {
  readonly tenantId: string;
  readonly endpoints: GraphCloudEndpoints;
  /** Where synced users' anchors are stamped; null for a source-only directory. */
  readonly anchorAttribute: AnchorAttribute | null;
}

const MAX_GROUPS_PER_DELTA = 50;
const USER_TYPE = "#microsoft.graph.user";

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function values(body: unknown): Record<string, unknown>[] {
  const v = asRecord(body)["value"];
  return Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => typeof x === "object" && x !== null) : [];
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function validateOptions(options: GraphDirectoryOptions): void {
  const issues: ConfigIssue[] = [];
  if (typeof options.tenantId !== "string" || options.tenantId.trim() === "") issues.push({ path: ["tenantId"], message: "a tenant id is required" });
  if (!options.credential || typeof options.credential.getToken !== "function") issues.push({ path: ["credential"], message: "must be a TokenCredential (an object with getToken(scopes, options))" });
  if (options.cloud !== undefined && !Cloud.safeParse(options.cloud).success) issues.push({ path: ["cloud"], message: `must be one of ${Cloud.options.join(", ")}` });
  if (options.baseUrl !== undefined && !/^https?:\/\/[^/]+/.test(options.baseUrl)) issues.push({ path: ["baseUrl"], message: "must be an http(s) URL such as https://graph.microsoft.com" });
  if (options.concurrency !== undefined && !(Number.isInteger(options.concurrency) && options.concurrency >= 1 && options.concurrency <= 64)) issues.push({ path: ["concurrency"], message: "must be an integer from 1 to 64" });
  if (options.maxRetries !== undefined && !(Number.isInteger(options.maxRetries) && options.maxRetries >= 0 && options.maxRetries <= 30)) issues.push({ path: ["maxRetries"], message: "must be an integer from 0 to 30" });
  if (options.pageSize !== undefined && !(Number.isInteger(options.pageSize) && options.pageSize >= 1 && options.pageSize <= 999)) issues.push({ path: ["pageSize"], message: "must be an integer from 1 to 999" });
  if (options.fetch !== undefined && typeof options.fetch !== "function") issues.push({ path: ["fetch"], message: "must be a fetch function" });
  if (issues.length > 0) throw new ConfigError(issues, "Graph directory options");
}

/**
 * Creates the {@link DirectoryPort} over Microsoft Graph v1.0 for one tenant.
 *
 * Source role: users through `/users/delta` (cursor = the delta links),
 * assigned groups' memberships through `/groups/delta` filtered by id.
 * Target role: invitations, PATCH, the anchor attribute, deletedItems,
 * restore, `manager/$ref`. Throttling is avoided with client-side quotas and
 * handled with Retry-After and backoff; errors are core's typed errors.
 *
 * @example
 * ```ts
 * import { ClientSecretCredential } from "@azure/identity";
 * import { createGraphDirectory } from "@tenantsync/graph";
 *
 * const target = createGraphDirectory({
 *   tenantId: "22222222-2222-4222-8222-222222222222",
 *   credential: new ClientSecretCredential(tenantId, clientId, clientSecret),
 *   appId: clientId,
 * });
 * const tenant = await target.describe();
 * ```
 */
export function createGraphDirectory(options: GraphDirectoryOptions): GraphDirectory {
  validateOptions(options);
  const tenantId = options.tenantId;
  const clock = options.clock ?? systemClock;
  const endpoints = graphEndpointsFor(options.cloud ?? "commercial");
  const anchor = resolveAnchorAttribute(options);
  const pageSize = options.pageSize ?? 999;
  const inviteRedirectUrl = options.inviteRedirectUrl ?? "https://myapps.microsoft.com";
  const checkTrust = options.checkTrustSettings ?? true;
  const trustCacheMs = options.trustSettingsCacheMs ?? 0;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const tokens = createTokenProvider({ credential: options.credential, tenantId, scope: endpoints.scope, clock });
  const transport = createGraphTransport({
    tenantId,
    baseUrl: options.baseUrl ?? endpoints.graphRoot,
    tokens,
    fetch: fetchImpl,
    clock,
    concurrency: options.concurrency ?? 4,
    maxRetries: options.maxRetries ?? 8,
    quota: options.quota,
    requestTimeoutMs: options.requestTimeoutMs,
    random: options.random,
  });
  const coalescer = createBatchCoalescer(transport);
  const capabilities: DirectoryCapabilities = Object.freeze({ ...DEFAULT_DIRECTORY_CAPABILITIES, target: anchor !== null });

  const requireAnchor = (operation: string): AnchorAttribute => {
    if (!anchor) {
      throw new CapabilityError(operation, "graph", `tenant ${tenantId} has no anchor attribute; pass appId (for extension_<appId>_tenantSyncAnchor) or anchorAttribute to createGraphDirectory to use it as a target`);
    }
    return anchor;
  };
  const toUser = (raw: Record<string, unknown>) => graphUserToDirectoryUser(raw, { anchor, tenantId });
  // Graph returns a directory extension only when it is selected: read every one this directory
  // was told about or has written, besides those a call asks for.
  const knownExtensions = new Set<string>(options.extensionAttributes ?? []);
  const learn = (names: Iterable<string>) => {
    for (const name of names) if (EXTENSION_ATTRIBUTE_PATTERN.test(name) && name !== anchor?.name) knownExtensions.add(name);
  };
  const select = (requested: readonly string[] = []): string[] => {
    learn(requested);
    return userSelect(anchor, [...knownExtensions]);
  };
  const firstFailure = (results: readonly GraphBatchResult[]): AdapterError | undefined => {
    for (const r of results) if (!r.ok) return r.error;
    return undefined;
  };
  const readUserPath = (id: string, extra: readonly string[] = []) =>
    withQuery(`/users/${segment(id)}`, { $select: select(extra).join(","), $expand: "manager($select=id)" });

  // ---- describe (cached; the default domain is needed for external UPNs) ----
  let tenantPromise: Promise<Tenant> | null = null;
  const describe = async (callOptions?: CallOptions): Promise<Tenant> => {
    throwIfAborted(callOptions?.signal);
    if (!tenantPromise) {
      tenantPromise = (async () => {
        const { body } = await transport.request({ method: "GET", path: withQuery("/organization", { $select: "id,displayName,verifiedDomains" }), objectType: "organization", objectId: tenantId }, callOptions?.signal);
        const org = values(body)[0];
        if (!org) throw new AdapterError("GRAPH_BAD_RESPONSE", `Graph GET /organization in tenant ${tenantId} returned no organization.`, { tenantId });
        const domains = (Array.isArray(org["verifiedDomains"]) ? org["verifiedDomains"] : []).map(asRecord);
        domains.sort((a, b) => Number(b["isDefault"] === true) - Number(a["isDefault"] === true));
        try {
          return parseTenant({
            id: org["id"],
            displayName: org["displayName"] || tenantId,
            cloud: endpoints.cloud,
            verifiedDomains: domains.map((d) => d["name"]).filter((n) => typeof n === "string"),
          });
        } catch (cause) {
          throw new AdapterError("GRAPH_BAD_RESPONSE", `Graph GET /organization in tenant ${tenantId} returned an organization tenantsync cannot read: ${cause instanceof Error ? cause.message : String(cause)}`, { tenantId, cause });
        }
      })();
      tenantPromise.catch(() => {
        tenantPromise = null;
      });
    }
    return tenantPromise;
  };

  // ---- partner settings ----
  const readPartnerSettings = async (partnerTenantId: string, signal?: AbortSignal): Promise<PartnerSettings | null> => {
    const base = `/policies/crossTenantAccessPolicy/partners/${segment(partnerTenantId)}`;
    const [partner = [], sync = []] = await transport.batch(
      [[{ method: "GET", path: base, objectType: "partner configuration", objectId: partnerTenantId }], [{ method: "GET", path: `${base}/identitySynchronization`, objectType: "identity synchronization policy", objectId: partnerTenantId }]],
      signal,
    );
    const partnerResult = partner[0];
    const syncResult = sync[0];
    if (!partnerResult || !syncResult) throw new AdapterError("GRAPH_BAD_RESPONSE", `Graph $batch in tenant ${tenantId} lost the partner policy answers.`, { tenantId });
    if (!partnerResult.ok) {
      if (partnerResult.error instanceof NotFoundError) return null;
      throw partnerResult.error;
    }
    if (!syncResult.ok && !(syncResult.error instanceof NotFoundError)) throw syncResult.error;
    const settings = partnerSettingsFromGraph(partnerResult.response.body, syncResult.ok ? syncResult.response.body : null);
    return { ...settings, tenantId: settings.tenantId || partnerTenantId };
  };

  /** Whether the target allows inbound user sync from `source` (its identitySynchronization policy). */
  const readSyncAllowed = async (source: string, signal?: AbortSignal): Promise<boolean> => {
    try {
      const { body } = await transport.request({ method: "GET", path: `/policies/crossTenantAccessPolicy/partners/${segment(source)}/identitySynchronization`, objectType: "identity synchronization policy", objectId: source }, signal);
      return partnerSettingsFromGraph({}, body).userSyncInbound.isSyncAllowed;
    } catch (error) {
      if (error instanceof NotFoundError) return false;
      throw error;
    }
  };
  // Writes made at the same time share one check; an allowing answer may be kept for trustSettingsCacheMs.
  const trustChecks = new Map<string, { at: number; allowed: Promise<boolean>; settled: boolean }>();
  const assertWriteAllowed = async (writeOptions: WriteOptions, operation: string): Promise<void> => {
    throwIfAborted(writeOptions?.signal);
    requireAnchor(operation);
    if (!checkTrust) return;
    const source = writeOptions?.sourceTenantId;
    if (typeof source !== "string" || source === "") {
      throw new PolicyError(`Graph directory ${tenantId}: ${operation} needs options.sourceTenantId (the tenant the write is made for).`, { tenantId, setting: "sourceTenantId" });
    }
    const key = source.toLowerCase();
    let check = trustChecks.get(key);
    const now = clock.now().getTime();
    if (!check || (check.settled && check.at + trustCacheMs <= now)) {
      const allowed = readSyncAllowed(source);
      const fresh = { at: now, allowed, settled: false };
      check = fresh;
      trustChecks.set(key, check);
      const settle = (ok: boolean) => {
        fresh.settled = true;
        // Keep only an allowing answer: a grant takes effect at once, a withdrawal within trustSettingsCacheMs.
        if (!ok && trustChecks.get(key)?.allowed === allowed) trustChecks.delete(key);
      };
      allowed.then(settle, () => settle(false));
    }
    const allowed = await check.allowed;
    if (!allowed) {
      throw new PolicyError(`Tenant ${tenantId} does not allow users to be synced in from tenant ${source} (its cross-tenant access policy for that tenant has no identitySynchronization with userSyncInbound.isSyncAllowed = true). An administrator of ${tenantId} must allow inbound user sync for ${source}.`, {
        tenantId,
        partnerTenantId: source,
        setting: "userSyncInbound.isSyncAllowed",
      });
    }
  };

  // ---- reads ----
  async function* listUsers(listOptions: ListUsersOptions = {}): AsyncIterable<DirectoryUser[]> {
    throwIfAborted(listOptions.signal);
    const top = Math.min(999, Math.max(1, listOptions.pageSize ?? pageSize));
    const path = withQuery("/users", { $select: select(listOptions.select).join(","), $expand: "manager($select=id)", $top: top });
    for await (const page of transport.pages({ method: "GET", path, objectType: "users" }, listOptions.signal)) {
      const users = values(page).map(toUser);
      if (users.length > 0) yield users;
    }
  }

  const getUser = async (id: string, getOptions: GetUserOptions = {}): Promise<DirectoryUser | null> => {
    throwIfAborted(getOptions.signal);
    const live: GraphRequest = { method: "GET", path: readUserPath(id, getOptions.select), objectType: "user", objectId: id };
    if (!getOptions.includeDeleted) {
      try {
        return toUser(asRecord((await transport.request(live, getOptions.signal)).body));
      } catch (error) {
        if (error instanceof NotFoundError) return null;
        throw error;
      }
    }
    const deleted: GraphRequest = { method: "GET", path: withQuery(`/directory/deletedItems/${segment(id)}`, { $select: select(getOptions.select).join(",") }), objectType: "deleted user", objectId: id };
    const [[liveResult], [deletedResult]] = (await transport.batch([[live], [deleted]], getOptions.signal)) as [[GraphBatchResult], [GraphBatchResult]];
    if (liveResult.ok) return toUser(asRecord(liveResult.response.body));
    if (!(liveResult.error instanceof NotFoundError)) throw liveResult.error;
    if (deletedResult.ok) {
      const raw = asRecord(deletedResult.response.body);
      const type = raw["@odata.type"];
      return type === undefined || type === USER_TYPE ? toUser(raw) : null;
    }
    if (deletedResult.error instanceof NotFoundError) return null;
    throw deletedResult.error;
  };

  async function* listGroupMembers(groupId: string, memberOptions: CallOptions & { transitive?: boolean } = {}): AsyncIterable<string[]> {
    throwIfAborted(memberOptions.signal);
    const request: GraphRequest = memberOptions.transitive
      ? {
          method: "GET",
          // The user cast needs an advanced query: ConsistencyLevel eventual + $count=true.
          path: withQuery(`/groups/${segment(groupId)}/transitiveMembers/microsoft.graph.user`, { $select: "id", $count: "true", $top: pageSize }),
          headers: { ConsistencyLevel: "eventual" },
          objectType: "group",
          objectId: groupId,
        }
      : { method: "GET", path: withQuery(`/groups/${segment(groupId)}/members`, { $select: "id", $top: pageSize }), objectType: "group", objectId: groupId };
    for await (const page of transport.pages(request, memberOptions.signal)) {
      const ids = values(page)
        .filter((m) => m["@odata.type"] === undefined || m["@odata.type"] === USER_TYPE)
        .map((m) => m["id"])
        .filter((x): x is string => typeof x === "string");
      if (ids.length > 0) yield ids;
    }
  }

  // ---- change feed ----
  const usersDeltaPath = (requested: readonly string[] | undefined, extra: Record<string, string> = {}) =>
    withQuery("/users/delta", { $select: [...select(requested), "manager"].join(","), ...extra });
  const groupsDeltaPath = (ids: readonly string[], extra: Record<string, string> = {}) =>
    withQuery("/groups/delta", { $filter: ids.map((id) => `id eq ${odataString(id)}`).join(" or "), $select: "members", ...extra });
  const deltaLinkOf = (response: GraphResponse, what: string): string => {
    const link = asRecord(response.body)["@odata.deltaLink"];
    if (typeof link !== "string") throw new AdapterError("GRAPH_BAD_RESPONSE", `Graph ${what} in tenant ${tenantId} answered without an @odata.deltaLink.`, { tenantId });
    return transport.relativeLink(link);
  };

  const currentCursor = async (feedOptions: ChangeFeedOptions = {}): Promise<string> => {
    throwIfAborted(feedOptions.signal);
    const groupChunks = chunk([...new Set(feedOptions.groupIds ?? [])], MAX_GROUPS_PER_DELTA);
    const requests: GraphRequest[] = [
      { method: "GET", path: usersDeltaPath(feedOptions.select, { $deltatoken: "latest" }), objectType: "users delta" },
      ...groupChunks.map((ids): GraphRequest => ({ method: "GET", path: groupsDeltaPath(ids, { $deltatoken: "latest" }), objectType: "groups delta" })),
    ];
    const links: string[] = [];
    // One $batch per 20 delta starts instead of one round trip each.
    const results = await transport.batch(
      requests.map((r) => [r]),
      feedOptions.signal,
    );
    results.forEach((result, i) => {
      const r = result[0];
      if (!r) throw new AdapterError("GRAPH_BAD_RESPONSE", `Graph $batch in tenant ${tenantId} lost a delta answer.`, { tenantId });
      if (!r.ok) throw r.error;
      links.push(deltaLinkOf(r.response, i === 0 ? "GET /users/delta" : "GET /groups/delta"));
    });
    const [usersLink = "", ...groupLinks] = links;
    return encodeGraphCursor({ tenantId, users: usersLink, groups: groupChunks.map((ids, i) => ({ ids, link: groupLinks[i] ?? "" })) });
  };

  async function* readChanges(cursor: string, feedOptions: ChangeFeedOptions = {}): AsyncIterable<ChangePage> {
    throwIfAborted(feedOptions.signal);
    const state: GraphCursorState = decodeGraphCursor(cursor, tenantId);
    const signal = feedOptions.signal;
    const context = { anchor, tenantId };

    // Which groups to follow: the caller's, or the cursor's.
    const wanted = new Set(feedOptions.groupIds ?? state.groups.flatMap((g) => g.ids));
    const covered = new Set<string>();
    const groups: GroupDeltaState[] = [];
    for (const g of state.groups) {
      if (!g.ids.some((id) => wanted.has(id))) continue; // no longer assigned: drop
      groups.push(g);
      for (const id of g.ids) covered.add(id);
    }
    // Newly assigned groups start with an initial round (every member arrives as added).
    for (const ids of chunk(
      [...wanted].filter((id) => !covered.has(id)),
      MAX_GROUPS_PER_DELTA,
    )) {
      groups.push({ ids, link: groupsDeltaPath(ids) });
    }
    const snapshot = (): string => encodeGraphCursor({ tenantId, users: state.users, groups: groups.map((g) => ({ ids: [...g.ids], link: g.link })) });

    // Users: one page of changes per Graph page; the cursor resumes after it.
    for (;;) {
      const { body } = await transport.request({ method: "GET", path: state.users, objectType: "users delta" }, signal);
      const changes: DirectoryChange[] = usersDeltaChanges(body, context);
      const page = asRecord(body);
      const next = page["@odata.nextLink"];
      const delta = page["@odata.deltaLink"];
      if (typeof next === "string") state.users = transport.relativeLink(next);
      else if (typeof delta === "string") state.users = transport.relativeLink(delta);
      else throw new AdapterError("GRAPH_BAD_RESPONSE", `Graph users delta in tenant ${tenantId} answered with neither @odata.nextLink nor @odata.deltaLink.`, { tenantId });
      yield { changes, cursor: snapshot() };
      if (typeof next !== "string") break;
    }

    // Groups: members@delta of one round is merged across its pages, then emitted at once.
    for (const g of groups) {
      const acc = createGroupDeltaAccumulator();
      let link = g.link;
      for (;;) {
        const { body } = await transport.request({ method: "GET", path: link, objectType: "groups delta" }, signal);
        const links = mergeGroupsDeltaPage(body, acc);
        if (links.nextLink) link = transport.relativeLink(links.nextLink);
        else if (links.deltaLink) {
          link = transport.relativeLink(links.deltaLink);
          break;
        } else throw new AdapterError("GRAPH_BAD_RESPONSE", `Graph groups delta in tenant ${tenantId} answered with neither @odata.nextLink nor @odata.deltaLink.`, { tenantId });
      }
      g.link = link;
      yield { changes: groupDeltaChanges(acc, wanted), cursor: snapshot() };
    }
  }

  // ---- target role ----
  const queryFilter = (query: UserQuery): { filter: string; advanced: boolean } => {
    if ("alternativeSecurityId" in query) {
      const a = requireAnchor("findUsers by alternativeSecurityId");
      const { path, advanced } = anchorFilterPath(a);
      return { filter: `${path} eq ${odataString(formatAnchor(query.alternativeSecurityId))}`, advanced };
    }
    const name = query.attribute;
    const n = /^(?:onPremisesExtensionAttributes[./])?(extensionAttribute(?:[1-9]|1[0-5]))$/.exec(name);
    if (n) return { filter: `onPremisesExtensionAttributes/${n[1]} eq ${odataString(query.value)}`, advanced: true };
    if (name === "accountEnabled" || name === "showInAddressList") {
      if (query.value !== "true" && query.value !== "false") throw new InvalidValueError(`findUsers: '${name}' takes "true" or "false", not '${query.value}'.`, { property: name, tenantId });
      return { filter: `${name} eq ${query.value}`, advanced: false };
    }
    if (name === "id" || name === "userType" || (USER_STRING_ATTRIBUTES as readonly string[]).includes(name) || /^extension_[0-9a-fA-F]{32}_\w+$/.test(name)) {
      return { filter: `${name} eq ${odataString(query.value)}`, advanced: false };
    }
    throw new InvalidValueError(`findUsers: tenant ${tenantId} cannot match users on '${name}' through Graph; use a user string property, a directory extension or extensionAttribute1…15.`, { property: name, tenantId });
  };

  type UserFilter = { filter: string; advanced: boolean; includeDeleted: boolean };
  type FoundUsers = { live: Record<string, unknown>[]; deleted: Record<string, unknown>[] };
  /** Live (and deleted) users matching OData filters; the first pages of all of them come in one $batch. */
  const queryUsersMany = async (filters: readonly UserFilter[], signal?: AbortSignal): Promise<FoundUsers[]> => {
    const chains: GraphRequest[][] = [];
    const slots: Array<{ index: number; kind: "live" | "deleted"; headers: Record<string, string> | undefined }> = [];
    filters.forEach((f, index) => {
      const query = { $filter: f.filter, $select: select().join(","), ...(f.advanced ? { $count: "true" } : {}) };
      const headers = f.advanced ? { ConsistencyLevel: "eventual" } : undefined;
      chains.push([{ method: "GET", path: withQuery("/users", { ...query, $expand: "manager($select=id)" }), headers, objectType: "users" }]);
      slots.push({ index, kind: "live", headers });
      if (f.includeDeleted) {
        chains.push([{ method: "GET", path: withQuery("/directory/deletedItems/microsoft.graph.user", query), headers, objectType: "deleted users" }]);
        slots.push({ index, kind: "deleted", headers });
      }
    });
    const results = await transport.batch(chains, signal);
    const out: FoundUsers[] = filters.map(() => ({ live: [], deleted: [] }));
    for (const [i, [r]] of results.entries()) {
      const slot = slots[i];
      if (!r || !slot) throw new AdapterError("GRAPH_BAD_RESPONSE", `Graph $batch in tenant ${tenantId} lost a query answer.`, { tenantId });
      if (!r.ok) throw r.error;
      const found = values(r.response.body);
      const next = asRecord(r.response.body)["@odata.nextLink"];
      if (typeof next === "string") {
        for await (const page of transport.pages({ method: "GET", path: transport.relativeLink(next), headers: slot.headers, objectType: "users" }, signal)) found.push(...values(page));
      }
      (out[slot.index] as FoundUsers)[slot.kind] = found;
    }
    return out;
  };
  const queryUsers = async (filter: string, advanced: boolean, includeDeleted: boolean, signal?: AbortSignal): Promise<FoundUsers> =>
    (await queryUsersMany([{ filter, advanced, includeDeleted }], signal))[0] as FoundUsers;

  const sameAnchor = (raw: Record<string, unknown>, id: AlternativeSecurityId): boolean => {
    const found = anchor ? parseAnchor(readAnchorValue(raw, anchor)) : null;
    return found !== null && found.tenantId.toLowerCase() === id.tenantId.toLowerCase() && found.userId.toLowerCase() === id.userId.toLowerCase();
  };

  const findUsers = async (query: UserQuery, callOptions: CallOptions = {}): Promise<DirectoryUser[]> => {
    throwIfAborted(callOptions.signal);
    const { filter, advanced } = queryFilter(query);
    const { live, deleted } = await queryUsers(filter, advanced, query.includeDeleted === true, callOptions.signal);
    let found = [...live, ...deleted.map((d) => ({ ...d, deletedDateTime: d["deletedDateTime"] ?? clock.now().toISOString() }))];
    // Graph compares strings without regard to case; anchors must match exactly.
    if ("alternativeSecurityId" in query) found = found.filter((raw) => sameAnchor(raw, query.alternativeSecurityId));
    return found.map(toUser);
  };

  /** Runs a chain through the coalescer and returns its results, throwing the first failure. */
  const runChain = async (chain: GraphRequest[], signal?: AbortSignal): Promise<GraphBatchResult[]> => {
    const results = await coalescer.submit(chain, signal);
    const failure = firstFailure(results);
    if (failure) throw failure;
    return results;
  };

  const managerRequest = (id: string, managerId: string | null): GraphRequest =>
    managerId === null
      ? { method: "DELETE", path: `/users/${segment(id)}/manager/$ref`, objectType: "manager of user", objectId: id }
      : { method: "PUT", path: `/users/${segment(id)}/manager/$ref`, body: { "@odata.id": `${transport.apiBase}/users/${managerId}` }, objectType: "user or manager", objectId: `${id} (manager ${managerId})` };

  const createExternalUser = async (input: CreateExternalUserInput, writeOptions: WriteOptions): Promise<DirectoryUser> => {
    await assertWriteAllowed(writeOptions, "createExternalUser");
    const a = requireAnchor("createExternalUser");
    const signal = writeOptions.signal;
    if (input.alternativeSecurityId.tenantId.toLowerCase() !== writeOptions.sourceTenantId.toLowerCase()) {
      throw new InvalidValueError(`createExternalUser in tenant ${tenantId}: alternativeSecurityId.tenantId must be the writing source tenant ${writeOptions.sourceTenantId}, got ${input.alternativeSecurityId.tenantId}.`, { property: "alternativeSecurityId.tenantId", tenantId });
    }
    const attributes = input.attributes;
    const email = attributes.mail ?? attributes.userPrincipalName;
    if (!email) throw new InvalidValueError(`createExternalUser in tenant ${tenantId}: the source user ${input.alternativeSecurityId.userId} has neither mail nor userPrincipalName to invite.`, { property: "mail", tenantId });
    const domain = (await describe({ signal })).verifiedDomains[0] as string;
    const names = externalNames(attributes.userPrincipalName ?? email, domain);
    const anchorValue = formatAnchor(input.alternativeSecurityId);
    const { path: anchorPath, advanced } = anchorFilterPath(a);

    // Look before creating, in one round trip: the anchor and the names, live and in deletedItems
    // (a soft-deleted user still holds its UPN and mail).
    const namesFilter = [`userPrincipalName eq ${odataString(names.userPrincipalName)}`, `mail eq ${odataString(email)}`].join(" or ");
    const [byAnchor, byNames] = (await queryUsersMany(
      [
        { filter: `${anchorPath} eq ${odataString(anchorValue)}`, advanced, includeDeleted: true },
        { filter: namesFilter, advanced: false, includeDeleted: true },
      ],
      signal,
    )) as [FoundUsers, FoundUsers];
    const anchored = byAnchor.live.find((raw) => sameAnchor(raw, input.alternativeSecurityId));
    if (anchored) {
      throw new ConflictError(`Tenant ${tenantId} already has user ${String(anchored["id"])} synced from ${anchorValue}; link to it instead of creating another.`, { property: a.name, value: anchorValue, conflictingObjectId: String(anchored["id"]), tenantId });
    }
    const binned = [...byAnchor.deleted.filter((raw) => sameAnchor(raw, input.alternativeSecurityId)), ...byNames.deleted];
    if (binned[0]) {
      const holder = binned[0];
      const property = sameAnchor(holder, input.alternativeSecurityId) ? a.name : String(holder["mail"] ?? "").toLowerCase() === email.toLowerCase() ? "mail" : "userPrincipalName";
      throw new ConflictError(
        `Tenant ${tenantId} holds soft-deleted user ${String(holder["id"])} with the same ${property} as the user to create (${property === a.name ? anchorValue : property === "mail" ? email : names.userPrincipalName}); restore it (restoreUser) or hard-delete it before creating.`,
        { property, conflictingObjectId: String(holder["id"]), tenantId },
      );
    }
    // A live user with the same names: adopt it when it is an unanchored external user
    // (an interrupted earlier create, or a B2B account of the same person); refuse otherwise (R9).
    let userId: string | undefined;
    const holder = byNames.live[0];
    if (holder) {
      const holderAnchor = parseAnchor(readAnchorValue(holder, a));
      if (classifyGraphUser(holder, a) !== "external" || holderAnchor !== null) {
        const property = String(holder["mail"] ?? "").toLowerCase() === email.toLowerCase() ? "mail" : "userPrincipalName";
        throw new ConflictError(
          `Tenant ${tenantId} already has ${holderAnchor ? `a user synced from ${formatAnchor(holderAnchor)}` : "an internal user"} (${String(holder["id"])}) with the ${property} of the user to create; an internal user is never taken over.`,
          { property, conflictingObjectId: String(holder["id"]), tenantId },
        );
      }
      userId = String(holder["id"]);
    }
    if (userId === undefined) {
      const { body } = await transport.request(
        {
          method: "POST",
          path: "/invitations",
          body: {
            invitedUserEmailAddress: email,
            inviteRedirectUrl,
            sendInvitationMessage: false,
            invitedUserType: input.userType,
            ...(attributes.displayName ? { invitedUserDisplayName: attributes.displayName } : {}),
          },
          objectType: "invitation",
          objectId: email,
        },
        signal,
      );
      const invited = asRecord(asRecord(body)["invitedUser"])["id"];
      if (typeof invited !== "string") throw new AdapterError("GRAPH_BAD_RESPONSE", `Graph POST /invitations in tenant ${tenantId} answered without invitedUser.id.`, { tenantId });
      userId = invited;
    }

    // Stamp the anchor first (its own PATCH, so it sticks even if an attribute is refused),
    // then the attributes and the manager, then read the user back: one $batch.
    const path = `/users/${segment(userId)}`;
    // userType comes from the invitation (an adopted guest keeps its type, R10).
    const { managerId, userType: _userType, ...rest } = attributes;
    const patch = toGraphUserPatch(rest, { externalDomain: domain });
    const chain: GraphRequest[] = [{ method: "PATCH", path, body: anchorPatch(a, anchorValue), objectType: "user", objectId: userId }];
    if (Object.keys(patch).length > 0) chain.push({ method: "PATCH", path, body: patch, objectType: "user", objectId: userId });
    if (typeof managerId === "string") chain.push(managerRequest(userId, managerId));
    chain.push({ method: "GET", path: readUserPath(userId, Object.keys(attributes.extensions ?? {})), objectType: "user", objectId: userId });
    const results = await runChain(chain, signal);
    return toUser(asRecord(results[results.length - 1]?.response.body));
  };

  const isExternalUser = async (id: string, signal?: AbortSignal): Promise<boolean> => {
    const { body } = await transport.request({ method: "GET", path: withQuery(`/users/${segment(id)}`, { $select: select().join(",") }), objectType: "user", objectId: id }, signal);
    return classifyGraphUser(asRecord(body), anchor) === "external";
  };

  const updateUser = async (id: string, changes: UserAttributes, writeOptions: WriteOptions): Promise<DirectoryUser> => {
    await assertWriteAllowed(writeOptions, "updateUser");
    const signal = writeOptions.signal;
    const { managerId, ...rest } = changes;
    // Source UPNs become the external form, but only on external users.
    let externalDomain: string | undefined;
    const namesChange = (typeof rest.userPrincipalName === "string" && !rest.userPrincipalName.toUpperCase().includes("#EXT#")) || typeof rest.mailNickname === "string";
    if (namesChange && (await isExternalUser(id, signal))) externalDomain = (await describe({ signal })).verifiedDomains[0];
    const patch = toGraphUserPatch(rest, { externalDomain });
    const chain: GraphRequest[] = [];
    if (Object.keys(patch).length > 0) chain.push({ method: "PATCH", path: `/users/${segment(id)}`, body: patch, objectType: "user", objectId: id });
    if (managerId !== undefined) chain.push(managerRequest(id, managerId));
    chain.push({ method: "GET", path: readUserPath(id, Object.keys(changes.extensions ?? {})), objectType: "user", objectId: id });
    const results = await runChain(chain, signal);
    return toUser(asRecord(results[results.length - 1]?.response.body));
  };

  const setManager = async (id: string, managerId: string | null, writeOptions: WriteOptions): Promise<void> => {
    await assertWriteAllowed(writeOptions, "setManager");
    try {
      await runChain([managerRequest(id, managerId)], writeOptions.signal);
    } catch (error) {
      // Clearing a manager that is not set is done, as long as the user exists.
      if (!(managerId === null && error instanceof NotFoundError)) throw error;
      await transport.request({ method: "GET", path: withQuery(`/users/${segment(id)}`, { $select: "id" }), objectType: "user", objectId: id }, writeOptions.signal);
    }
  };

  const softDeleteUser = async (id: string, writeOptions: WriteOptions): Promise<void> => {
    await assertWriteAllowed(writeOptions, "softDeleteUser");
    await runChain([{ method: "DELETE", path: `/users/${segment(id)}`, objectType: "user", objectId: id }], writeOptions.signal);
  };

  const restoreUser = async (id: string, writeOptions: WriteOptions): Promise<DirectoryUser> => {
    await assertWriteAllowed(writeOptions, "restoreUser");
    const results = await runChain(
      [
        { method: "POST", path: `/directory/deletedItems/${segment(id)}/restore`, objectType: "deleted user", objectId: id },
        { method: "GET", path: readUserPath(id), objectType: "user", objectId: id },
      ],
      writeOptions.signal,
    );
    return toUser(asRecord(results[1]?.response.body));
  };

  const getPartnerSettings = async (partnerTenantId: string, callOptions: CallOptions = {}): Promise<PartnerSettings | null> => {
    throwIfAborted(callOptions.signal);
    return readPartnerSettings(partnerTenantId, callOptions.signal);
  };

  return {
    name: "graph",
    tenantId,
    endpoints,
    anchorAttribute: anchor,
    capabilities,
    describe,
    getPartnerSettings,
    listUsers,
    getUser,
    listGroupMembers,
    currentCursor,
    readChanges,
    findUsers,
    createExternalUser,
    updateUser,
    setManager,
    softDeleteUser,
    restoreUser,
  };
}
