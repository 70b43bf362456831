import { AbortedError, AuthError, ThrottledError, TransientError, type DirectoryUser } from "@tenantsync/core";
import { afterEach, describe, expect, it } from "vitest";
import { createEmulatorCredential } from "../src/emulator.ts";
import { createGraphDirectory } from "../src/index.ts";
import { APP_ID, emulatedTenants, SOURCE, TARGET, type EmulatedTenants } from "./helpers/emulated-tenants.ts";

let env: EmulatedTenants | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const write = { sourceTenantId: SOURCE };
const attributes = (id: string) => ({ userPrincipalName: `${id}@contoso.com`, mail: `${id}@contoso.com`, displayName: id });

async function all<T>(iterable: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of iterable) out.push(...page);
  return out;
}

describe("throttling", () => {
  it("converges through a throttling storm, honouring every Retry-After on the injected clock", async () => {
    env = await emulatedTenants({ emulator: { pageSize: 20 }, directory: { maxRetries: 20 } });
    env.trust();
    for (let i = 0; i < 100; i++) env.sourceAdmin.addUser({ userPrincipalName: `s${i}@contoso.com`, displayName: `S${i}` });
    // Half of all requests and batch items (seeded dice) are throttled for 1.5 s.
    env.emulator.setFaults({ seed: 7, rules: [{ status: 429, probability: 0.5, retryAfterSeconds: 1.5 }] });
    const start = env.clock.now().getTime();
    expect(await all(env.source.listUsers({ pageSize: 20 }))).toHaveLength(100);
    const created: DirectoryUser[] = [];
    for (let i = 0; i < 6; i++) created.push(await env.target.createExternalUser({ alternativeSecurityId: { tenantId: SOURCE, userId: `t${i}` }, userType: "Member", attributes: attributes(`t${i}`) }, write));
    await Promise.all(created.map((u) => env!.target.updateUser(u.id, { jobTitle: "Storm survivor" }, write)));
    const stats = env.emulator.stats();
    expect(stats.throttled).toBeGreaterThan(20);
    expect(env.targetAdmin.snapshot().users.filter((u) => u.jobTitle === "Storm survivor")).toHaveLength(6);
    // No duplicates: each source user was invited once.
    expect(env.targetAdmin.snapshot().users).toHaveLength(6);
    // Each throttled answer made the adapter wait its Retry-After (concurrent waits overlap).
    expect(env.clock.now().getTime() - start).toBeGreaterThanOrEqual(1500 * 10);
  }, 30_000); // no-hang guard: a few hundred loopback requests

  it("surfaces ThrottledError with retryAfterMs once its retries are used up", async () => {
    env = await emulatedTenants({ directory: { maxRetries: 2 } });
    env.emulator.setFaults({ rules: [{ status: 429, path: "/organization", retryAfterSeconds: 4.25 }] });
    const error = await env.source.describe().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThrottledError);
    expect(error).toMatchObject({ retryable: true, retryAfterMs: 4250, status: 429 });
    expect(env.emulator.stats().byStatus["429"]).toBe(3);
  });

  it("retries 503 and 504 with backoff and maps a lasting 5xx to a retryable TransientError", async () => {
    env = await emulatedTenants({ directory: { maxRetries: 3 } });
    env.emulator.setFaults({ rules: [{ status: 503, path: "/organization", times: 2 }, { status: 504, path: "/organization", times: 1 }] });
    expect((await env.source.describe()).id).toBe(SOURCE);
    env.emulator.setFaults({ rules: [{ status: 503, path: "/users/" }] });
    const error = await env.source.getUser("00000000-0000-4000-8000-000000000001").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).retryable).toBe(true);
  });

  it("keeps a large initial create load under the emulator's enforced write quota with the client-side token bucket", async () => {
    const quota = { writes: { limit: 40, windowMs: 10_000 } };
    env = await emulatedTenants({ emulator: { quota }, directory: { quota, concurrency: 8 } });
    env.trust();
    const start = env.clock.now().getTime();
    await Promise.all(
      Array.from({ length: 25 }, (_, i) => env!.target.createExternalUser({ alternativeSecurityId: { tenantId: SOURCE, userId: `q${i}` }, userType: "Member", attributes: { ...attributes(`q${i}`), jobTitle: "x" } }, write)),
    );
    const stats = env.emulator.stats();
    expect(env.targetAdmin.snapshot().users).toHaveLength(25);
    // 25 × (invite + one PATCH) = 50 writes > 40: paced by the client, never refused by the server.
    expect(stats.writes).toBe(50);
    expect(stats.quotaThrottled).toBe(0);
    expect(env.clock.now().getTime() - start).toBeGreaterThanOrEqual(((50 - 40) / 40) * 10_000);
  });

  it("still converges without the client-side bucket, by honouring the quota's 429s", async () => {
    const quota = { writes: { limit: 10, windowMs: 5_000 } };
    env = await emulatedTenants({ emulator: { quota }, directory: { quota: { writes: false, invitations: false } } });
    env.trust();
    for (let i = 0; i < 8; i++) await env.target.createExternalUser({ alternativeSecurityId: { tenantId: SOURCE, userId: `r${i}` }, userType: "Member", attributes: attributes(`r${i}`) }, write);
    expect(env.emulator.stats().quotaThrottled).toBeGreaterThan(0);
    expect(env.targetAdmin.snapshot().users).toHaveLength(8);
  });
});

