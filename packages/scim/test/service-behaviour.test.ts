// How the adapter talks to real SCIM services: ETags and If-Match, paging,
// filters and their fallback, escaping, retries with Retry-After, auth.
import { afterEach, describe, expect, it } from "vitest";
import { AdapterError, AuthError, ConflictError, InvalidValueError, ThrottledError, TransientError, createManualClock } from "@tenantsync/core";
import { compileScimMapping, createScimDirectory, type ScimDirectoryOptions } from "../src/index.ts";
import { BETTER_AUTH_MARKER, startBetterAuthScimServer, type BetterAuthScimServer } from "./helpers/better-auth-server.ts";
import { resourceOfSeed } from "./helpers/probes.ts";
import { startScimmyServer } from "./helpers/scimmy-server.ts";
import { SCIM_TENANT, SOURCE_TENANT } from "./helpers/tenants.ts";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const write = { sourceTenantId: SOURCE_TENANT.id };
const anchor = (userId: string) => ({ tenantId: SOURCE_TENANT.id, userId });
const input = (n: number | string, attributes: Record<string, unknown> = {}) => ({
  alternativeSecurityId: anchor(`source-${n}`),
  userType: "Member" as const,
  attributes: { userPrincipalName: `user${n}@contoso.com`, displayName: `User ${n}`, mail: `user${n}@contoso.com`, ...attributes },
});

async function scimmy(options: Partial<ScimDirectoryOptions> = {}) {
  const server = await startScimmyServer();
  cleanups.push(() => server.close());
  const clock = createManualClock({ start: "2026-05-01T00:00:00Z" });
  const directory = createScimDirectory({ baseUrl: server.baseUrl, token: server.token, tenant: SCIM_TENANT, deprovision: "disable", clock, ...options });
  return { server, clock, directory };
}

async function betterAuth(options: Partial<ScimDirectoryOptions> = {}) {
  const server: BetterAuthScimServer = await startBetterAuthScimServer();
  cleanups.push(() => server.close());
  const clock = createManualClock({ start: "2026-05-01T00:00:00Z" });
  const directory = createScimDirectory({ baseUrl: server.baseUrl, token: server.token, tenant: SCIM_TENANT, deprovision: "disable", softDeleteMarker: BETTER_AUTH_MARKER, clock, ...options });
  return { server, clock, directory };
}

describe("ETags (scimmy advertises them)", () => {
  it("sends If-Match with the version it read, and on 412 reads again and reapplies its change without losing the concurrent one", async () => {
    const { server, directory } = await scimmy();
    expect((await directory.serviceFeatures()).etag).toBe(true);
    const user = await directory.createExternalUser(input(1, { jobTitle: "Analyst" }), write);
    let raced = false;
    server.store.beforeWrite = (id) => {
      if (id !== user.id || raced) return;
      raced = true;
      // Someone else changes the user between the adapter's read and its PATCH.
      const stored = server.store.users.get(user.id)!;
      server.store.users.set(user.id, { ...stored, displayName: "Changed Elsewhere", meta: { ...stored.meta, version: 'W/"99"' } });
    };
    const updated = await directory.updateUser(user.id, { jobTitle: "Director" }, write);
    expect(raced).toBe(true);
    expect(server.store.ifMatch.length, "every PATCH carried If-Match").toBeGreaterThanOrEqual(2);
    expect(updated.jobTitle).toBe("Director");
    expect(updated.displayName, "the concurrent change survived: the adapter re-read before writing again").toBe("Changed Elsewhere");
  });

  it("sends no If-Match when told never to", async () => {
    const { server, directory } = await scimmy({ etags: "never" });
    const user = await directory.createExternalUser(input(2), write);
    await directory.updateUser(user.id, { jobTitle: "Director" }, write);
    expect(server.store.ifMatch).toEqual([]);
  });
});

describe("paging", () => {
  it("follows startIndex/count across pages (scimmy answers 20 per page unless asked)", async () => {
    const { server, directory } = await scimmy({ pageSize: 7 });
    const mapper = compileScimMapping({ tenant: SCIM_TENANT });
    for (let i = 0; i < 25; i++) server.insert(resourceOfSeed({ userPrincipalName: `staff${i}@app.example.com`, displayName: `Staff ${i}`, jobTitle: "Clerk" }, mapper));
    const found = await directory.findUsers({ attribute: "jobTitle", value: "Clerk" });
    expect(found).toHaveLength(25);
    expect(new Set(found.map((u) => u.id)).size).toBe(25);
    expect(server.store.listQueries.map((q) => [q.startIndex, q.count])).toEqual([["1", "7"], ["8", "7"], ["15", "7"], ["22", "7"]]);
  });
});

describe("a service that ignores paging", () => {
  it("stops with SCIM_PAGING_IGNORED instead of looping when every page repeats the first (scimmy-routers on express 5)", async () => {
    const page = { schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], totalResults: 5, startIndex: 1, itemsPerPage: 2, Resources: [{ id: "a", userName: "a@x.com", jobTitle: "x" }, { id: "b", userName: "b@x.com" }] };
    const fetch = (async () => new Response(JSON.stringify(page), { status: 200, headers: { "content-type": "application/scim+json" } })) as typeof globalThis.fetch;
    const directory = createScimDirectory({ baseUrl: "http://127.0.0.1:9/scim", token: "t", tenant: SCIM_TENANT, deprovision: "delete", fetch, pageSize: 2 });
    const error = await directory.findUsers({ attribute: "mail", value: "a@x.com" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as AdapterError).code).toBe("SCIM_PAGING_IGNORED");
  });
});

