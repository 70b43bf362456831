import { CursorExpiredError, NotFoundError, type ChangePage, type DirectoryChange, type DirectoryUser } from "@tenantsync/core";
import { afterEach, describe, expect, it } from "vitest";
import { emulatedTenants, SOURCE, type EmulatedTenants } from "./helpers/emulated-tenants.ts";

let env: EmulatedTenants | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

async function readAll(pages: AsyncIterable<ChangePage>): Promise<{ changes: DirectoryChange[]; cursor: string; pages: number }> {
  const all = await collect(pages);
  return { changes: all.flatMap((p) => p.changes), cursor: all[all.length - 1]?.cursor ?? "", pages: all.length };
}

function addPeople(admin: EmulatedTenants["sourceAdmin"], count: number, prefix = "user"): DirectoryUser[] {
  return Array.from({ length: count }, (_, i) => admin.addUser({ userPrincipalName: `${prefix}${i}@contoso.com`, displayName: `${prefix} ${i}`, mail: `${prefix}${i}@contoso.com`, department: i % 2 ? "Sales" : "R&D" }));
}

describe("source role: reads", () => {
  it("lists every user across pages with Graph properties, manager and origin", async () => {
    env = await emulatedTenants();
    const boss = env.sourceAdmin.addUser({ userPrincipalName: "boss@contoso.com", displayName: "Boss", jobTitle: "CEO", businessPhones: ["+1 425 555 0100"] });
    addPeople(env.sourceAdmin, 249);
    const report = env.sourceAdmin.addUser({ userPrincipalName: "report@contoso.com", displayName: "Report", managerId: boss.id });
    env.sourceAdmin.addUser({ userPrincipalName: "guest_fabrikam.com#EXT#@contoso.com", displayName: "Guest", origin: "external", userType: "Guest" });
    // $top=999, but Graph caps pages of $expand-ed directory objects at 100: the adapter follows the nextLinks.
    const pages = await collect(env.source.listUsers());
    expect(pages.map((p) => p.length)).toEqual([100, 100, 52]);
    const users = pages.flat();
    expect(new Set(users.map((u) => u.id)).size).toBe(252);
    expect(users.find((u) => u.id === report.id)?.managerId).toBe(boss.id);
    expect(users.find((u) => u.id === boss.id)).toMatchObject({ jobTitle: "CEO", businessPhones: ["+1 425 555 0100"], origin: "internal", userType: "Member", accountEnabled: true });
    expect(users.find((u) => u.displayName === "Guest")).toMatchObject({ origin: "external", userType: "Guest" });
    // One request per page, each with $select and $expand=manager.
    expect(env.emulator.stats().byRoute["GET /users"]).toBe(3);
  });

  it("gets a user by id, returns null for a missing one, and finds a soft-deleted one only when asked", async () => {
    env = await emulatedTenants();
    const [alice] = addPeople(env.sourceAdmin, 1);
    if (!alice) throw new Error("setup");
    expect(await env.source.getUser(alice.id)).toMatchObject({ id: alice.id, department: "R&D", deletedDateTime: null });
    expect(await env.source.getUser("00000000-0000-4000-8000-000000000000")).toBeNull();
    env.sourceAdmin.deleteUser(alice.id);
    expect(await env.source.getUser(alice.id)).toBeNull();
    const deleted = await env.source.getUser(alice.id, { includeDeleted: true });
    expect(deleted?.id).toBe(alice.id);
    expect(deleted?.deletedDateTime).toBe(env.clock.now().toISOString());
  });

  it("lists direct and transitive group members (users only) and fails with NotFoundError for a missing group", async () => {
    env = await emulatedTenants();
    const people = addPeople(env.sourceAdmin, 6);
    const ids = people.map((p) => p.id);
    const inner = env.sourceAdmin.addGroup({ displayName: "Inner", members: ids.slice(3) });
    const outer = env.sourceAdmin.addGroup({ displayName: "Outer", members: [...ids.slice(0, 3), inner.id] });
    const direct = (await collect(env.source.listGroupMembers(outer.id))).flat();
    expect(direct.sort()).toEqual(ids.slice(0, 3).sort());
    const transitive = (await collect(env.source.listGroupMembers(outer.id, { transitive: true }))).flat();
    expect(transitive.sort()).toEqual([...ids].sort());
    await expect(collect(env.source.listGroupMembers("99999999-9999-4999-8999-999999999999"))).rejects.toBeInstanceOf(NotFoundError);
  });

  it("describes the tenant from /organization with the default domain first", async () => {
    env = await emulatedTenants();
    expect(await env.target.describe()).toEqual({ id: "22222222-2222-4222-8222-222222222222", displayName: "Fabrikam", cloud: "commercial", verifiedDomains: ["fabrikam.onmicrosoft.com", "fabrikam.com"] });
  });
});

