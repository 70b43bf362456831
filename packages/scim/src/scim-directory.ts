import {
  AdapterError,
  CapabilityError,
  ConfigError,
  DEFAULT_DIRECTORY_CAPABILITIES,
  EXTENSION_ATTRIBUTE_PATTERN,
  InvalidValueError,
  NotFoundError,
  PolicyError,
  TransientError,
  parseTenant,
  systemClock,
  throwIfAborted,
} from "@tenantsync/core";
import type {
  CallOptions,
  ChangePage,
  Clock,
  Cloud,
  CreateExternalUserInput,
  DirectoryCapabilities,
  DirectoryPort,
  DirectoryUser,
  GetUserOptions,
  PartnerSettings,
  Tenant,
  UserAttributes,
  UserQuery,
  WriteOptions,
} from "@tenantsync/core";
import { decodeExternalId, encodeExternalId } from "./external-id.ts";
import { scimEqualityFilter } from "./scim-filter.ts";
import { buildScimResource, compileScimMapping, type ScimAttributeMapping, type ScimUserMapper } from "./scim-mapping.ts";
import { SCIM_PATCH_OP_SCHEMA, attributeKey, attributePathText, findKey, nextAttributeValue, parseScimPath, readScimPath, type ScimPath } from "./scim-path.ts";
import { createScimTransport, type ScimTransport, type ScimTransportStats } from "./scim-transport.ts";
import { formatSoftDeleteMarker, readSoftDeleteMarker } from "./soft-delete-marker.ts";

/** The tenant a SCIM service stands for in a job (validated like core's `Tenant`). */
export interface ScimTenantInput {
  /** A GUID naming the target in job configs (`targetTenantId`). */
  id: string;
  displayName: string;
  cloud?: Cloud;
  /** Domains the service's users live in; the first is used for `userNameFormat: "external"`. */
  verifiedDomains: readonly string[];
}

/**
 * Where bearer tokens come from when they are not a fixed `token`: any object
 * with `getToken()` (an OAuth client, a secret store). Asked again after the
 * service answers 401.
 *
 * @example
 * ```ts
 * const credential: ScimCredential = { getToken: async () => (await oauth.clientCredentials()).access_token };
 * ```
 */
export interface ScimCredential {
  getToken(options: { signal?: AbortSignal | undefined; forceRefresh: boolean }): Promise<string>;
}

/** What the adapter learnt from `GET /ServiceProviderConfig` (RFC 7643 §5). */
export interface ScimServiceFeatures {
  patch: boolean;
  etag: boolean;
  filter: boolean;
  /** `filter.maxResults`, when the service says. */
  maxResults: number | null;
}

/**
 * Options of {@link createScimDirectory}.
 *
 * @example
 * ```ts
 * const options: ScimDirectoryOptions = {
 *   baseUrl: "https://app.example.com/scim/v2",
 *   token: process.env.SCIM_TOKEN!,
 *   tenant: { id: "22222222-2222-4222-8222-222222222222", displayName: "App", verifiedDomains: ["app.example.com"] },
 *   deprovision: "disable",
 * };
 * ```
 */
