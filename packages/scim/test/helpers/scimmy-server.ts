// A strict RFC 7643/7644 SCIM service for tests: scimmy (resource schemas,
// filters, PatchOp, ListResponse paging) and scimmy-routers on express 4,
// with resource handlers over an in-memory store that this file owns (scimmy
// leaves storage to the application). Listens on 127.0.0.1 only.
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import express from "express";
import SCIMMY from "scimmy";
import SCIMMYRouters from "scimmy-routers";
import { DEFAULT_SOFT_DELETE_MARKER } from "../../src/index.ts";

/** A stored SCIM User: plain JSON as the service returns it. */
export type StoredUser = Record<string, unknown> & { id: string; meta: { created: string; lastModified: string; version: string } };

/** A fault the server answers the next matching requests with, before scimmy sees them. */
export interface ScimmyFault {
  status: number;
  retryAfter?: string;
  /** Only requests with this method (default any). */
  method?: string;
  /** How many requests get it. */
  times: number;
}

/** Per-server state reachable from the resource handlers through the router's context. */
export interface ScimmyStore {
  users: Map<string, StoredUser>;
  /** Called before a write is stored (tests use it to change the user concurrently). */
  beforeWrite: ((id: string | null) => void) | null;
  /** Counts of requests by method. */
  requests: Record<string, number>;
  /** Query strings of GET /Users requests, in order. */
  listQueries: Array<Record<string, unknown>>;
  /** If-Match headers received on writes. */
  ifMatch: string[];
}

export interface ScimmyServer {
  baseUrl: string;
  token: string;
  store: ScimmyStore;
  /** Queues a fault for the next requests. */
  fault(fault: ScimmyFault): void;
  /** Inserts a user straight into the store (the backdoor). */
  insert(resource: Record<string, unknown>): StoredUser;
  close(): Promise<void>;
}

interface RequestContext {
  store: ScimmyStore;
  ifMatch: string | undefined;
}

/** The tenantsync extension schema holding the soft-delete marker. */
const MARKER_SCHEMA_ID = DEFAULT_SOFT_DELETE_MARKER.slice(0, DEFAULT_SOFT_DELETE_MARKER.lastIndexOf(":"));
const markerExtension = new SCIMMY.Types.SchemaDefinition("TenantsyncUser", MARKER_SCHEMA_ID, "tenantsync soft-delete marker", [
  new SCIMMY.Types.Attribute("string", "deprovisioned", { description: "When and from which state tenantsync soft-deleted the user" }),
]);

/** A SCIM error for scimmy to answer with (its typings want a string scimType; null means none). */
function failure(status: number, scimType: string | null, message: string): Error {
  return new SCIMMY.Types.Error(status, scimType as string, message);
}

let declared = false;
let counter = 0;

function lower(value: unknown): string | null {
  return typeof value === "string" ? value.toLowerCase() : null;
}

function workEmail(user: Record<string, unknown>): string | null {
  const emails = Array.isArray(user.emails) ? (user.emails as Array<Record<string, unknown>>) : [];
  return lower(emails.find((e) => lower(e.type) === "work")?.value);
}

function conflicts(store: ScimmyStore, candidate: Record<string, unknown>, id: string | null): string | null {
  for (const other of store.users.values()) {
    if (other.id === id) continue;
    if (lower(other.userName) === lower(candidate.userName)) return `userName '${String(candidate.userName)}' is already taken`;
    if (candidate.externalId !== undefined && other.externalId === candidate.externalId) return `externalId '${String(candidate.externalId)}' is already taken`;
    const mail = workEmail(candidate);
    if (mail !== null && workEmail(other) === mail) return `the work email '${mail}' is already taken`;
  }
  return null;
}

function stamp(previous: StoredUser | undefined): StoredUser["meta"] {
  const now = new Date().toISOString();
  const n = previous ? Number(/"(\d+)"/.exec(previous.meta.version)?.[1] ?? 0) + 1 : 1;
  return { created: previous?.meta.created ?? now, lastModified: now, version: `W/"${n}"` };
}

