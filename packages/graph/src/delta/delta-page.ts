import type { DirectoryChange } from "@tenantsync/core";
import type { AnchorAttribute } from "../users/anchor-attribute.ts";
import { graphUserToDirectoryUser } from "../users/user-mapping.ts";

/**
 * The links of one delta page: more pages (`nextLink`) or the end of the round (`deltaLink`).
 *
 * @example
 * ```ts
 * const { nextLink, deltaLink }: DeltaLinks = readDeltaPage(body).links;
 * ```
 */
export interface DeltaLinks {
  nextLink: string | undefined;
  deltaLink: string | undefined;
}

/**
 * One entry of a delta page: a present object, or one removed (soft `changed` or hard `deleted`).
 *
 * @example
 * ```ts
 * for (const entry of readDeltaPage(body).entries) if (entry.removed === "changed") console.log(`${entry.id} soft-deleted`);
 * ```
 */
export type DeltaEntry = { id: string; removed: null; raw: Record<string, unknown> } | { id: string; removed: "changed" | "deleted"; raw: Record<string, unknown> };

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/**
 * Reads a delta page (`/users/delta` or `/groups/delta`): its entries with
 * their `@removed` reason, and its next or delta link. Entries without an id
 * are skipped (the docs' group sample shows one).
 *
 * @example
 * ```ts
 * const { entries, links } = readDeltaPage(body);
 * if (links.deltaLink) saveForNextTime(links.deltaLink);
 * ```
 */
export function readDeltaPage(body: unknown): { entries: DeltaEntry[]; links: DeltaLinks } {
  const page = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  const entries: DeltaEntry[] = [];
  for (const item of Array.isArray(page["value"]) ? page["value"] : []) {
    if (typeof item !== "object" || item === null) continue;
    const raw = item as Record<string, unknown>;
    const id = str(raw["id"]);
    if (!id) continue;
    const removed = raw["@removed"];
    if (typeof removed === "object" && removed !== null) {
      // "changed" = soft delete (restorable); anything else is treated as permanent.
      entries.push({ id, removed: (removed as Record<string, unknown>)["reason"] === "changed" ? "changed" : "deleted", raw });
    } else entries.push({ id, removed: null, raw });
  }
  return { entries, links: { nextLink: str(page["@odata.nextLink"]), deltaLink: str(page["@odata.deltaLink"]) } };
}

/**
 * The changes of a users delta page. The same user may appear more than once
 * in a page; the last entry wins.
 *
 * @example
 * ```ts
 * usersDeltaChanges(body, { anchor, tenantId }); // [{ type: "user", user }, { type: "userRemoved", userId, permanent: false }]
 * ```
 */
export function usersDeltaChanges(body: unknown, context: { anchor: AnchorAttribute | null; tenantId: string }): DirectoryChange[] {
  const byId = new Map<string, DirectoryChange>();
  for (const entry of readDeltaPage(body).entries) {
    byId.delete(entry.id);
    byId.set(
      entry.id,
      entry.removed === null ? { type: "user", user: graphUserToDirectoryUser(entry.raw, context) } : { type: "userRemoved", userId: entry.id, permanent: entry.removed === "deleted" },
    );
  }
  return [...byId.values()];
}

/** Group membership changes accumulated over the pages of one groups delta round. */
export interface GroupDeltaAccumulator {
  /** group id → (member id → removed). */
  members: Map<string, Map<string, boolean>>;
  removedGroups: Set<string>;
}

/** An empty {@link GroupDeltaAccumulator}. */
export function createGroupDeltaAccumulator(): GroupDeltaAccumulator {
  return { members: new Map(), removedGroups: new Set() };
}

/**
 * Merges one groups delta page into `acc`. A large group's `members@delta`
 * is split across pages with the group repeated; this merges them. Only user
 * members are kept (nested groups and other objects are skipped).
 *
 * @example
 * ```ts
 * const acc = createGroupDeltaAccumulator();
 * for (const body of pages) mergeGroupsDeltaPage(body, acc);
 * const changes = groupDeltaChanges(acc);
 * ```
 */
export function mergeGroupsDeltaPage(body: unknown, acc: GroupDeltaAccumulator): DeltaLinks {
  const { entries, links } = readDeltaPage(body);
  for (const entry of entries) {
    if (entry.removed !== null) {
      acc.removedGroups.add(entry.id);
      continue;
    }
    const delta = entry.raw["members@delta"];
    if (!Array.isArray(delta)) continue;
    let members = acc.members.get(entry.id);
    if (!members) {
      members = new Map();
      acc.members.set(entry.id, members);
    }
    for (const link of delta) {
      if (typeof link !== "object" || link === null) continue;
      const l = link as Record<string, unknown>;
      const id = str(l["id"]);
      const type = str(l["@odata.type"]);
      if (!id || (type !== undefined && type.toLowerCase() !== "#microsoft.graph.user")) continue;
      members.set(id, typeof l["@removed"] === "object" && l["@removed"] !== null);
    }
  }
  return links;
}

/** The changes an accumulated groups delta round stands for, limited to `wanted` groups when given. */
export function groupDeltaChanges(acc: GroupDeltaAccumulator, wanted?: ReadonlySet<string>): DirectoryChange[] {
  const changes: DirectoryChange[] = [];
  for (const [groupId, members] of acc.members) {
    if (acc.removedGroups.has(groupId) || (wanted && !wanted.has(groupId))) continue;
    for (const [memberId, removed] of members) changes.push({ type: "membership", groupId, memberId, removed });
  }
  for (const groupId of acc.removedGroups) if (!wanted || wanted.has(groupId)) changes.push({ type: "groupRemoved", groupId });
  return changes;
}
