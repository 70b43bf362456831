import fc from "fast-check";
import type { DirectoryUser, Group, UserAttributes } from "@tenantsync/core";
import type { GeneratedDirectory } from "./directory-state-arbitrary.ts";
import { guest, internalMember, userAttributes } from "./user-arbitraries.ts";

/**
 * One change an administrator makes in a source tenant. Plain data: apply it
 * to your backend however it is changed (an admin API, SQL, a file), or to a
 * {@link GeneratedDirectory} with {@link applySourceOperations}.
 *
 * @example
 * ```ts
 * const op: SourceOperation = { kind: "updateUser", userId: "u1", changes: { accountEnabled: false } };
 * ```
 */
export type SourceOperation =
  | { kind: "addUser"; user: DirectoryUser }
  | { kind: "updateUser"; userId: string; changes: UserAttributes }
  | { kind: "softDeleteUser"; userId: string }
  | { kind: "restoreUser"; userId: string }
  | { kind: "hardDeleteUser"; userId: string }
  | { kind: "setManager"; userId: string; managerId: string | null }
  | { kind: "addMember"; groupId: string; memberId: string }
  | { kind: "removeMember"; groupId: string; memberId: string };

/**
 * Options of {@link operations}.
 *
 * @example
 * ```ts
 * const options: OperationsArbitraryOptions = { directory: tenant, maxLength: 20 };
 * ```
 */
export interface OperationsArbitraryOptions {
  /** The tenant the operations apply to: its user and group ids are the ones operations name. */
  directory: GeneratedDirectory;
  /** Domain of added users. Default `contoso.com`. */
  domain?: string;
  /** Fewest operations. Default 1. */
  minLength?: number;
  /** Most operations. Default 10. */
  maxLength?: number;
}

/**
 * Sequences of source-tenant changes over a given tenant: add, update
 * (including disable, enable and a userType change), soft-delete, restore,
 * hard-delete, set or clear a manager, add or remove a group member.
 * Operations name existing users and groups or users added earlier in the
 * sequence; some name objects in a state where the operation does not apply
 * (restoring a live user), which {@link applySourceOperations} skips, as a
 * real directory would refuse them.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(arbitraries.directory().chain((d) => fc.tuple(fc.constant(d), arbitraries.operations({ directory: d }))), ([d, ops]) => {
 *   const { directory: after } = applySourceOperations(d, ops);
 *   return after.users.length >= 0;
 * }));
 * ```
 */
export function operations(options: OperationsArbitraryOptions): fc.Arbitrary<SourceOperation[]> {
  const domain = options.domain ?? "contoso.com";
  const existing = options.directory.users.map((u) => u.id);
  const groupIds = options.directory.groups.map((g) => g.id);
  const taken = new Set(existing);
  const maxLength = options.maxLength ?? 10;
  const minLength = Math.min(options.minLength ?? 1, maxLength);
  return fc
    .tuple(fc.integer({ min: minLength, max: maxLength }), fc.uniqueArray(fc.uuid({ version: 4 }).filter((id) => !taken.has(id)), { minLength: maxLength, maxLength }))
    .chain(([length, fresh]) => {
      // Ids an operation at position i may name: existing users and users added before i.
      const steps: Array<fc.Arbitrary<SourceOperation>> = [];
      for (let i = 0; i < length; i++) {
        const newId = fresh[i]!;
        const pool = [...existing, ...fresh.slice(0, i)];
        const add = fc.oneof({ arbitrary: internalMember({ domain, id: fc.constant(newId), alias: () => `added${i}` }), weight: 4 }, { arbitrary: guest({ domain, id: fc.constant(newId), alias: () => `added${i}` }), weight: 1 }).map(
          (user): SourceOperation => ({ kind: "addUser", user }),
        );
        const choices: Array<{ arbitrary: fc.Arbitrary<SourceOperation>; weight: number }> = [{ arbitrary: add, weight: 3 }];
        if (pool.length > 0) {
          const someone = fc.constantFrom(...pool);
          choices.push(
            {
              arbitrary: fc
                .record({ userId: someone, changes: userAttributes({ mode: "update", extensions: false }), userType: fc.option(fc.constantFrom<"Member" | "Guest">("Member", "Guest"), { freq: 5 }) })
                .map(({ userId, changes, userType }): SourceOperation => ({ kind: "updateUser", userId, changes: userType === null ? changes : { ...changes, userType } })),
              weight: 5,
            },
            { arbitrary: someone.map((userId): SourceOperation => ({ kind: "softDeleteUser", userId })), weight: 2 },
            { arbitrary: someone.map((userId): SourceOperation => ({ kind: "restoreUser", userId })), weight: 2 },
            { arbitrary: someone.map((userId): SourceOperation => ({ kind: "hardDeleteUser", userId })), weight: 1 },
            { arbitrary: fc.record({ userId: someone, managerId: fc.option(someone, { freq: 4 }) }).map((r): SourceOperation => ({ kind: "setManager", ...r })), weight: 2 },
          );
          if (groupIds.length > 0) {
            const g = fc.constantFrom(...groupIds);
            choices.push(
              { arbitrary: fc.record({ groupId: g, memberId: someone }).map((r): SourceOperation => ({ kind: "addMember", ...r })), weight: 3 },
              { arbitrary: fc.record({ groupId: g, memberId: someone }).map((r): SourceOperation => ({ kind: "removeMember", ...r })), weight: 2 },
            );
          }
        }
        steps.push(fc.oneof(...choices));
      }
      return steps.length === 0 ? fc.constant([]) : fc.tuple(...steps);
    });
}