function declare(): void {
  if (declared) return;
  declared = true;
  SCIMMY.Resources.declare(SCIMMY.Resources.User, {
    egress: async (resource: { id?: string; filter?: { match(values: unknown[]): unknown[] } }, ctx: RequestContext) => {
      const users = [...ctx.store.users.values()].map((u) => structuredClone(u));
      if (resource.id !== undefined) {
        const found = ctx.store.users.get(resource.id);
        if (!found) throw failure(404, null, `Resource ${resource.id} not found`);
        return structuredClone(found);
      }
      return resource.filter ? resource.filter.match(users) : users;
    },
    ingress: async (resource: { id?: string }, instance: unknown, ctx: RequestContext) => {
      const data = JSON.parse(JSON.stringify(instance)) as Record<string, unknown>;
      delete data.meta;
      const id = resource.id ?? null;
      let previous = id === null ? undefined : ctx.store.users.get(id);
      if (id !== null && !previous) throw failure(404, null, `Resource ${id} not found`);
      ctx.store.beforeWrite?.(id);
      if (id !== null) previous = ctx.store.users.get(id);
      if (previous && ctx.ifMatch !== undefined && ctx.ifMatch !== previous.meta.version) {
        throw failure(412, null, `If-Match ${ctx.ifMatch} does not match the current version ${previous.meta.version}`);
      }
      const clash = conflicts(ctx.store, data, id);
      if (clash) throw failure(409, "uniqueness", clash);
      const stored = { ...data, id: id ?? `scimmy-${++counter}-${Math.random().toString(16).slice(2, 10)}`, meta: stamp(previous) } as StoredUser;
      ctx.store.users.set(stored.id, stored);
      return structuredClone(stored);
    },
    degress: async (resource: { id?: string }, ctx: RequestContext) => {
      const previous = ctx.store.users.get(resource.id!);
      if (!previous) throw failure(404, null, `Resource ${resource.id} not found`);
      if (ctx.ifMatch !== undefined && ctx.ifMatch !== previous.meta.version) throw failure(412, null, `If-Match ${ctx.ifMatch} does not match ${previous.meta.version}`);
      ctx.store.users.delete(resource.id!);
    },
    extensions: [
      { schema: SCIMMY.Schemas.EnterpriseUser, required: false },
      { schema: markerExtension, required: false },
    ],
  });
}

/**
 * Starts a scimmy service on 127.0.0.1 (a random port) with its own store.
 * ETags are advertised (the handlers check If-Match).
 */
export async function startScimmyServer(): Promise<ScimmyServer> {
  declare();
  const token = `scimmy-token-${Math.random().toString(16).slice(2)}`;
  const store: ScimmyStore = { users: new Map(), beforeWrite: null, requests: {}, listQueries: [], ifMatch: [] };
  const faults: ScimmyFault[] = [];
  const app = express();
  app.use((req, res, next) => {
    store.requests[req.method] = (store.requests[req.method] ?? 0) + 1;
    if (req.method === "GET" && /\/Users\/?$/.test(req.path)) store.listQueries.push({ ...req.query });
    const ifMatch = req.header("if-match");
    if (ifMatch) store.ifMatch.push(ifMatch);
    const fault = faults.find((f) => f.times > 0 && (f.method === undefined || f.method === req.method));
    if (fault) {
      fault.times--;
      if (fault.retryAfter !== undefined) res.setHeader("Retry-After", fault.retryAfter);
      res.status(fault.status).type("application/scim+json").send(JSON.stringify({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: String(fault.status), detail: "injected fault" }));
      return;
    }
    next();
  });
  const routers = new SCIMMYRouters({
    type: "bearer",
    handler: (request: express.Request) => {
      if (request.header("Authorization") !== `Bearer ${token}`) throw new Error("Invalid bearer token");
      return "tenantsync-tests";
    },
    context: (request: express.Request): RequestContext => ({ store, ifMatch: request.header("if-match") }),
  });
  SCIMMY.Config.set({ etag: true });
  app.use("/scim/v2", routers);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/scim/v2`,
    token,
    store,
    fault: (f) => faults.push({ ...f }),
    insert(resource) {
      const stored = { ...structuredClone(resource), id: `scimmy-${++counter}-seed`, meta: stamp(undefined) } as StoredUser;
      store.users.set(stored.id, stored);
      return structuredClone(stored);
    },
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
