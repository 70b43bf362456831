import Database from "better-sqlite3";
import {
  ConfigError,
  systemClock,
  throwIfAborted,
  type CallOptions,
  type Clock,
  type ConfigIssue,
  type Escrow,
  type JobRecord,
  type Link,
  type LogEntry,
  type LogQuery,
  type StateStore,
  type StateWrite,
} from "@tenantsync/core/port";
import { packId, packNullableId, unpackId, unpackNullableId, type PackedId } from "./id-codec.ts";
import { buildLogQuery } from "./log-query.ts";
import { checkSchema, migrate, SCHEMA_VERSION } from "./migrations.ts";
import { SqliteStateStoreError, StoredValueError, toStoreError } from "./sqlite-state-store-error.ts";

/**
 * How much provisioning log the store keeps. Both limits are applied to the
 * job being written, in the same transaction as every write that appends
 * entries; {@link StateStore.pruneLogs} drops entries on demand.
 *
 * @example
 * ```ts
 * const store = createSqliteStateStore({ path, logRetention: { maxEntriesPerJob: 50_000, maxAgeDays: 30 } });
 * ```
 */
export interface SqliteLogRetention {
  /** Keep at most this many entries per job, dropping the oldest. Default 100,000; `null` for no cap. */
  maxEntriesPerJob?: number | null | undefined;
  /**
   * Drop entries older than this many days (measured with the store's
   * `clock`). Default `null`: no age limit here, the engine prunes by its
   * `logRetentionDays` option after every cycle.
   */
  maxAgeDays?: number | null | undefined;
}

/**
 * Options of {@link createSqliteStateStore}.
 *
 * @example
 * ```ts
 * const options: SqliteStateStoreOptions = { path: "/var/lib/tenantsync/state.db", synchronous: "full", busyTimeoutMs: 10_000 };
 * ```
 */
export interface SqliteStateStoreOptions {
  /** The database file. Its directory must exist; SQLite adds `<path>-wal` and `<path>-shm` beside it. `":memory:"` keeps nothing. */
  path: string;
  /** Bounds of the provisioning log. */
  logRetention?: SqliteLogRetention | undefined;
  /**
   * `PRAGMA synchronous`. `"normal"` (the default): in WAL mode a commit is
   * not synced to disk, only checkpoints are. A killed process loses nothing
   * that was committed; a power cut or operating-system crash may roll back
   * the last commits, but always to an earlier commit (the file is never
   * corrupt and never holds half a write) — the same state a process killed
   * a moment earlier would have left, which the engine recovers from anyway
   * (R27). `"full"` syncs the WAL on every commit so a committed write also
   * survives a power cut; it costs an fsync per write, during which the
   * event loop is blocked (better-sqlite3 is synchronous). See docs/sqlite.md.
   */
  synchronous?: "full" | "normal" | undefined;
  /** How long a call waits for another connection's write lock before failing with `STORE_BUSY`. Default 5000 ms. */
  busyTimeoutMs?: number | undefined;
  /** Links per page of {@link StateStore.listLinks}. Default 1000. */
  linkPageSize?: number | undefined;
  /** Time source for `logRetention.maxAgeDays`. Default: the wall clock. */
  clock?: Clock | undefined;
}

/**
 * A {@link StateStore} in one SQLite file, plus what a file needs: its path,
 * schema version, an online backup and `close()`.
 *
 * @example
 * ```ts
 * const store = createSqliteStateStore({ path: "state.db" });
 * try {
 *   const job = createSyncJob({ source, target, config, store });
 *   await job.runCycle();
 * } finally {
 *   await store.close();
 * }
 * ```
 */
export interface SqliteStateStore extends StateStore {
  readonly name: "sqlite";
  /** The database file. */
  readonly path: string;
  /** The file's schema version (always {@link SQLITE_STATE_STORE_SCHEMA_VERSION} once open). */
  readonly schemaVersion: number;
  /** The schema version the file had when it was opened: 0 for a new file, lower than `schemaVersion` when it was migrated. */
  readonly migratedFrom: number;
  /**
   * Copies the database, consistently, to `destination` while the store stays
   * usable (SQLite's online backup). The copy is a complete database file
   * that can be opened with `createSqliteStateStore({ path: destination })`.
   */
  backup(destination: string, options?: CallOptions): Promise<void>;
  /** Closes the file. Idempotent; every later call fails with `STORE_CLOSED`. */
  close(): Promise<void>;
}

