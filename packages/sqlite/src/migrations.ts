import type Database from "better-sqlite3";
import { sqlIdAsText } from "./id-codec.ts";
import { SqliteStateStoreError, toStoreError } from "./sqlite-state-store-error.ts";

/**
 * One step of the schema's history. Steps run in order, each in its own
 * `BEGIN IMMEDIATE` transaction that also sets `PRAGMA user_version` to the
 * step's version, so a file is always at exactly one version: a step that
 * fails leaves the file as it was before the step.
 *
 * Never edit a released step; add a new one.
 */
export interface MigrationStep {
  readonly version: number;
  readonly description: string;
  readonly up: (db: Database.Database) => void;
}

/**
 * `PRAGMA application_id` of a tenantsync state file ("TSYC"), so that
 * `file(1)` and this store can tell it from other SQLite databases.
 */
export const APPLICATION_ID = 0x54535943;

/**
 * Version 1: the initial layout.
 *
 * - `jobs` maps the job id to a small integer key used by every other table
 *   (a job id is stored once, not once per link or log entry) and holds the
 *   job record as JSON.
 * - `links` is a WITHOUT ROWID table keyed by (job, source id): the primary
 *   key is the table itself, so there is no second copy of the key in an
 *   index. Ids in canonical GUID form are 16-byte blobs (id-codec.ts); the
 *   columns are declared BLOB so that SQLite never converts an id that looks
 *   like a number. `state` is 0 active, 1 disabled, 2 softDeleted.
 * - `escrows` keeps each escrow as JSON, with `next_attempt_at` as a column.
 * - `logs` keeps each entry as JSON, with the columns the queries filter on
 *   beside it, and indexes for job, cycle and user lookups, newest first.
 */
const V1 = `
CREATE TABLE jobs (
  job_key INTEGER PRIMARY KEY,
  job_id TEXT NOT NULL UNIQUE CHECK (typeof(job_id) = 'text' AND length(job_id) > 0),
  record TEXT
);
CREATE TABLE links (
  job_key INTEGER NOT NULL,
  source_id BLOB NOT NULL CHECK (typeof(source_id) IN ('text', 'blob') AND length(source_id) > 0),
  target_id BLOB NOT NULL CHECK (typeof(target_id) IN ('text', 'blob') AND length(target_id) > 0),
  state INTEGER NOT NULL CHECK (state IN (0, 1, 2)),
  soft_deleted_at TEXT CHECK (soft_deleted_at IS NULL OR typeof(soft_deleted_at) = 'text'),
  fingerprint TEXT NOT NULL CHECK (typeof(fingerprint) = 'text'),
  disabled_flowed INTEGER NOT NULL CHECK (disabled_flowed IN (0, 1)),
  manager_source_id BLOB CHECK (manager_source_id IS NULL OR typeof(manager_source_id) IN ('text', 'blob')),
  PRIMARY KEY (job_key, source_id)
) WITHOUT ROWID;
CREATE TABLE escrows (
  job_key INTEGER NOT NULL,
  source_id BLOB NOT NULL CHECK (typeof(source_id) IN ('text', 'blob') AND length(source_id) > 0),
  next_attempt_at TEXT NOT NULL CHECK (typeof(next_attempt_at) = 'text'),
  escrow TEXT NOT NULL,
  PRIMARY KEY (job_key, source_id)
) WITHOUT ROWID;
CREATE TABLE logs (
  seq INTEGER PRIMARY KEY,
  job_key INTEGER NOT NULL,
  time TEXT NOT NULL CHECK (typeof(time) = 'text'),
  cycle_id TEXT NOT NULL CHECK (typeof(cycle_id) = 'text'),
  source_user_id BLOB CHECK (source_user_id IS NULL OR typeof(source_user_id) IN ('text', 'blob')),
  target_user_id BLOB CHECK (target_user_id IS NULL OR typeof(target_user_id) IN ('text', 'blob')),
  action TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete', 'disable', 'restore', 'stagedDelete', 'skip', 'other')),
  status TEXT NOT NULL CHECK (status IN ('success', 'warning', 'failure', 'skipped')),
  entry TEXT NOT NULL
);
CREATE INDEX logs_job_time ON logs (job_key, time);
CREATE INDEX logs_cycle_time ON logs (cycle_id, time);
CREATE INDEX logs_source_user_time ON logs (source_user_id, time);
CREATE INDEX logs_target_user_time ON logs (target_user_id, time);
PRAGMA application_id = ${APPLICATION_ID};
`;

/**
 * Version 2: cheap retention and status/action queries.
 *
 * - `jobs.log_count` counts each job's log entries, so the per-job cap is
 *   enforced on write without counting the entries (backfilled here).
 * - Indexes for the log queries by status, by action (per job) and by time
 *   across jobs.
 * - `links_readable` and `logs_readable` views show ids as text and states by
 *   name, for operators using the sqlite3 shell.
 */
