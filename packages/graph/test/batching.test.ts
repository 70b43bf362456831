// How the Graph adapter spends requests: findUsersBatch, the pre-create lookups of concurrent
// creates, invitations through $batch, one PATCH per new user (and its fallback), and what a
// core job costs per user. Counts come from the emulator's request counter, never from timings.
import { ConflictError, createMemoryStateStore, createSyncJob, InvalidValueError, TransientError, type CreateExternalUserInput, type DirectoryUser, type UserQuery } from "@tenantsync/core";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { ANCHOR, emulatedTenants, SOURCE, TARGET, type EmulatedTenants } from "./helpers/emulated-tenants.ts";

let env: EmulatedTenants | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const numRuns = Number(process.env.FC_RUNS ?? 15);
const write = { sourceTenantId: SOURCE };
const COST = "extension_b7d8e648520f41d3b9c0fdeb91768a0a_costCenter";
const anchorOf = (userId: string) => ({ alternativeSecurityId: { tenantId: SOURCE, userId }, includeDeleted: true });

function input(userId: string, extra: Partial<CreateExternalUserInput["attributes"]> = {}, userType: "Member" | "Guest" = "Member"): CreateExternalUserInput {
  return {
    alternativeSecurityId: { tenantId: SOURCE, userId },
    userType,
    attributes: { userPrincipalName: `${userId}@contoso.com`, mail: `${userId}@contoso.com`, displayName: `Person ${userId}`, jobTitle: "Engineer", ...extra },
  };
}

/** Requests the emulator served for `route` (top-level and batch items). */
const served = (e: EmulatedTenants, route: string) => e.emulator.stats().byRoute[route] ?? 0;