/**
 * The schema version this package writes. Older files are migrated when
 * opened; newer ones are refused with `STORE_SCHEMA_TOO_NEW`.
 *
 * @example
 * ```ts
 * console.log(`state schema v${SQLITE_STATE_STORE_SCHEMA_VERSION}`);
 * ```
 */
export const SQLITE_STATE_STORE_SCHEMA_VERSION: number = SCHEMA_VERSION;

const LINK_STATE_CODES = { active: 0, disabled: 1, softDeleted: 2 } as const satisfies Record<Link["state"], number>;
const LINK_STATES: readonly Link["state"][] = ["active", "disabled", "softDeleted"];
/** Largest IN list of one statement; shorter lists are padded to a power of two so few statements are prepared. */
const IN_CHUNK = 512;

interface LinkRow {
  source_id: PackedId;
  target_id: PackedId;
  state: number;
  soft_deleted_at: string | null;
  fingerprint: string;
  disabled_flowed: number;
  manager_source_id: PackedId | null;
}

const LINK_COLUMNS = "source_id, target_id, state, soft_deleted_at, fingerprint, disabled_flowed, manager_source_id";

/**
 * Opens (creating if needed) a SQLite state store: WAL mode, `synchronous`
 * NORMAL by default (FULL on request), a busy timeout, and the schema migrated to the current
 * version. Each {@link StateStore.write} is one `BEGIN IMMEDIATE`
 * transaction: all of it is stored or none. Several stores (in one process
 * or several) may share a file; writes are serialised by SQLite's lock.
 *
 * Throws `ConfigError` for invalid options and {@link SqliteStateStoreError}
 * (with the path in its message) when the file cannot be used:
 * `STORE_OPEN_FAILED`, `STORE_NOT_TENANTSYNC`, `STORE_SCHEMA_TOO_NEW`,
 * `STORE_MIGRATION_FAILED`, `STORE_CORRUPT`, `STORE_BUSY`.
 *
 * @example
 * ```ts
 * import { createSyncJob } from "@tenantsync/core";
 * import { createSqliteStateStore } from "@tenantsync/sqlite";
 *
 * const store = createSqliteStateStore({ path: "./tenantsync.db", logRetention: { maxEntriesPerJob: 100_000 } });
 * const job = createSyncJob({ source, target, config, store });
 * await job.runCycle();
 * const failures = await store.queryLogs({ jobId: job.id, status: "failure", limit: 20 });
 * await store.close();
 * ```
 */
export function createSqliteStateStore(options: SqliteStateStoreOptions): SqliteStateStore {
  const settings = resolveOptions(options);
  const { db, migratedFrom } = openDatabase(settings);
  return new SqliteStateStoreImpl(db, settings, migratedFrom);
}

interface Settings {
  path: string;
  maxEntriesPerJob: number | null;
  maxAgeMs: number | null;
  synchronous: "full" | "normal";
  busyTimeoutMs: number;
  linkPageSize: number;
  clock: Clock;
}

