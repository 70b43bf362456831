import { createHash, randomUUID } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { ConfigError, CursorExpiredError, Group, PartnerSettings, Tenant, parseDirectoryUser, systemClock, type Clock, type DirectoryPort, type DirectoryUser } from "@tenantsync/core";
import type { MemoryDirectory, MemoryDirectorySnapshot } from "@tenantsync/memory";
import { z } from "zod";

/**
 * The format tag of a memory snapshot file.
 *
 * @example
 * ```ts
 * JSON.parse(text).format === MEMORY_SNAPSHOT_FORMAT;
 * ```
 */
export const MEMORY_SNAPSHOT_FORMAT = "tenantsync-memory-snapshot/v1";

/**
 * Where a memory tenant's change feed stood when its snapshot was saved, so a
 * watermark a job committed in an earlier process still means something: the
 * `cursors` saved (the head as this process issued it, plus the heads of
 * earlier processes when nothing changed since) are translated to the head of
 * the reloaded tenant's feed, as long as the file's content is the one saved
 * (`contentHash`). Any other cursor, or any cursor after the file was edited
 * by hand, is refused with `CursorExpiredError`, which makes the engine run a
 * full cycle that re-reads everything and writes only what changed.
 *
 * @example
 * ```ts
 * const feed: SnapshotFeed | null = file.feed;
 * ```
 */
export interface SnapshotFeed {
  /** The process instance that saved the file. */
  epoch: string;
  /** Cursors that all mean "the feed's head at save time". */
  cursors: string[];
  /** sha256 of the saved tenant, users, bin, groups and partner settings. */
  contentHash: string;
}

/**
 * A memory snapshot file: the tenant's content plus {@link SnapshotFeed}.
 *
 * @example
 * ```ts
 * const file = JSON.parse(await readFile("tenants/contoso.json", "utf8")) as MemorySnapshotFile;
 * console.log(file.users.length, file.bin.length);
 * ```
 */
export interface MemorySnapshotFile extends MemoryDirectorySnapshot {
  format: typeof MEMORY_SNAPSHOT_FORMAT;
  savedAt: string;
  feed: SnapshotFeed | null;
}

const SnapshotFileSchema = z.object({
  format: z.literal(MEMORY_SNAPSHOT_FORMAT),
  savedAt: z.string().optional(),
  feed: z.object({ epoch: z.string(), cursors: z.array(z.string()), contentHash: z.string() }).nullable().default(null),
  tenant: Tenant,
  users: z.array(z.unknown()).default([]),
  bin: z.array(z.unknown()).default([]),
  groups: z.array(Group).default([]),
  partnerSettings: z.array(PartnerSettings).default([]),
});

/** A clock that is the wall clock, except while a snapshot is loaded (soft-delete times are replayed). */
export interface LoadClock extends Clock {
  /** Pins `now()` to `time` (null: the wall clock again). */
  pin(time: Date | null): void;
}

/**
 * The wall clock, pinnable while a snapshot is loaded.
 *
 * @example
 * ```ts
 * const clock = createLoadClock();
 * ```
 */
export function createLoadClock(base: Clock = systemClock): LoadClock {
  let pinned: Date | null = null;
  return {
    now: () => (pinned ? new Date(pinned.getTime()) : base.now()),
    sleep: (ms, signal) => base.sleep(ms, signal),
    pin(time) {
      pinned = time;
    },
  };
}

function hashContent(s: Pick<MemoryDirectorySnapshot, "tenant" | "users" | "bin" | "groups" | "partnerSettings">): string {
  return createHash("sha256").update(JSON.stringify([s.tenant, s.users, s.bin, s.groups, s.partnerSettings])).digest("hex");
}

/** Reads a snapshot file; null when it does not exist. ConfigError (at `where`) when it is not a valid snapshot. */
export async function readMemorySnapshot(path: string, where: ReadonlyArray<string | number>): Promise<{ snapshot: MemorySnapshotFile; contentHash: string } | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return null;
    throw new ConfigError([{ path: where, message: `cannot read snapshot ${path}: ${(error as Error).message}` }], "memory tenant snapshot");
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ConfigError([{ path: where, message: `${path} is not valid JSON; fix or delete it (a new tenant is generated when it is missing)` }], "memory tenant snapshot");
  }
  const parsed = SnapshotFileSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    const at = first.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
    throw new ConfigError([{ path: where, message: `${path} is not a ${MEMORY_SNAPSHOT_FORMAT} file (at $${at}: ${first.message})` }], "memory tenant snapshot");
  }
  const users: DirectoryUser[] = [];
  const bin: DirectoryUser[] = [];
  try {
    for (const u of parsed.data.users) users.push(parseDirectoryUser(u));
    for (const u of parsed.data.bin) bin.push(parseDirectoryUser(u));
  } catch (error) {
    throw new ConfigError([{ path: where, message: `${path} holds an invalid user: ${(error as Error).message}` }], "memory tenant snapshot");
  }
  const data = parsed.data;
  const snapshot: MemorySnapshotFile = {
    format: MEMORY_SNAPSHOT_FORMAT,
    savedAt: data.savedAt ?? "",
    feed: data.feed,
    tenant: data.tenant,
    users,
    bin,
    groups: data.groups,
    partnerSettings: data.partnerSettings,
  };
  // The hash is over the file as written (before defaults), so an untouched file matches.
  const asWritten = raw as MemoryDirectorySnapshot;
  return { snapshot, contentHash: hashContent(asWritten) };
}

/**
 * Loads a snapshot into an empty memory directory, keeping ids, creation and
 * soft-delete times (through `clock`), managers, group memberships and
 * partner settings.
 */
