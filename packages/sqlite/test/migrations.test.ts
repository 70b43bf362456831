import { writeFileSync } from "node:fs";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { createSqliteStateStore, SQLITE_STATE_STORE_SCHEMA_VERSION, SqliteStateStoreError } from "../src/index.ts";
import { allLinks, guid, openStore, rawDb, tempDbPath } from "./helpers.ts";

/**
 * A state file exactly as version 1 of the store laid it out, written by
 * hand (not by the store's own migration code), with some data in it.
 */
const V1_FILE = `
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
PRAGMA application_id = 1414748483;

INSERT INTO jobs (job_key, job_id, record) VALUES
  (1, 'job-a', '{"jobId":"job-a","watermark":"w-17","configFingerprint":"cfg","state":"Active","lastExecution":null,"lastSuccessfulExecution":null,"quarantine":null,"successiveFailures":0,"steadyStateFirstAchievedAt":null,"steadyStateLastAchievedAt":null,"forceDeletes":false,"failureSeries":{"exports":0,"failures":0}}'),
  (2, 'job-b', NULL);
INSERT INTO links VALUES
  (1, X'00000000000040008000000000000001', X'00000000000040008000000000000002', 0, NULL, 'fp1', 0, X'00000000000040008000000000000003'),
  (1, 'legacy-id', 'target-x', 2, '2026-01-01T00:00:00.000Z', 'fp2', 1, NULL),
  (2, 'b-user', 'b-target', 1, NULL, 'fp3', 1, NULL);
INSERT INTO escrows VALUES
  (1, 'legacy-id', '2026-01-02T00:00:00.000Z', '{"sourceId":"legacy-id","action":"update","attempts":2,"firstFailureAt":"2026-01-01T00:00:00.000Z","nextAttemptAt":"2026-01-02T00:00:00.000Z","error":{"code":"THROTTLED","message":"slow","retryable":true}}');
`;

function logRow(seq: number, jobKey: number, second: number, status: string): string {
  const time = `2026-01-01T00:00:0${second}.000Z`;
  const entry = {
    id: `v1-${seq}`,
    time,
    jobId: jobKey === 1 ? "job-a" : "job-b",
    cycleId: "c1",
    changeId: `ch-${seq}`,
    action: "update",
    status,
    source: { tenantId: "s", userId: "legacy-id", displayName: null },
    target: { tenantId: "t", userId: "target-x" },
    steps: [],
    modifiedProperties: [],
    reason: null,
    error: null,
    durationMs: 1,
  };
  return `INSERT INTO logs VALUES (${seq}, ${jobKey}, '${time}', 'c1', 'legacy-id', 'target-x', 'update', '${status}', '${JSON.stringify(entry)}');`;
}

function writeV1File(path: string, extraSql = ""): void {
  const db = new Database(path);
  db.exec("BEGIN");
  db.exec(V1_FILE);
  db.exec([logRow(1, 1, 1, "success"), logRow(2, 1, 2, "failure"), logRow(3, 1, 3, "success"), logRow(4, 1, 4, "success"), logRow(5, 2, 5, "success")].join("\n"));
  db.exec(extraSql);
  db.pragma("user_version = 1");
  db.exec("COMMIT");
  db.close();
}