const V2 = `
ALTER TABLE jobs ADD COLUMN log_count INTEGER NOT NULL DEFAULT 0;
UPDATE jobs SET log_count = (SELECT count(*) FROM logs WHERE logs.job_key = jobs.job_key);
CREATE INDEX logs_job_status_time ON logs (job_key, status, time);
CREATE INDEX logs_job_action_time ON logs (job_key, action, time);
CREATE INDEX logs_time ON logs (time);
CREATE VIEW links_readable AS
  SELECT jobs.job_id AS job_id,
         ${sqlIdAsText("links.source_id")} AS source_id,
         ${sqlIdAsText("links.target_id")} AS target_id,
         CASE links.state WHEN 0 THEN 'active' WHEN 1 THEN 'disabled' ELSE 'softDeleted' END AS state,
         links.soft_deleted_at AS soft_deleted_at,
         links.fingerprint AS fingerprint,
         links.disabled_flowed AS disabled_flowed,
         ${sqlIdAsText("links.manager_source_id")} AS manager_source_id
  FROM links JOIN jobs ON jobs.job_key = links.job_key;
CREATE VIEW logs_readable AS
  SELECT logs.seq AS seq, jobs.job_id AS job_id, logs.time AS time, logs.cycle_id AS cycle_id,
         ${sqlIdAsText("logs.source_user_id")} AS source_user_id,
         ${sqlIdAsText("logs.target_user_id")} AS target_user_id,
         logs.action AS action, logs.status AS status, logs.entry AS entry
  FROM logs JOIN jobs ON jobs.job_key = logs.job_key;
`;

/** The schema's history, oldest first. */
export const MIGRATIONS: readonly MigrationStep[] = [
  { version: 1, description: "initial layout: jobs, links, escrows, logs", up: (db) => db.exec(V1) },
  { version: 2, description: "per-job log counter, status/action/time log indexes, readable views", up: (db) => db.exec(V2) },
];

/** The schema version this code writes; files at a lower version are migrated on open. */
export const SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Reads `PRAGMA user_version`. */
export function userVersion(db: Database.Database): number {
  return db.pragma("user_version", { simple: true }) as number;
}

/**
 * Refuses files this code must not touch: written by a newer version, or a
 * SQLite database of some other program. Runs before anything is written.
 */
export function checkSchema(db: Database.Database, path: string, steps: readonly MigrationStep[] = MIGRATIONS): number {
  const latest = steps[steps.length - 1]!.version;
  const version = userVersion(db);
  const appId = db.pragma("application_id", { simple: true }) as number;
  if (appId !== 0 && appId !== APPLICATION_ID) {
    throw new SqliteStateStoreError("STORE_NOT_TENANTSYNC", path, `the file is a SQLite database of another program (application_id 0x${appId.toString(16)}); give the store a path of its own`);
  }
  if (version > latest) {
    throw new SqliteStateStoreError(
      "STORE_SCHEMA_TOO_NEW",
      path,
      `the file has schema version ${version}, written by a newer @tenantsync/sqlite; this version understands up to ${latest}. Upgrade @tenantsync/sqlite, or restore a backup taken before the upgrade`,
    );
  }
  if (version === 0) {
    const objects = db.prepare("SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'").pluck().get() as number;
    if (objects > 0) {
      throw new SqliteStateStoreError("STORE_NOT_TENANTSYNC", path, `the file already holds ${objects} tables or indexes but is not a tenantsync state file (user_version 0); give the store a path of its own`);
    }
  }
  return version;
}

/**
 * Brings the file to the latest version, one step per transaction. Another
 * process migrating the same file at the same time is harmless: each step
 * re-reads the version under the write lock and is skipped when done.
 * Returns the version the file had before.
 */
export function migrate(db: Database.Database, path: string, steps: readonly MigrationStep[] = MIGRATIONS): number {
  const before = userVersion(db);
  for (const step of steps) {
    if (step.version <= before) continue;
    const apply = db.transaction(() => {
      if (userVersion(db) >= step.version) return;
      step.up(db);
      db.pragma(`user_version = ${Math.trunc(step.version)}`);
    });
    try {
      apply.immediate();
    } catch (error) {
      const typed = toStoreError(error, path, "migrating");
      const at = userVersion(db);
      throw new SqliteStateStoreError(
        "STORE_MIGRATION_FAILED",
        path,
        `upgrading the schema to version ${step.version} (${step.description}) failed: ${error instanceof Error ? error.message : String(error)}. The file was left at version ${at}; fix the cause (see the error's cause) and open it again`,
        { cause: typed, retryable: typed instanceof SqliteStateStoreError && typed.retryable },
      );
    }
  }
  return before;
}
