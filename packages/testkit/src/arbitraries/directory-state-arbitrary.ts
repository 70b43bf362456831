import fc from "fast-check";
import type { DirectoryUser, Group } from "@tenantsync/core";
import { external, guest, internalMember } from "./user-arbitraries.ts";

/**
 * The users and groups of one tenant, as plain data: user ids, UPNs and mails
 * are unique, every `managerId` names another user of the list (no cycles),
 * and group members are users or other groups of the list (no nesting cycles).
 *
 * @example
 * ```ts
 * const [tenant] = fc.sample(arbitraries.directory({ maxUsers: 5 }), 1);
 * tenant.users.length; // 0 to 5
 * ```
 */
export interface GeneratedDirectory {
  users: DirectoryUser[];
  groups: Group[];
}

/**
 * Options of {@link directory}.
 *
 * @example
 * ```ts
 * const options: DirectoryArbitraryOptions = { domain: "fabrikam.com", maxUsers: 20, weights: { external: 0 } };
 * ```
 */
export interface DirectoryArbitraryOptions {
  /** Domain of the users' UPNs and mails. Default `contoso.com`. */
  domain?: string;
  /** Fewest users. Default 0. */
  minUsers?: number;
  /** Most users. Default 12. */
  maxUsers?: number;
  /** Most groups. Default 3. */
  maxGroups?: number;
  /** Home tenant of the external users. Default: random GUIDs. */
  externalHomeTenantId?: fc.Arbitrary<string>;
  /** Relative weights of internal members, internal guests and external users. Default 6 / 1 / 2. */
  weights?: { member?: number; guest?: number; external?: number };
  /** Let groups contain earlier groups (nesting). Default true. */
  nestedGroups?: boolean;
}

const GROUP_NAMES = ["Sales", "Engineering", "All Staff", "Contractors", "Leadership", "EMEA", "Project Falcon"];

/**
 * A whole tenant's worth of users (internal members, guests, external users,
 * with managers) and groups (direct and nested members). User ids are GUIDs;
 * aliases are `user0`, `user1`, … so values stay readable in counterexamples.
 *
 * @example
 * ```ts
 * fc.assert(fc.asyncProperty(arbitraries.directory({ maxUsers: 8 }), async ({ users, groups }) => {
 *   for (const u of users) admin.addUser(u);
 *   for (const g of groups) admin.addGroup(g);
 * }));
 * ```
 */
export function directory(options: DirectoryArbitraryOptions = {}): fc.Arbitrary<GeneratedDirectory> {
  const domain = options.domain ?? "contoso.com";
  const weights = { member: 6, guest: 1, external: 2, ...options.weights };
  const maxGroups = options.maxGroups ?? 3;
  return fc
    .integer({ min: options.minUsers ?? 0, max: Math.max(options.minUsers ?? 0, options.maxUsers ?? 12) })
    .chain((n) => fc.tuple(fc.constant(n), fc.uniqueArray(fc.uuid({ version: 4 }), { minLength: n + maxGroups, maxLength: n + maxGroups })))
    .chain(([n, ids]) => {
      const userIds = ids.slice(0, n);
      const groupIds = ids.slice(n);
      const users = userIds.map((id, i) => {
        const common = { domain, id: fc.constant(id), alias: () => `user${i}` };
        const choices: Array<{ arbitrary: fc.Arbitrary<DirectoryUser>; weight: number }> = [];
        if (weights.member > 0) choices.push({ arbitrary: internalMember(common), weight: weights.member });
        if (weights.guest > 0) choices.push({ arbitrary: guest(common), weight: weights.guest });
        if (weights.external > 0) {
          choices.push({ arbitrary: external({ ...common, ...(options.externalHomeTenantId ? { homeTenantId: options.externalHomeTenantId } : {}) }), weight: weights.external });
        }
        return fc.oneof(...choices);
      });
      // Manager of user i: nobody, or an earlier user (no cycles).
      const managers = userIds.map((_, i) => (i === 0 ? fc.constant(null) : fc.option(fc.nat({ max: i - 1 }), { freq: 2 })));
      const groups = fc.integer({ min: 0, max: maxGroups }).chain((count) =>
        fc.tuple(
          ...groupIds.slice(0, count).map((gid, k) =>
            fc.record({
              id: fc.constant(gid),
              displayName: fc.constantFrom(...GROUP_NAMES).map((name) => `${name} ${k + 1}`),
              users: fc.subarray(userIds),
              nested: options.nestedGroups === false || k === 0 ? fc.constant([]) : fc.subarray(groupIds.slice(0, k), { maxLength: Math.min(2, k) }),
            }),
          ),
        ),
      );
      return fc.record({ users: fc.tuple(...users), managers: fc.tuple(...managers), groups });
    })
    .map(({ users, managers, groups }) => ({
      users: users.map((u, i) => {
        const m = managers[i];
        return m === null || m === undefined ? u : { ...u, managerId: users[m]!.id };
      }),
      groups: groups.map((g) => ({ id: g.id, displayName: g.displayName, members: [...g.users, ...g.nested] })),
    }));
}

/**
 * A group over the given member ids (users or groups): a subset of them.
 *
 * @example
 * ```ts
 * const arb = arbitraries.group({ memberIds: users.map((u) => u.id) });
 * ```
 */
export function group(options: { memberIds?: readonly string[]; id?: fc.Arbitrary<string> } = {}): fc.Arbitrary<Group> {
  return fc.record({
    id: options.id ?? fc.uuid({ version: 4 }),
    displayName: fc.constantFrom(...GROUP_NAMES),
    members: fc.subarray([...(options.memberIds ?? [])]),
  });
}