describe("filters", () => {
  it("matches by the anchor when the source user id holds quotes and backslashes (scimmy cannot filter them: the adapter scans)", async () => {
    for (const start of [scimmy, betterAuth]) {
      const { directory } = await start();
      const odd = 'we"ird\\id ] or userName pr';
      const created = await directory.createExternalUser({ ...input("odd"), alternativeSecurityId: anchor(odd) }, write);
      await directory.createExternalUser(input("plain"), write);
      expect((await directory.findUsers({ alternativeSecurityId: anchor(odd) })).map((u) => u.id)).toEqual([created.id]);
      expect(await directory.findUsers({ alternativeSecurityId: anchor('we"ird') })).toEqual([]);
    }
  });

  it("falls back to a paged scan when better-auth refuses a filter attribute, and remembers it", async () => {
    const { server, directory } = await betterAuth();
    const a = await directory.createExternalUser(input(1, { jobTitle: "Buyer" }), write);
    await directory.createExternalUser(input(2, { jobTitle: "Seller" }), write);
    const before = server.requests.GET ?? 0;
    expect((await directory.findUsers({ attribute: "jobTitle", value: "buyer" })).map((u) => u.id)).toEqual([a.id]);
    const first = (server.requests.GET ?? 0) - before;
    expect((await directory.findUsers({ attribute: "jobTitle", value: "Seller" })).length).toBe(1);
    const second = (server.requests.GET ?? 0) - before - first;
    expect(second, "the refused filter is not sent again").toBeLessThan(first);
    await expect(directory.findUsers({ attribute: "showInAddressList", value: "true" })).rejects.toThrow(InvalidValueError);
  });
});

describe("retries, throttling and errors", () => {
  it("waits out a 429's Retry-After on its clock and succeeds", async () => {
    const { server, clock, directory } = await scimmy();
    const user = await directory.createExternalUser(input(1), write);
    const started = clock.now().getTime();
    server.fault({ status: 429, retryAfter: "3", method: "GET", times: 2 });
    expect((await directory.getUser(user.id))?.id).toBe(user.id);
    expect(clock.now().getTime() - started, "two waits of 3 s on the injected clock").toBeGreaterThanOrEqual(6000);
    expect(directory.transportStats()).toMatchObject({ throttled: 2, retries: 2 });
  });

  it("gives up after maxRetries with the typed error and its Retry-After", async () => {
    const { server, directory } = await betterAuth({ maxRetries: 1 });
    await directory.describe();
    server.fault({ status: 503, retryAfter: "2", times: 2 });
    const error = await directory.findUsers({ alternativeSecurityId: anchor("x") }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).retryAfterMs).toBe(2000);
    server.fault({ status: 429, times: 2 });
    expect(await directory.findUsers({ alternativeSecurityId: anchor("x") }).catch((e: unknown) => e)).toBeInstanceOf(ThrottledError);
  });

  it("maps a wrong token to AuthError, and asks a credential for a fresh token after a 401", async () => {
    for (const start of [scimmy, betterAuth]) {
      const { server } = await start();
      const wrong = createScimDirectory({ baseUrl: server.baseUrl, token: "wrong", tenant: SCIM_TENANT, deprovision: "delete" });
      await expect(wrong.describe()).rejects.toBeInstanceOf(AuthError);
      let current = "expired";
      let refreshes = 0;
      const refreshing = createScimDirectory({
        baseUrl: server.baseUrl,
        credential: {
          getToken: async ({ forceRefresh }) => {
            if (forceRefresh) {
              refreshes++;
              current = server.token;
            }
            return current;
          },
        },
        tenant: SCIM_TENANT,
        deprovision: "delete",
      });
      expect((await refreshing.describe()).id).toBe(SCIM_TENANT.id);
      expect(refreshes, "one 401, one refresh").toBe(1);
    }
  });

  it("maps uniqueness to ConflictError naming the property (userName on scimmy, email on better-auth)", async () => {
    const s = await scimmy();
    await s.directory.createExternalUser(input(1), write);
    const taken = await s.directory.createExternalUser({ ...input(1), alternativeSecurityId: anchor("other") }, write).catch((e: unknown) => e);
    expect(taken).toBeInstanceOf(ConflictError);
    expect((taken as ConflictError).property).toBe("userPrincipalName");
    const b = await betterAuth();
    await b.directory.createExternalUser(input(1), write);
    const mail = await b.directory.createExternalUser({ ...input(2), attributes: { ...input(2).attributes, mail: "user1@contoso.com" } }, write).catch((e: unknown) => e);
    expect(mail).toBeInstanceOf(ConflictError);
    expect((mail as ConflictError).property).toBe("mail");
  });

  it("maps better-auth's refusal of a user without any email to InvalidValueError", async () => {
    const { directory } = await betterAuth({ userNameFormat: "external" });
    const error = await directory.createExternalUser({ ...input(1), attributes: { userPrincipalName: "user1@contoso.com", displayName: "User 1" } }, write).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidValueError);
    expect((error as Error).message).toContain("email");
  });
});