describe("auth and abort", () => {
  it("refreshes tokens before they expire, per tenant, so Graph never sees an expired one", async () => {
    env = await emulatedTenants();
    const credential = createEmulatorCredential({ clock: env.clock, lifetimeMs: 10 * 60_000 });
    const source = createGraphDirectory({ tenantId: SOURCE, credential, baseUrl: env.emulator.url, appId: APP_ID, clock: env.clock });
    const target = createGraphDirectory({ tenantId: TARGET, credential, baseUrl: env.emulator.url, appId: APP_ID, clock: env.clock });
    await source.describe();
    await target.getUser("00000000-0000-4000-8000-000000000001");
    await source.getUser("00000000-0000-4000-8000-000000000001");
    expect(credential.calls.map((c) => c.tenantId)).toEqual([SOURCE, TARGET]);
    env.clock.advance(6 * 60_000); // inside the 5-minute refresh margin of a 10-minute token
    await source.getUser("00000000-0000-4000-8000-000000000001");
    expect(credential.calls.map((c) => c.tenantId)).toEqual([SOURCE, TARGET, SOURCE]);
    expect(credential.calls[0]?.scopes).toBe("https://graph.microsoft.com/.default");
    expect(env.emulator.stats().byStatus["401"]).toBeUndefined();
  });

  it("maps a token the emulator refuses (wrong tenant) to AuthError after one fresh try", async () => {
    env = await emulatedTenants();
    const wrong = createEmulatorCredential({ clock: env.clock, tenantId: TARGET });
    // The credential ignores the requested tenant: its tokens say TARGET, the URL says SOURCE.
    const directory = createGraphDirectory({ tenantId: SOURCE, credential: { getToken: (scopes) => wrong.getToken(scopes, {}) }, baseUrl: env.emulator.urlFor(SOURCE), clock: env.clock });
    const error = await directory.describe().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(wrong.calls).toHaveLength(2);
  });

  it("routes by path prefix: urlFor(tenant) serves that tenant", async () => {
    env = await emulatedTenants();
    const viaPrefix = env.make(TARGET, { baseUrl: env.emulator.urlFor(TARGET) });
    expect((await viaPrefix.describe()).displayName).toBe("Fabrikam");
  });

  it("stops a paged read when its signal aborts", async () => {
    env = await emulatedTenants({ emulator: { pageSize: 5 } });
    for (let i = 0; i < 30; i++) env.sourceAdmin.addUser({ userPrincipalName: `p${i}@contoso.com`, displayName: `P${i}` });
    const controller = new AbortController();
    const seen: number[] = [];
    const read = (async () => {
      for await (const page of env!.source.listUsers({ pageSize: 5, signal: controller.signal })) {
        seen.push(page.length);
        if (seen.length === 2) controller.abort();
      }
    })();
    await expect(read).rejects.toBeInstanceOf(AbortedError);
    expect(seen).toEqual([5, 5]);
    expect(env.emulator.stats().byRoute["GET /users"]).toBe(2);
  });
});
