// A SCIM service shaped like what Microsoft Entra's provisioning client talks
// to: @better-auth/scim inside better-auth with its memory adapter, served by
// node:http on 127.0.0.1. Its store is the memory adapter's plain object,
// which the tests read directly (the backdoor).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { betterAuth } from "better-auth";
import { memoryAdapter } from "better-auth/adapters/memory";
import { toNodeHandler } from "better-auth/node";
import { scim } from "@better-auth/scim";
import { SCIM_ENTERPRISE_USER_SCHEMA } from "../../src/index.ts";

/** better-auth refuses custom extension schemas; a typed `roles` entry holds the soft-delete marker. */
export const BETTER_AUTH_MARKER = 'roles[type eq "tenantsync"].value';

/** A fault answered before better-auth sees the request. */
export interface BetterAuthFault {
  status: number;
  retryAfter?: string;
  method?: string;
  times: number;
}

export interface BetterAuthScimServer {
  baseUrl: string;
  token: string;
  /** The memory adapter's tables (model name → rows). */
  db: Record<string, Array<Record<string, unknown>>>;
  requests: Record<string, number>;
  fault(fault: BetterAuthFault): void;
  /** The stored SCIM Users as SCIM resources, rebuilt from the table rows. */
  storedResources(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

function iso(value: unknown): string | undefined {
  if (value instanceof Date) return value.toISOString();
  return typeof value === "string" ? value : undefined;
}

/** A `scimUser` row as the SCIM resource it stands for. */
export function resourceOfRow(row: Record<string, unknown>): Record<string, unknown> {
  const attributes = JSON.parse(String(row.serializedAttributes ?? "{}")) as Record<string, unknown>;
  const { enterprise, schemas: _schemas, ...core } = attributes;
  const resource: Record<string, unknown> = {
    ...core,
    id: row.id,
    userName: row.userName,
    displayName: row.displayName,
    active: row.active,
    meta: { created: iso(row.createdAt) },
  };
  if (typeof row.externalId === "string") resource.externalId = row.externalId;
  if (enterprise && typeof enterprise === "object") resource[SCIM_ENTERPRISE_USER_SCHEMA] = enterprise;
  return resource;
}

/** Starts better-auth with the SCIM plugin (one static bearer connection) on 127.0.0.1. */
export async function startBetterAuthScimServer(): Promise<BetterAuthScimServer> {
  const token = `better-auth-token-${Math.random().toString(16).slice(2)}`;
  const db: Record<string, Array<Record<string, unknown>>> = {};
  const auth = betterAuth({
    baseURL: "http://127.0.0.1",
    secret: "tenantsync-tests-0123456789abcdef0123456789abcdef",
    database: memoryAdapter(db),
    logger: { disabled: true },
    telemetry: { enabled: false },
    plugins: [scim({ connections: [{ id: "tenantsync", credentials: [{ type: "bearer", id: "tests", token }] }] })],
  });
  // The memory adapter needs every table present before the first query.
  const context = await auth.$context;
  for (const table of Object.values(context.tables)) db[table.modelName] ??= [];
  const handler = toNodeHandler(auth);
  const faults: BetterAuthFault[] = [];
  const requests: Record<string, number> = {};
  const server: Server = createServer((req, res) => {
    const method = req.method ?? "GET";
    requests[method] = (requests[method] ?? 0) + 1;
    const fault = faults.find((f) => f.times > 0 && (f.method === undefined || f.method === method));
    if (fault) {
      fault.times--;
      res.statusCode = fault.status;
      if (fault.retryAfter !== undefined) res.setHeader("Retry-After", fault.retryAfter);
      res.setHeader("content-type", "application/scim+json");
      res.end(JSON.stringify({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: String(fault.status), detail: "injected fault" }));
      return;
    }
    void handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/api/auth/scim/v2`,
    token,
    db,
    requests,
    fault: (f) => faults.push({ ...f }),
    storedResources: () => (db.scimUser ?? []).map(resourceOfRow),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
