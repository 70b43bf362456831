import { randomUUID } from "node:crypto";
import { readFile, rename, writeFile } from "node:fs/promises";
import type { DirectoryUser, Group, PartnerSettings, Tenant } from "@tenantsync/core";

/**
 * One entry of the file's change log: *which* object changed, in order. The
 * change feed reports each changed object's current state, the way Graph's
 * delta queries do, so the log never stores values.
 */
export type ChangeEntry = { seq: number; kind: "user"; id: string } | { seq: number; kind: "membership"; id: string; memberId: string };

/**
 * The whole directory as one JSON document. This is the "backend": the
 * adapter reads and writes it, and so do the tests' probe and any admin
 * tool. Whoever changes users or memberships appends to `changes` (use
 * {@link recordChange}), like a database trigger would.
 */
export interface DirectoryFile {
  tenant: Tenant;
  /** Live users and soft-deleted ones (`deletedDateTime` set). */
  users: DirectoryUser[];
  /** Groups with their direct members (user or group ids). */
  groups: Group[];
  /** The trust settings this tenant holds about other tenants. */
  partnerSettings: PartnerSettings[];
  /** The change log, oldest first. */
  changes: ChangeEntry[];
  /** Sequence number of the next change. */
  nextSeq: number;
}

/** Appends a change to the file's log. */
export function recordChange(file: DirectoryFile, change: { kind: "user"; id: string } | { kind: "membership"; id: string; memberId: string }): void {
  file.changes.push({ ...change, seq: file.nextSeq++ } as ChangeEntry);
}

/** Reads and parses the file. */
export async function readDirectoryFile(path: string): Promise<DirectoryFile> {
  return JSON.parse(await readFile(path, "utf8")) as DirectoryFile;
}

// One queue per file: read-modify-write cycles of this process never interleave.
const queues = new Map<string, Promise<unknown>>();

/**
 * Reads the file, lets `edit` change it, and writes it back atomically
 * (to a temporary file, then renamed over the original). Edits of one file
 * run one at a time. When `edit` throws, nothing is written.
 *
 * @example
 * ```ts
 * await updateDirectoryFile(path, (file) => { file.partnerSettings = []; });
 * ```
 */
export function updateDirectoryFile<T>(path: string, edit: (file: DirectoryFile) => T): Promise<T> {
  const run = async (): Promise<T> => {
    const file = await readDirectoryFile(path);
    const result = edit(file);
    const temporary = `${path}.${randomUUID()}.tmp`;
    await writeFile(temporary, `${JSON.stringify(file, null, 2)}\n`, "utf8");
    await rename(temporary, path);
    return result;
  };
  const previous = queues.get(path) ?? Promise.resolve();
  const next = previous.then(run, run);
  queues.set(
    path,
    next.catch(() => undefined),
  );
  return next;
}

/**
 * Creates a directory file for a tenant, with no users.
 *
 * @example
 * ```ts
 * await createDirectoryFile("./fabrikam.json", { id: "22222222-2222-4222-8222-222222222222", displayName: "Fabrikam", cloud: "commercial", verifiedDomains: ["fabrikam.com"] });
 * ```
 */
export async function createDirectoryFile(path: string, tenant: Tenant, partnerSettings: PartnerSettings[] = []): Promise<void> {
  const file: DirectoryFile = { tenant, users: [], groups: [], partnerSettings, changes: [], nextSeq: 1 };
  await writeFile(path, `${JSON.stringify(file, null, 2)}\n`, "utf8");
}