export interface ScimDirectoryOptions {
  /** The SCIM base URL (the one `/Users` hangs off). */
  baseUrl: string;
  /** A fixed bearer token. Give this or `credential`. */
  token?: string | undefined;
  /** A source of bearer tokens. Give this or `token`. */
  credential?: ScimCredential | undefined;
  /** The tenant the service stands for: `describe()` returns it; a job's `targetTenantId` names it. */
  tenant: ScimTenantInput;
  /**
   * What a soft delete does: `disable` sets `active=false` and stamps the
   * soft-delete marker (restore puts `active` back and removes it);
   * `delete` sends `DELETE /Users/{id}` (SCIM has no bin: nothing to restore,
   * a returning user is created anew).
   */
  deprovision: "disable" | "delete";
  /** The attribute mapping (default {@link DEFAULT_SCIM_MAPPING}, Entra's default SCIM mapping). */
  mapping?: readonly ScimAttributeMapping[] | undefined;
  /** Where the manager reference goes; null to write no manager. Default the enterprise extension's `manager`. */
  managerPath?: string | null | undefined;
  /**
   * The SCIM path where `deprovision: "disable"` stamps its soft-delete marker
   * (`<deletedDateTime>;active=<before>`). Default {@link DEFAULT_SOFT_DELETE_MARKER}
   * (a tenantsync extension schema attribute); a service that accepts no custom
   * schema can use a core attribute such as `roles[type eq "tenantsync"].value`.
   */
  softDeleteMarker?: string | undefined;
  /**
   * `source` (default): `userName` is the source userPrincipalName as is (what
   * Entra's SCIM mapping sends). `external`: the B2B form
   * `alias_domain#EXT#@<tenant's first verified domain>`.
   */
  userNameFormat?: "source" | "external" | undefined;
  /** Writes on behalf of other source tenants are refused with PolicyError. Default: any source tenant. */
  trustedSourceTenantIds?: readonly string[] | undefined;
  /** `If-Match` on writes: `auto` (default) when the service advertises ETags, `always`, `never`. */
  etags?: "auto" | "always" | "never" | undefined;
  /** `count` of list requests. Default 100. */
  pageSize?: number | undefined;
  /** Retries of 429/502/503/504 and network failures. Default 4. */
  maxRetries?: number | undefined;
  /** Requests in flight at once. Default 4. */
  concurrency?: number | undefined;
  /** Most requests started per second. Default: no pacing. */
  requestsPerSecond?: number | undefined;
  /** Per-request timeout in milliseconds. Default 30 s. */
  timeoutMs?: number | undefined;
  /** Time for backoff, pacing and the soft-delete marker. Default `systemClock`. */
  clock?: Clock | undefined;
  /** The fetch implementation. Default `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch | undefined;
}

/** The default soft-delete marker path: an attribute of a tenantsync extension schema, named after the custom-extension convention of Entra's SCIM guide (`urn:ietf:params:scim:schemas:extension:<name>:2.0:User`). */
export const DEFAULT_SOFT_DELETE_MARKER = "urn:ietf:params:scim:schemas:extension:tenantsync:2.0:User:deprovisioned";

/** A target-role `DirectoryPort` over a SCIM 2.0 service. */
export interface ScimDirectory extends DirectoryPort {
  readonly name: "scim";
  /** The tenant the service stands for (frozen). */
  readonly tenant: Tenant;
  /** The compiled mapping (reads SCIM Users exactly as the adapter does). */
  readonly mapper: ScimUserMapper;
  /** What the service advertises (read once, then cached). */
  serviceFeatures(options?: CallOptions): Promise<ScimServiceFeatures>;
  /** Transport counters: requests, retries, throttled answers. */
  transportStats(): ScimTransportStats;
}

interface ReadResult {
  resource: Record<string, unknown>;
  version: string | null;
}

const ACTIVE_PATH = parseScimPath("active");
const USER_NAME_PATH = parseScimPath("userName");

/** The B2B user name of a source UPN in a domain: `alias_domain#EXT#@domain`. */
function externalUserName(sourceUpn: string, domain: string): string {
  const at = sourceUpn.lastIndexOf("@");
  const alias = at > 0 ? `${sourceUpn.slice(0, at)}_${sourceUpn.slice(at + 1)}` : sourceUpn;
  return `${alias}#EXT#@${domain}`;
}

function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    return `{${Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (Array.isArray(value) && value.length === 0) || (typeof value === "object" && value !== null && Object.keys(value).length === 0);
}

/** RFC 7644 PATCH operations that take `current` to the state the writes describe. */
export function patchOperations(current: Record<string, unknown>, writes: ReadonlyArray<readonly [ScimPath, unknown]>): Array<Record<string, unknown>> {
  const groups = new Map<string, Array<readonly [ScimPath, unknown]>>();
  for (const w of writes) {
    const key = attributeKey(w[0]);
    const list = groups.get(key) ?? [];
    list.push(w);
    groups.set(key, list);
  }
  const ops: Array<Record<string, unknown>> = [];
  for (const group of groups.values()) {
    const first = group[0]![0];
    const whole: ScimPath = { text: attributePathText(first), schema: first.schema, attribute: first.attribute, type: null, sub: null };
    const currentValue = readScimPath(current, whole);
    if (first.type !== null) {
      let next: unknown = currentValue;
      for (const [path, value] of group) next = nextAttributeValue(next, path, value);
      if (stable(next) === stable(Array.isArray(currentValue) ? currentValue : [])) continue;
      if (isEmpty(next)) ops.push({ op: "remove", path: whole.text });
      else ops.push({ op: "replace", path: whole.text, value: next });
      continue;
    }
    for (const [path, value] of group) {
      const text = path.sub === null ? whole.text : `${whole.text}.${path.sub}`;
      const before = readScimPath(current, path);
      if (value === null || value === undefined) {
        if (!isEmpty(before)) ops.push({ op: "remove", path: text });
      } else if (stable(before) !== stable(value)) ops.push({ op: "replace", path: text, value });
    }
  }
  return ops;
}

/**
 * Creates a target-role `DirectoryPort` over a SCIM 2.0 service (RFC 7643,
 * RFC 7644): `POST /Users` with `externalId` = the cross-tenant anchor,
 * `PATCH` with add/replace/remove operations, matching by `externalId eq` and
 * mapped-attribute filters (falling back to a paged scan when the service
 * refuses a filter), `startIndex`/`count` paging, `If-Match` when the service
 * advertises ETags, bearer auth, retries and pacing. It cannot be a source
 * (listUsers, groups and the change feed throw CapabilityError) and holds no
 * trust settings (`partnerSettings: false`: the engine skips R3 checks with a
 * warning).
 *
 * @example
 * ```ts
 * const target = createScimDirectory({
 *   baseUrl: "https://app.example.com/scim/v2",
 *   token: process.env.SCIM_TOKEN!,
 *   tenant: { id: "22222222-2222-4222-8222-222222222222", displayName: "App", verifiedDomains: ["app.example.com"] },
 *   deprovision: "disable",
 * });
 * const job = createSyncJob({ source, target, config: { sourceTenantId, targetTenantId: target.tenant.id, attributeMappings: scimJobMappings(target) } });
 * ```
 */
export function createScimDirectory(options: ScimDirectoryOptions): ScimDirectory {
  const issues: Array<{ path: string[]; message: string }> = [];
  if (typeof options?.baseUrl !== "string" || !/^https?:\/\//.test(options.baseUrl)) issues.push({ path: ["baseUrl"], message: "must be an http(s) URL" });
  if (options?.token === undefined && options?.credential === undefined) issues.push({ path: ["token"], message: "give a bearer token or a credential" });
  if (options?.token !== undefined && options?.credential !== undefined) issues.push({ path: ["credential"], message: "give either token or credential, not both" });
  if (options?.deprovision !== "disable" && options?.deprovision !== "delete") issues.push({ path: ["deprovision"], message: "must be 'disable' or 'delete'" });
  if (options?.concurrency !== undefined && !(Number.isInteger(options.concurrency) && options.concurrency >= 1 && options.concurrency <= 64)) issues.push({ path: ["concurrency"], message: "must be an integer from 1 to 64" });
  if (issues.length > 0) throw new ConfigError(issues, "SCIM directory options");
  const tenant: Tenant = Object.freeze(parseTenant(options.tenant));
  const mapper = compileScimMapping({
    mapping: options.mapping,
    managerPath: options.managerPath,
    softDeleteMarker: options.deprovision === "disable" ? (options.softDeleteMarker ?? DEFAULT_SOFT_DELETE_MARKER) : null,
    tenant,
  });
  const clock = options.clock ?? systemClock;
  const mode = options.deprovision;
  const pageSize = Math.max(1, options.pageSize ?? 100);
  const trusted = options.trustedSourceTenantIds ? new Set(options.trustedSourceTenantIds.map((t) => t.toLowerCase())) : null;
  const credential = options.credential;
  const fixedToken = options.token;
  const transport: ScimTransport = createScimTransport({
    baseUrl: options.baseUrl,
    tenantId: tenant.id,
    token: async (signal, fresh) => (credential ? credential.getToken({ signal, forceRefresh: fresh }) : fixedToken!),
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    clock,
    maxRetries: options.maxRetries ?? 4,
    concurrency: options.concurrency ?? 4,
    requestsPerSecond: options.requestsPerSecond,
    timeoutMs: options.timeoutMs ?? 30_000,
  });
  const capabilities: DirectoryCapabilities = Object.freeze({
    ...DEFAULT_DIRECTORY_CAPABILITIES,
    source: false,
    target: true,
    changeFeed: false,
    restore: mode === "disable",
    manager: mapper.managerPath !== null,
    transitiveMembers: false,
    partnerSettings: false,
    writableAttributes: Object.freeze([...mapper.writableAttributes]),
  });
  const unfilterable = new Set<string>();
  let features: Promise<ScimServiceFeatures> | null = null;

  const serviceFeatures = (signal?: AbortSignal): Promise<ScimServiceFeatures> => {
    throwIfAborted(signal);
    features ??= transport
      .request({ method: "GET", path: "/ServiceProviderConfig" }, signal)
      .then(({ body }) => {
        const b = (body ?? {}) as Record<string, { supported?: unknown; maxResults?: unknown } | undefined>;
        const flag = (name: string, fallback: boolean) => {
          const key = findKey(b as Record<string, unknown>, name);
          const v = key === undefined ? undefined : b[key]?.supported;
          return typeof v === "boolean" ? v : fallback;
        };
        const maxResults = b.filter?.maxResults;
        return { patch: flag("patch", true), etag: flag("etag", false), filter: flag("filter", true), maxResults: typeof maxResults === "number" && maxResults > 0 ? maxResults : null };
      })
      .catch((error: unknown) => {
        features = null;
        if (error instanceof NotFoundError) return { patch: true, etag: false, filter: true, maxResults: null };
        throw error;
      });
    return features;
  };

  const useEtags = async (signal?: AbortSignal): Promise<boolean> => {
    if (options.etags === "always") return true;
    if (options.etags === "never") return false;
    return (await serviceFeatures(signal)).etag;
  };

  const checkTrust = (write: WriteOptions, what: string) => {
    throwIfAborted(write?.signal);
    if (trusted && !trusted.has(String(write?.sourceTenantId).toLowerCase())) {
      throw new PolicyError(`The SCIM directory of tenant ${tenant.id} does not accept ${what} on behalf of tenant ${write?.sourceTenantId}: it is not in trustedSourceTenantIds. Add it to the directory's options if this sync is intended.`, {
        tenantId: tenant.id,
        partnerTenantId: write?.sourceTenantId,
        setting: "trustedSourceTenantIds",
      });
    }
  };

  const userPath = (id: string) => `/Users/${encodeURIComponent(id)}`;

  const read = async (id: string, signal?: AbortSignal): Promise<ReadResult | null> => {
    try {
      const { body, headers } = await transport.request({ method: "GET", path: userPath(id), objectId: id }, signal);
      if (typeof body !== "object" || body === null) throw new AdapterError("SCIM_BAD_RESOURCE", `SCIM GET ${userPath(id)} (tenant ${tenant.id}) returned no User`, { tenantId: tenant.id });
      const resource = body as Record<string, unknown>;
      const meta = resource.meta as { version?: unknown } | undefined;
      return { resource, version: typeof meta?.version === "string" ? meta.version : (headers.etag ?? null) };
    } catch (error) {
      if (error instanceof NotFoundError) return null;
      throw error;
    }
  };

  const isDeleted = (resource: Record<string, unknown>) => mapper.markerPath !== null && readSoftDeleteMarker(readScimPath(resource, mapper.markerPath)) !== null;

  /** A live user, or NotFoundError (unknown, or soft-deleted). */
  const readLive = async (id: string, signal: AbortSignal | undefined, role = "user"): Promise<ReadResult> => {
    const found = await read(id, signal);
    if (!found) throw new NotFoundError("user", id, { tenantId: tenant.id, message: `${role} '${id}' does not exist in the SCIM service of tenant ${tenant.id}` });
    if (isDeleted(found.resource)) throw new NotFoundError("user", id, { tenantId: tenant.id, message: `${role} '${id}' is soft-deleted (inactive, with the soft-delete marker) in the SCIM service of tenant ${tenant.id}; restore it first` });
    return found;
  };

  /** Every User matching `filter` (or all), following startIndex/count. */
  const list = async (filter: string | null, signal?: AbortSignal): Promise<Array<Record<string, unknown>>> => {
    const out: Array<Record<string, unknown>> = [];
    const seen = new Set<string>();
    let startIndex = 1;
    for (;;) {
      throwIfAborted(signal);
      const query: Record<string, string | number> = { startIndex, count: pageSize };
      if (filter !== null) query.filter = filter;
      const { body } = await transport.request({ method: "GET", path: "/Users", query }, signal);
      const b = (body ?? {}) as { Resources?: unknown; totalResults?: unknown };
      const page = Array.isArray(b.Resources) ? b.Resources.filter((r): r is Record<string, unknown> => typeof r === "object" && r !== null) : [];
      let fresh = 0;
      for (const r of page) {
        const id = String(r.id);
        if (seen.has(id)) continue;
        seen.add(id);
        out.push(r);
        fresh++;
      }
      const total = typeof b.totalResults === "number" ? b.totalResults : null;
      if (page.length === 0 || (total !== null && startIndex - 1 + page.length >= total) || (total === null && page.length < pageSize)) return out;
      if (fresh === 0) {
        throw new AdapterError("SCIM_PAGING_IGNORED", `SCIM GET /Users (tenant ${tenant.id}) returned the same users again for startIndex=${startIndex}: the service ignores startIndex/count, so the list cannot be read past its first page`, { tenantId: tenant.id });
      }
      startIndex += page.length;
    }
  };

  /** Users whose value at `path` equals `value`: a server-side filter, or a paged scan when the service refuses it. */
  const search = async (path: ScimPath, value: string, signal?: AbortSignal): Promise<Array<Record<string, unknown>>> => {
    const matches = (r: Record<string, unknown>) => {
      const v = readScimPath(r, path);
      return typeof v === "string" && v.toLowerCase() === value.toLowerCase();
    };
    const key = path.text;
    if (!unfilterable.has(key)) {
      try {
        const found = (await list(scimEqualityFilter(path, value), signal)).filter(matches);
        // Some services do not decode JSON escapes in filter values (scimmy): trust an empty answer only for plain values.
        if (found.length > 0 || !/["\\\u0000-\u001f]/.test(value)) return found;
        return (await list(null, signal)).filter(matches);
      } catch (error) {
        const status = (error as { status?: unknown }).status;
        if (!(error instanceof AdapterError) || (status !== 400 && status !== 501 && status !== 403)) throw error;
        unfilterable.add(key);
      }
    }
    return (await list(null, signal)).filter(matches);
  };

  /** The SCIM writes for a set of user attributes; throws InvalidValueError for what the mapping cannot hold. */
  const writesOf = (attributes: UserAttributes): Array<readonly [ScimPath, unknown]> => {
    const writes: Array<readonly [ScimPath, unknown]> = [];
    for (const [name, raw] of Object.entries(attributes)) {
      if (raw === undefined) continue;
      if (name === "mailNickname" || name === "userType") continue; // derived by the target / written at creation only
      if (name === "accountEnabled") {
        if (raw !== null) writes.push([ACTIVE_PATH, raw !== false]);
        continue;
      }
      if (name === "userPrincipalName") {
        if (typeof raw !== "string" || !/^[^@\s]+@[^@\s]+$/.test(raw)) throw new InvalidValueError(`userPrincipalName ${JSON.stringify(raw)} must look like alias@domain to become a SCIM userName (tenant ${tenant.id})`, { property: "userPrincipalName", tenantId: tenant.id });
        writes.push([USER_NAME_PATH, options.userNameFormat === "external" ? externalUserName(raw, tenant.verifiedDomains[0]!) : raw]);
        continue;
      }
      if (name === "extensions") {
        for (const [ext, value] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
          const entry = mapper.entryOf(ext);
          if (!entry) {
            if (value === null || value === undefined) continue;
            throw new InvalidValueError(`extension attribute '${ext}' is not mapped to a SCIM attribute (tenant ${tenant.id}); add it to the directory's mapping or remove it from the job's mappings`, { property: ext, tenantId: tenant.id });
          }
          writes.push([entry.path, value === null || value === undefined ? null : String(value)]);
        }
        continue;
      }
      if (EXTENSION_ATTRIBUTE_PATTERN.test(name)) continue;
      const entry = mapper.entryOf(name);
      if (!entry) {
        if (raw === null || (Array.isArray(raw) && raw.length === 0) || name === "managerId") continue;
        throw new InvalidValueError(`'${name}' is not mapped to a SCIM attribute (tenant ${tenant.id}); the directory writes ${mapper.writableAttributes.join(", ")}. Add a mapping or remove '${name}' from the job's mappings`, { property: name, tenantId: tenant.id });
      }
      if (name === "businessPhones") {
        const phones = Array.isArray(raw) ? raw : [];
        if (phones.length > 1) throw new InvalidValueError(`businessPhones has ${phones.length} numbers; the SCIM mapping holds one (${entry.path.text}) (tenant ${tenant.id})`, { property: "businessPhones", tenantId: tenant.id });
        writes.push([entry.path, phones[0] ?? null]);
        continue;
      }
      if (raw !== null && typeof raw !== "string") throw new InvalidValueError(`'${name}' must be a string or null, got ${typeof raw} (tenant ${tenant.id})`, { property: name, tenantId: tenant.id });
      writes.push([entry.path, raw === "" ? null : raw]);
    }
    return writes;
  };

  const namesOf = (attributes: UserAttributes) => Object.keys(attributes).filter((k) => (attributes as Record<string, unknown>)[k] !== undefined);

  /** PATCHes a user (read fresh each attempt, If-Match when ETags are on); retried when the service answers 412. */
  const patch = async (id: string, signal: AbortSignal | undefined, build: (current: ReadResult) => Array<readonly [ScimPath, unknown]> | Array<Record<string, unknown>>, attributes: readonly string[], opsAlready = false, readCurrent = (s?: AbortSignal) => readLive(id, s)): Promise<Record<string, unknown>> => {
    const etags = await useEtags(signal);
    for (let attempt = 0; ; attempt++) {
      const current = await readCurrent(signal);
      const built = build(current);
      const ops = opsAlready ? (built as Array<Record<string, unknown>>) : patchOperations(current.resource, built as Array<readonly [ScimPath, unknown]>);
      if (ops.length === 0) return current.resource;
      const headers = etags && current.version ? { "if-match": current.version } : undefined;
      throwIfAborted(signal);
      try {
        const { body } = await transport.request({ method: "PATCH", path: userPath(id), body: { schemas: [SCIM_PATCH_OP_SCHEMA], Operations: ops }, headers, objectId: id, attributes }, signal);
        if (typeof body === "object" && body !== null && typeof (body as { id?: unknown }).id === "string") return body as Record<string, unknown>;
        const after = await read(id, signal);
        if (!after) throw new NotFoundError("user", id, { tenantId: tenant.id });
        return after.resource;
      } catch (error) {
        if (error instanceof TransientError && error.code === "PRECONDITION_FAILED" && attempt < 4) continue;
        throw error;
      }
    }
  };

  const refuse = (capability: string, detail: string) => new CapabilityError(capability, "scim", detail);

  const directory: ScimDirectory = {
    name: "scim",
    capabilities,
    tenant,
    mapper,
    transportStats: () => transport.stats(),
    serviceFeatures: (call) => serviceFeatures(call?.signal),

    async describe(call?: CallOptions): Promise<Tenant> {
      await serviceFeatures(call?.signal);
      // Discovery endpoints may be public (RFC 7644 §4): one authenticated read proves the credentials, like Entra's "Test connection".
      await transport.request({ method: "GET", path: "/Users", query: { startIndex: 1, count: 1 } }, call?.signal);
      return structuredClone(tenant);
    },

    async getPartnerSettings(_partnerTenantId: string, call?: CallOptions): Promise<PartnerSettings | null> {
      throwIfAborted(call?.signal);
      throw refuse("partnerSettings", "a SCIM service holds no cross-tenant trust settings; the engine skips the R3 checks with a warning");
    },

    // ---- source role: not supported ----
    listUsers(): AsyncIterable<DirectoryUser[]> {
      return {
        [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(refuse("source", "a SCIM directory is a target only (listUsers)")) }),
      };
    },
    async getUser(id: string, call?: GetUserOptions): Promise<DirectoryUser | null> {
      throwIfAborted(call?.signal);
      const found = await read(id, call?.signal);
      if (!found) return null;
      const user = mapper.toUser(found.resource);
      return user.deletedDateTime !== null && !call?.includeDeleted ? null : user;
    },
    listGroupMembers(): AsyncIterable<string[]> {
      return {
        [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(refuse("source", "a SCIM directory is a target only (listGroupMembers)")) }),
      };
    },
    async currentCursor(call?: CallOptions): Promise<string> {
      throwIfAborted(call?.signal);
      throw refuse("changeFeed", "SCIM has no change feed");
    },
    readChanges(): AsyncIterable<ChangePage> {
      return {
        [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(refuse("changeFeed", "SCIM has no change feed")) }),
      };
    },

    // ---- target role ----
    async findUsers(query: UserQuery, call?: CallOptions): Promise<DirectoryUser[]> {
      throwIfAborted(call?.signal);
      let resources: Array<Record<string, unknown>>;
      if ("alternativeSecurityId" in query) {
        const externalId = encodeExternalId(query.alternativeSecurityId);
        resources = (await search(parseScimPath("externalId"), externalId, call?.signal)).filter((r) => {
          const anchor = decodeExternalId(r[findKey(r, "externalId") ?? "externalId"]);
          return anchor !== null && anchor.tenantId === query.alternativeSecurityId.tenantId.toLowerCase() && anchor.userId === query.alternativeSecurityId.userId;
        });
      } else {
        const entry = query.attribute === "userPrincipalName" ? { path: USER_NAME_PATH } : mapper.entryOf(query.attribute);
        if (!entry) {
          throw new InvalidValueError(`cannot find users by '${query.attribute}' in the SCIM service of tenant ${tenant.id}: it is not mapped to a SCIM attribute (mapped: ${mapper.writableAttributes.join(", ")})`, { property: query.attribute, tenantId: tenant.id });
        }
        resources = await search(entry.path, query.value, call?.signal);
      }
      const users = resources.map((r) => mapper.toUser(r));
      return query.includeDeleted ? users : users.filter((u) => u.deletedDateTime === null);
    },

    async createExternalUser(input: CreateExternalUserInput, write: WriteOptions): Promise<DirectoryUser> {
      checkTrust(write, "creating users");
      const attributes = input.attributes ?? {};
      if (typeof attributes.userPrincipalName !== "string" || attributes.userPrincipalName.length === 0) {
        throw new InvalidValueError(`createExternalUser needs a userPrincipalName (the SCIM userName) for source user ${input.alternativeSecurityId?.userId} (tenant ${tenant.id})`, { property: "userPrincipalName", tenantId: tenant.id });
      }
      if (typeof attributes.displayName !== "string" || attributes.displayName.length === 0) {
        throw new InvalidValueError(`createExternalUser needs a displayName for source user ${input.alternativeSecurityId?.userId} (tenant ${tenant.id})`, { property: "displayName", tenantId: tenant.id });
      }
      const writes = writesOf(attributes).filter(([path]) => path !== ACTIVE_PATH);
      const userTypeEntry = mapper.entryOf("userType");
      if (userTypeEntry) writes.push([userTypeEntry.path, input.userType ?? "Member"]);
      const body = buildScimResource(writes, { externalId: encodeExternalId(input.alternativeSecurityId), active: attributes.accountEnabled !== false });
      const { body: created } = await transport.request({ method: "POST", path: "/Users", body, attributes: namesOf(attributes) }, write.signal);
      if (typeof created === "object" && created !== null && typeof (created as { id?: unknown }).id === "string") return mapper.toUser(created as Record<string, unknown>);
      const found = await directory.findUsers({ alternativeSecurityId: input.alternativeSecurityId }, { signal: write.signal });
      if (found.length !== 1) throw new AdapterError("SCIM_BAD_RESOURCE", `SCIM POST /Users (tenant ${tenant.id}) answered without the created User, and ${found.length} users carry its externalId`, { tenantId: tenant.id });
      return found[0]!;
    },

    async updateUser(id: string, changes: UserAttributes, write: WriteOptions): Promise<DirectoryUser> {
      checkTrust(write, "updates");
      const writes = writesOf(changes ?? {});
      const resource = await patch(id, write.signal, () => writes, namesOf(changes ?? {}));
      return mapper.toUser(resource);
    },

    async setManager(id: string, managerId: string | null, write: WriteOptions): Promise<void> {
      checkTrust(write, "manager changes");
      const path = mapper.managerPath;
      if (!path) throw refuse("manager", "the directory was created with managerPath: null");
      if (managerId !== null) await readLive(managerId, write.signal, "manager");
      await patch(
        id,
        write.signal,
        (current) => {
          const before = readScimPath(current.resource, path);
          const beforeId = typeof before === "object" && before !== null ? (before as { value?: unknown }).value : before;
          if (managerId === null) return isEmpty(before) ? [] : [{ op: "remove", path: attributePathText(path) }];
          return beforeId === managerId ? [] : [{ op: "replace", path: attributePathText(path), value: { value: managerId } }];
        },
        ["managerId"],
        true,
      );
    },

    async softDeleteUser(id: string, write: WriteOptions): Promise<void> {
      checkTrust(write, "deletes");
      if (mode === "delete") {
        const current = await readLive(id, write.signal);
        const etags = await useEtags(write.signal);
        throwIfAborted(write.signal);
        await transport.request({ method: "DELETE", path: userPath(id), objectId: id, headers: etags && current.version ? { "if-match": current.version } : undefined }, write.signal);
        return;
      }
      const marker = mapper.markerPath!;
      await patch(
        id,
        write.signal,
        (current) => {
          const active = readScimPath(current.resource, ACTIVE_PATH);
          return [
            [ACTIVE_PATH, false],
            [marker, formatSoftDeleteMarker({ deletedDateTime: clock.now().toISOString(), wasActive: active !== false })],
          ];
        },
        ["accountEnabled"],
      );
    },

    async restoreUser(id: string, write: WriteOptions): Promise<DirectoryUser> {
      throwIfAborted(write?.signal);
      if (mode === "delete") throw refuse("restore", "with deprovision 'delete' a soft delete removes the SCIM user (SCIM has no bin); a returning user is created anew");
      checkTrust(write, "restores");
      const marker = mapper.markerPath!;
      const resource = await patch(
        id,
        write.signal,
        (current) => {
          const stamp = readSoftDeleteMarker(readScimPath(current.resource, marker));
          return [
            [marker, null],
            [ACTIVE_PATH, stamp?.wasActive ?? true],
          ];
        },
        ["accountEnabled"],
        false,
        async (signal) => {
          const found = await read(id, signal);
          if (!found) throw new NotFoundError("user", id, { tenantId: tenant.id });
          if (!isDeleted(found.resource)) throw new NotFoundError("user", id, { tenantId: tenant.id, message: `user '${id}' is not soft-deleted in the SCIM service of tenant ${tenant.id}; there is nothing to restore` });
          return found;
        },
      );
      return mapper.toUser(resource);
    },
  };
  return directory;
}