describe("schema migrations", () => {
  it("opens a hand-written version 1 file, migrates it, and reads everything in it", async () => {
    const path = tempDbPath();
    writeV1File(path);
    const store = openStore({ path });
    expect(store.migratedFrom).toBe(1);
    expect(store.schemaVersion).toBe(SQLITE_STATE_STORE_SCHEMA_VERSION);
    expect(rawDb(path).pragma("user_version", { simple: true })).toBe(SQLITE_STATE_STORE_SCHEMA_VERSION);

    expect(await store.getJob("job-a")).toMatchObject({ jobId: "job-a", watermark: "w-17", state: "Active" });
    expect(await store.getJob("job-b")).toBeNull();
    expect(await allLinks(store, "job-a")).toEqual([
      { sourceId: "legacy-id", targetId: "target-x", state: "softDeleted", softDeletedAt: "2026-01-01T00:00:00.000Z", fingerprint: "fp2", disabledFlowed: true, managerSourceId: null },
      { sourceId: guid(1), targetId: guid(2), state: "active", softDeletedAt: null, fingerprint: "fp1", disabledFlowed: false, managerSourceId: guid(3) },
    ]);
    expect((await store.getLinks("job-b", ["b-user"])).get("b-user")).toMatchObject({ targetId: "b-target", state: "disabled" });
    expect(await store.listEscrows("job-a")).toEqual([expect.objectContaining({ sourceId: "legacy-id", attempts: 2 })]);
    expect((await store.queryLogs({ jobId: "job-a" })).map((e) => e.id)).toEqual(["v1-4", "v1-3", "v1-2", "v1-1"]);
    expect((await store.queryLogs({ jobId: "job-a", status: "failure" })).map((e) => e.id)).toEqual(["v1-2"]);
  });

  it("backfills the per-job log counter, so the retention cap counts the entries written before the upgrade", async () => {
    const path = tempDbPath();
    writeV1File(path);
    const store = openStore({ path, logRetention: { maxEntriesPerJob: 3 } });
    expect(rawDb(path).prepare("SELECT job_id, log_count FROM jobs ORDER BY job_id").all()).toEqual([
      { job_id: "job-a", log_count: 4 },
      { job_id: "job-b", log_count: 1 },
    ]);
    const [first] = await store.queryLogs({ jobId: "job-a", limit: 1 });
    await store.write("job-a", { appendLogs: [{ ...first!, id: "new", time: "2026-01-01T00:00:09.000Z" }] });
    expect((await store.queryLogs({ jobId: "job-a" })).map((e) => e.id)).toEqual(["new", "v1-4", "v1-3"]);
    expect((await store.queryLogs({ jobId: "job-b" })).map((e) => e.id)).toEqual(["v1-5"]);
  });

  it("adds readable views that show ids as text", () => {
    const path = tempDbPath();
    writeV1File(path);
    openStore({ path });
    expect(rawDb(path).prepare("SELECT source_id, target_id, state, manager_source_id FROM links_readable WHERE job_id = 'job-a' ORDER BY source_id").all()).toEqual([
      { source_id: guid(1), target_id: guid(2), state: "active", manager_source_id: guid(3) },
      { source_id: "legacy-id", target_id: "target-x", state: "softDeleted", manager_source_id: null },
    ]);
    expect(rawDb(path).prepare("SELECT count(*) FROM logs_readable WHERE job_id = 'job-a' AND source_user_id = 'legacy-id'").pluck().get()).toBe(4);
  });

  it("a step that fails leaves the file at its old version, unchanged, and says which step failed", async () => {
    const path = tempDbPath();
    // Someone created an index whose name version 2 needs.
    writeV1File(path, "CREATE INDEX logs_time ON logs (seq);");
    let error: unknown;
    try {
      createSqliteStateStore({ path });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SqliteStateStoreError);
    expect((error as SqliteStateStoreError).code).toBe("STORE_MIGRATION_FAILED");
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toContain("version 2");
    expect((error as Error).message).toContain("left at version 1");
    const raw = new Database(path);
    expect(raw.pragma("user_version", { simple: true })).toBe(1);
    expect(raw.prepare("SELECT name FROM pragma_table_info('jobs')").pluck().all()).not.toContain("log_count");
    expect(raw.prepare("SELECT count(*) FROM sqlite_schema WHERE name IN ('logs_job_status_time', 'links_readable')").pluck().get()).toBe(0);
    // Fix the cause and the next open migrates.
    raw.exec("DROP INDEX logs_time");
    raw.close();
    const store = openStore({ path });
    expect(store.migratedFrom).toBe(1);
    expect(await store.getJob("job-a")).toMatchObject({ watermark: "w-17" });
  });

  it("reopening a current file migrates nothing", () => {
    const path = tempDbPath();
    createSqliteStateStore({ path }).close();
    expect(openStore({ path }).migratedFrom).toBe(SQLITE_STATE_STORE_SCHEMA_VERSION);
  });

  it("refuses a file written by a newer version with STORE_SCHEMA_TOO_NEW, and does not touch it", async () => {
    const path = tempDbPath();
    const first = createSqliteStateStore({ path });
    await first.write("j", { putLinks: [{ sourceId: "a", targetId: "b", state: "active", softDeletedAt: null, fingerprint: "", disabledFlowed: false, managerSourceId: null }] });
    await first.close();
    const raw = new Database(path);
    raw.pragma(`user_version = ${SQLITE_STATE_STORE_SCHEMA_VERSION + 1}`);
    raw.exec("CREATE TABLE from_the_future (x)");
    raw.close();
    let error: unknown;
    try {
      createSqliteStateStore({ path });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SqliteStateStoreError);
    expect((error as SqliteStateStoreError).code).toBe("STORE_SCHEMA_TOO_NEW");
    expect((error as SqliteStateStoreError).retryable).toBe(false);
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toContain(`schema version ${SQLITE_STATE_STORE_SCHEMA_VERSION + 1}`);
    expect((error as Error).message).toContain("Upgrade @tenantsync/sqlite");
    const after = rawDb(path);
    expect(after.pragma("user_version", { simple: true })).toBe(SQLITE_STATE_STORE_SCHEMA_VERSION + 1);
    expect(after.prepare("SELECT count(*) FROM links").pluck().get()).toBe(1);
  });

  it("refuses a SQLite database of another program", () => {
    const withTables = tempDbPath();
    const a = new Database(withTables);
    a.exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES ('x');");
    a.close();
    const withAppId = tempDbPath();
    const b = new Database(withAppId);
    b.pragma("application_id = 42");
    b.close();
    for (const path of [withTables, withAppId]) {
      expect(() => createSqliteStateStore({ path })).toThrow(expect.objectContaining({ code: "STORE_NOT_TENANTSYNC", message: expect.stringContaining(path) }));
    }
    expect(rawDb(withTables).prepare("SELECT name FROM customers").pluck().all()).toEqual(["x"]);
  });

  it("refuses a file that is not a database with STORE_CORRUPT", () => {
    const path = tempDbPath();
    writeFileSync(path, "this is not a database, just some text that is long enough to look like a header......".repeat(20));
    expect(() => createSqliteStateStore({ path })).toThrow(expect.objectContaining({ code: "STORE_CORRUPT", message: expect.stringContaining(path) }));
  });
});
