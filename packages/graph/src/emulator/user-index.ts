import type { FilterNode } from "./odata-filter.ts";

/**
 * An index of the Graph emulator's users by the properties lookups use:
 * `id`, `userPrincipalName`, `mail` and every directory extension
 * (`extension_*`, the anchor included). Keys are the property name and the
 * value, both lower case, read from the user's Graph *view* (what a filter is
 * evaluated against), so a planned lookup's candidates always include every
 * user the filter would match by a full scan. Candidates are then checked
 * with the filter itself: the index only narrows the search, it never decides.
 *
 * @example
 * ```ts
 * const index = createUserIndex();
 * index.set("u1", { id: "u1", mail: "A@contoso.com" });
 * index.plan(parseFilter("mail eq 'a@contoso.com'")); // Set { "u1" }
 * ```
 */
export interface UserIndex {
  /** (Re)indexes one user from its Graph view; null removes it. */
  set(id: string, view: Record<string, unknown> | null): void;
  /** Ids of the users that may match `node` (a superset of the matches), or null when the filter cannot be planned on the index. */
  plan(node: FilterNode): Set<string> | null;
  /** Ids of the users holding `value` in `property` (case-insensitive), or an empty list. */
  lookup(property: string, value: string): readonly string[];
  /** Forgets everything. */
  clear(): void;
  /** Users indexed. */
  readonly size: number;
}

const SEPARATOR = "\u0000";

/** Whether a property (any case) is one the index holds. */
export function isIndexedProperty(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === "id" || lower === "userprincipalname" || lower === "mail" || lower.startsWith("extension_");
}

/**
 * Creates an empty {@link UserIndex}.
 *
 * @example
 * ```ts
 * const index = createUserIndex();
 * ```
 */
export function createUserIndex(): UserIndex {
  const byKey = new Map<string, Set<string>>();
  const keysOf = new Map<string, string[]>();

  const remove = (id: string) => {
    const keys = keysOf.get(id);
    if (!keys) return;
    for (const key of keys) {
      const ids = byKey.get(key);
      if (!ids) continue;
      ids.delete(id);
      if (ids.size === 0) byKey.delete(key);
    }
    keysOf.delete(id);
  };

  const lookup = (property: string, value: string): readonly string[] => {
    const ids = byKey.get(`${property.toLowerCase()}${SEPARATOR}${value.toLowerCase()}`);
    return ids ? [...ids] : [];
  };

  const plan = (node: FilterNode): Set<string> | null => {
    switch (node.kind) {
      case "compare": {
        const [property, ...rest] = node.path;
        if (node.op !== "eq" || rest.length > 0 || property === undefined || !isIndexedProperty(property) || typeof node.value !== "string") return null;
        return new Set(lookup(property, node.value));
      }
      case "in": {
        const [property, ...rest] = node.path;
        if (rest.length > 0 || property === undefined || !isIndexedProperty(property) || !node.values.every((v) => typeof v === "string")) return null;
        const out = new Set<string>();
        for (const value of node.values) for (const id of lookup(property, value as string)) out.add(id);
        return out;
      }
      case "or": {
        const left = plan(node.left);
        if (!left) return null;
        const right = plan(node.right);
        if (!right) return null;
        for (const id of right) left.add(id);
        return left;
      }
      case "and": {
        // Either side's candidates cover the conjunction; take the smaller.
        const left = plan(node.left);
        const right = plan(node.right);
        if (left && right) return left.size <= right.size ? left : right;
        return left ?? right;
      }
      default:
        return null;
    }
  };

  return {
    set(id, view) {
      if (!view) {
        remove(id);
        return;
      }
      const keys: string[] = [];
      for (const property in view) {
        const value = view[property];
        if (typeof value === "string" && isIndexedProperty(property)) keys.push(`${property.toLowerCase()}${SEPARATOR}${value.toLowerCase()}`);
      }
      // Most writes leave the indexed values as they were.
      const previous = keysOf.get(id);
      if (previous && previous.length === keys.length && previous.every((key, i) => key === keys[i])) return;
      remove(id);
      for (const key of keys) {
        let ids = byKey.get(key);
        if (!ids) byKey.set(key, (ids = new Set()));
        ids.add(id);
      }
      keysOf.set(id, keys);
    },
    plan,
    lookup,
    clear() {
      byKey.clear();
      keysOf.clear();
    },
    get size() {
      return keysOf.size;
    },
  };
}
