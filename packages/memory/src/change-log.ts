import { CursorExpiredError } from "@tenantsync/core";

/**
 * What a log entry touched: a user (created, updated, disabled, enabled,
 * manager changed, soft-deleted, restored, purged), one (group, member) pair
 * (the member was added or removed), or a group (deleted).
 */
export const EntryKind = { User: 0, Membership: 1, Group: 2 } as const;
/** @see {@link EntryKind} */
export type EntryKind = (typeof EntryKind)[keyof typeof EntryKind];

/**
 * The append-only change log behind the change feed, modelled on Graph
 * delta: it records only *which* object was touched (sequence number, kind,
 * object id); a read reports each touched object's current state. Stored as
 * parallel arrays so a million entries cost a few megabytes.
 */
export class ChangeLog {
  readonly kinds: EntryKind[] = [];
  readonly ids: string[] = [];
  /** Member id for membership entries, "" otherwise. */
  readonly members: string[] = [];

  /** Sequence number of the next entry (= entries so far). */
  get head(): number {
    return this.ids.length;
  }

  user(id: string): void {
    this.kinds.push(EntryKind.User);
    this.ids.push(id);
    this.members.push("");
  }

  membership(groupId: string, memberId: string): void {
    this.kinds.push(EntryKind.Membership);
    this.ids.push(groupId);
    this.members.push(memberId);
  }

  group(id: string): void {
    this.kinds.push(EntryKind.Group);
    this.ids.push(id);
    this.members.push("");
  }
}

const CURSOR_PREFIX = "tenantsync-memory/v1/";
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Encodes a change-feed position as an opaque cursor (base64url of tenant id and sequence number). */
export function encodeCursor(tenantId: string, seq: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${tenantId}/${seq}`, "utf8").toString("base64url");
}

/**
 * Decodes a cursor issued by {@link encodeCursor} for `tenantId`, checking that
 * it belongs to this tenant and does not point past the end of the log.
 * Throws {@link CursorExpiredError} with the reason otherwise.
 */
export function decodeCursor(cursor: unknown, tenantId: string, head: number): number {
  const fail = (why: string) =>
    new CursorExpiredError(`memory directory ${tenantId}: change-feed cursor ${why}; start over with a full read and currentCursor()`, { tenantId });
  if (typeof cursor !== "string" || cursor.length === 0 || cursor.length > 512 || !BASE64URL.test(cursor)) {
    throw fail("is not a cursor this directory issued (garbled)");
  }
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  if (!text.startsWith(CURSOR_PREFIX)) throw fail("is not a cursor this directory issued (garbled)");
  const rest = text.slice(CURSOR_PREFIX.length);
  const slash = rest.lastIndexOf("/");
  const owner = rest.slice(0, Math.max(slash, 0));
  const seqText = rest.slice(slash + 1);
  if (slash < 0 || !/^\d{1,15}$/.test(seqText)) throw fail("is not a cursor this directory issued (garbled)");
  if (owner.toLowerCase() !== tenantId.toLowerCase()) throw fail(`belongs to tenant ${owner}, not to this tenant`);
  const seq = Number(seqText);
  if (seq > head) throw fail(`points past the end of the feed (position ${seq}, end ${head}): it was issued by another instance of this tenant`);
  return seq;
}