function resolveOptions(options: SqliteStateStoreOptions): Settings {
  const issues: ConfigIssue[] = [];
  const o = (options ?? {}) as Partial<SqliteStateStoreOptions>;
  const positiveInt = (value: unknown, path: Array<string | number>, allowNull: boolean): void => {
    if (value === undefined || (allowNull && value === null)) return;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1) issues.push({ path, message: `must be a positive integer${allowNull ? " or null" : ""}` });
  };
  if (typeof o.path !== "string" || o.path.length === 0) issues.push({ path: ["path"], message: "must be the path of the database file (a non-empty string)" });
  const r = o.logRetention;
  if (r !== undefined && (typeof r !== "object" || r === null)) issues.push({ path: ["logRetention"], message: "must be an object { maxEntriesPerJob?, maxAgeDays? }" });
  positiveInt(r?.maxEntriesPerJob, ["logRetention", "maxEntriesPerJob"], true);
  if (r?.maxAgeDays !== undefined && r.maxAgeDays !== null && (typeof r.maxAgeDays !== "number" || !(r.maxAgeDays > 0) || !Number.isFinite(r.maxAgeDays))) {
    issues.push({ path: ["logRetention", "maxAgeDays"], message: "must be a positive number of days or null" });
  }
  if (o.synchronous !== undefined && o.synchronous !== "full" && o.synchronous !== "normal") issues.push({ path: ["synchronous"], message: `must be "full" or "normal"` });
  if (o.busyTimeoutMs !== undefined && (typeof o.busyTimeoutMs !== "number" || !Number.isInteger(o.busyTimeoutMs) || o.busyTimeoutMs < 0)) {
    issues.push({ path: ["busyTimeoutMs"], message: "must be a non-negative integer (milliseconds)" });
  }
  positiveInt(o.linkPageSize, ["linkPageSize"], false);
  if (issues.length > 0) throw new ConfigError(issues, "SQLite state store options");
  return {
    path: o.path!,
    maxEntriesPerJob: r?.maxEntriesPerJob === undefined ? 100_000 : r.maxEntriesPerJob,
    maxAgeMs: r?.maxAgeDays == null ? null : r.maxAgeDays * 86_400_000,
    synchronous: o.synchronous ?? "normal",
    busyTimeoutMs: o.busyTimeoutMs ?? 5000,
    linkPageSize: o.linkPageSize ?? 1000,
    clock: o.clock ?? systemClock,
  };
}

function openDatabase(s: Settings): { db: Database.Database; migratedFrom: number } {
  let db: Database.Database;
  try {
    db = new Database(s.path, { timeout: s.busyTimeoutMs });
  } catch (error) {
    if (error instanceof Error && error.name === "SqliteError") throw toStoreError(error, s.path, "opening the file");
    // better-sqlite3 checks some things itself, for example that the directory exists.
    throw new SqliteStateStoreError("STORE_OPEN_FAILED", s.path, `the file cannot be opened (${error instanceof Error ? error.message : String(error)}); check that its directory exists and is writable`, { cause: error });
  }
  try {
    // Refuse foreign or newer files before anything is written to them.
    checkSchema(db, s.path);
    // WAL: readers never block the writer and the writer never blocks readers;
    // a commit appends to <path>-wal. https://www.sqlite.org/wal.html
    const mode = db.pragma("journal_mode = WAL", { simple: true });
    if (mode !== "wal" && !db.memory) {
      throw new SqliteStateStoreError("STORE_OPEN_FAILED", s.path, `the file cannot be put in WAL mode (journal mode stays '${String(mode)}'); WAL needs shared memory, which network file systems do not offer — put the file on a local disk`);
    }
    // In WAL mode, FULL syncs the WAL on every commit; NORMAL only at
    // checkpoints, so a power cut may roll back the last commits (never
    // corrupting the file). https://www.sqlite.org/pragma.html#pragma_synchronous
    db.pragma(`synchronous = ${s.synchronous === "full" ? "FULL" : "NORMAL"}`);
    // After a checkpoint, cut the WAL back to 64 MiB, so one huge transaction
    // (deleting a job with a million links) does not leave a huge -wal file.
    db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
    const migratedFrom = migrate(db, s.path);
    return { db, migratedFrom };
  } catch (error) {
    db.close();
    throw toStoreError(error, s.path, "opening the file");
  }
}

function requireString(value: unknown, what: string): string {
  if (typeof value !== "string") throw new TypeError(`${what} must be a string, got ${value === null ? "null" : typeof value}`);
  return value;
}

function requireNullableString(value: unknown, what: string): string | null {
  return value === null ? null : requireString(value, `${what} (or null)`);
}

