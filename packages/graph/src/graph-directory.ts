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
  parseTenant,
  systemClock,
  throwIfAborted,
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
import { createTickQueue, type TickEntry } from "./transport/tick-queue.ts";
import { anchorPatch, formatAnchor, parseAnchor, readAnchorValue, resolveAnchorAttribute, type AnchorAttribute } from "./users/anchor-attribute.ts";
import { classifyGraphUser, externalNames, graphUserToDirectoryUser, toGraphUserPatch, userSelect } from "./users/user-mapping.ts";
import { holdsAnchor, planUserLookups, type FoundUsers, type UserLookupContext, type UserLookupPlan } from "./users/user-lookup.ts";

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
  /**
   * How long (ms of `clock`) an answer of this directory's `findUsers`/`findUsersBatch` that no
   * user holds an anchor, live or soft-deleted, may stand in for `createExternalUser`'s own
   * lookup of that anchor. Any anchor write of this directory forgets such answers; the names
   * (UPN, mail) are always looked up. Default 60 000; 0 looks the anchor up on every create.
   */
  anchorCacheMs?: number | undefined;
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
  /**
   * Several `findUsers` queries in as few requests as Graph allows: queries on the same
   * property grouped 15 values to a filter (`in (…)`; `or`-ed `eq` for anchors and ids),
   * live users and deletedItems, all in `$batch`es of 20. Each result is exactly what
   * `findUsers` returns for its query, in order. A failed read fails the whole call.
   *
   * @example
   * ```ts
   * const [u1, u2] = await directory.findUsersBatch([
   *   { alternativeSecurityId: { tenantId: source, userId: "u1" }, includeDeleted: true },
   *   { alternativeSecurityId: { tenantId: source, userId: "u2" }, includeDeleted: true },
   * ]);
   * ```
   */
  findUsersBatch(queries: readonly UserQuery[], options?: CallOptions): Promise<DirectoryUser[][]>;
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

