import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ConfigError, ConflictError, InvalidValueError, NotFoundError, PolicyError } from "@tenantsync/core";
import type { DirectoryChange, DirectoryUser } from "@tenantsync/core";
import type { MemoryDirectory, MemoryDirectorySnapshot } from "../src/index.ts";
import { DAY, HOUR, SOURCE, externalInput, fromSource, makeTarget, pages } from "./helpers.ts";

/**
 * What a feed consumer can rebuild: live users, ids in the bin, and the
 * members of tracked groups *as the feed and listGroupMembers show them*: a
 * member in the bin is not listed (as in Graph) until it is restored.
 */
interface Replica {
  users: Map<string, DirectoryUser>;
  bin: Set<string>;
  members: Map<string, Set<string>>;
}

function replicaOf(snapshot: MemoryDirectorySnapshot): Replica {
  return {
    users: new Map(snapshot.users.map((u) => [u.id, u])),
    bin: new Set(snapshot.bin.map((u) => u.id)),
    members: new Map(snapshot.groups.map((g) => [g.id, new Set(g.members.filter((m) => !snapshot.bin.some((b) => b.id === m)))])),
  };
}

function apply(replica: Replica, change: DirectoryChange): void {
  switch (change.type) {
    case "user":
      replica.users.set(change.user.id, change.user);
      replica.bin.delete(change.user.id);
      break;
    case "userRemoved":
      replica.users.delete(change.userId);
      if (change.permanent) replica.bin.delete(change.userId);
      else replica.bin.add(change.userId);
      break;
    case "membership": {
      let set = replica.members.get(change.groupId);
      if (!set) replica.members.set(change.groupId, (set = new Set()));
      if (change.removed) set.delete(change.memberId);
      else set.add(change.memberId);
      break;
    }
    case "groupRemoved":
      replica.members.delete(change.groupId);
      break;
  }
}

/** A comparable form: users sorted by id, bin ids sorted, non-empty member lists of the given groups. */
function normalize(replica: Replica, groupIds: readonly string[]) {
  const members: Record<string, string[]> = {};
  for (const id of groupIds) {
    const set = replica.members.get(id);
    if (set && set.size > 0) members[id] = [...set].sort();
  }
  return {
    users: [...replica.users.values()].sort((a, b) => (a.id < b.id ? -1 : 1)),
    bin: [...replica.bin].sort(),
    members,
  };
}

type Op =
  | { kind: "addUser"; alias: number }
  | { kind: "createExternal"; alias: number }
  | { kind: "update"; who: number; port: boolean; value: number }
  | { kind: "disable" | "enable"; who: number }
  | { kind: "manager"; who: number; manager: number; port: boolean }
  | { kind: "softDelete" | "restore"; who: number; port: boolean }
  | { kind: "hardDelete"; who: number }
  | { kind: "advance"; hours: number }
  | { kind: "addGroup" }
  | { kind: "deleteGroup"; group: number }
  | { kind: "addMember" | "removeMember"; group: number; member: number; nested: boolean }
  | { kind: "checkpoint" };

const index = fc.nat(40);
const weighted = <T,>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ weight, arbitrary });
const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  weighted(2, fc.record({ kind: fc.constant("addUser" as const), alias: fc.nat(12) })),
  weighted(2, fc.record({ kind: fc.constant("createExternal" as const), alias: fc.nat(12) })),
  weighted(3, fc.record({ kind: fc.constant("update" as const), who: index, port: fc.boolean(), value: fc.nat(5) })),
  weighted(2, fc.record({ kind: fc.constantFrom("disable" as const, "enable" as const), who: index })),
  weighted(2, fc.record({ kind: fc.constant("manager" as const), who: index, manager: fc.integer({ min: -1, max: 40 }), port: fc.boolean() })),
  weighted(3, fc.record({ kind: fc.constantFrom("softDelete" as const, "restore" as const), who: index, port: fc.boolean() })),
  weighted(1, fc.record({ kind: fc.constant("hardDelete" as const), who: index })),
  weighted(2, fc.record({ kind: fc.constant("advance" as const), hours: fc.oneof(fc.nat(48), fc.constantFrom(29 * 24, 30 * 24, 31 * 24)) })),
  weighted(1, fc.record({ kind: fc.constant("addGroup" as const) })),
  weighted(1, fc.record({ kind: fc.constant("deleteGroup" as const), group: index })),
  weighted(4, fc.record({ kind: fc.constantFrom("addMember" as const, "removeMember" as const), group: index, member: index, nested: fc.boolean() })),
  weighted(2, fc.constant({ kind: "checkpoint" as const })),
);

