import { AbortedError, AdapterError, AuthError, InvalidValueError, ThrottledError, TransientError, createManualClock, systemClock, type Clock } from "@tenantsync/core";
import { afterEach, describe, expect, it } from "vitest";
import { createGraphTransport, createTokenProvider, type GraphQuotaOptions, type GraphTransport } from "../src/index.ts";
import { createFakeCredential } from "./helpers/fake-credential.ts";
import { loadFixture } from "./helpers/fixtures.ts";
import { startScriptedServer, type ScriptedAnswer, type ScriptedServer, type SeenRequest } from "./helpers/scripted-server.ts";

const TENANT = "22222222-2222-4222-8222-222222222222";
let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function transportFor(url: string, clock: Clock, extra: { concurrency?: number; maxRetries?: number; random?: () => number; quota?: GraphQuotaOptions; credential?: ReturnType<typeof createFakeCredential> } = {}): GraphTransport {
  const credential = extra.credential ?? createFakeCredential(clock);
  return createGraphTransport({
    tenantId: TENANT,
    baseUrl: url,
    tokens: createTokenProvider({ credential, tenantId: TENANT, scope: "https://graph.microsoft.com/.default", clock }),
    fetch: globalThis.fetch,
    clock,
    concurrency: extra.concurrency ?? 4,
    maxRetries: extra.maxRetries ?? 8,
    random: extra.random ?? (() => 0),
    quota: extra.quota,
  });
}

const ok = (body: unknown = { value: [] }): ScriptedAnswer => ({ status: 200, body });