/** A PATCH body with the anchor stamp merged in (onPremisesExtensionAttributes merged key by key). */
function mergePatch(patch: Record<string, unknown>, stamp: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...patch, ...stamp };
  const onPrem = "onPremisesExtensionAttributes";
  if (patch[onPrem] !== undefined && stamp[onPrem] !== undefined) merged[onPrem] = { ...asRecord(patch[onPrem]), ...asRecord(stamp[onPrem]) };
  return merged;
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
  if (options.anchorCacheMs !== undefined && !(typeof options.anchorCacheMs === "number" && options.anchorCacheMs >= 0 && Number.isFinite(options.anchorCacheMs))) issues.push({ path: ["anchorCacheMs"], message: "must be a number of milliseconds ≥ 0" });
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
  const anchorCacheMs = options.anchorCacheMs ?? 60_000;
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
  // A create writes the manager in the same $batch chain as the user (managerOnCreate).
  const capabilities: DirectoryCapabilities = Object.freeze({ ...DEFAULT_DIRECTORY_CAPABILITIES, target: anchor !== null, managerOnCreate: true });

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

  /** The read of the target's identitySynchronization policy for `source`. */
  const trustRequest = (source: string): GraphRequest => ({ method: "GET", path: `/policies/crossTenantAccessPolicy/partners/${segment(source)}/identitySynchronization`, objectType: "identity synchronization policy", objectId: source });
  /** Whether an answer to {@link trustRequest} allows inbound user sync; a missing policy does not. */
  const syncAllowedBy = (answer: { ok: true; body: unknown } | { ok: false; error: unknown }): boolean => {
    if (answer.ok) return partnerSettingsFromGraph({}, answer.body).userSyncInbound.isSyncAllowed;
    if (answer.error instanceof NotFoundError) return false;
    throw answer.error;
  };
  // Writes made at the same time share one check; an allowing answer may be kept for trustSettingsCacheMs.
  const trustChecks = new Map<string, { at: number; allowed: Promise<boolean>; settled: boolean }>();
  /**
   * The check of `source` that writes starting now must wait for: one in flight or still
   * valid, or a new one, whose request the caller then sends and settles through `fresh`.
   */
  const trustCheckFor = (source: string): { allowed: Promise<boolean>; fresh: { resolve(ok: boolean): void; reject(error: unknown): void } | null } => {
    const key = source.toLowerCase();
    const check = trustChecks.get(key);
    const now = clock.now().getTime();
    if (check && !(check.settled && check.at + trustCacheMs <= now)) return { allowed: check.allowed, fresh: null };
    let resolve!: (ok: boolean) => void;
    let reject!: (error: unknown) => void;
    const allowed = new Promise<boolean>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const entry = { at: now, allowed, settled: false };
    trustChecks.set(key, entry);
    const settle = (ok: boolean) => {
      entry.settled = true;
      // Keep only an allowing answer: a grant takes effect at once, a withdrawal within trustSettingsCacheMs.
      if (!ok && trustChecks.get(key)?.allowed === allowed) trustChecks.delete(key);
    };
    allowed.then(settle, () => settle(false));
    return { allowed, fresh: { resolve, reject } };
  };
  /** The source tenant a write must be allowed for, or null when the check is off (PolicyError when it is missing). */
  const trustSource = (writeOptions: WriteOptions, operation: string): string | null => {
    if (!checkTrust) return null;
    const source = writeOptions?.sourceTenantId;
    if (typeof source !== "string" || source === "") {
      throw new PolicyError(`Graph directory ${tenantId}: ${operation} needs options.sourceTenantId (the tenant the write is made for).`, { tenantId, setting: "sourceTenantId" });
    }
    return source;
  };
  /** Throws PolicyError unless `allowed` (a check of `source`) allows the write. */
  const requireAllowed = async (allowed: Promise<boolean>, source: string): Promise<void> => {
    if (!(await allowed)) {
      throw new PolicyError(`Tenant ${tenantId} does not allow users to be synced in from tenant ${source} (its cross-tenant access policy for that tenant has no identitySynchronization with userSyncInbound.isSyncAllowed = true). An administrator of ${tenantId} must allow inbound user sync for ${source}.`, {
        tenantId,
        partnerTenantId: source,
        setting: "userSyncInbound.isSyncAllowed",
      });
    }
  };
  /** Checks `source` on its own (one GET, shared by the writes of the moment). */
  const checkSource = async (source: string): Promise<void> => {
    const { allowed, fresh } = trustCheckFor(source);
    if (fresh) {
      transport.request(trustRequest(source)).then(
        (response) => fresh.resolve(syncAllowedBy({ ok: true, body: response.body })),
        (error: unknown) => {
          try {
            fresh.resolve(syncAllowedBy({ ok: false, error }));
          } catch (thrown) {
            fresh.reject(thrown);
          }
        },
      );
    }
    await requireAllowed(allowed, source);
  };
  const assertWriteAllowed = async (writeOptions: WriteOptions, operation: string): Promise<void> => {
    throwIfAborted(writeOptions?.signal);
    requireAnchor(operation);
    const source = trustSource(writeOptions, operation);
    if (source !== null) await checkSource(source);
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
  const lookupContext: UserLookupContext = { tenantId, anchor, select: () => select(), transport, requireAnchor };
  /**
   * Anchors (lower case) that a lookup of this directory found on nobody, live or
   * soft-deleted, and when: createExternalUser may skip its own anchor lookup for them
   * within anchorCacheMs. Every anchor write bumps `anchorWrites`; a lookup answered
   * after one started is not remembered.
   */
  const absentAnchors = new Map<string, number>();
  let anchorWrites = 0;
  const forgetAnchors = () => {
    anchorWrites++;
    absentAnchors.clear();
  };
  const rememberAbsent = (queries: readonly UserQuery[], found: readonly FoundUsers[], generation: number) => {
    if (anchorCacheMs <= 0 || generation !== anchorWrites) return;
    const now = clock.now().getTime();
    if (absentAnchors.size > 50_000) for (const [key, at] of absentAnchors) if (at + anchorCacheMs <= now) absentAnchors.delete(key);
    queries.forEach((query, i) => {
      const f = found[i];
      if ("alternativeSecurityId" in query && query.includeDeleted === true && f && f.live.length === 0 && f.deleted.length === 0) {
        absentAnchors.set(formatAnchor(query.alternativeSecurityId).toLowerCase(), now);
      }
    });
  };

  /** Users as findUsers returns them: live ones, then soft-deleted ones (with deletedDateTime). */
  const asFound = ({ live, deleted }: FoundUsers): DirectoryUser[] => [...live.map(toUser), ...deleted.map((d) => toUser({ ...d, deletedDateTime: d["deletedDateTime"] ?? clock.now().toISOString() }))];

  const findUsersBatch = async (queries: readonly UserQuery[], callOptions: CallOptions = {}): Promise<DirectoryUser[][]> => {
    throwIfAborted(callOptions.signal);
    if (!Array.isArray(queries)) throw new InvalidValueError(`findUsersBatch in tenant ${tenantId}: queries must be an array of findUsers queries.`, { tenantId });
    if (queries.length === 0) return [];
    const generation = anchorWrites;
    const plan = planUserLookups(queries, lookupContext);
    const answers = await plan.collect(await transport.batch(plan.chains, callOptions.signal), callOptions.signal);
    const found: FoundUsers[] = [];
    for (const answer of answers) {
      if (answer instanceof AdapterError) throw answer;
      found.push(answer);
    }
    rememberAbsent(queries, found, generation);
    return found.map(asFound);
  };

  const findUsers = async (query: UserQuery, callOptions: CallOptions = {}): Promise<DirectoryUser[]> => (await findUsersBatch([query], callOptions))[0] as DirectoryUser[];

  // The pre-create lookups of creates started at the same moment go out together: their
  // names (and anchors) grouped into `in`/`or` filters, with the trust check they need, in
  // one $batch round.
  type CheckRequest = { queries: UserQuery[]; source: string | null };
  type CheckAnswer = { found: Array<FoundUsers | AdapterError>; trust: Promise<boolean> | null };
  const flushChecks = (entries: TickEntry<CheckRequest, CheckAnswer>[]) => {
    const trustSends: Array<{ source: string; fresh: { resolve(ok: boolean): void; reject(error: unknown): void } }> = [];
    const trusts = entries.map(({ item }) => {
      if (item.source === null) return null;
      const { allowed, fresh } = trustCheckFor(item.source);
      if (fresh) trustSends.push({ source: item.source, fresh });
      return allowed;
    });
    let plan: UserLookupPlan;
    try {
      plan = planUserLookups(
        entries.flatMap((e) => e.item.queries),
        lookupContext,
      );
    } catch (error) {
      for (const t of trustSends) t.fresh.reject(error);
      for (const e of entries) e.reject(error);
      return;
    }
    // The batch runs for every caller; one caller aborting only stops its own wait.
    transport
      .batch([...trustSends.map((t) => [trustRequest(t.source)]), ...plan.chains])
      .then(async (results) => {
        trustSends.forEach((t, i) => {
          const r = results[i]?.[0];
          try {
            t.fresh.resolve(syncAllowedBy(r ? (r.ok ? { ok: true, body: r.response.body } : { ok: false, error: r.error }) : { ok: false, error: new AdapterError("GRAPH_BAD_RESPONSE", `Graph $batch in tenant ${tenantId} lost the trust check answer.`, { tenantId }) }));
          } catch (error) {
            t.fresh.reject(error);
          }
        });
        const found = await plan.collect(results.slice(trustSends.length));
        let at = 0;
        entries.forEach((e, i) => {
          e.resolve({ found: found.slice(at, at + e.item.queries.length), trust: trusts[i] ?? null });
          at += e.item.queries.length;
        });
      })
      .catch((error: unknown) => {
        for (const t of trustSends) t.fresh.reject(error);
        for (const e of entries) e.reject(error);
      });
  };
  const checks = createTickQueue<CheckRequest, CheckAnswer>(flushChecks);
  const lookBeforeCreating = (queries: UserQuery[], source: string | null, signal?: AbortSignal) => checks.enqueue({ queries, source }, signal);

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

  /** Why createExternalUser cannot send `input`, or null. */
  const createInputError = (input: CreateExternalUserInput, writeOptions: WriteOptions): InvalidValueError | null => {
    if (input.alternativeSecurityId.tenantId.toLowerCase() !== writeOptions.sourceTenantId.toLowerCase()) {
      return new InvalidValueError(`createExternalUser in tenant ${tenantId}: alternativeSecurityId.tenantId must be the writing source tenant ${writeOptions.sourceTenantId}, got ${input.alternativeSecurityId.tenantId}.`, { property: "alternativeSecurityId.tenantId", tenantId });
    }
    if (!(input.attributes.mail ?? input.attributes.userPrincipalName)) {
      return new InvalidValueError(`createExternalUser in tenant ${tenantId}: the source user ${input.alternativeSecurityId.userId} has neither mail nor userPrincipalName to invite.`, { property: "mail", tenantId });
    }
    return null;
  };

  const createExternalUser = async (input: CreateExternalUserInput, writeOptions: WriteOptions): Promise<DirectoryUser> => {
    throwIfAborted(writeOptions?.signal);
    const a = requireAnchor("createExternalUser");
    const source = trustSource(writeOptions, "createExternalUser");
    const signal = writeOptions.signal;
    const invalid = createInputError(input, writeOptions);
    if (invalid) {
      if (source !== null) await checkSource(source);
      throw invalid;
    }
    const attributes = input.attributes;
    const email = (attributes.mail ?? attributes.userPrincipalName) as string;
    const domain = (await describe({ signal })).verifiedDomains[0] as string;
    const names = externalNames(attributes.userPrincipalName ?? email, domain);
    const anchorValue = formatAnchor(input.alternativeSecurityId);

    // Look before creating: the would-be UPN and the mail, and the anchor unless a lookup of
    // this directory found it nowhere moments ago; live and in deletedItems (a soft-deleted
    // user still holds its UPN and mail). Creates started at the same moment share the round trip.
    const anchorKey = anchorValue.toLowerCase();
    const absentSince = absentAnchors.get(anchorKey);
    absentAnchors.delete(anchorKey);
    anchorWrites++;
    const anchorKnownAbsent = absentSince !== undefined && clock.now().getTime() - absentSince < anchorCacheMs;
    const queries: UserQuery[] = [
      { attribute: "userPrincipalName", value: names.userPrincipalName, includeDeleted: true },
      { attribute: "mail", value: email, includeDeleted: true },
      ...(anchorKnownAbsent ? [] : [{ alternativeSecurityId: input.alternativeSecurityId, includeDeleted: true }]),
    ];
    const checked = await lookBeforeCreating(queries, source, signal);
    if (checked.trust && source !== null) await requireAllowed(checked.trust, source);
    const [byUpn, byMail, byAnchor = { live: [], deleted: [] }] = checked.found.map((f) => {
      if (f instanceof AdapterError) throw f;
      return f;
    }) as [FoundUsers, FoundUsers, FoundUsers?];

    const anchored = byAnchor.live[0];
    if (anchored) {
      throw new ConflictError(`Tenant ${tenantId} already has user ${String(anchored["id"])} synced from ${anchorValue}; link to it instead of creating another.`, { property: a.name, value: anchorValue, conflictingObjectId: String(anchored["id"]), tenantId });
    }
    const nameProperty = (holder: Record<string, unknown>) => (String(holder["mail"] ?? "").toLowerCase() === email.toLowerCase() ? "mail" : "userPrincipalName");
    const binned = [...byAnchor.deleted, ...byUpn.deleted, ...byMail.deleted];
    if (binned[0]) {
      const holder = binned[0];
      const property = holdsAnchor(holder, a, input.alternativeSecurityId) ? a.name : nameProperty(holder);
      throw new ConflictError(
        `Tenant ${tenantId} holds soft-deleted user ${String(holder["id"])} with the same ${property} as the user to create (${property === a.name ? anchorValue : property === "mail" ? email : names.userPrincipalName}); restore it (restoreUser) or hard-delete it before creating.`,
        { property, conflictingObjectId: String(holder["id"]), tenantId },
      );
    }
    // Live users with the same names: adopt one that is external and unanchored (an interrupted
    // earlier create, or a B2B account of the same person); refuse otherwise (R9).
    const holders = [...new Map([...byUpn.live, ...byMail.live].map((raw) => [String(raw["id"]), raw])).values()];
    for (const holder of holders) {
      const holderAnchor = parseAnchor(readAnchorValue(holder, a));
      if (classifyGraphUser(holder, a) !== "external" || holderAnchor !== null) {
        throw new ConflictError(
          `Tenant ${tenantId} already has ${holderAnchor ? `a user synced from ${formatAnchor(holderAnchor)}` : "an internal user"} (${String(holder["id"])}) with the ${nameProperty(holder)} of the user to create; an internal user is never taken over.`,
          { property: nameProperty(holder), conflictingObjectId: String(holder["id"]), tenantId },
        );
      }
    }
    if (holders.length > 1) {
      const [upnHolder, mailHolder] = [byUpn.live[0] as Record<string, unknown>, byMail.live[0] as Record<string, unknown>];
      throw new ConflictError(
        `Tenant ${tenantId} has two external users holding the names of the user to create: ${String(upnHolder["id"])} holds userPrincipalName ${names.userPrincipalName} and ${String(mailHolder["id"])} holds mail ${email}; merge or delete one of them.`,
        { property: "userPrincipalName", conflictingObjectId: String(upnHolder["id"]), tenantId },
      );
    }
    let userId = holders[0] ? String(holders[0]["id"]) : undefined;
    const adopted = userId !== undefined;
    if (userId === undefined) {
      // Invitations of creates made at the same moment share a $batch.
      const [invitation] = await runChain(
        [
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
        ],
        signal,
      );
      const invited = asRecord(asRecord(invitation?.response.body)["invitedUser"])["id"];
      if (typeof invited !== "string") throw new AdapterError("GRAPH_BAD_RESPONSE", `Graph POST /invitations in tenant ${tenantId} answered without invitedUser.id.`, { tenantId });
      userId = invited;
    }

    // One PATCH: the anchor and the attributes (userType comes from the invitation: an adopted
    // guest keeps its type, R10); then the manager. The user is read back only when the adapter
    // cannot know it (an adopted user, or names it did not write).
    const path = `/users/${segment(userId)}`;
    const { managerId, userType: _userType, ...rest } = attributes;
    const patch = toGraphUserPatch(rest, { externalDomain: domain });
    const stamp = anchorPatch(a, anchorValue);
    const body = mergePatch(patch, stamp);
    const readBack = adopted || typeof patch["userPrincipalName"] !== "string" || typeof patch["displayName"] !== "string" || patch["displayName"] === "";
    const read: GraphRequest = { method: "GET", path: readUserPath(userId, Object.keys(attributes.extensions ?? {})), objectType: "user", objectId: userId };
    const withManager = typeof managerId === "string";
    const chain: GraphRequest[] = [{ method: "PATCH", path, body, objectType: "user", objectId: userId }];
    if (withManager) chain.push(managerRequest(userId, managerId));
    if (readBack) chain.push(read);
    const results = await coalescer.submit(chain, signal);
    const patched = results[0];
    if (!patched) throw new AdapterError("GRAPH_BAD_RESPONSE", `Graph $batch in tenant ${tenantId} lost the PATCH answer of user ${userId}.`, { tenantId });
    if (!patched.ok) {
      if (!patched.error.retryable) {
        // An attribute was refused: stamp the anchor alone, so the user is still found as this
        // source user's (the next cycle links and updates it), then report the refusal.
        await coalescer.submit([{ method: "PATCH", path, body: stamp, objectType: "user", objectId: userId }], signal).catch(() => undefined);
      }
      throw patched.error;
    }
    learn(Object.keys(attributes.extensions ?? {}));
    // The user exists now. A manager that could not be set (gone, say) is not a failed
    // create (managerOnCreate): the user says it has none, and the engine sets it later.
    const managerSet = withManager && results[1]?.ok === true;
    if (readBack) {
      const last = results[results.length - 1];
      const answer = last?.ok ? last.response : await transport.request(read, signal);
      return toUser(asRecord(answer.body));
    }
    // What a read would show: the invited user (external, PendingAcceptance, hidden from the
    // address list, enabled, mail = the invited address) with the PATCH applied.
    const raw: Record<string, unknown> = {
      id: userId,
      mail: email,
      businessPhones: [],
      accountEnabled: true,
      userType: input.userType,
      showInAddressList: false,
      creationType: "Invitation",
      externalUserState: "PendingAcceptance",
      createdDateTime: clock.now().toISOString(),
      deletedDateTime: null,
      ...body,
      ...(managerSet ? { manager: { id: managerId } } : {}),
    };
    // Graph leaves out directory extensions that hold no value.
    for (const key of Object.keys(raw)) if (raw[key] === null && EXTENSION_ATTRIBUTE_PATTERN.test(key)) delete raw[key];
    return toUser(raw);
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
    if (anchor && (anchor.name in patch || "onPremisesExtensionAttributes" in patch)) forgetAnchors();
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
    forgetAnchors();
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
    findUsersBatch,
    createExternalUser,
    updateUser,
    setManager,
    softDeleteUser,
    restoreUser,
  };
}