describe("findUsersBatch", () => {
  it("answers each query exactly as findUsers does, in order: exact anchors, deleted users last, attribute queries", async () => {
    env = await emulatedTenants();
    env.trust();
    const admin = env.targetAdmin;
    const a = await env.target.createExternalUser(input("a"), write);
    const b = await env.target.createExternalUser(input("b"), write);
    await env.target.softDeleteUser(b.id, write);
    // Not anchors of u1: a prefix, another tenant, garbage in the attribute.
    admin.addUser({ userPrincipalName: "p@fabrikam.com", displayName: "P", extensions: { [ANCHOR]: `${SOURCE}:a-suffix` } });
    admin.addUser({ userPrincipalName: "q@fabrikam.com", displayName: "Q", extensions: { [ANCHOR]: `${TARGET}:a` } });
    admin.addUser({ userPrincipalName: "r@fabrikam.com", displayName: "R", extensions: { [ANCHOR]: "a" } });
    const internal = admin.addUser({ userPrincipalName: "carol@fabrikam.com", mail: "carol@contoso.com", displayName: "Carol" });
    const queries: UserQuery[] = [
      anchorOf("b"),
      { alternativeSecurityId: { tenantId: SOURCE, userId: "b" } },
      anchorOf("A"),
      anchorOf("nobody"),
      { attribute: "mail", value: "CAROL@contoso.com", includeDeleted: true },
      { attribute: "mail", value: "b@contoso.com", includeDeleted: true },
      { attribute: "userPrincipalName", value: a.userPrincipalName },
      { attribute: "id", value: internal.id },
      { attribute: "accountEnabled", value: "true" },
      anchorOf("a"),
    ];
    const batch = await env.target.findUsersBatch(queries);
    const one = await Promise.all(queries.map((q) => env!.target.findUsers(q)));
    const ids = (users: DirectoryUser[]) => users.map((u) => u.id);
    expect(batch.map(ids)).toEqual(one.map(ids));
    expect(batch.map((users) => users.map((u) => ({ ...u, deletedDateTime: u.deletedDateTime === null ? null : "set" })))).toEqual(
      one.map((users) => users.map((u) => ({ ...u, deletedDateTime: u.deletedDateTime === null ? null : "set" }))),
    );
    expect(batch.slice(0, 8).map(ids)).toEqual([[b.id], [], [a.id], [], [internal.id], [b.id], [a.id], [internal.id]]);
    expect(batch[0]?.[0]?.deletedDateTime).not.toBeNull();
    expect(batch[9]?.map((u) => u.id)).toEqual([a.id]);
  });

  it("groups anchors 15 to a filter, live and deleted, in $batches of 20: 40 anchors cost one request", async () => {
    env = await emulatedTenants();
    env.trust();
    const made: DirectoryUser[] = [];
    for (let i = 0; i < 3; i++) made.push(await env.target.createExternalUser(input(`m${i}`), write));
    env.emulator.resetStats();
    const queries = Array.from({ length: 40 }, (_, i) => anchorOf(`m${i}`));
    const found = await env.target.findUsersBatch(queries);
    expect(found.map((users) => users.map((u) => u.id))).toEqual(queries.map((_, i) => (made[i] ? [made[i]!.id] : [])));
    const stats = env.emulator.stats();
    expect(stats.requests).toBe(1);
    expect(served(env, "GET /users")).toBe(3); // ceil(40 / 15) filters
    expect(served(env, "GET /directory/deletedItems/microsoft.graph.user")).toBe(3);
  });

  it("sends more than 20 reads in several $batches, and a value asked twice only once", async () => {
    env = await emulatedTenants();
    env.trust();
    env.emulator.resetStats();
    const queries: UserQuery[] = [...Array.from({ length: 200 }, (_, i) => anchorOf(`n${i}`)), anchorOf("n0"), anchorOf("N1")];
    const found = await env.target.findUsersBatch(queries);
    expect(found).toHaveLength(202);
    expect(found.every((users) => users.length === 0)).toBe(true);
    // 200 distinct anchors: 14 filters × (live + deleted) = 28 reads → two $batch requests.
    expect(served(env, "GET /users")).toBe(14);
    expect(env.emulator.stats().requests).toBe(2);
  });

  it("fails as a whole with the typed error of a failed read, and refuses a query findUsers refuses", async () => {
    env = await emulatedTenants();
    env.trust();
    env.emulator.setFaults({ rules: [{ status: 500, path: "deletedItems" }] });
    const failed = await env.target.findUsersBatch([anchorOf("x"), { attribute: "mail", value: "x@contoso.com" }]).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(TransientError);
    env.emulator.setFaults(null);
    await expect(env.target.findUsersBatch([anchorOf("x"), { attribute: "photo", value: "x" }])).rejects.toBeInstanceOf(InvalidValueError);
    expect(await env.target.findUsersBatch([])).toEqual([]);
  });

  it("property: findUsersBatch of any queries equals findUsers of each", async () => {
    env = await emulatedTenants();
    env.trust();
    const admin = env.targetAdmin;
    const userIds = ["u1", "u2", "U2", "u3", "u4"];
    const created: DirectoryUser[] = [];
    for (const id of ["u1", "u2", "u3"]) created.push(await env.target.createExternalUser(input(id), write));
    await env.target.softDeleteUser(created[2]!.id, write);
    admin.addUser({ userPrincipalName: "u4.internal@fabrikam.com", mail: "u4@contoso.com", displayName: "U4" });
    admin.addUser({ userPrincipalName: "x@fabrikam.com", displayName: "X", extensions: { [ANCHOR]: `${SOURCE}:U2` } });
    const query: fc.Arbitrary<UserQuery> = fc.oneof(
      fc.record({ alternativeSecurityId: fc.record({ tenantId: fc.constantFrom(SOURCE, TARGET), userId: fc.constantFrom(...userIds) }), includeDeleted: fc.boolean() }),
      fc.record({ attribute: fc.constantFrom("mail", "userPrincipalName", "displayName", "id"), value: fc.constantFrom("u1@contoso.com", "U4@CONTOSO.COM", "Person u2", "x@fabrikam.com", created[0]!.id, created[0]!.userPrincipalName), includeDeleted: fc.boolean() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(query, { maxLength: 40 }), async (queries) => {
        const batch = await env!.target.findUsersBatch(queries);
        const one = await Promise.all(queries.map((q) => env!.target.findUsers(q)));
        const shape = (lists: DirectoryUser[][]) => lists.map((users) => users.map((u) => [u.id, u.deletedDateTime !== null, u.alternativeSecurityId?.userId ?? null]));
        expect(shape(batch)).toEqual(shape(one));
      }),
      { numRuns },
    );
  });
});

describe("creating users in bulk", () => {
  it("shares the lookups, the invitations and the PATCHes of concurrent creates in a few $batches", async () => {
    env = await emulatedTenants();
    env.trust();
    await env.target.describe();
    env.emulator.resetStats();
    const users = await Promise.all(Array.from({ length: 30 }, (_, i) => env!.target.createExternalUser(input(`c${i}`), write)));
    expect(new Set(users.map((u) => u.id)).size).toBe(30);
    const stats = env.emulator.stats();
    expect(served(env, "POST /invitations")).toBe(30);
    expect(served(env, "PATCH /users/{id}")).toBe(30);
    expect(served(env, "GET /users/{id}")).toBe(0);
    expect(stats.writes).toBe(60);
    // Lookups and the trust check: one $batch; invitations: two; PATCHes: two.
    expect(stats.requests).toBeLessThanOrEqual(5);
    expect(stats.batches).toBe(stats.requests);
  });

  it("skips the anchor lookup of a create that findUsersBatch just answered, and looks again after an anchor write or the cache time", async () => {
    env = await emulatedTenants();
    env.trust();
    await env.target.describe();
    const anchorReads = () => served(env!, "GET /users"); // each lookup filter is one GET /users item
    expect(await env.target.findUsersBatch([anchorOf("k1"), anchorOf("k2"), anchorOf("k3")])).toEqual([[], [], []]);
    env.emulator.resetStats();
    await env.target.createExternalUser(input("k1"), write);
    expect(anchorReads()).toBe(2); // the UPN and the mail; not the anchor
    // Another create of the same source user looks the anchor up again (the entry was used).
    env.emulator.resetStats();
    await expect(env.target.createExternalUser(input("k1"), write)).rejects.toBeInstanceOf(ConflictError);
    expect(anchorReads()).toBe(3);
    // Writing an anchor through updateUser forgets every answer.
    const other = await env.target.createExternalUser(input("k9"), write);
    await env.target.updateUser(other.id, { extensions: { [ANCHOR]: `${SOURCE}:k9` } }, write);
    env.emulator.resetStats();
    await env.target.createExternalUser(input("k2"), write);
    expect(anchorReads()).toBe(3);
    // After anchorCacheMs the answer no longer stands in.
    expect(await env.target.findUsersBatch([anchorOf("k3")])).toEqual([[]]);
    env.clock.advance(60_000);
    env.emulator.resetStats();
    await env.target.createExternalUser(input("k3"), write);
    expect(anchorReads()).toBe(3);
  });

  it("still refuses a duplicate when another writer stamped the anchor after the lookup (the names lookup catches it)", async () => {
    env = await emulatedTenants();
    env.trust();
    expect(await env.target.findUsersBatch([anchorOf("d1")])).toEqual([[]]);
    // Another writer creates the user with this anchor meanwhile.
    const theirs = env.targetAdmin.addUser({ userPrincipalName: "d1_contoso.com#EXT#@fabrikam.onmicrosoft.com", mail: "d1@contoso.com", displayName: "D1", origin: "external", extensions: { [ANCHOR]: `${SOURCE}:d1` } });
    const error = await env.target.createExternalUser(input("d1"), write).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ conflictingObjectId: theirs.id });
    expect(served(env, "POST /invitations")).toBe(0);
  });

  it("returns the user a read shows: attributes, extensions, manager, Guest type, anchor", async () => {
    env = await emulatedTenants();
    env.trust();
    const boss = await env.target.createExternalUser(input("boss"), write);
    const created = await env.target.createExternalUser(
      input("gus", { department: "R&D", businessPhones: ["+1 555 0100"], showInAddressList: true, accountEnabled: false, givenName: null, managerId: boss.id, extensions: { [COST]: "42", extension_b7d8e648520f41d3b9c0fdeb91768a0a_empty: null } }, "Guest"),
      write,
    );
    const read = await env.target.getUser(created.id);
    expect(created).toEqual({ ...read, createdDateTime: created.createdDateTime });
    expect(created).toMatchObject({ userType: "Guest", managerId: boss.id, accountEnabled: false, extensions: { [COST]: "42" }, alternativeSecurityId: { tenantId: SOURCE, userId: "gus" } });
  });

  it("stamps the anchor alone when the PATCH is refused, then reports the refusal", async () => {
    env = await emulatedTenants();
    env.trust();
    // Someone else already holds the mailNickname the PATCH derives from the source UPN (not its UPN or mail).
    env.targetAdmin.addUser({ userPrincipalName: "nick@fabrikam.com", mail: "nick@fabrikam.com", mailNickname: "ivy.vance_contoso.com#EXT#", displayName: "Nick" });
    const error = await env.target.createExternalUser(input("ivy", { userPrincipalName: "ivy.vance@contoso.com" }), write).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ property: "mailNickname" });
    const invited = env.targetAdmin.snapshot().users.find((u) => u.mail === "ivy@contoso.com");
    expect(invited?.extensions[ANCHOR]).toBe(`${SOURCE}:ivy`);
    expect(invited?.jobTitle).toBeNull(); // the attributes were not written
    expect(served(env, "PATCH /users/{id}")).toBe(2);
    // The user is found as this source user's, so the next cycle links it instead of inviting again.
    expect((await env.target.findUsers(anchorOf("ivy"))).map((u) => u.id)).toEqual([invited?.id]);
  });

  it("does not stamp the anchor after a retryable failure; the retried create adopts the invited user", async () => {
    env = await emulatedTenants({ directory: { maxRetries: 1 } });
    env.trust();
    env.emulator.setFaults({ rules: [{ status: 503, method: "PATCH" }] });
    const error = await env.target.createExternalUser(input("jo"), write).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    const invited = env.targetAdmin.snapshot().users.find((u) => u.mail === "jo@contoso.com");
    expect(invited?.extensions[ANCHOR]).toBeUndefined();
    env.emulator.setFaults(null);
    const user = await env.target.createExternalUser(input("jo"), write);
    expect(user.id).toBe(invited?.id);
    expect(user).toMatchObject({ jobTitle: "Engineer", alternativeSecurityId: { tenantId: SOURCE, userId: "jo" } });
    expect(served(env, "POST /invitations")).toBe(1);
  });
});