/**
 * The result of {@link applySourceOperations}.
 *
 * @example
 * ```ts
 * const { directory: after, applied } = applySourceOperations(before, ops);
 * console.log(`${applied.filter(Boolean).length} of ${ops.length} applied`);
 * ```
 */
export interface AppliedOperations {
  /** The tenant after the operations. Soft-deleted users stay in `users` with `deletedDateTime` set. */
  directory: GeneratedDirectory;
  /** For each operation, whether it applied (false: it did not fit the state, like restoring a live user). */
  applied: boolean[];
}

/**
 * Applies operations to a plain tenant, the way a directory would: updates
 * and soft deletes need a live user, restores a soft-deleted one; a manager
 * must be another live user and may not close a loop; a member is added once
 * and only when live. Hard-deleting removes the user from groups and clears
 * manager references to it. Pure: the input is not changed.
 *
 * @example
 * ```ts
 * const { directory: after, applied } = applySourceOperations(before, ops, { now: "2026-01-02T00:00:00.000Z" });
 * ```
 */
export function applySourceOperations(before: GeneratedDirectory, ops: readonly SourceOperation[], options: { now?: string } = {}): AppliedOperations {
  const now = options.now ?? "2026-01-01T00:00:00.000Z";
  const users = new Map<string, DirectoryUser>(before.users.map((u) => [u.id, structuredClone(u)]));
  const groups = new Map<string, Group>(before.groups.map((g) => [g.id, { ...g, members: [...g.members] }]));
  const live = (id: string | null | undefined) => (id ? users.get(id)?.deletedDateTime === null : false);
  const managerLoop = (userId: string, managerId: string) => {
    for (let m: string | null = managerId, hops = 0; m !== null && hops <= users.size; hops++) {
      if (m === userId) return true;
      m = users.get(m)?.managerId ?? null;
    }
    return false;
  };
  const contains = (groupId: string, memberId: string, seen = new Set<string>()): boolean => {
    if (groupId === memberId) return true;
    if (seen.has(groupId)) return false;
    seen.add(groupId);
    return (groups.get(groupId)?.members ?? []).some((m) => groups.has(m) && contains(m, memberId, seen));
  };
  const applied = ops.map((op): boolean => {
    switch (op.kind) {
      case "addUser": {
        if (users.has(op.user.id)) return false;
        const taken = [...users.values()].some((u) => u.userPrincipalName.toLowerCase() === op.user.userPrincipalName.toLowerCase() || (op.user.mail !== null && u.mail?.toLowerCase() === op.user.mail.toLowerCase()));
        if (taken) return false;
        if (op.user.managerId !== null && !live(op.user.managerId)) return false;
        users.set(op.user.id, structuredClone({ ...op.user, deletedDateTime: null }));
        return true;
      }
      case "updateUser": {
        const u = users.get(op.userId);
        if (!u || u.deletedDateTime !== null) return false;
        const next: DirectoryUser = { ...u };
        for (const [key, value] of Object.entries(op.changes)) {
          if (value === undefined || key === "managerId") continue;
          if (key === "userPrincipalName" || key === "displayName") {
            if (value === null) continue;
          }
          if (key === "businessPhones") next.businessPhones = (value as string[] | null) ?? [];
          else if (key === "extensions") {
            const merged: Record<string, string | number | boolean | null> = { ...u.extensions };
            for (const [k, v] of Object.entries(value as Record<string, string | number | boolean | null>)) {
              if (v === null) delete merged[k];
              else merged[k] = v;
            }
            next.extensions = merged;
          } else (next as unknown as Record<string, unknown>)[key] = value;
        }
        users.set(u.id, next);
        return true;
      }
      case "softDeleteUser": {
        const u = users.get(op.userId);
        if (!u || u.deletedDateTime !== null) return false;
        users.set(u.id, { ...u, deletedDateTime: now });
        return true;
      }
      case "restoreUser": {
        const u = users.get(op.userId);
        if (!u || u.deletedDateTime === null) return false;
        users.set(u.id, { ...u, deletedDateTime: null });
        return true;
      }
      case "hardDeleteUser": {
        if (!users.delete(op.userId)) return false;
        for (const [id, u] of users) if (u.managerId === op.userId) users.set(id, { ...u, managerId: null });
        for (const g of groups.values()) g.members = g.members.filter((m) => m !== op.userId);
        return true;
      }
      case "setManager": {
        const u = users.get(op.userId);
        if (!u || u.deletedDateTime !== null) return false;
        if (op.managerId !== null && (op.managerId === op.userId || !live(op.managerId) || managerLoop(op.userId, op.managerId))) return false;
        users.set(u.id, { ...u, managerId: op.managerId });
        return true;
      }
      case "addMember": {
        const g = groups.get(op.groupId);
        if (!g || g.members.includes(op.memberId)) return false;
        if (users.has(op.memberId) ? !live(op.memberId) : !groups.has(op.memberId) || contains(op.memberId, op.groupId)) return false;
        g.members.push(op.memberId);
        return true;
      }
      case "removeMember": {
        const g = groups.get(op.groupId);
        if (!g || !g.members.includes(op.memberId)) return false;
        g.members = g.members.filter((m) => m !== op.memberId);
        return true;
      }
    }
  });
  return { directory: { users: [...users.values()], groups: [...groups.values()] }, applied };
}
