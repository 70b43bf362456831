import { expect } from "vitest";
import type { ChangeFeedOptions, DirectoryChange, DirectoryPort } from "@tenantsync/core";
import { collect, expectRejects } from "../../internal/expect-error.ts";
import type { DirectoryFixture } from "../directory-fixture.ts";
import { expectSameUser, needs, stored, type DirectoryCase } from "./case-helpers.ts";

/** Reads the feed from `cursor` to its end: every change, and the cursor that resumes after them. */
async function readFeed(fx: DirectoryFixture<DirectoryPort>, cursor: string, options?: ChangeFeedOptions): Promise<{ changes: DirectoryChange[]; cursor: string }> {
  const pages = await collect(fx.directory.readChanges(cursor, options));
  for (const page of pages) {
    expect(Array.isArray(page.changes), "every page has a changes array").toBe(true);
    expect(typeof page.cursor === "string" && page.cursor.length > 0, "every page has a non-empty cursor").toBe(true);
  }
  return { changes: pages.flatMap((p) => p.changes), cursor: pages.at(-1)?.cursor ?? cursor };
}

/** The last change the feed reports about a user (feeds may repeat; the last one is the current state). */
function lastAbout(changes: readonly DirectoryChange[], userId: string): DirectoryChange | undefined {
  return changes.filter((c) => (c.type === "user" && c.user.id === userId) || (c.type === "userRemoved" && c.userId === userId)).at(-1);
}

const feed = needs(["source", "changeFeed"]);

