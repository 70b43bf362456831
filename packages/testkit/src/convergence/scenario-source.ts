import {
  CapabilityError,
  DEFAULT_DIRECTORY_CAPABILITIES,
  NotFoundError,
  throwIfAborted,
  type CallOptions,
  type DirectoryCapabilities,
  type DirectoryPort,
  type DirectoryUser,
  type GetUserOptions,
  type ListUsersOptions,
  type PartnerSettings,
  type Tenant,
} from "@tenantsync/core";
import { applySourceOperations, type SourceOperation } from "../arbitraries/source-operations.ts";
import type { GeneratedDirectory } from "../arbitraries/directory-state-arbitrary.ts";

/** A source tenant the convergence suite controls: a read-only DirectoryPort over plain data. */
export interface ScenarioSource extends DirectoryPort {
  /** Applies admin changes to the tenant (see applySourceOperations). */
  apply(ops: readonly SourceOperation[], now: string): boolean[];
}

const CAPABILITIES: DirectoryCapabilities = Object.freeze({ ...DEFAULT_DIRECTORY_CAPABILITIES, target: false, changeFeed: false });

/**
 * A source-only directory over a {@link GeneratedDirectory}: it lists live
 * users in pages, reads users (soft-deleted ones with includeDeleted) and
 * group members (direct or transitive), and trusts `targetTenantId` outbound.
 * No change feed, so every cycle against it is a full cycle.
 */
export function createScenarioSource(tenant: Tenant, initial: GeneratedDirectory, targetTenantId: string): ScenarioSource {
  let state: GeneratedDirectory = structuredClone(initial);
  const copy = (u: DirectoryUser): DirectoryUser => structuredClone(u);
  const refuse = (what: string) => Promise.reject(new CapabilityError(what, "scenario source", "the convergence suite's source is read-only"));
  const users = () => new Map(state.users.map((u) => [u.id, u]));
  const membersOf = (groupId: string, transitive: boolean): string[] => {
    const groups = new Map(state.groups.map((g) => [g.id, g]));
    const root = groups.get(groupId);
    if (!root) throw new NotFoundError("group", groupId, { tenantId: tenant.id });
    const byId = users();
    const out: string[] = [];
    const seenGroups = new Set([groupId]);
    const queue = [root];
    for (let i = 0; i < queue.length; i++) {
      for (const m of queue[i]!.members) {
        const u = byId.get(m);
        if (u) {
          if (u.deletedDateTime === null && !out.includes(m)) out.push(m);
        } else if (transitive && !seenGroups.has(m) && groups.has(m)) {
          seenGroups.add(m);
          queue.push(groups.get(m)!);
        }
      }
    }
    return out;
  };
  return {
    name: "scenario-source",
    capabilities: CAPABILITIES,
    apply(ops, now) {
      const result = applySourceOperations(state, ops, { now });
      state = result.directory;
      return result.applied;
    },
    async describe(options?: CallOptions) {
      throwIfAborted(options?.signal);
      return structuredClone(tenant);
    },
    async getPartnerSettings(partnerTenantId: string, options?: CallOptions): Promise<PartnerSettings | null> {
      throwIfAborted(options?.signal);
      if (partnerTenantId.toLowerCase() !== targetTenantId.toLowerCase()) return null;
      return { tenantId: targetTenantId, userSyncInbound: { isSyncAllowed: false }, automaticUserConsentSettings: { inboundAllowed: false, outboundAllowed: true } };
    },
    async *listUsers(options?: ListUsersOptions) {
      const size = options?.pageSize ?? 5;
      const live = state.users.filter((u) => u.deletedDateTime === null);
      for (let i = 0; i < live.length; i += size) {
        throwIfAborted(options?.signal);
        yield live.slice(i, i + size).map(copy);
      }
    },
    async getUser(id: string, options?: GetUserOptions) {
      throwIfAborted(options?.signal);
      const u = users().get(id);
      return u && (u.deletedDateTime === null || options?.includeDeleted) ? copy(u) : null;
    },
    async *listGroupMembers(groupId: string, options?: CallOptions & { transitive?: boolean }) {
      throwIfAborted(options?.signal);
      yield membersOf(groupId, options?.transitive === true);
    },
    currentCursor: () => refuse("changeFeed"),
    readChanges: () => ({
      [Symbol.asyncIterator]: () => ({ next: () => refuse("changeFeed") }),
    }),
    findUsers: () => refuse("target"),
    createExternalUser: () => refuse("target"),
    updateUser: () => refuse("target"),
    setManager: () => refuse("target"),
    softDeleteUser: () => refuse("target"),
    restoreUser: () => refuse("target"),
  };
}
