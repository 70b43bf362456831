import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A request as the scripted server saw it. */
export interface SeenRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: unknown;
}

/** What a script answers. */
export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Real milliseconds to wait before answering. */
  delayMs?: number;
}

/** A loopback HTTP server whose answers come from a function: real HTTP, no mocked fetch. */
export interface ScriptedServer {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

export async function startScriptedServer(script: (request: SeenRequest, server: { url: string }) => ScriptedAnswer | Promise<ScriptedAnswer>): Promise<ScriptedServer> {
  const requests: SeenRequest[] = [];
  const state = { url: "" };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const parsed = new URL(req.url ?? "/", "http://localhost");
        const seen: SeenRequest = {
          method: req.method ?? "GET",
          url: req.url ?? "/",
          path: parsed.pathname,
          query: parsed.searchParams,
          headers: req.headers,
          body: text ? JSON.parse(text) : undefined,
        };
        requests.push(seen);
        const answer = await script(seen, state);
        if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
        const body = answer.body === undefined ? "" : typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
        res.writeHead(answer.status, { ...(body ? { "content-type": "application/json" } : {}), ...answer.headers });
        res.end(body);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: state.url,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
