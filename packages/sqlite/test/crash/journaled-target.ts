import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { isTenantSyncError, type DirectoryPort, type ManualClock } from "@tenantsync/core";
import type { MemoryDirectory } from "@tenantsync/memory";

/**
 * How the target tenant survives SIGKILL between processes.
 *
 * The target is an in-memory directory, gone with the process. Instead of
 * serialising its state, every write the engine makes to it is appended to a
 * journal file (one JSON line: phase, clock time, method, arguments, outcome)
 * the moment it has taken effect. A new process rebuilds the target from the
 * same seed and replays the journal through the directory's own methods, at
 * the recorded clock times, so the rebuilt tenant is the one the killed
 * process left — produced by the directory's own rules, not by a snapshot
 * loader that could disagree with them. Replay checks each outcome against the
 * journal (same user id, same error code) and fails loudly if they differ.
 *
 * Writes are serialised (one at a time, in call order) so that the journal
 * order is the order the effects happened: the directory draws new ids from a
 * seeded generator, so order matters for replay.
 *
 * A kill before an effect is journaled is a request that never reached the
 * target; a kill after the journal line and before the engine gets the
 * answer is a request the target carried out while the caller died: both are
 * real crash points (R27).
 */
export interface JournalEntry {
  phase: number;
  time: string;
  method: WriteMethod;
  args: unknown[];
  outcome: { ok: true; id: string | null } | { ok: false; code: string };
}

type WriteMethod = "createExternalUser" | "updateUser" | "setManager" | "softDeleteUser" | "restoreUser";

/** Reads a journal; a torn last line (a kill in the middle of an append) is ignored. */
export function readJournal(path: string): JournalEntry[] {
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, "utf8").split("\n").filter((l) => l.length > 0);
  const out: JournalEntry[] = [];
  lines.forEach((line, i) => {
    try {
      out.push(JSON.parse(line) as JournalEntry);
    } catch (error) {
      if (i !== lines.length - 1) throw error;
    }
  });
  return out;
}

/** Replays journal entries into the directory at their clock times; throws when an outcome differs. */
export async function replayJournal(target: MemoryDirectory, clock: ManualClock, entries: readonly JournalEntry[]): Promise<void> {
  for (const e of entries) {
    if (new Date(e.time).getTime() > clock.now().getTime()) clock.set(e.time);
    const call = (target[e.method] as (...a: unknown[]) => Promise<unknown>).bind(target);
    let outcome: JournalEntry["outcome"];
    try {
      outcome = { ok: true, id: idOf(await call(...e.args)) };
    } catch (error) {
      outcome = { ok: false, code: isTenantSyncError(error) ? error.code : String(error) };
    }
    if (JSON.stringify(outcome) !== JSON.stringify(e.outcome)) {
      throw new Error(`journal replay diverged at ${e.method}(${JSON.stringify(e.args)}): journal says ${JSON.stringify(e.outcome)}, replay gave ${JSON.stringify(outcome)}`);
    }
  }
}

function idOf(result: unknown): string | null {
  return typeof result === "object" && result !== null && typeof (result as { id?: unknown }).id === "string" ? (result as { id: string }).id : null;
}

/** Drops the AbortSignal from call options (not data, not serialisable). */
function withoutSignal(args: unknown[]): unknown[] {
  return args.map((a) => {
    if (typeof a === "object" && a !== null && "signal" in a) {
      const { signal: _signal, ...rest } = a as Record<string, unknown>;
      return rest;
    }
    return a;
  });
}

/**
 * The target as the engine sees it: reads go straight to the directory;
 * writes run one at a time, are journaled once done, and call `tick` before
 * the call and after the journal line (the crash points).
 */
export function journaledTarget(target: MemoryDirectory, options: { journalPath: string; phase: number; clock: ManualClock; tick: (what: string) => void }): DirectoryPort {
  let queue: Promise<unknown> = Promise.resolve();
  const write = (method: WriteMethod) =>
    (...args: unknown[]): Promise<never> => {
      const run = async () => {
        options.tick(`before ${method}`);
        const call = (target[method] as (...a: unknown[]) => Promise<never>).bind(target);
        let outcome: JournalEntry["outcome"];
        try {
          const result = await call(...args);
          outcome = { ok: true, id: idOf(result) };
          journal(outcome);
          return result;
        } catch (error) {
          outcome = { ok: false, code: isTenantSyncError(error) ? error.code : String(error) };
          journal(outcome);
          throw error;
        }
        function journal(o: JournalEntry["outcome"]) {
          const entry: JournalEntry = { phase: options.phase, time: options.clock.now().toISOString(), method, args: withoutSignal(args), outcome: o };
          appendFileSync(options.journalPath, `${JSON.stringify(entry)}\n`);
          options.tick(`after ${method}`);
        }
      };
      const result = queue.then(run, run);
      queue = result.catch(() => undefined);
      return result;
    };
  return {
    name: target.name,
    capabilities: target.capabilities,
    describe: (o) => target.describe(o),
    getPartnerSettings: (id, o) => target.getPartnerSettings(id, o),
    listUsers: (o) => target.listUsers(o),
    getUser: (id, o) => target.getUser(id, o),
    listGroupMembers: (id, o) => target.listGroupMembers(id, o),
    currentCursor: (o) => target.currentCursor(o),
    readChanges: (c, o) => target.readChanges(c, o),
    findUsers: (q, o) => target.findUsers(q, o),
    createExternalUser: write("createExternalUser"),
    updateUser: write("updateUser"),
    setManager: write("setManager"),
    softDeleteUser: write("softDeleteUser"),
    restoreUser: write("restoreUser"),
  };
}