/** A small starting tenant, so that early operations have something to act on. */
async function prelude(dir: MemoryDirectory, userIds: string[], groupIds: string[]): Promise<void> {
  for (let i = 0; i < 3; i++) userIds.push(dir.admin.addUser({ userPrincipalName: `member${i}@fabrikam.com`, displayName: `Member ${i}` }).id);
  for (let i = 0; i < 3; i++) userIds.push((await dir.createExternalUser(externalInput(`p${i}`, `partner${i}`), fromSource)).id);
  dir.admin.setManager(userIds[1]!, userIds[0]!);
  groupIds.push(dir.admin.addGroup({ displayName: "Inner", members: [userIds[0]!, userIds[3]!] }).id);
  groupIds.push(dir.admin.addGroup({ displayName: "Outer", members: [userIds[1]!, groupIds[0]!, userIds[4]!] }).id);
}

const EXPECTED = [ConflictError, NotFoundError, ConfigError, PolicyError, InvalidValueError];

async function run(dir: MemoryDirectory, op: Op, userIds: string[], groupIds: string[]): Promise<void> {
  const pick = (list: string[], i: number) => (list.length === 0 ? "none" : list[i % list.length]!);
  const admin = dir.admin;
  switch (op.kind) {
    case "addUser":
      userIds.push(admin.addUser({ userPrincipalName: `user${op.alias}@fabrikam.com`, mail: `user${op.alias}@contoso.com`, displayName: `User ${op.alias}` }).id);
      return;
    case "createExternal":
      userIds.push((await dir.createExternalUser(externalInput(`s${op.alias}`, `user${op.alias}`), fromSource)).id);
      return;
    case "update": {
      const changes = { jobTitle: op.value === 0 ? null : `Title ${op.value}`, mail: op.value === 5 ? `user${op.value}@contoso.com` : undefined };
      if (op.port) await dir.updateUser(pick(userIds, op.who), changes, fromSource);
      else admin.updateUser(pick(userIds, op.who), changes);
      return;
    }
    case "disable":
      admin.disableUser(pick(userIds, op.who));
      return;
    case "enable":
      admin.enableUser(pick(userIds, op.who));
      return;
    case "manager": {
      const manager = op.manager < 0 ? null : pick(userIds, op.manager);
      if (op.port) await dir.setManager(pick(userIds, op.who), manager, fromSource);
      else admin.setManager(pick(userIds, op.who), manager);
      return;
    }
    case "softDelete":
      if (op.port) await dir.softDeleteUser(pick(userIds, op.who), fromSource);
      else admin.deleteUser(pick(userIds, op.who));
      return;
    case "restore":
      if (op.port) await dir.restoreUser(pick(userIds, op.who), fromSource);
      else admin.restoreUser(pick(userIds, op.who));
      return;
    case "hardDelete":
      admin.hardDeleteUser(pick(userIds, op.who));
      return;
    case "advance":
      admin.advanceClock(op.hours * HOUR);
      return;
    case "addGroup":
      groupIds.push(admin.addGroup({ displayName: `Group ${groupIds.length}` }).id);
      return;
    case "deleteGroup":
      admin.deleteGroup(pick(groupIds, op.group));
      return;
    case "addMember":
    case "removeMember": {
      const member = op.nested ? pick(groupIds, op.member) : pick(userIds, op.member);
      if (op.kind === "addMember") admin.addMember(pick(groupIds, op.group), member);
      else admin.removeMember(pick(groupIds, op.group), member);
      return;
    }
    case "checkpoint":
      return;
  }
}

