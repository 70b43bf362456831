import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { newJobRecord, type Escrow, type JobRecord, type Link, type LogEntry } from "@tenantsync/core/port";
import { afterEach } from "vitest";
import { createSqliteStateStore, type SqliteStateStore, type SqliteStateStoreOptions } from "../src/index.ts";

const dirs: string[] = [];
const opened: Array<{ close(): unknown }> = [];

afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fresh temporary directory, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "tenantsync-sqlite-"));
  dirs.push(dir);
  return dir;
}

/** A path for a new database file in a fresh temporary directory. */
export function tempDbPath(): string {
  return join(tempDir(), "state.db");
}

/** Opens a store that is closed after the test (closing twice is fine). */
export function openStore(options: Partial<SqliteStateStoreOptions> & { path: string }): SqliteStateStore {
  const store = createSqliteStateStore(options);
  opened.push(store);
  return store;
}

/** A raw better-sqlite3 connection to look at (or tamper with) the file directly; closed after the test. */
export function rawDb(path: string): Database.Database {
  const db = new Database(path, { timeout: 5000 });
  opened.push(db);
  return db;
}

/** A canonical (lowercase) GUID made from a number, deterministic. */
export function guid(n: number): string {
  const h = n.toString(16).padStart(12, "0");
  return `00000000-0000-4000-8000-${h}`;
}

export function link(sourceId: string, overrides: Partial<Link> = {}): Link {
  return {
    sourceId,
    targetId: `t-${sourceId}`,
    state: "active",
    softDeletedAt: null,
    fingerprint: `fp-${sourceId}`,
    disabledFlowed: false,
    managerSourceId: null,
    ...overrides,
  };
}

export function escrow(sourceId: string, overrides: Partial<Escrow> = {}): Escrow {
  return {
    sourceId,
    action: "update",
    attempts: 1,
    firstFailureAt: "2026-01-01T00:00:00.000Z",
    nextAttemptAt: "2026-01-01T06:00:00.000Z",
    error: { code: "THROTTLED", message: "slow down", retryable: true },
    ...overrides,
  };
}

let logSeq = 0;
export function logEntry(overrides: Partial<LogEntry> & { jobId: string }): LogEntry {
  logSeq++;
  return {
    id: `log-${logSeq}`,
    time: "2026-01-01T00:00:00.000Z",
    cycleId: "cycle-1",
    changeId: `change-${logSeq}`,
    action: "update",
    status: "success",
    source: { tenantId: "src-tenant", userId: "user-1", displayName: "User One" },
    target: { tenantId: "tgt-tenant", userId: "target-1" },
    steps: [{ name: "action", status: "success", description: "updated", details: { n: 1 } }],
    modifiedProperties: [{ name: "jobTitle", oldValue: "a", newValue: "b" }],
    reason: null,
    error: null,
    durationMs: 12,
    ...overrides,
  };
}

/** A job record with every field set, to check nothing is lost on the way through the file. */
export function fullJobRecord(jobId: string): JobRecord {
  const summary = {
    cycleId: "cycle-9",
    kind: "incremental" as const,
    begin: "2026-01-02T00:00:00.000Z",
    end: "2026-01-02T00:01:00.000Z",
    state: "warning" as const,
    counts: { imported: 1, inScope: 2, exported: 3, escrowed: 4, errors: 5, created: 6, updated: 7, disabled: 8, deleted: 9, restored: 10, skipped: 11 },
    error: { code: "X", message: "y" },
  };
  return {
    ...newJobRecord(jobId),
    watermark: "cursor-42",
    configFingerprint: "cfg",
    state: "Quarantine",
    lastExecution: summary,
    lastSuccessfulExecution: { ...summary, state: "succeeded", error: undefined },
    quarantine: { reason: "TooManyDeletes", message: "held", since: "2026-01-02T00:00:00.000Z", nextAttemptAt: "2026-01-03T00:00:00.000Z", seriesCount: 2 },
    successiveFailures: 3,
    steadyStateFirstAchievedAt: "2026-01-01T00:00:00.000Z",
    steadyStateLastAchievedAt: "2026-01-02T00:00:00.000Z",
    forceDeletes: true,
    failureSeries: { exports: 10, failures: 4 },
  };
}

/** Every link of a job, through listLinks. */
export async function allLinks(store: { listLinks(jobId: string): AsyncIterable<Link[]> }, jobId: string): Promise<Link[]> {
  const out: Link[] = [];
  for await (const page of store.listLinks(jobId)) out.push(...page);
  return out;
}

export const bySource = (a: { sourceId: string }, b: { sourceId: string }): number => (a.sourceId < b.sourceId ? -1 : a.sourceId > b.sourceId ? 1 : 0);