describe("source role: delta", () => {
  it("reads creates, updates, soft deletes (@removed changed), restores and hard deletes (@removed deleted)", async () => {
    env = await emulatedTenants();
    const [a, b, c] = addPeople(env.sourceAdmin, 3);
    if (!a || !b || !c) throw new Error("setup");
    const start = await env.source.currentCursor();
    expect((await readAll(env.source.readChanges(start))).changes).toEqual([]);

    env.sourceAdmin.updateUser(a.id, { jobTitle: "Engineer" });
    env.sourceAdmin.deleteUser(b.id);
    env.sourceAdmin.deleteUser(c.id);
    env.sourceAdmin.hardDeleteUser(c.id);
    const d = env.sourceAdmin.addUser({ userPrincipalName: "new@contoso.com", displayName: "New", managerId: a.id });
    const first = await readAll(env.source.readChanges(start));
    expect(first.changes).toHaveLength(4);
    expect(first.changes).toContainEqual({ type: "userRemoved", userId: b.id, permanent: false });
    expect(first.changes).toContainEqual({ type: "userRemoved", userId: c.id, permanent: true });
    const updated = first.changes.find((ch) => ch.type === "user" && ch.user.id === a.id);
    expect(updated?.type === "user" && updated.user.jobTitle).toBe("Engineer");
    const created = first.changes.find((ch) => ch.type === "user" && ch.user.id === d.id);
    expect(created?.type === "user" && created.user.managerId).toBe(a.id);

    // The new cursor starts after those changes; a restore shows up as the user again.
    env.sourceAdmin.restoreUser(b.id);
    const second = await readAll(env.source.readChanges(first.cursor));
    expect(second.changes.map((ch) => (ch.type === "user" ? ch.user.id : ch.type))).toEqual([b.id]);
    expect((await readAll(env.source.readChanges(second.cursor))).changes).toEqual([]);
  });

  it("pages a large round; every page's cursor resumes exactly after it", async () => {
    env = await emulatedTenants({ emulator: { pageSize: 10 } });
    const start = await env.source.currentCursor();
    const people = addPeople(env.sourceAdmin, 35);
    const pages = await collect(env.source.readChanges(start));
    expect(pages.length).toBe(4);
    expect(pages.flatMap((p) => p.changes)).toHaveLength(35);
    // Resume from the second page's cursor: the rest of the round, nothing twice.
    const rest = await readAll(env.source.readChanges(pages[1]?.cursor ?? ""));
    const restIds = rest.changes.map((ch) => (ch.type === "user" ? ch.user.id : ""));
    const expected = pages.slice(2).flatMap((p) => p.changes.map((ch) => (ch.type === "user" ? ch.user.id : "")));
    expect(restIds).toEqual(expected);
    expect(new Set([...pages.slice(0, 2).flatMap((p) => p.changes.map((ch) => (ch.type === "user" ? ch.user.id : ""))), ...restIds])).toEqual(new Set(people.map((p) => p.id)));
  });

  it("answers 410 Gone and syncStateNotFound with CursorExpiredError (the engine then resyncs)", async () => {
    env = await emulatedTenants();
    addPeople(env.sourceAdmin, 2);
    const cursor = await env.source.currentCursor();
    env.emulator.expireDeltaTokens();
    const gone = await readAll(env.source.readChanges(cursor)).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(CursorExpiredError);
    expect((gone as CursorExpiredError).status).toBe(410);
    // A fresh cursor works again; then the token ages past 7 days.
    const fresh = await env.source.currentCursor();
    env.clock.advance(8 * 24 * 3600_000);
    const aged = await readAll(env.source.readChanges(fresh)).catch((e: unknown) => e);
    expect(aged).toBeInstanceOf(CursorExpiredError);
    expect((aged as CursorExpiredError).message).toMatch(/syncStateNotFound/);
    await expect(readAll(env.source.readChanges("garbage"))).rejects.toBeInstanceOf(CursorExpiredError);
  });

  it("follows assigned groups' membership through /groups/delta filtered by id, merging a large group's pages", async () => {
    env = await emulatedTenants({ emulator: { membersPerPage: 3, pageSize: 1 } });
    const people = addPeople(env.sourceAdmin, 12);
    const ids = people.map((p) => p.id);
    const sales = env.sourceAdmin.addGroup({ displayName: "Sales", members: ids.slice(0, 2) });
    const other = env.sourceAdmin.addGroup({ displayName: "Not assigned", members: [] });
    const cursor = await env.source.currentCursor({ groupIds: [sales.id] });
    const before = env.emulator.stats().byRoute["GET /groups/delta"] ?? 0;
    for (const id of ids.slice(2)) env.sourceAdmin.addMember(sales.id, id);
    env.sourceAdmin.removeMember(sales.id, ids[0] as string);
    env.sourceAdmin.addMember(other.id, ids[1] as string);
    const round = await readAll(env.source.readChanges(cursor, { groupIds: [sales.id] }));
    const memberships = round.changes.filter((c) => c.type === "membership");
    // 10 added + 1 removed, split across several Graph pages (3 links per page), merged into one page for the caller.
    expect(memberships).toHaveLength(11);
    expect(memberships.filter((m) => m.type === "membership" && m.removed).map((m) => m.type === "membership" && m.memberId)).toEqual([ids[0]]);
    expect(memberships.every((m) => m.type === "membership" && m.groupId === sales.id)).toBe(true);
    // 11 links, 3 per group entry, one entry per page: the group came back on 4 Graph pages.
    expect((env.emulator.stats().byRoute["GET /groups/delta"] ?? 0) - before).toBe(4);
    expect((await readAll(env.source.readChanges(round.cursor, { groupIds: [sales.id] }))).changes).toEqual([]);
  });

  it("starts newly assigned groups with their current members, in chunks of at most 50 ids per query", async () => {
    env = await emulatedTenants();
    const [alice] = addPeople(env.sourceAdmin, 1);
    const groups = Array.from({ length: 60 }, (_, i) => env!.sourceAdmin.addGroup({ displayName: `G${i}`, members: i === 59 ? [alice!.id] : [] }));
    const cursor = await env.source.currentCursor();
    const round = await readAll(env.source.readChanges(cursor, { groupIds: groups.map((g) => g.id) }));
    expect(round.changes).toEqual([{ type: "membership", groupId: groups[59]?.id, memberId: alice?.id, removed: false }]);
    expect(env.emulator.stats().byRoute["GET /groups/delta"]).toBe(2);
    // The ids travel in the cursor: without groupIds, the same groups are followed.
    env.sourceAdmin.removeMember(groups[59]?.id as string, alice?.id as string);
    const next = await readAll(env.source.readChanges(round.cursor));
    expect(next.changes).toEqual([{ type: "membership", groupId: groups[59]?.id, memberId: alice?.id, removed: true }]);
  });

  it("refuses a cursor of another tenant", async () => {
    env = await emulatedTenants();
    const cursor = await env.source.currentCursor();
    await expect(readAll(env.target.readChanges(cursor))).rejects.toThrow(/another tenant/);
    expect(SOURCE).not.toBe(env.target.tenantId);
  });
});