function linkFromRow(row: LinkRow): Link {
  const state = LINK_STATES[row.state];
  if (state === undefined) throw new StoredValueError(`link state ${String(row.state)}`);
  return {
    sourceId: unpackId(row.source_id),
    targetId: unpackId(row.target_id),
    state,
    softDeletedAt: row.soft_deleted_at,
    fingerprint: row.fingerprint,
    disabledFlowed: row.disabled_flowed === 1,
    managerSourceId: unpackNullableId(row.manager_source_id),
  };
}

function linkParams(jobKey: number, l: Link, at: string): unknown[] {
  const state: number = Object.hasOwn(LINK_STATE_CODES, l.state) ? LINK_STATE_CODES[l.state] : -1;
  if (state < 0) throw new TypeError(`${at}.state must be one of ${LINK_STATES.join(", ")}, got ${JSON.stringify(l.state)}`);
  if (typeof l.disabledFlowed !== "boolean") throw new TypeError(`${at}.disabledFlowed must be a boolean`);
  return [
    jobKey,
    packId(requireString(l.sourceId, `${at}.sourceId`)),
    packId(requireString(l.targetId, `${at}.targetId`)),
    state,
    requireNullableString(l.softDeletedAt, `${at}.softDeletedAt`),
    requireString(l.fingerprint, `${at}.fingerprint`),
    l.disabledFlowed ? 1 : 0,
    packNullableId(requireNullableString(l.managerSourceId, `${at}.managerSourceId`)),
  ];
}

class SqliteStateStoreImpl implements SqliteStateStore {
  readonly name = "sqlite" as const;
  readonly path: string;
  readonly schemaVersion: number = SCHEMA_VERSION;
  readonly migratedFrom: number;
  #db: Database.Database | null;
  readonly #s: Settings;
  readonly #stmt: ReturnType<typeof prepareStatements>;
  readonly #inLists = new Map<number, Database.Statement>();
  readonly #logQueries = new Map<string, Database.Statement>();

  constructor(db: Database.Database, settings: Settings, migratedFrom: number) {
    this.#db = db;
    this.#s = settings;
    this.path = settings.path;
    this.migratedFrom = migratedFrom;
    try {
      this.#stmt = prepareStatements(db);
    } catch (error) {
      db.close();
      throw toStoreError(error, settings.path, "preparing statements");
    }
  }

  /** The open connection, or STORE_CLOSED. Also checks the signal. */
  #open(signal: AbortSignal | undefined, doing: string): Database.Database {
    throwIfAborted(signal);
    if (this.#db === null) throw new SqliteStateStoreError("STORE_CLOSED", this.path, `${doing}: the store is closed; create a new store to use the file again`);
    return this.#db;
  }