export function loadMemorySnapshot(directory: MemoryDirectory, snapshot: MemoryDirectorySnapshot, clock: LoadClock): void {
  const admin = directory.admin;
  const all = [...snapshot.users, ...snapshot.bin];
  for (const user of all) admin.addUser({ ...user, managerId: null, deletedDateTime: null });
  for (const user of all) if (user.managerId && admin.getUser(user.managerId)) admin.setManager(user.id, user.managerId);
  for (const group of snapshot.groups) admin.addGroup({ id: group.id, displayName: group.displayName });
  for (const group of snapshot.groups) for (const member of group.members) if (admin.getUser(member) || admin.getGroup(member)) admin.addMember(group.id, member);
  for (const settings of snapshot.partnerSettings) admin.setPartnerSettings(settings);
  // The bin is purged in deletion order: delete the oldest first, at its own time.
  const bin = [...snapshot.bin].sort((a, b) => (a.deletedDateTime ?? "").localeCompare(b.deletedDateTime ?? ""));
  try {
    for (const user of bin) {
      clock.pin(user.deletedDateTime ? new Date(user.deletedDateTime) : null);
      admin.deleteUser(user.id);
    }
  } finally {
    clock.pin(null);
  }
  admin.purgeExpired();
}

/** Writes a snapshot file atomically (a temporary file, then a rename). */
export async function writeMemorySnapshot(path: string, directory: MemoryDirectory, feed: Omit<SnapshotFeed, "contentHash">): Promise<void> {
  const content = directory.admin.snapshot();
  const file: MemorySnapshotFile = {
    format: MEMORY_SNAPSHOT_FORMAT,
    savedAt: directory.clock.now().toISOString(),
    feed: { ...feed, contentHash: hashContent(JSON.parse(JSON.stringify(content)) as MemoryDirectorySnapshot) },
    ...content,
  };
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(file, null, 1)}\n`, "utf8");
  await rename(temp, path);
}

/** A memory directory whose change-feed cursors survive being saved and reloaded (see {@link SnapshotFeed}); `admin`, `tenant` and `clock` are the directory's. */
export interface EpochFeedPort extends DirectoryPort {
  /** This process's epoch. */
  readonly epoch: string;
  /** The current head cursor, as this port issues it. */
  headCursor(): Promise<string>;
  /** What to save as the snapshot's feed (everything but the hash). */
  feedToSave(): Promise<Omit<SnapshotFeed, "contentHash">>;
}

const PREFIX = "tsnap1.";

/**
 * Wraps a memory directory so its cursors name the process instance that
 * issued them (`tsnap1.<epoch>.<cursor>`). `previous` is the feed saved in
 * the snapshot this directory was loaded from, with whether the file is
 * unchanged since; its head cursor maps to `loadedHead`, the head right after
 * loading.
 */
export function wrapEpochFeed(directory: MemoryDirectory, options: { previous: SnapshotFeed | null; unchanged: boolean; loadedHead: string; epoch?: string }): EpochFeedPort {
  const epoch = options.epoch ?? randomUUID();
  const wrap = (inner: string) => `${PREFIX}${epoch}.${inner}`;
  const unwrap = (cursor: string): string => {
    if (cursor.startsWith(`${PREFIX}${epoch}.`)) return cursor.slice(PREFIX.length + epoch.length + 1);
    const previous = options.previous;
    if (previous && previous.cursors.includes(cursor)) {
      if (options.unchanged) return options.loadedHead;
      throw new CursorExpiredError(`memory tenant ${directory.tenant.id}: its snapshot file was edited since the cursor was issued; a full read follows (it writes only what changed)`, { tenantId: directory.tenant.id });
    }
    throw new CursorExpiredError(`memory tenant ${directory.tenant.id}: the cursor was issued by another instance of this tenant (no snapshot ties them together); a full read follows`, { tenantId: directory.tenant.id });
  };
  const port: EpochFeedPort = {
    name: directory.name,
    capabilities: directory.capabilities,
    epoch,
    async headCursor() {
      return wrap(await directory.currentCursor());
    },
    async feedToSave() {
      const head = await directory.currentCursor();
      // Nothing happened since loading: the earlier processes' heads are still the head.
      const inherited = head === options.loadedHead && options.previous && options.unchanged ? options.previous.cursors : [];
      return { epoch, cursors: [wrap(head), ...inherited.filter((c) => c !== wrap(head))].slice(0, 50) };
    },
    describe: (o) => directory.describe(o),
    getPartnerSettings: (id, o) => directory.getPartnerSettings(id, o),
    listUsers: (o) => directory.listUsers(o),
    getUser: (id, o) => directory.getUser(id, o),
    listGroupMembers: (id, o) => directory.listGroupMembers(id, o),
    async currentCursor(o) {
      return wrap(await directory.currentCursor(o));
    },
    readChanges(cursor, o) {
      return (async function* () {
        const inner = unwrap(cursor);
        for await (const page of directory.readChanges(inner, o)) yield { changes: page.changes, cursor: wrap(page.cursor) };
      })();
    },
    findUsers: (q, o) => directory.findUsers(q, o),
    createExternalUser: (i, o) => directory.createExternalUser(i, o),
    updateUser: (id, c, o) => directory.updateUser(id, c, o),
    setManager: (id, m, o) => directory.setManager(id, m, o),
    softDeleteUser: (id, o) => directory.softDeleteUser(id, o),
    restoreUser: (id, o) => directory.restoreUser(id, o),
  };
  // The directory's extras (tenant, clock, admin) stay reachable through the prototype.
  return Object.assign(Object.create(directory) as EpochFeedPort, port);
}
