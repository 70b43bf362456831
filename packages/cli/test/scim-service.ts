// A minimal SCIM 2.0 service (RFC 7644: /ServiceProviderConfig, /Users with
// `eq` filters, paging, POST, PATCH with paths, DELETE), in memory, for the
// CLI's tests of its scim adapter. Paths are read and written with
// @tenantsync/scim's own path helpers.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseScimPath, readScimPath, writeScimPath } from "@tenantsync/scim";

export interface ScimTestService {
  url: string;
  users: Map<string, Record<string, unknown>>;
  /** Requests answered 401 because the bearer token was wrong. */
  rejected: number;
  close(): Promise<void>;
}

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";

export async function startScimTestService(token: string): Promise<ScimTestService> {
  const users = new Map<string, Record<string, unknown>>();
  const service = { url: "", users, rejected: 0, close: async () => {} } as ScimTestService;
  const send = (res: ServerResponse, status: number, body?: unknown) => {
    res.writeHead(status, { "content-type": "application/scim+json" });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, detail: string) => send(res, status, { schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: String(status), detail });
  const read = (req: IncomingMessage) =>
    new Promise<unknown>((resolve) => {
      let text = "";
      req.on("data", (d) => (text += d));
      req.on("end", () => resolve(text ? JSON.parse(text) : undefined));
    });
  const matches = (user: Record<string, unknown>, filter: string | null) => {
    if (!filter) return true;
    const m = /^(\S+) eq (".*")$/.exec(filter.trim());
    if (!m) throw new Error(`unsupported filter ${filter}`);
    const value = readScimPath(user, parseScimPath(m[1]!));
    return String(value ?? "").toLowerCase() === String(JSON.parse(m[2]!)).toLowerCase();
  };
  const server = createServer(async (req, res) => {
    if (req.headers.authorization !== `Bearer ${token}`) {
      service.rejected++;
      return error(res, 401, "invalid token");
    }
    const url = new URL(req.url ?? "/", "http://localhost");
    const [, collection, id] = url.pathname.split("/");
    try {
      if (collection === "ServiceProviderConfig") return send(res, 200, { patch: { supported: true }, filter: { supported: true, maxResults: 200 }, etag: { supported: false } });
      if (collection !== "Users") return error(res, 404, "not found");
      if (req.method === "GET" && !id) {
        const all = [...users.values()].filter((u) => matches(u, url.searchParams.get("filter")));
        const start = Number(url.searchParams.get("startIndex") ?? 1);
        const count = Number(url.searchParams.get("count") ?? 100);
        return send(res, 200, { schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], totalResults: all.length, startIndex: start, itemsPerPage: count, Resources: all.slice(start - 1, start - 1 + count) });
      }
      if (req.method === "POST" && !id) {
        const body = (await read(req)) as Record<string, unknown>;
        if ([...users.values()].some((u) => String(u["userName"]).toLowerCase() === String(body["userName"]).toLowerCase())) return error(res, 409, "userName taken");
        const user = { ...body, schemas: body["schemas"] ?? [USER], id: randomUUID(), meta: { resourceType: "User" } };
        users.set(user.id, user);
        return send(res, 201, user);
      }
      const user = id ? users.get(id) : undefined;
      if (!user) return error(res, 404, `user ${id} not found`);
      if (req.method === "GET") return send(res, 200, user);
      if (req.method === "DELETE") {
        users.delete(id!);
        return send(res, 204);
      }
      if (req.method === "PATCH") {
        const body = (await read(req)) as { Operations: Array<{ op: string; path?: string; value?: unknown }> };
        for (const op of body.Operations) {
          if (!op.path) Object.assign(user, op.value as Record<string, unknown>);
          else writeScimPath(user, parseScimPath(op.path), op.op.toLowerCase() === "remove" ? null : op.value);
        }
        return send(res, 200, user);
      }
      return error(res, 405, "method not allowed");
    } catch (e) {
      return error(res, 400, (e as Error).message);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  service.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  service.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return service;
}