/** currentCursor and readChanges. */
export const changeFeedCases: DirectoryCase[] = [
  {
    key: "changes.fromNow",
    title: "currentCursor points at the end of the feed: changes made before it are not reported after it",
    requires: feed,
    async run(fx) {
      const before = await fx.seedMember();
      const cursor = await fx.directory.currentCursor();
      expect(typeof cursor === "string" && cursor.length > 0, "currentCursor returns a non-empty string").toBe(true);
      const { changes } = await readFeed(fx, cursor);
      expect(lastAbout(changes, before.id), `a change made before currentCursor() was reported: ${JSON.stringify(lastAbout(changes, before.id))}`).toBeUndefined();
    },
  },
  {
    key: "changes.userCreated",
    title: "a user created after the cursor arrives as a user change with its current state",
    requires: feed,
    async run(fx) {
      const cursor = await fx.directory.currentCursor();
      const user = await fx.seedMember();
      const change = lastAbout((await readFeed(fx, cursor)).changes, user.id);
      expect(change?.type, `no change reported for new user ${user.id}`).toBe("user");
      expectSameUser(fx, change!.type === "user" ? change!.user : null, await stored(fx, user.id), `the change of user ${user.id}`);
    },
  },
  {
    key: "changes.userUpdated",
    title: "an updated user arrives as a user change with the new values",
    requires: needs(["source", "changeFeed"], ["updateUser"]),
    async run(fx) {
      const user = await fx.seedMember();
      const cursor = await fx.directory.currentCursor();
      await fx.probe.updateUser!(user.id, { jobTitle: "Changed Title", accountEnabled: false });
      const change = lastAbout((await readFeed(fx, cursor)).changes, user.id);
      expect(change?.type, `no change reported for updated user ${user.id}`).toBe("user");
      if (change?.type !== "user") return;
      expect(change.user.jobTitle).toBe("Changed Title");
      expect(change.user.accountEnabled).toBe(false);
      expectSameUser(fx, change.user, await stored(fx, user.id), `the change of user ${user.id}`);
    },
  },
  {
    key: "changes.userSoftDeleted",
    title: "a soft-deleted user arrives as userRemoved with permanent: false",
    requires: needs(["source", "changeFeed"], ["softDeleteUser"]),
    async run(fx) {
      const user = await fx.seedMember();
      const cursor = await fx.directory.currentCursor();
      await fx.probe.softDeleteUser!(user.id);
      expect(lastAbout((await readFeed(fx, cursor)).changes, user.id)).toEqual({ type: "userRemoved", userId: user.id, permanent: false });
    },
  },
  {
    key: "changes.userRestored",
    title: "a restored user arrives as a user change, live again",
    requires: needs(["source", "changeFeed"], ["softDeleteUser", "restoreUser"]),
    async run(fx) {
      const user = await fx.seedMember();
      await fx.probe.softDeleteUser!(user.id);
      const cursor = await fx.directory.currentCursor();
      await fx.probe.restoreUser!(user.id);
      const change = lastAbout((await readFeed(fx, cursor)).changes, user.id);
      expect(change?.type, `no user change reported for restored user ${user.id}`).toBe("user");
      if (change?.type === "user") expect(change.user.deletedDateTime).toBeNull();
    },
  },
  {
    key: "changes.userHardDeleted",
    title: "a permanently deleted user arrives as userRemoved with permanent: true",
    requires: needs(["source", "changeFeed"], ["hardDeleteUser"]),
    async run(fx) {
      const user = await fx.seedMember();
      const cursor = await fx.directory.currentCursor();
      await fx.probe.hardDeleteUser!(user.id);
      expect(lastAbout((await readFeed(fx, cursor)).changes, user.id)).toEqual({ type: "userRemoved", userId: user.id, permanent: true });
    },
  },
  {
    key: "changes.membership",
    title: "members added to and removed from a tracked group arrive as membership changes",
    requires: needs(["source", "changeFeed"], ["addGroup", "addMember", "removeMember"]),
    async run(fx) {
      const [stays, joins, leaves] = [await fx.seedMember(), await fx.seedMember(), await fx.seedMember()];
      const group = await fx.probe.addGroup!({ displayName: "Kit Tracked", members: [stays.id, leaves.id] });
      const cursor = await fx.directory.currentCursor({ groupIds: [group.id] });
      await fx.probe.addMember!(group.id, joins.id);
      await fx.probe.removeMember!(group.id, leaves.id);
      const { changes } = await readFeed(fx, cursor, { groupIds: [group.id] });
      const about = (memberId: string) => changes.filter((c) => c.type === "membership" && c.groupId === group.id && c.memberId === memberId).at(-1);
      expect(about(joins.id), `no membership change for the member added: ${JSON.stringify(changes)}`).toEqual({ type: "membership", groupId: group.id, memberId: joins.id, removed: false });
      expect(about(leaves.id), `no membership change for the member removed: ${JSON.stringify(changes)}`).toEqual({ type: "membership", groupId: group.id, memberId: leaves.id, removed: true });
      expect(about(stays.id), "a member that did not change was reported").toBeUndefined();
    },
  },
  {
    key: "changes.resume",
    title: "the cursor of the last page resumes after it: nothing read is reported again, later changes are",
    requires: feed,
    async run(fx) {
      const start = await fx.directory.currentCursor();
      const first = await fx.seedMember();
      const firstRead = await readFeed(fx, start);
      expect(lastAbout(firstRead.changes, first.id)?.type).toBe("user");
      const quiet = await readFeed(fx, firstRead.cursor);
      expect(lastAbout(quiet.changes, first.id), "a change was reported again after its cursor").toBeUndefined();
      const second = await fx.seedMember();
      const secondRead = await readFeed(fx, quiet.cursor);
      expect(lastAbout(secondRead.changes, second.id)?.type, "a change made after the cursor was not reported").toBe("user");
      expect(lastAbout(secondRead.changes, first.id)).toBeUndefined();
    },
  },
  {
    key: "changes.replay",
    title: "an old cursor can be read again: the same users are reported, in their current state",
    requires: feed,
    async run(fx) {
      const start = await fx.directory.currentCursor();
      const user = await fx.seedMember();
      const once = await readFeed(fx, start);
      const twice = await readFeed(fx, start);
      expect(lastAbout(once.changes, user.id)?.type).toBe("user");
      const replayed = lastAbout(twice.changes, user.id);
      expect(replayed?.type, "reading an old cursor again lost a change").toBe("user");
      expectSameUser(fx, replayed!.type === "user" ? replayed!.user : null, await stored(fx, user.id), `the replayed change of user ${user.id}`);
    },
  },
  {
    key: "changes.garbledCursor",
    title: "readChanges rejects a cursor it did not issue with CursorExpiredError (the engine then runs a full cycle)",
    requires: feed,
    async run(fx) {
      await expectRejects(() => collect(fx.directory.readChanges("not-a-cursor-this-directory-issued")), "CursorExpiredError", "readChanges(garbled cursor)");
    },
  },
];
