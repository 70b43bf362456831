import { describe, expect, it } from "vitest";
import { CapabilityError, ConflictError, NotFoundError, createManualClock } from "@tenantsync/core";
import type { DirectoryChange } from "@tenantsync/core";
import { BIN_RETENTION_MS, createMemoryDirectory } from "../src/index.ts";
import { DAY, HOUR, TARGET, externalInput, fromSource, makeTarget, pages, rejection, thrown } from "./helpers.ts";

const changesOf = async (dir: ReturnType<typeof makeTarget>["dir"], cursor: string): Promise<DirectoryChange[]> =>
  (await pages(dir.readChanges(cursor))).flatMap((p) => p.changes);

describe("soft-delete bin", () => {
  it("keeps 30 days as the retention", () => {
    expect(BIN_RETENTION_MS).toBe(30 * DAY);
  });

  it("sets deletedDateTime, hides the user from getUser and listUsers, and findUsers sees it with includeDeleted", async () => {
    const { dir, clock } = makeTarget();
    const u = await dir.createExternalUser(externalInput("s1", "adele"), fromSource);
    clock.advance(HOUR);
    await dir.softDeleteUser(u.id, fromSource);
    const binned = dir.admin.getUser(u.id)!;
    expect(binned.deletedDateTime).toBe("2026-01-01T01:00:00.000Z");
    expect(await dir.getUser(u.id)).toBeNull();
    expect((await pages(dir.listUsers())).flat()).toEqual([]);
    const alt = { alternativeSecurityId: { tenantId: u.alternativeSecurityId!.tenantId, userId: "s1" } };
    expect(await dir.findUsers(alt)).toEqual([]);
    expect((await dir.findUsers({ ...alt, includeDeleted: true })).map((x) => x.id)).toEqual([u.id]);
    expect((await dir.findUsers({ attribute: "mail", value: "adele@contoso.com", includeDeleted: true })).map((x) => x.id)).toEqual([u.id]);
    expect(dir.admin.snapshot().bin.map((x) => x.id)).toEqual([u.id]);
  });

  it("29 days 23 hours after the soft delete the user is still restorable", async () => {
    const { dir, clock } = makeTarget();
    const u = await dir.createExternalUser(externalInput("s1", "adele"), fromSource);
    await dir.softDeleteUser(u.id, fromSource);
    clock.advance(29 * DAY + 23 * HOUR);
    expect(await dir.getUser(u.id, { includeDeleted: true })).not.toBeNull();
    const restored = await dir.restoreUser(u.id, fromSource);
    expect(restored.deletedDateTime).toBeNull();
    expect((await dir.getUser(u.id))?.userPrincipalName).toBe(u.userPrincipalName);
  });

  it("30 days after the soft delete the user is purged, lazily on the next call, with a permanent removal in the feed", async () => {
    const { dir, clock } = makeTarget();
    const u = await dir.createExternalUser(externalInput("s1", "adele"), fromSource);
    const cursor = await dir.currentCursor();
    await dir.softDeleteUser(u.id, fromSource);
    expect(await changesOf(dir, cursor)).toEqual([{ type: "userRemoved", userId: u.id, permanent: false }]);
    clock.advance(30 * DAY);
    expect(await dir.getUser(u.id, { includeDeleted: true })).toBeNull();
    expect(await rejection(dir.restoreUser(u.id, fromSource))).toBeInstanceOf(NotFoundError);
    expect(await changesOf(dir, cursor)).toEqual([{ type: "userRemoved", userId: u.id, permanent: true }]);
    // Its names are free again.
    expect((await dir.createExternalUser(externalInput("s1", "adele"), fromSource)).id).not.toBe(u.id);
  });

  it("purges in deletion order, only the expired ones, through admin.purgeExpired and advanceClock", () => {
    const { dir, clock } = makeTarget();
    const a = dir.admin.addUser({ userPrincipalName: "a@fabrikam.com", displayName: "A" });
    const b = dir.admin.addUser({ userPrincipalName: "b@fabrikam.com", displayName: "B" });
    const c = dir.admin.addUser({ userPrincipalName: "c@fabrikam.com", displayName: "C" });
    dir.admin.deleteUser(a.id);
    clock.advance(DAY);
    dir.admin.deleteUser(b.id);
    clock.advance(DAY);
    dir.admin.deleteUser(c.id);
    clock.advance(29 * DAY);
    expect(dir.admin.purgeExpired()).toEqual([a.id, b.id]);
    expect(dir.admin.purgeExpired()).toEqual([]);
    expect(dir.admin.snapshot().bin.map((x) => x.id)).toEqual([c.id]);
    dir.admin.advanceClock(DAY);
    expect(dir.admin.snapshot().bin).toEqual([]);
  });

  it("a restore and a second delete restart the 30 days", () => {
    const { dir, clock } = makeTarget();
    const a = dir.admin.addUser({ userPrincipalName: "a@fabrikam.com", displayName: "A" });
    const b = dir.admin.addUser({ userPrincipalName: "b@fabrikam.com", displayName: "B" });
    dir.admin.deleteUser(a.id);
    dir.admin.deleteUser(b.id);
    clock.advance(20 * DAY);
    dir.admin.restoreUser(a.id);
    dir.admin.deleteUser(a.id);
    clock.advance(10 * DAY);
    expect(dir.admin.purgeExpired()).toEqual([b.id]);
    expect(dir.admin.getUser(a.id)?.deletedDateTime).toBe("2026-01-21T00:00:00.000Z");
  });

  it("restore of a user not in the bin is NotFoundError; hard delete works from live and from the bin", async () => {
    const { dir } = makeTarget();
    const a = dir.admin.addUser({ userPrincipalName: "a@fabrikam.com", displayName: "A" });
    expect((thrown(() => dir.admin.restoreUser(a.id)) as Error).message).toContain("not soft-deleted");
    expect(thrown(() => dir.admin.restoreUser("ghost"))).toBeInstanceOf(NotFoundError);
    const b = dir.admin.addUser({ userPrincipalName: "b@fabrikam.com", displayName: "B" });
    dir.admin.deleteUser(b.id);
    const cursor = await dir.currentCursor();
    dir.admin.hardDeleteUser(a.id);
    dir.admin.hardDeleteUser(b.id);
    expect(dir.admin.getUser(a.id)).toBeNull();
    expect(dir.admin.getUser(b.id)).toBeNull();
    expect(await changesOf(dir, cursor)).toEqual([
      { type: "userRemoved", userId: a.id, permanent: true },
      { type: "userRemoved", userId: b.id, permanent: true },
    ]);
    expect(thrown(() => dir.admin.hardDeleteUser(a.id))).toBeInstanceOf(NotFoundError);
  });

  it("a restored user cannot collide: its names stay reserved while it is in the bin", async () => {
    const { dir } = makeTarget();
    const u = await dir.createExternalUser(externalInput("s1", "adele"), fromSource);
    await dir.softDeleteUser(u.id, fromSource);
    const e = await rejection(dir.createExternalUser(externalInput("s1-again", "adele"), fromSource));
    expect(e).toBeInstanceOf(ConflictError);
    expect((await dir.restoreUser(u.id, fromSource)).id).toBe(u.id);
  });

  it("advanceClock needs a clock that can move", () => {
    const dir = createMemoryDirectory({ tenant: { id: TARGET, displayName: "F", verifiedDomains: ["fabrikam.com"] } });
    const e = thrown(() => dir.admin.advanceClock(DAY));
    expect(e).toBeInstanceOf(CapabilityError);
    expect((e as Error).message).toContain("createManualClock");
    const clock = createManualClock();
    const manual = createMemoryDirectory({ tenant: { id: TARGET, displayName: "F", verifiedDomains: ["fabrikam.com"] }, clock });
    manual.admin.advanceClock(DAY);
    expect(clock.now().toISOString()).toBe("2026-01-02T00:00:00.000Z");
  });
});