describe("a core job over Graph", () => {
  it("creates 100 new users with at most 0.2 requests per user, none of them throttled", async () => {
    env = await emulatedTenants();
    env.trust();
    env.sourceAdmin.setPartnerSettings({ tenantId: TARGET, automaticUserConsentSettings: { outboundAllowed: true } });
    for (let i = 0; i < 100; i++) env.sourceAdmin.addUser({ userPrincipalName: `user${i}@contoso.com`, mail: `user${i}@contoso.com`, displayName: `User ${i}`, department: "Sales" });
    const job = createSyncJob({
      source: env.source,
      target: env.target,
      clock: env.clock,
      store: createMemoryStateStore(),
      chunkSize: 100,
      config: { sourceTenantId: SOURCE, targetTenantId: TARGET, scope: { mode: "all" }, options: { concurrency: 100 } },
    });
    env.emulator.resetStats();
    const report = await job.runCycle();
    expect(report.summary.counts.created).toBe(100);
    const stats = env.emulator.stats();
    expect(stats.writes).toBe(200); // an invitation and one PATCH each
    expect(stats.throttled).toBe(0);
    expect(stats.requests).toBeLessThanOrEqual(20);
    expect(served(env, "POST /invitations")).toBe(100);
    expect(served(env, "GET /users/{id}")).toBe(0);
  });
});
