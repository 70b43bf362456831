import { describe, expect, it } from "vitest";
import { CursorExpiredError } from "@tenantsync/core";
import type { ChangeFeedOptions, DirectoryChange } from "@tenantsync/core";
import { createMemoryDirectory, type MemoryDirectory } from "../src/index.ts";
import { DAY, SOURCE, TARGET, externalInput, fromSource, makeTarget, pages } from "./helpers.ts";

const read = async (dir: MemoryDirectory, cursor: string, options?: ChangeFeedOptions): Promise<DirectoryChange[]> =>
  (await pages(dir.readChanges(cursor, options))).flatMap((p) => p.changes);

describe("change feed", () => {
  it("reports every kind of user change as the user's current state", async () => {
    const { dir } = makeTarget();
    const boss = dir.admin.addUser({ userPrincipalName: "boss@fabrikam.com", displayName: "Boss" });
    const checkpoints: string[] = [];
    const u = await dir.createExternalUser(externalInput("s1", "adele"), fromSource);
    for (const step of [
      () => dir.updateUser(u.id, { jobTitle: "Engineer" }, fromSource),
      () => dir.updateUser(u.id, { accountEnabled: false }, fromSource),
      () => dir.updateUser(u.id, { accountEnabled: true }, fromSource),
      () => dir.setManager(u.id, boss.id, fromSource),
    ]) {
      checkpoints.push(await dir.currentCursor());
      await step();
    }
    for (const cursor of checkpoints) {
      const changes = await read(dir, cursor);
      expect(changes).toHaveLength(1);
      expect(changes[0]).toEqual({ type: "user", user: dir.admin.getUser(u.id) });
    }
    expect((await read(dir, checkpoints[0]!))[0]).toMatchObject({ type: "user", user: { jobTitle: "Engineer", accountEnabled: true, managerId: boss.id } });
  });

  it("reports a soft delete as userRemoved permanent:false and a restore as user", async () => {
    const { dir } = makeTarget();
    const u = await dir.createExternalUser(externalInput("s1", "adele"), fromSource);
    const before = await dir.currentCursor();
    await dir.softDeleteUser(u.id, fromSource);
    const afterDelete = await dir.currentCursor();
    expect(await read(dir, before)).toEqual([{ type: "userRemoved", userId: u.id, permanent: false }]);
    await dir.restoreUser(u.id, fromSource);
    expect(await read(dir, afterDelete)).toEqual([{ type: "user", user: dir.admin.getUser(u.id) }]);
    expect(await read(dir, before)).toEqual([{ type: "user", user: dir.admin.getUser(u.id) }]);
  });

  it("de-duplicates an object touched many times within a page", async () => {
    const { dir } = makeTarget();
    const cursor = await dir.currentCursor();
    const u = await dir.createExternalUser(externalInput("s1", "adele"), fromSource);
    for (let i = 0; i < 5; i++) await dir.updateUser(u.id, { jobTitle: `v${i}` }, fromSource);
    const changes = await read(dir, cursor);
    expect(changes).toEqual([{ type: "user", user: expect.objectContaining({ id: u.id, jobTitle: "v4" }) }]);
  });

  it("does not log a write that changes nothing", async () => {
    const { dir } = makeTarget();
    const u = await dir.createExternalUser(externalInput("s1", "adele", { jobTitle: "Dev" }), fromSource);
    const cursor = await dir.currentCursor();
    await dir.updateUser(u.id, { jobTitle: "Dev", displayName: "adele" }, fromSource);
    await dir.setManager(u.id, null, fromSource);
    expect(await read(dir, cursor)).toEqual([]);
    expect(await dir.currentCursor()).toBe(cursor);
  });

  it("pages by the page size, each page with a cursor that resumes after it", async () => {
    const { dir } = makeTarget({ pageSize: 2 });
    const start = await dir.currentCursor();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(dir.admin.addUser({ userPrincipalName: `u${i}@fabrikam.com`, displayName: `U${i}` }).id);
    const got = await pages(dir.readChanges(start));
    expect(got.map((p) => p.changes.length)).toEqual([2, 2, 1]);
    expect(got.flatMap((p) => p.changes).map((c) => (c.type === "user" ? c.user.id : null))).toEqual(ids);
    expect(await read(dir, got[0]!.cursor)).toHaveLength(3);
    expect(got[2]!.cursor).toBe(await dir.currentCursor());
  });

  it("always yields one page, even with nothing new, carrying the cursor", async () => {
    const { dir } = makeTarget();
    const cursor = await dir.currentCursor();
    const got = await pages(dir.readChanges(cursor));
    expect(got).toEqual([{ changes: [], cursor }]);
  });

  it("reports membership changes only for the groups asked for, with the membership's current state", async () => {
    const { dir } = makeTarget();
    const a = dir.admin.addUser({ userPrincipalName: "a@fabrikam.com", displayName: "A" }).id;
    const b = dir.admin.addUser({ userPrincipalName: "b@fabrikam.com", displayName: "B" }).id;
    const tracked = dir.admin.addGroup({ displayName: "Tracked" }).id;
    const other = dir.admin.addGroup({ displayName: "Other" }).id;
    const cursor = await dir.currentCursor();
    dir.admin.addMember(tracked, a);
    dir.admin.addMember(tracked, b);
    dir.admin.addMember(other, a);
    dir.admin.removeMember(tracked, b);
    expect(await read(dir, cursor)).toEqual([]);
    expect(await read(dir, cursor, { groupIds: [tracked] })).toEqual([
      { type: "membership", groupId: tracked, memberId: a, removed: false },
      { type: "membership", groupId: tracked, memberId: b, removed: true },
    ]);
  });

  it("drops a soft-deleted member from its groups' feed and listing, and brings it back on restore (as Graph's members@delta does)", async () => {
    const { dir } = makeTarget();
    const a = dir.admin.addUser({ userPrincipalName: "a@fabrikam.com", displayName: "A" }).id;
    const group = dir.admin.addGroup({ displayName: "Tracked", members: [a] }).id;
    const listed = async () => (await pages(dir.listGroupMembers(group))).flat();
    const start = await dir.currentCursor({ groupIds: [group] });
    dir.admin.deleteUser(a);
    const afterDelete = await dir.currentCursor({ groupIds: [group] });
    expect(await read(dir, start, { groupIds: [group] })).toContainEqual({ type: "membership", groupId: group, memberId: a, removed: true });
    expect(await listed()).toEqual([]);
    dir.admin.restoreUser(a);
    expect(await read(dir, afterDelete, { groupIds: [group] })).toContainEqual({ type: "membership", groupId: group, memberId: a, removed: false });
    expect(await listed()).toEqual([a]);
  });

  it("reports a deleted tracked group as groupRemoved, and a purged member as a removed membership", async () => {
    const { dir, clock } = makeTarget();
    const a = dir.admin.addUser({ userPrincipalName: "a@fabrikam.com", displayName: "A" }).id;
    const parent = dir.admin.addGroup({ displayName: "Parent" }).id;
    const child = dir.admin.addGroup({ displayName: "Child", members: [a] }).id;
    dir.admin.addMember(parent, child);
    dir.admin.addMember(parent, a);
    const cursor = await dir.currentCursor();
    dir.admin.deleteGroup(child);
    dir.admin.deleteUser(a);
    clock.advance(30 * DAY);
    const changes = await read(dir, cursor, { groupIds: [parent, child] });
    expect(changes).toEqual([
      { type: "membership", groupId: parent, memberId: child, removed: true },
      { type: "groupRemoved", groupId: child },
      { type: "userRemoved", userId: a, permanent: true },
      { type: "membership", groupId: parent, memberId: a, removed: true },
    ]);
  });

  it("replays from any older cursor, idempotently", async () => {
    const { dir } = makeTarget();
    const cursors = [await dir.currentCursor()];
    const u = await dir.createExternalUser(externalInput("s1", "adele"), fromSource);
    cursors.push(await dir.currentCursor());
    await dir.updateUser(u.id, { jobTitle: "x" }, fromSource);
    cursors.push(await dir.currentCursor());
    for (const c of cursors) {
      const first = await read(dir, c);
      expect(await read(dir, c)).toEqual(first);
    }
    expect(await read(dir, cursors[0]!)).toEqual(await read(dir, cursors[1]!));
  });

  it("changes made while a read is under way belong to the next read", async () => {
    const { dir } = makeTarget({ pageSize: 1 });
    const start = await dir.currentCursor();
    dir.admin.addUser({ userPrincipalName: "a@fabrikam.com", displayName: "A" });
    dir.admin.addUser({ userPrincipalName: "b@fabrikam.com", displayName: "B" });
    const seen: string[] = [];
    let last = start;
    for await (const page of dir.readChanges(start)) {
      for (const c of page.changes) if (c.type === "user") seen.push(c.user.userPrincipalName);
      if (seen.length === 1) dir.admin.addUser({ userPrincipalName: "late@fabrikam.com", displayName: "Late" });
      last = page.cursor;
    }
    expect(seen).toEqual(["a@fabrikam.com", "b@fabrikam.com"]);
    expect((await read(dir, last)).map((c) => (c.type === "user" ? c.user.userPrincipalName : c.type))).toEqual(["late@fabrikam.com"]);
  });

  it("refuses garbled, foreign and impossible cursors with CursorExpiredError", async () => {
    const { dir } = makeTarget();
    const other = createMemoryDirectory({ tenant: { id: SOURCE, displayName: "Contoso", verifiedDomains: ["contoso.com"] } });
    other.admin.addUser({ userPrincipalName: "a@contoso.com", displayName: "A" });
    const foreign = await other.currentCursor();
    const twin = createMemoryDirectory({ tenant: { id: TARGET, displayName: "Twin", verifiedDomains: ["fabrikam.com"] } });
    twin.admin.addUser({ userPrincipalName: "a@fabrikam.com", displayName: "A" });
    const fromTwin = await twin.currentCursor();
    const cases: Array<[string, string]> = [
      ["", "garbled"],
      ["not a cursor!", "garbled"],
      [Buffer.from("hello").toString("base64url"), "garbled"],
      [foreign, "belongs to tenant"],
      [fromTwin, "past the end"],
    ];
    for (const [cursor, why] of cases) {
      const e = await pages(dir.readChanges(cursor)).then(
        () => null,
        (error: unknown) => error,
      );
      expect(e).toBeInstanceOf(CursorExpiredError);
      expect((e as Error).message).toContain(why);
      expect((e as CursorExpiredError).tenantId).toBe(TARGET);
    }
  });
});