  /** Runs `fn`, turning every failure into a typed error naming the file. */
  #run<T>(doing: string, fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw toStoreError(error, this.path, doing);
    }
  }

  #jobKey(jobId: string): number | null {
    return (this.#stmt.jobKey.get(jobId) as number | undefined) ?? null;
  }

  async getJob(jobId: string, options?: CallOptions): Promise<JobRecord | null> {
    const doing = `reading job ${jobId}`;
    this.#open(options?.signal, doing);
    return this.#run(doing, () => {
      const record = this.#stmt.getRecord.get(jobId) as string | null | undefined;
      return record == null ? null : (JSON.parse(record) as JobRecord);
    });
  }

  async getLinks(jobId: string, sourceIds: readonly string[], options?: CallOptions): Promise<Map<string, Link>> {
    const doing = `reading ${sourceIds.length} links of job ${jobId}`;
    const db = this.#open(options?.signal, doing);
    const out = new Map<string, Link>();
    if (sourceIds.length === 0) return out;
    return this.#run(doing, () => {
      // One read transaction: every chunk sees the same snapshot.
      db.transaction(() => {
        const key = this.#jobKey(jobId);
        if (key === null) return;
        const ids = [...new Set(sourceIds)].map((id) => packId(requireString(id, "each source id")));
        for (let i = 0; i < ids.length; i += IN_CHUNK) {
          const chunk = ids.slice(i, i + IN_CHUNK);
          const size = chunk.length === IN_CHUNK ? IN_CHUNK : 2 ** Math.ceil(Math.log2(chunk.length));
          while (chunk.length < size) chunk.push(chunk[chunk.length - 1]!);
          for (const row of this.#inList(db, size).all(key, ...chunk) as LinkRow[]) {
            const link = linkFromRow(row);
            out.set(link.sourceId, link);
          }
        }
      }).deferred();
      return out;
    });
  }

  #inList(db: Database.Database, size: number): Database.Statement {
    let stmt = this.#inLists.get(size);
    if (!stmt) {
      stmt = db.prepare(`SELECT ${LINK_COLUMNS} FROM links WHERE job_key = ? AND source_id IN (${Array(size).fill("?").join(",")})`);
      this.#inLists.set(size, stmt);
    }
    return stmt;
  }

  async *listLinks(jobId: string, options?: CallOptions): AsyncGenerator<Link[], void, undefined> {
    const doing = `listing the links of job ${jobId}`;
    this.#open(options?.signal, doing);
    const key = this.#run(doing, () => this.#jobKey(jobId));
    if (key === null) return;
    // Keyset paging: each page is a short read that starts after the last
    // source id seen, so no statement or snapshot stays open between pages
    // and writes made meanwhile never shift a page (unlike OFFSET).
    let after: PackedId | null = null;
    for (;;) {
      this.#open(options?.signal, doing);
      const rows: LinkRow[] = this.#run(doing, () =>
        (after === null ? this.#stmt.linksFirst.all(key, this.#s.linkPageSize) : this.#stmt.linksAfter.all(key, after, this.#s.linkPageSize)) as LinkRow[],
      );
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.source_id;
      yield this.#run(doing, () => rows.map((r) => linkFromRow(r)));
      if (rows.length < this.#s.linkPageSize) return;
    }
  }

  async listEscrows(jobId: string, options?: CallOptions): Promise<Escrow[]> {
    const doing = `listing the escrows of job ${jobId}`;
    this.#open(options?.signal, doing);
    return this.#run(doing, () => {
      const key = this.#jobKey(jobId);
      if (key === null) return [];
      return (this.#stmt.listEscrows.all(key) as string[]).map((json) => JSON.parse(json) as Escrow);
    });
  }

  async write(jobId: string, w: StateWrite, options?: CallOptions): Promise<void> {
    const db = this.#open(options?.signal, `writing job ${jobId}`);
    const st = this.#stmt;
    let at = "start";
    const apply = db.transaction(() => {
      let key = this.#jobKey(jobId);
      if (key === null) key = Number(st.insertJob.run(requireString(jobId, "jobId")).lastInsertRowid);
      (w.putLinks ?? []).forEach((l, i) => {
        at = `putLinks[${i}]${typeof l?.sourceId === "string" ? ` (source user ${l.sourceId})` : ""}`;
        st.putLink.run(...linkParams(key, l, "the link"));
      });
      (w.deleteLinks ?? []).forEach((id, i) => {
        at = `deleteLinks[${i}]`;
        st.deleteLink.run(key, packId(requireString(id, "the source id")));
      });
      (w.putEscrows ?? []).forEach((e, i) => {
        at = `putEscrows[${i}]${typeof e?.sourceId === "string" ? ` (source user ${e.sourceId})` : ""}`;
        const id = packId(requireString(e.sourceId, "escrow.sourceId"));
        st.putEscrow.run(key, id, requireString(e.nextAttemptAt, "escrow.nextAttemptAt"), JSON.stringify(e));
      });
      (w.deleteEscrows ?? []).forEach((id, i) => {
        at = `deleteEscrows[${i}]`;
        st.deleteEscrow.run(key, packId(requireString(id, "the source id")));
      });
      const logs = w.appendLogs ?? [];
      logs.forEach((e, i) => {
        at = `appendLogs[${i}]${typeof e?.id === "string" ? ` (entry ${e.id})` : ""}`;
        st.insertLog.run(
          key,
          requireString(e.time, "entry.time"),
          requireString(e.cycleId, "entry.cycleId"),
          packNullableId(requireNullableString(e.source?.userId ?? null, "entry.source.userId")),
          packNullableId(requireNullableString(e.target?.userId ?? null, "entry.target.userId")),
          e.action,
          e.status,
          JSON.stringify(e),
        );
      });
      if (logs.length > 0) {
        at = "log retention";
        st.addLogCount.run(logs.length, key);
        this.#enforceRetention(key);
      }
      if (w.job) {
        at = "job";
        st.setRecord.run(JSON.stringify(requireRecord(w.job)), key);
      }
    });
    try {
      // IMMEDIATE takes the write lock up front, so the busy timeout applies
      // instead of a deferred read→write upgrade failing at once with
      // SQLITE_BUSY. https://www.sqlite.org/lang_transaction.html
      apply.immediate();
    } catch (error) {
      throw toStoreError(error, this.path, `write to job ${jobId} refused at ${at}`, { rolledBack: true });
    }
  }

  /** Applies the age limit and the per-job cap (inside the write's transaction). */
  #enforceRetention(key: number): void {
    const st = this.#stmt;
    let dropped = 0;
    if (this.#s.maxAgeMs !== null) {
      const cutoff = new Date(this.#s.clock.now().getTime() - this.#s.maxAgeMs).toISOString();
      dropped += st.pruneLogs.run(key, cutoff).changes;
    }
    const cap = this.#s.maxEntriesPerJob;
    if (cap !== null) {
      const count = (st.logCount.get(key) as number) - dropped;
      if (count > cap) dropped += st.dropOldestLogs.run(key, count - cap).changes;
    }
    if (dropped > 0) st.addLogCount.run(-dropped, key);
  }

  async queryLogs(query: LogQuery, options?: CallOptions): Promise<LogEntry[]> {
    const doing = `querying the provisioning log${query.jobId ? ` of job ${query.jobId}` : ""}`;
    const db = this.#open(options?.signal, doing);
    const requested = query.limit ?? 100;
    if (typeof requested !== "number" || Number.isNaN(requested)) {
      throw new ConfigError([{ path: ["limit"], message: "must be a number" }], "log query");
    }
    if (requested < 1) return [];
    const limit = Number.isFinite(requested) ? Math.floor(requested) : -1;
    return this.#run(doing, () => {
      let key: number | null = null;
      if (query.jobId) {
        key = this.#jobKey(query.jobId);
        if (key === null) return [];
      }
      const { sql, params } = buildLogQuery(query, key, limit);
      let stmt = this.#logQueries.get(sql);
      if (!stmt) {
        stmt = db.prepare(sql).pluck();
        this.#logQueries.set(sql, stmt);
      }
      return (stmt.all(...params) as string[]).map((json) => JSON.parse(json) as LogEntry);
    });
  }

  async pruneLogs(jobId: string, before: string, options?: CallOptions): Promise<number> {
    const doing = `pruning the provisioning log of job ${jobId}`;
    const db = this.#open(options?.signal, doing);
    try {
      return db
        .transaction(() => {
          const key = this.#jobKey(jobId);
          if (key === null) return 0;
          const dropped = this.#stmt.pruneLogs.run(key, requireString(before, "before")).changes;
          if (dropped > 0) this.#stmt.addLogCount.run(-dropped, key);
          return dropped;
        })
        .immediate();
    } catch (error) {
      throw toStoreError(error, this.path, doing, { rolledBack: true });
    }
  }

  async deleteJob(jobId: string, options?: CallOptions): Promise<void> {
    const doing = `deleting job ${jobId}`;
    const db = this.#open(options?.signal, doing);
    const st = this.#stmt;
    try {
      db.transaction(() => {
        const key = this.#jobKey(jobId);
        if (key === null) return;
        st.deleteJobLinks.run(key);
        st.deleteJobEscrows.run(key);
        st.deleteJobLogs.run(key);
        st.deleteJob.run(key);
      }).immediate();
    } catch (error) {
      throw toStoreError(error, this.path, doing, { rolledBack: true });
    }
  }

  async backup(destination: string, options?: CallOptions): Promise<void> {
    const doing = `backing up to ${destination}`;
    const db = this.#open(options?.signal, doing);
    try {
      await db.backup(destination);
    } catch (error) {
      throw toStoreError(error, this.path, doing);
    }
  }

  async close(): Promise<void> {
    const db = this.#db;
    if (db === null) return;
    this.#db = null;
    try {
      // Recommended before closing a long-lived connection; cheap when there is nothing to do.
      // https://www.sqlite.org/pragma.html#pragma_optimize
      db.pragma("optimize");
    } catch {
      // Best effort: the data is committed already.
    }
    db.close();
  }
}

