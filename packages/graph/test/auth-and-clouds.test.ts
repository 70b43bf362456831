import { AuthError, ConfigError, createManualClock, type Cloud } from "@tenantsync/core";
import { afterEach, describe, expect, it } from "vitest";
import { createGraphDirectory, createTokenProvider, graphEndpointsFor } from "../src/index.ts";
import { createFakeCredential } from "./helpers/fake-credential.ts";
import { startScriptedServer, type ScriptedServer } from "./helpers/scripted-server.ts";

const TENANT = "22222222-2222-4222-8222-222222222222";
const OTHER = "33333333-3333-4333-8333-333333333333";
const SCOPE = "https://graph.microsoft.com/.default";

describe("token cache", () => {
  it("reuses a token until 5 minutes before expiry, then refreshes it", async () => {
    const clock = createManualClock();
    const credential = createFakeCredential(clock, { lifetimeMs: 60 * 60_000 });
    const tokens = createTokenProvider({ credential, tenantId: TENANT, scope: SCOPE, clock });
    expect(await tokens.getToken()).toBe("token-1");
    clock.advance(54 * 60_000);
    expect(await tokens.getToken()).toBe("token-1");
    clock.advance(2 * 60_000); // 56 min: inside the refresh margin
    expect(await tokens.getToken()).toBe("token-2");
    expect(credential.calls).toEqual([
      { scopes: SCOPE, options: { tenantId: TENANT } },
      { scopes: SCOPE, options: { tenantId: TENANT } },
    ]);
  });

  it("honours refreshAfterTimestamp and shares one refresh among concurrent callers", async () => {
    const clock = createManualClock();
    const credential = createFakeCredential(clock, { lifetimeMs: 60 * 60_000, refreshAfterMs: 10 * 60_000 });
    const tokens = createTokenProvider({ credential, tenantId: TENANT, scope: SCOPE, clock });
    const first = await Promise.all(Array.from({ length: 10 }, () => tokens.getToken()));
    expect(new Set(first)).toEqual(new Set(["token-1"]));
    clock.advance(11 * 60_000);
    expect(await tokens.getToken()).toBe("token-2");
    expect(credential.calls).toHaveLength(2);
  });

  it("caches per tenant and per credential, so two directories of one app share nothing but the credential", async () => {
    const clock = createManualClock();
    const credential = createFakeCredential(clock);
    const a = createTokenProvider({ credential, tenantId: TENANT, scope: SCOPE, clock });
    const a2 = createTokenProvider({ credential, tenantId: TENANT, scope: SCOPE, clock });
    const b = createTokenProvider({ credential, tenantId: OTHER, scope: SCOPE, clock });
    expect(await a.getToken()).toBe("token-1");
    expect(await a2.getToken()).toBe("token-1");
    expect(await b.getToken()).toBe("token-2");
    expect(credential.calls.map((c) => c.options?.tenantId)).toEqual([TENANT, OTHER]);
  });

  it("keeps using a still-valid token when a refresh fails, and fails with AuthError once it has expired", async () => {
    const clock = createManualClock();
    const credential = createFakeCredential(clock, { lifetimeMs: 60 * 60_000 });
    const tokens = createTokenProvider({ credential, tenantId: TENANT, scope: SCOPE, clock });
    await tokens.getToken();
    credential.failWith(new Error("AADSTS7000215: Invalid client secret provided."));
    clock.advance(57 * 60_000);
    expect(await tokens.getToken()).toBe("token-1");
    clock.advance(3 * 60_000);
    const error = await tokens.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).message).toMatch(/tenant 22222222.*AADSTS7000215/);
  });

  it("maps a credential that returns null to AuthError and asks again next time", async () => {
    const clock = createManualClock();
    let calls = 0;
    const tokens = createTokenProvider({ credential: { getToken: async () => (++calls === 1 ? null : { token: "late", expiresOnTimestamp: clock.now().getTime() + 3_600_000 }) }, tenantId: TENANT, scope: SCOPE, clock });
    await expect(tokens.getToken()).rejects.toBeInstanceOf(AuthError);
    expect(await tokens.getToken()).toBe("late");
  });
});

describe("national clouds", () => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
  });

  it("knows each cloud's Graph root, login host and scope", () => {
    expect(graphEndpointsFor("commercial")).toEqual({ cloud: "commercial", graphRoot: "https://graph.microsoft.com", authorityHost: "https://login.microsoftonline.com", scope: "https://graph.microsoft.com/.default" });
    expect(graphEndpointsFor("gcc").graphRoot).toBe("https://graph.microsoft.com");
    expect(graphEndpointsFor("gcch")).toMatchObject({ graphRoot: "https://graph.microsoft.us", authorityHost: "https://login.microsoftonline.us", scope: "https://graph.microsoft.us/.default" });
    expect(graphEndpointsFor("dod")).toMatchObject({ graphRoot: "https://dod-graph.microsoft.us", authorityHost: "https://login.microsoftonline.us" });
    expect(graphEndpointsFor("china")).toMatchObject({ graphRoot: "https://microsoftgraph.chinacloudapi.cn", authorityHost: "https://login.chinacloudapi.cn", scope: "https://microsoftgraph.chinacloudapi.cn/.default" });
    expect(() => graphEndpointsFor("germany" as Cloud)).toThrow(/unknown cloud/);
  });

  it.each(["gcch", "dod", "china"] as const)("sends %s requests to that cloud's Graph host with that cloud's token scope", async (cloud) => {
    server = await startScriptedServer(() => ({ status: 200, body: { value: [{ id: TENANT, displayName: "Contoso", verifiedDomains: [{ name: "contoso.onmicrosoft.com", isDefault: true }] }] } }));
    const clock = createManualClock();
    const credential = createFakeCredential(clock);
    const seen: string[] = [];
    // A real fetch that routes the cloud's host to the loopback server (like a proxy would).
    const routed: typeof fetch = (input, init) => {
      const url = String(input);
      seen.push(url);
      return fetch(url.replace(graphEndpointsFor(cloud).graphRoot, (server as ScriptedServer).url), init);
    };
    const directory = createGraphDirectory({ tenantId: TENANT, credential, cloud, fetch: routed, clock });
    const tenant = await directory.describe();
    expect(tenant).toMatchObject({ id: TENANT, cloud, verifiedDomains: ["contoso.onmicrosoft.com"] });
    expect(seen[0]?.startsWith(`${graphEndpointsFor(cloud).graphRoot}/v1.0/organization?`)).toBe(true);
    expect(credential.calls[0]?.scopes).toBe(graphEndpointsFor(cloud).scope);
  });

  it("rejects bad options with every issue and its path", () => {
    const clock = createManualClock();
    const error = (() => {
      try {
        createGraphDirectory({ tenantId: "", credential: createFakeCredential(clock), cloud: "mars" as Cloud, concurrency: 0, pageSize: 5000, appId: "not-a-guid" });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.path[0])).toEqual(["tenantId", "cloud", "concurrency", "pageSize"]);
    expect(() => createGraphDirectory({ tenantId: TENANT, credential: createFakeCredential(clock), appId: "not-a-guid" })).toThrow(/appId/);
  });
});
