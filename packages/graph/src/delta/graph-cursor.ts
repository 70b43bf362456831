import { CursorExpiredError } from "@tenantsync/core";

/** One delta query over at most 50 groups, and where it stands. */
export interface GroupDeltaState {
  /** The group ids the query's `$filter` names. */
  ids: string[];
  /** The link to call next, relative to `/v1.0`: a deltaLink between rounds. */
  link: string;
}

/**
 * What a Graph change-feed cursor holds: the users delta link and one delta
 * link per chunk of assigned groups. Links are stored relative to `/v1.0`, so
 * a cursor can never send a token to another host.
 */
export interface GraphCursorState {
  tenantId: string;
  /** `/users/delta?...` — a nextLink in the middle of a round, else a deltaLink. */
  users: string;
  groups: GroupDeltaState[];
}

const PREFIX = "graph1.";

/**
 * Encodes a cursor state as an opaque string (`graph1.` + base64url JSON).
 *
 * @example
 * ```ts
 * const cursor = encodeGraphCursor({ tenantId, users: "/users/delta?$deltatoken=abc", groups: [] });
 * ```
 */
export function encodeGraphCursor(state: GraphCursorState): string {
  return PREFIX + Buffer.from(JSON.stringify({ t: state.tenantId, u: state.users, g: state.groups.map((g) => [g.ids, g.link]) }), "utf8").toString("base64url");
}

function isRelativeLink(value: unknown, resource: string): value is string {
  return typeof value === "string" && value.startsWith(`/${resource}/delta?`);
}

/**
 * Decodes a cursor made by {@link encodeGraphCursor}. A cursor that is not one,
 * or that belongs to another tenant, throws CursorExpiredError so the engine
 * starts over with a full cycle.
 *
 * @example
 * ```ts
 * decodeGraphCursor(cursor, tenantId).users; // "/users/delta?$deltatoken=abc"
 * ```
 */
export function decodeGraphCursor(cursor: string, tenantId: string): GraphCursorState {
  const fail = (why: string) => new CursorExpiredError(`The change-feed cursor given to the Graph directory of tenant ${tenantId} ${why}; run a full cycle to get a new one.`, { tenantId });
  if (!cursor.startsWith(PREFIX)) throw fail("is not a Graph cursor");
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor.slice(PREFIX.length), "base64url").toString("utf8"));
  } catch {
    throw fail("cannot be read");
  }
  const r = raw as { t?: unknown; u?: unknown; g?: unknown };
  if (typeof r !== "object" || r === null || !isRelativeLink(r.u, "users") || !Array.isArray(r.g)) throw fail("cannot be read");
  if (typeof r.t !== "string" || r.t.toLowerCase() !== tenantId.toLowerCase()) throw fail(`belongs to another tenant (${String(r.t)})`);
  const groups: GroupDeltaState[] = [];
  for (const entry of r.g) {
    if (!Array.isArray(entry) || !Array.isArray(entry[0]) || !entry[0].every((id: unknown) => typeof id === "string") || !isRelativeLink(entry[1], "groups")) throw fail("cannot be read");
    groups.push({ ids: entry[0] as string[], link: entry[1] });
  }
  return { tenantId: r.t, users: r.u, groups };
}
