import type { DirectoryUser } from "../model/user.ts";
import type { DirectoryPort } from "../ports/directory-port.ts";
import { pagesWithRetries, withRetries, type RetryOptions } from "./apply.ts";
import type { AssignmentTracker } from "./assignment.ts";

/**
 * The users an incremental cycle must look at: their current state when the
 * feed gave it, `null` when the feed says they are gone, `undefined` when only
 * their assignment changed (the cycle reads them).
 */
export type AffectedUsers = Map<string, DirectoryUser | null | undefined>;

/**
 * The import step of an incremental cycle (DESIGN.md step 2): the changes
 * since the watermark — users changed, deleted or restored, and memberships of
 * the assigned groups, applied to the assignment tracker — and the cursor that
 * resumes after them. Transient failures are retried within the cycle; the
 * feed resumes from its last page's cursor. A `CursorExpiredError` propagates:
 * the caller runs a full cycle.
 *
 * @example
 * ```ts
 * const { affected, cursor } = await importChanges({ source, tracker, watermark, select, retry });
 * ```
 */
export async function importChanges(args: {
  source: DirectoryPort;
  tracker: AssignmentTracker;
  watermark: string;
  select: readonly string[];
  retry: RetryOptions;
  signal?: AbortSignal | undefined;
}): Promise<{ affected: AffectedUsers; cursor: string }> {
  const { source, tracker, select, retry, signal } = args;
  const affected: AffectedUsers = new Map();
  let cursor = args.watermark;
  if (!tracker.isLoaded) await withRetries(() => tracker.load(source, signal), retry);
  else if (tracker.rereadsEachCycle) for (const id of await withRetries(() => tracker.load(source, signal), retry)) affected.set(id, undefined);
  const groupIds = tracker.groupIds;
  const feed = pagesWithRetries((from: string | undefined) => source.readChanges(from ?? cursor, { groupIds, select, signal }), () => cursor, retry);
  for await (const page of feed) {
    for (const change of page.changes) {
      if (change.type === "user") affected.set(change.user.id, change.user);
      else if (change.type === "userRemoved") affected.set(change.userId, null);
      else if (change.type === "membership") {
        const id = tracker.applyMembership(change.groupId, change.memberId, change.removed);
        if (id !== null && !affected.has(id)) affected.set(id, undefined);
      } else for (const id of tracker.groupRemoved(change.groupId)) if (!affected.has(id)) affected.set(id, undefined);
    }
    cursor = page.cursor;
  }
  return { affected, cursor };
}

/**
 * The import step of a full cycle: every source user, in pages. A listing that
 * fails transiently starts again (the caller skips users it has seen).
 *
 * @example
 * ```ts
 * for await (const page of importAllUsers({ source, select, retry })) for (const user of page) …
 * ```
 */
export function importAllUsers(args: { source: DirectoryPort; select: readonly string[]; retry: RetryOptions; signal?: AbortSignal | undefined }): AsyncIterable<DirectoryUser[]> {
  return pagesWithRetries(() => args.source.listUsers({ select: args.select, signal: args.signal }), () => undefined, args.retry);
}