const changesSince = async (dir: MemoryDirectory, cursor: string, groupIds: readonly string[]) =>
  (await pages(dir.readChanges(cursor, { groupIds }))).flatMap((p) => p.changes);

describe("change feed replay (property)", () => {
  it("snapshot at cursor c + changes read from c (or from any older cursor, any number of times) == current state", async () => {
    const runs = Number(process.env.FC_RUNS ?? 150);
    await fc.assert(
      fc.asyncProperty(fc.array(opArbitrary, { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 4 }), async (ops, pageSize) => {
        const { dir } = makeTarget({ pageSize });
        const userIds: string[] = [];
        const groupIds: string[] = [];
        const checkpoints: Array<{ snapshot: MemoryDirectorySnapshot; cursor: string }> = [];
        await prelude(dir, userIds, groupIds);
        const checkpoint = async () => checkpoints.push({ snapshot: dir.admin.snapshot(), cursor: await dir.currentCursor() });
        await checkpoint();
        for (const op of ops) {
          if (op.kind === "checkpoint") await checkpoint();
          try {
            await run(dir, op, userIds, groupIds);
          } catch (error) {
            if (!EXPECTED.some((type) => error instanceof type)) throw error;
          }
        }
        const now = dir.admin.snapshot();
        const expected = normalize(replicaOf(now), groupIds);
        for (let i = 0; i < checkpoints.length; i++) {
          const { snapshot, cursor } = checkpoints[i]!;
          const changes = await changesSince(dir, cursor, groupIds);
          const replica = replicaOf(snapshot);
          for (const change of changes) apply(replica, change);
          expect(normalize(replica, groupIds)).toEqual(expected);
          // Replaying the same changes again changes nothing.
          for (const change of changes) apply(replica, change);
          expect(normalize(replica, groupIds)).toEqual(expected);
          // So does replaying from an older cursor.
          const older = checkpoints[Math.floor(i / 2)]!;
          const again = replicaOf(snapshot);
          for (const change of await changesSince(dir, older.cursor, groupIds)) apply(again, change);
          expect(normalize(again, groupIds)).toEqual(expected);
        }
      }),
      { numRuns: runs },
    );
  });

  it("the bin and permanent removals replay too when time runs past 30 days", async () => {
    // A focused variant: only deletes, restores and clock moves.
    const runs = Number(process.env.FC_RUNS ?? 100);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.record({ del: fc.nat(9) }), fc.record({ restore: fc.nat(9) }), fc.record({ days: fc.integer({ min: 0, max: 31 }) })), { maxLength: 40 }),
        async (steps) => {
          const { dir } = makeTarget({ pageSize: 2 });
          const ids: string[] = [];
          for (let i = 0; i < 10; i++) ids.push((await dir.createExternalUser(externalInput(`s${i}`, `u${i}`), fromSource)).id);
          const snapshot = dir.admin.snapshot();
          const cursor = await dir.currentCursor();
          for (const step of steps) {
            try {
              if ("del" in step) await dir.softDeleteUser(ids[step.del]!, { sourceTenantId: SOURCE });
              else if ("restore" in step) await dir.restoreUser(ids[step.restore]!, fromSource);
              else dir.admin.advanceClock(step.days * DAY);
            } catch (error) {
              if (!(error instanceof NotFoundError)) throw error;
            }
          }
          const replica = replicaOf(snapshot);
          for (const change of await changesSince(dir, cursor, [])) apply(replica, change);
          expect(normalize(replica, [])).toEqual(normalize(replicaOf(dir.admin.snapshot()), []));
        },
      ),
      { numRuns: runs },
    );
  });
});