describe("retries", () => {
  it("honours a fractional Retry-After on 429 and then succeeds", async () => {
    let calls = 0;
    server = await startScriptedServer(() => (++calls <= 2 ? { status: 429, headers: { "retry-after": "2.128" }, body: loadFixture("error-429.json") } : ok({ id: "x" })));
    const clock = createManualClock();
    const start = clock.now().getTime();
    const { body } = await transportFor(server.url, clock).request({ method: "GET", path: "/users/x" });
    expect(body).toEqual({ id: "x" });
    expect(calls).toBe(3);
    // Two waits of exactly 2.128 s of (virtual) time, nothing more.
    expect(clock.now().getTime() - start).toBe(2 * 2128);
  });

  it("backs off exponentially with jitter on 503/504 without Retry-After", async () => {
    let calls = 0;
    server = await startScriptedServer(() => (++calls <= 3 ? { status: calls === 2 ? 504 : 503 } : ok()));
    const clock = createManualClock();
    const start = clock.now().getTime();
    await transportFor(server.url, clock, { random: () => 0 }).request({ method: "GET", path: "/users" });
    // random 0 → half of 500·2^n: 250 + 500 + 1000.
    expect(clock.now().getTime() - start).toBe(1750);
    calls = 0;
    const again = clock.now().getTime();
    await transportFor(server.url, clock, { random: () => 0.999 }).request({ method: "GET", path: "/users" });
    expect(clock.now().getTime() - again).toBeGreaterThan(3400);
  });

  it("gives up after maxRetries with a ThrottledError carrying retryAfterMs", async () => {
    server = await startScriptedServer(() => ({ status: 429, headers: { "retry-after": "1.5" }, body: loadFixture("error-429.json") }));
    const clock = createManualClock();
    const error = await transportFor(server.url, clock, { maxRetries: 2 }).request({ method: "GET", path: "/users" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThrottledError);
    expect(error).toMatchObject({ retryable: true, retryAfterMs: 1500, status: 429, tenantId: TENANT });
    expect(server.requests).toHaveLength(3);
  });

  it("does not retry permanent errors", async () => {
    server = await startScriptedServer(() => ({ status: 400, body: { error: { code: "Request_BadRequest", message: "Invalid value specified for property 'usageLocation' of resource 'User'." } } }));
    const error = await transportFor(server.url, createManualClock()).request({ method: "PATCH", path: "/users/x", body: { usageLocation: "XX" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidValueError);
    expect((error as InvalidValueError).property).toBe("usageLocation");
    expect(server.requests).toHaveLength(1);
  });

  it("turns a refused connection into a retryable TransientError after its retries", async () => {
    const closed = await startScriptedServer(() => ok());
    const url = closed.url;
    await closed.close();
    const clock = createManualClock();
    const error = await transportFor(url, clock, { maxRetries: 2 }).request({ method: "GET", path: "/users" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: "NETWORK", retryable: true });
  });

  it("gets a new token once when Graph answers 401, then maps a second 401 to AuthError", async () => {
    server = await startScriptedServer((req) => (req.headers.authorization === "Bearer token-1" ? { status: 401, body: { error: { code: "InvalidAuthenticationToken", message: "Access token has expired." } } } : ok({ ok: true })));
    const clock = createManualClock();
    const credential = createFakeCredential(clock);
    const { body } = await transportFor(server.url, clock, { credential }).request({ method: "GET", path: "/organization" });
    expect(body).toEqual({ ok: true });
    expect(credential.calls).toHaveLength(2);

    await server.close();
    server = await startScriptedServer(() => ({ status: 401, body: { error: { code: "InvalidAuthenticationToken", message: "nope" } } }));
    const error = await transportFor(server.url, clock).request({ method: "GET", path: "/organization" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(server.requests).toHaveLength(2);
  });

  it("stops waiting on Retry-After when the signal aborts", async () => {
    server = await startScriptedServer(() => ({ status: 429, headers: { "retry-after": "600" } }));
    const controller = new AbortController();
    const pending = transportFor(server.url, systemClock).request({ method: "GET", path: "/users" }, controller.signal);
    setTimeout(() => controller.abort(new Error("stop")), 50);
    // No-hang guard: without abort this would wait 10 minutes.
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
  });
});

describe("paging, headers, concurrency", () => {
  it("follows @odata.nextLink to the end and re-sends ConsistencyLevel on every page", async () => {
    server = await startScriptedServer((req, s) => {
      const page = Number(req.query.get("page") ?? "0");
      return ok({ value: [{ id: `u${page}` }], ...(page < 2 ? { "@odata.nextLink": `${s.url}/v1.0/groups/g/transitiveMembers/microsoft.graph.user?page=${page + 1}` } : {}) });
    });
    const transport = transportFor(server.url, createManualClock());
    const ids: unknown[] = [];
    for await (const page of transport.pages({ method: "GET", path: "/groups/g/transitiveMembers/microsoft.graph.user?$count=true", headers: { ConsistencyLevel: "eventual" } })) {
      ids.push(...(page["value"] as Array<{ id: string }>).map((u) => u.id));
    }
    expect(ids).toEqual(["u0", "u1", "u2"]);
    expect(server.requests.map((r) => r.headers["consistencylevel"])).toEqual(["eventual", "eventual", "eventual"]);
  });

  it("refuses to follow a link to another host (the bearer token stays home)", async () => {
    server = await startScriptedServer(() => ok({ value: [], "@odata.nextLink": "https://evil.example.com/v1.0/users?$skiptoken=x" }));
    const transport = transportFor(server.url, createManualClock());
    const read = async () => {
      for await (const _ of transport.pages({ method: "GET", path: "/users" })) void _;
    };
    await expect(read()).rejects.toMatchObject({ code: "GRAPH_BAD_LINK" });
    expect(server.requests).toHaveLength(1);
  });

  it("keeps at most `concurrency` requests in flight", async () => {
    let inFlight = 0;
    let peak = 0;
    server = await startScriptedServer(async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 15));
      inFlight--;
      return ok();
    });
    const transport = transportFor(server.url, createManualClock(), { concurrency: 2 });
    await Promise.all(Array.from({ length: 8 }, (_, i) => transport.request({ method: "GET", path: `/users/u${i}` })));
    expect(server.requests).toHaveLength(8);
    expect(peak).toBe(2);
  });

  it("paces writes with the client-side write quota (token bucket on the injected clock)", async () => {
    const clock = createManualClock();
    const seenAt: number[] = [];
    server = await startScriptedServer(() => {
      seenAt.push(clock.now().getTime());
      return { status: 204 };
    });
    const transport = transportFor(server.url, clock, { quota: { writes: { limit: 5, windowMs: 1000 } }, concurrency: 1 });
    const start = clock.now().getTime();
    for (let i = 0; i < 15; i++) await transport.request({ method: "PATCH", path: `/users/u${i}`, body: { jobTitle: "x" } });
    await transport.request({ method: "GET", path: "/users" }); // reads do not take write tokens
    // A full bucket of 5, then 95 % of 5 per second (headroom for jitter): the 15th write goes out 2,000 / 0.95 ms in.
    expect(seenAt[4]).toBe(start);
    expect(seenAt[5]! - start).toBeGreaterThanOrEqual(Math.floor(1000 / 5 / 0.95));
    expect(seenAt[14]! - start).toBeGreaterThanOrEqual(Math.floor(2000 / 0.95));
    expect(seenAt[14]! - start).toBeLessThanOrEqual(Math.ceil(2000 / 0.95) + 10);
    for (let i = 0; i < seenAt.length; i++) {
      const inWindow = seenAt.filter((t) => t > (seenAt[i] as number) - 1000 && t <= (seenAt[i] as number)).length;
      expect(inWindow).toBeLessThanOrEqual(10);
    }
  });
});

describe("$batch", () => {
  /** Answers a batch from `answer(item)`, in reverse order to prove correlation by id. */
  const batchServer = (answer: (item: { id: string; method: string; url: string; dependsOn?: string[] }, round: number) => { status: number; headers?: Record<string, string>; body?: unknown }) => {
    let round = 0;
    return (req: SeenRequest): ScriptedAnswer => {
      if (req.path !== "/v1.0/$batch") return { status: 404 };
      round++;
      const items = (req.body as { requests: Array<{ id: string; method: string; url: string; dependsOn?: string[] }> }).requests;
      return ok({ responses: items.map((item) => ({ id: item.id, headers: {}, ...answer(item, round) })).reverse() });
    };
  };

  it("sends chains with dependsOn, correlates out-of-order answers by id and splits over 20 requests", async () => {
    server = await startScriptedServer(batchServer((item) => ({ status: 200, body: { url: item.url } })));
    const transport = transportFor(server.url, createManualClock());
    const chains = Array.from({ length: 9 }, (_, c) => [
      { method: "PATCH" as const, path: `/users/u${c}`, body: { jobTitle: "x" } },
      { method: "GET" as const, path: `/users/u${c}` },
      { method: "GET" as const, path: `/users/u${c}/manager` },
    ]);
    const results = await transport.batch(chains);
    expect(results.map((r) => r.map((x) => (x.ok ? (x.response.body as { url: string }).url : "failed")))).toEqual(chains.map((c) => c.map((r) => r.path)));
    // 27 requests → two batches (20 is the limit, chains are never split).
    expect(server.requests).toHaveLength(2);
    const first = (server.requests[0]?.body as { requests: Array<{ id: string; dependsOn?: string[]; headers?: Record<string, string> }> }).requests;
    expect(first.length).toBeLessThanOrEqual(20);
    expect(first[1]?.dependsOn).toEqual([first[0]?.id]);
    expect(first[0]?.dependsOn).toBeUndefined();
    expect(first[0]?.headers?.["Content-Type"]).toBe("application/json");
  });

  it("retries only throttled items (and their chain), after the longest Retry-After", async () => {
    const clock = createManualClock();
    const start = clock.now().getTime();
    server = await startScriptedServer(
      batchServer((item, round) => {
        if (round === 1 && item.url === "/users/b") return { status: 429, headers: { "Retry-After": "3.5" }, body: loadFixture("error-429.json") };
        if (round === 1 && item.url === "/users/c") return { status: 429, headers: { "Retry-After": "1" } };
        if (round === 1 && item.url === "/users/b/manager/$ref") return { status: 424 };
        return { status: 204 };
      }),
    );
    const results = await transportFor(server.url, clock).batch([
      [{ method: "PATCH", path: "/users/a", body: {} }],
      [
        { method: "PATCH", path: "/users/b", body: {} },
        { method: "PUT", path: "/users/b/manager/$ref", body: {} },
      ],
      [{ method: "PATCH", path: "/users/c", body: {} }],
    ]);
    expect(results.flat().every((r) => r.ok)).toBe(true);
    expect(server.requests).toHaveLength(2);
    const retried = (server.requests[1]?.body as { requests: Array<{ url: string }> }).requests.map((r) => r.url);
    expect(retried.sort()).toEqual(["/users/b", "/users/b/manager/$ref", "/users/c"]);
    expect(clock.now().getTime() - start).toBe(3500);
  });

  it("reports per-item failures from the docs' batch response as typed errors", async () => {
    // Replays json-batching.md's response (statuses 200, 403, 403, 405, 200) onto our five requests.
    const fixture = loadFixture<{ responses: Array<{ id: string }> }>("batch-response.json");
    server = await startScriptedServer((req) => {
      const ids = (req.body as { requests: Array<{ id: string }> }).requests.map((r) => r.id);
      return ok({ responses: fixture.responses.map((r) => ({ ...r, id: ids[Number(r.id) - 1] })) });
    });
    const paths = ["/me/memberOf", "/me/planner/tasks", "/groups/0e226165-c685-41ce-8bfc-df8360ab325d", "/users/161ab652/getPasswordSingleSignOnCredentials", "/users?$select=id"];
    const results = (await transportFor(server.url, createManualClock()).batch(paths.map((path) => [{ method: "GET" as const, path }]))).map((r) => r[0]);
    expect(results.map((r) => r?.ok)).toEqual([true, false, false, false, true]);
    const errors = results.map((r) => (r && !r.ok ? r.error : null));
    expect(errors[1]).toBeInstanceOf(AuthError);
    expect(errors[2]).toBeInstanceOf(AuthError);
    expect(errors[3]).toBeInstanceOf(AdapterError);
    expect(errors[3]?.status).toBe(405);
    expect(results[4]?.ok && (results[4].response.body as { "@odata.count": number })["@odata.count"]).toBe(36);
  });

  it("marks the rest of a chain as not run when one of its requests fails for good", async () => {
    server = await startScriptedServer(
      batchServer((item) =>
        item.url === "/users/x" ? { status: 404, body: { error: { code: "Request_ResourceNotFound", message: "Resource 'x' does not exist or one of its queried reference-property objects are not present." } } } : item.dependsOn ? { status: 424 } : { status: 204 },
      ),
    );
    const [chain] = await transportFor(server.url, createManualClock()).batch([
      [
        { method: "PATCH", path: "/users/x", body: {}, objectType: "user", objectId: "x" },
        { method: "GET", path: "/users/x" },
      ],
    ]);
    expect(chain?.[0]).toMatchObject({ ok: false, status: 404, error: { code: "NOT_FOUND" } });
    expect(chain?.[1]).toMatchObject({ ok: false, status: 424, error: { code: "GRAPH_DEPENDENCY_FAILED" } });
  });
});