function requireRecord(record: JobRecord): JobRecord {
  if (typeof record !== "object" || record === null || typeof record.jobId !== "string") throw new TypeError("the job record must be an object with a jobId");
  return record;
}

function prepareStatements(db: Database.Database) {
  return {
    jobKey: db.prepare("SELECT job_key FROM jobs WHERE job_id = ?").pluck(),
    insertJob: db.prepare("INSERT INTO jobs (job_id) VALUES (?)"),
    getRecord: db.prepare("SELECT record FROM jobs WHERE job_id = ?").pluck(),
    setRecord: db.prepare("UPDATE jobs SET record = ? WHERE job_key = ?"),
    putLink: db.prepare(
      `INSERT INTO links (job_key, ${LINK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (job_key, source_id) DO UPDATE SET target_id = excluded.target_id, state = excluded.state,
         soft_deleted_at = excluded.soft_deleted_at, fingerprint = excluded.fingerprint,
         disabled_flowed = excluded.disabled_flowed, manager_source_id = excluded.manager_source_id`,
    ),
    deleteLink: db.prepare("DELETE FROM links WHERE job_key = ? AND source_id = ?"),
    linksFirst: db.prepare(`SELECT ${LINK_COLUMNS} FROM links WHERE job_key = ? ORDER BY source_id LIMIT ?`),
    linksAfter: db.prepare(`SELECT ${LINK_COLUMNS} FROM links WHERE job_key = ? AND source_id > ? ORDER BY source_id LIMIT ?`),
    putEscrow: db.prepare(
      `INSERT INTO escrows (job_key, source_id, next_attempt_at, escrow) VALUES (?, ?, ?, ?)
       ON CONFLICT (job_key, source_id) DO UPDATE SET next_attempt_at = excluded.next_attempt_at, escrow = excluded.escrow`,
    ),
    deleteEscrow: db.prepare("DELETE FROM escrows WHERE job_key = ? AND source_id = ?"),
    listEscrows: db.prepare("SELECT escrow FROM escrows WHERE job_key = ? ORDER BY source_id").pluck(),
    insertLog: db.prepare(
      "INSERT INTO logs (job_key, time, cycle_id, source_user_id, target_user_id, action, status, entry) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    ),
    addLogCount: db.prepare("UPDATE jobs SET log_count = log_count + ? WHERE job_key = ?"),
    logCount: db.prepare("SELECT log_count FROM jobs WHERE job_key = ?").pluck(),
    pruneLogs: db.prepare("DELETE FROM logs INDEXED BY logs_job_time WHERE job_key = ? AND time < ?"),
    dropOldestLogs: db.prepare("DELETE FROM logs WHERE seq IN (SELECT seq FROM logs INDEXED BY logs_job_time WHERE job_key = ? ORDER BY time, seq LIMIT ?)"),
    deleteJobLinks: db.prepare("DELETE FROM links WHERE job_key = ?"),
    deleteJobEscrows: db.prepare("DELETE FROM escrows WHERE job_key = ?"),
    deleteJobLogs: db.prepare("DELETE FROM logs INDEXED BY logs_job_time WHERE job_key = ?"),
    deleteJob: db.prepare("DELETE FROM jobs WHERE job_key = ?"),
  };
}
