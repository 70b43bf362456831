import { createManualClock } from "@tenantsync/core";
import { createMemoryDirectory } from "@tenantsync/memory";
import { afterEach, describe, expect, it } from "vitest";
import { createEmulatorToken, matchesFilter, parseFilter, startGraphEmulator, type GraphEmulator } from "../src/emulator.ts";
import { loadFixture } from "./helpers/fixtures.ts";

const TENANT = "22222222-2222-4222-8222-222222222222";
const PARTNER = "11111111-1111-4111-8111-111111111111";
let emulator: GraphEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

const clock = createManualClock();
const token = () => createEmulatorToken({ tenantId: TENANT, expiresOnTimestamp: clock.now().getTime() + 3_600_000 });

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const res = await fetch(`${(emulator as GraphEmulator).url}/v1.0${path}`, {
    method,
    headers: { authorization: `Bearer ${token()}`, ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function start(extra: Parameters<typeof startGraphEmulator>[0] = {}): Promise<GraphEmulator> {
  const directory = createMemoryDirectory({ tenant: { id: TENANT, displayName: "Fabrikam", verifiedDomains: ["fabrikam.com"] }, clock });
  emulator = await startGraphEmulator({ directories: [directory], clock, ...extra });
  return emulator;
}

const keys = (value: unknown) => Object.keys(value as Record<string, unknown>).sort();

describe("emulator responses have the documented shapes", () => {
  it("users delta: context, nextLink then deltaLink, and @removed entries as in delta-query-users.md", async () => {
    const e = await start({ pageSize: 2 });
    const admin = e.directory(TENANT).admin;
    const users = [0, 1, 2].map((i) => admin.addUser({ userPrincipalName: `u${i}@fabrikam.com`, displayName: `U${i}`, givenName: `G${i}` }));
    const first = await call("GET", "/users/delta?$select=displayName,givenName,surname");
    expect(keys(first.body)).toEqual(keys(loadFixture("users-delta-initial.json")));
    expect(first.body["@odata.context"]).toMatch(/\$metadata#users\(displayName,givenName,surname\)$/);
    expect(keys((first.body["value"] as unknown[])[0])).toEqual(["displayName", "givenName", "id", "surname"]);
    const next = await call("GET", new URL(first.body["@odata.nextLink"] as string).pathname.replace("/v1.0", "") + new URL(first.body["@odata.nextLink"] as string).search);
    expect(keys(next.body)).toEqual(keys(loadFixture("users-delta-final.json")));
    admin.deleteUser(users[0]?.id as string);
    const link = new URL(next.body["@odata.deltaLink"] as string);
    const changes = await call("GET", `/users/delta${link.search}`);
    const [removed] = changes.body["value"] as unknown[];
    const fixtureRemoved = (loadFixture<{ value: unknown[] }>("users-delta-deltalink-changes.json").value[1] ?? {}) as Record<string, unknown>;
    expect(removed).toEqual({ ...fixtureRemoved, id: users[0]?.id });
  });

  it("invitation, partner, identitySynchronization and restore answers carry the docs' properties", async () => {
    const e = await start();
    e.directory(TENANT).admin.setPartnerSettings({ tenantId: PARTNER, userSyncInbound: { isSyncAllowed: true } });
    const invitation = await call("POST", "/invitations", { invitedUserEmailAddress: "admin@fabrikam-partner.com", inviteRedirectUrl: "https://myapp.contoso.com", sendInvitationMessage: false });
    expect(invitation.status).toBe(201);
    expect(keys(invitation.body)).toEqual(keys(loadFixture("invitation-create.json")));
    const partner = await call("GET", `/policies/crossTenantAccessPolicy/partners/${PARTNER}`);
    expect(keys(partner.body)).toEqual(expect.arrayContaining(keys(loadFixture("partner-get.json"))));
    const sync = await call("GET", `/policies/crossTenantAccessPolicy/partners/${PARTNER}/identitySynchronization`);
    expect(keys(sync.body)).toEqual(keys(loadFixture("partner-identitySynchronization.json")));
    const id = (invitation.body["invitedUser"] as { id: string }).id;
    expect((await call("DELETE", `/users/${id}`)).status).toBe(204);
    const restored = await call("POST", `/directory/deletedItems/${id}/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body["@odata.type"]).toBe("#microsoft.graph.user");
    expect(restored.body["@odata.context"]).toMatch(/\$metadata#directoryObjects\/\$entity$/);
  });

  it("$batch answers per item, out of order, with 424 for failed dependencies, like json-batching.md", async () => {
    const e = await start();
    const user = e.directory(TENANT).admin.addUser({ userPrincipalName: "a@fabrikam.com", displayName: "A" });
    const answer = await call("POST", "/$batch", {
      requests: [
        { id: "1", method: "GET", url: `/users/${user.id}` },
        { id: "2", method: "PATCH", url: "/users/00000000-0000-4000-8000-000000000000", body: { jobTitle: "x" }, headers: { "Content-Type": "application/json" } },
        { id: "3", method: "GET", url: "/users/00000000-0000-4000-8000-000000000000", dependsOn: ["2"] },
      ],
    });
    expect(answer.status).toBe(200);
    const responses = answer.body["responses"] as Array<Record<string, unknown>>;
    expect(responses.map((r) => r["id"])).toEqual(["3", "2", "1"]);
    expect(responses.map((r) => r["status"])).toEqual([424, 404, 200]);
    const fixtureItemKeys = keys(loadFixture<{ responses: unknown[] }>("batch-response.json").responses[0]);
    for (const r of responses) expect(keys(r)).toEqual(fixtureItemKeys);
    expect((responses[1]?.["body"] as { error: { code: string } }).error.code).toBe("Request_ResourceNotFound");
  });

  it("refuses malformed batches: over 20 requests, duplicate ids, a body without Content-Type", async () => {
    await start();
    const many = Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: "GET", url: "/organization" }));
    expect((await call("POST", "/$batch", { requests: many })).status).toBe(400);
    expect((await call("POST", "/$batch", { requests: [{ id: "a", method: "GET", url: "/organization" }, { id: "A", method: "GET", url: "/organization" }] })).status).toBe(400);
    expect((await call("POST", "/$batch", { requests: [{ id: "1", method: "PATCH", url: "/users/x", body: {} }] })).status).toBe(400);
  });
});

describe("emulator rules", () => {
  it("requires a bearer token and rejects an expired one", async () => {
    const e = await start();
    expect((await fetch(`${e.url}/v1.0/organization`)).status).toBe(401);
    const expired = createEmulatorToken({ tenantId: TENANT, expiresOnTimestamp: clock.now().getTime() - 1000 });
    const res = await fetch(`${e.url}/v1.0/organization`, { headers: { authorization: `Bearer ${expired}` } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/expired/);
  });

  it("needs an advanced query for onPremisesExtensionAttributes filters and the transitiveMembers user cast", async () => {
    const e = await start();
    const admin = e.directory(TENANT).admin;
    const user = admin.addUser({ userPrincipalName: "b@fabrikam.com", displayName: "B" });
    await call("PATCH", `/users/${user.id}`, { onPremisesExtensionAttributes: { extensionAttribute3: "x:y" } });
    const filter = encodeURIComponent("onPremisesExtensionAttributes/extensionAttribute3 eq 'x:y'");
    expect((await call("GET", `/users?$filter=${filter}`)).body).toMatchObject({ error: { code: "Request_UnsupportedQuery" } });
    const found = await call("GET", `/users?$filter=${filter}&$count=true`, undefined, { ConsistencyLevel: "eventual" });
    expect(found.body["@odata.count"]).toBe(1);
    const group = admin.addGroup({ displayName: "G", members: [user.id] });
    expect((await call("GET", `/groups/${group.id}/transitiveMembers/microsoft.graph.user`)).status).toBe(400);
    expect((await call("GET", `/groups/${group.id}/transitiveMembers/microsoft.graph.user?$count=true`, undefined, { ConsistencyLevel: "eventual" })).status).toBe(200);
    // Selecting a property delta cannot track: 501, as in delta-query-overview.md.
    const notTracked = await call("GET", "/users/delta?$select=skills");
    expect(notTracked.status).toBe(501);
    expect(keys(notTracked.body["error"])).toEqual(keys(loadFixture<{ error: unknown }>("error-501-notimplemented.json").error));
  });

  it("injects faults by path with skip/times, with Retry-After and a 410 Location header", async () => {
    const e = await start();
    e.setFaults({ rules: [{ status: 429, path: "/organization", skip: 1, times: 2, retryAfterSeconds: 2.128 }] });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call("GET", "/organization")).status);
    expect(statuses).toEqual([200, 429, 429, 200]);
    e.setFaults({ rules: [{ status: 429, path: "/organization", retryAfterSeconds: 2.128 }] });
    const throttled = await call("GET", "/organization");
    expect(throttled.headers.get("retry-after")).toBe("2.128");
    expect(keys(throttled.body["error"])).toEqual(keys(loadFixture<{ error: unknown }>("error-429.json").error));
    e.setFaults({ rules: [{ status: 410, path: "/users/delta" }] });
    const gone = await call("GET", "/users/delta");
    expect(gone.status).toBe(410);
    expect(gone.headers.get("location")).toMatch(/\/v1\.0\/users\/delta\?\$deltatoken=$/);
    expect(e.stats().faultsInjected).toBe(4);
  });

  it("enforces a write quota with fractional Retry-After and the throttle headers", async () => {
    const e = await start({ quota: { writes: { limit: 2, windowMs: 1000 } } });
    const user = e.directory(TENANT).admin.addUser({ userPrincipalName: "c@fabrikam.com", displayName: "C" });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push(await call("PATCH", `/users/${user.id}`, { jobTitle: `t${i}` }));
    expect(statuses.map((s) => s.status)).toEqual([204, 204, 429]);
    expect(statuses[2]?.headers.get("retry-after")).toBe("0.500");
    expect(statuses[2]?.headers.get("x-ms-throttle-information")).toBe("WriteLimitExceeded");
    clock.advance(500);
    expect((await call("PATCH", `/users/${user.id}`, { jobTitle: "later" })).status).toBe(204);
    expect((await call("GET", `/users/${user.id}`)).status).toBe(200); // reads are not writes
  });
});

describe("emulator $filter", () => {
  const user = { id: "1", userPrincipalName: "O'Brien@contoso.com", mail: null, accountEnabled: true, onPremisesExtensionAttributes: { extensionAttribute1: "a:b" }, businessPhones: ["+1 1", "+1 2"] };

  it("evaluates eq/ne/and/or/not/in/startsWith with OData quoting, case-insensitively", () => {
    expect(matchesFilter(parseFilter("userPrincipalName eq 'o''brien@CONTOSO.com'"), user)).toBe(true);
    expect(matchesFilter(parseFilter("mail eq null and accountEnabled eq true"), user)).toBe(true);
    expect(matchesFilter(parseFilter("id eq '2' or (id eq '1' and not (mail ne null))"), user)).toBe(true);
    expect(matchesFilter(parseFilter("id in ('3', '1')"), user)).toBe(true);
    expect(matchesFilter(parseFilter("startsWith(userPrincipalName, 'o''b')"), user)).toBe(true);
    expect(matchesFilter(parseFilter("onPremisesExtensionAttributes/extensionAttribute1 eq 'a:b'"), user)).toBe(true);
    expect(matchesFilter(parseFilter("businessPhones eq '+1 2'"), user)).toBe(true);
    expect(matchesFilter(parseFilter("id eq '2' or id eq '3'"), user)).toBe(false);
    expect(() => parseFilter("id eq 'unterminated")).toThrow(/unterminated/);
    expect(() => parseFilter("id like '1'")).toThrow(/operator/);
  });
});
