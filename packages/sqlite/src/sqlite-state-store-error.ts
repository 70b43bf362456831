import { AdapterError, isTenantSyncError } from "@tenantsync/core/port";

/**
 * Stable codes of {@link SqliteStateStoreError}.
 *
 * - `STORE_OPEN_FAILED` — the file could not be opened or put in WAL mode.
 * - `STORE_NOT_TENANTSYNC` — the file is a SQLite database of some other program.
 * - `STORE_SCHEMA_TOO_NEW` — the file was written by a newer `@tenantsync/sqlite`.
 * - `STORE_MIGRATION_FAILED` — upgrading the file's schema failed; the file is unchanged.
 * - `STORE_INVALID_VALUE` — a value handed to the store is not what the port allows (in a write: nothing of the write was stored).
 * - `STORE_BUSY` — another connection held the write lock longer than the busy timeout (retryable).
 * - `STORE_FULL` — the disk is full (retryable once space is freed).
 * - `STORE_IO_ERROR` — the operating system reported an I/O error (retryable).
 * - `STORE_READ_ONLY` — the file or its directory cannot be written.
 * - `STORE_CORRUPT` — the file is damaged; restore it from a backup.
 * - `STORE_CLOSED` — the store was used after `close()`.
 * - `STORE_ERROR` — anything else SQLite reported.
 *
 * @example
 * ```ts
 * const code: SqliteStateStoreErrorCode = "STORE_BUSY";
 * if (error instanceof SqliteStateStoreError && error.code === code) await retryLater();
 * ```
 */
export type SqliteStateStoreErrorCode =
  | "STORE_OPEN_FAILED"
  | "STORE_NOT_TENANTSYNC"
  | "STORE_SCHEMA_TOO_NEW"
  | "STORE_MIGRATION_FAILED"
  | "STORE_INVALID_VALUE"
  | "STORE_BUSY"
  | "STORE_FULL"
  | "STORE_IO_ERROR"
  | "STORE_READ_ONLY"
  | "STORE_CORRUPT"
  | "STORE_CLOSED"
  | "STORE_ERROR";

/**
 * An error of the SQLite state store. Its message starts with
 * `SQLite state store <path>:` and says what to do; {@link SqliteStateStoreError.path}
 * holds the file, {@link SqliteStateStoreError.sqliteCode} the SQLite result
 * code when SQLite raised it (`SQLITE_BUSY`, `SQLITE_CONSTRAINT_CHECK`, …), and
 * `cause` the original error.
 *
 * @example
 * ```ts
 * try {
 *   store = createSqliteStateStore({ path: "state/tenantsync.db" });
 * } catch (e) {
 *   if (e instanceof SqliteStateStoreError && e.code === "STORE_SCHEMA_TOO_NEW") console.error(e.message);
 *   else throw e;
 * }
 * ```
 */
export class SqliteStateStoreError extends AdapterError {
  override readonly code: SqliteStateStoreErrorCode;
  /** The database file the store works on. */
  readonly path: string;
  /** SQLite's extended result code, when SQLite raised the error. */
  readonly sqliteCode: string | undefined;

  constructor(code: SqliteStateStoreErrorCode, path: string, message: string, options: { retryable?: boolean; cause?: unknown; sqliteCode?: string } = {}) {
    super(code, `SQLite state store ${path}: ${message}`, { retryable: options.retryable ?? false, cause: options.cause });
    this.code = code;
    this.path = path;
    this.sqliteCode = options.sqliteCode;
  }
}

/** A value read from the file has a form the store never writes. */
export class StoredValueError extends Error {
  override readonly name = "StoredValueError";
}

/** The `code` of an error raised by better-sqlite3 (`SqliteError`), if it is one. */
function sqliteCodeOf(error: unknown): string | undefined {
  if (error instanceof Error && error.name === "SqliteError") {
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

/**
 * Turns whatever a store operation threw into a typed error naming the file
 * and what was being done. Typed errors pass through unchanged. `rolledBack`
 * adds that the transaction left the file as it was.
 */
export function toStoreError(error: unknown, path: string, doing: string, options: { rolledBack?: boolean } = {}): Error {
  if (isTenantSyncError(error)) return error;
  const sqliteCode = sqliteCodeOf(error);
  const detail = error instanceof Error ? error.message : String(error);
  const [code, what, retryable] = classify(sqliteCode, error, detail);
  const tail = options.rolledBack ? " Nothing of this write was stored." : "";
  return new SqliteStateStoreError(code, path, `${doing}: ${what}.${tail}`, { cause: error, sqliteCode, retryable });
}

function classify(sqliteCode: string | undefined, error: unknown, detail: string): [SqliteStateStoreErrorCode, string, boolean] {
  if (sqliteCode === undefined) {
    // better-sqlite3 raises TypeError/RangeError for values it cannot bind
    // (booleans, undefined, objects) and JSON.stringify raises for BigInt/cycles.
    if (error instanceof TypeError || error instanceof RangeError) return ["STORE_INVALID_VALUE", detail, false];
    // Raised while decoding what was read: a stored value has a form this code never writes.
    if (error instanceof SyntaxError || error instanceof StoredValueError) {
      return ["STORE_CORRUPT", `a stored value cannot be decoded (${detail}); the file was changed by something else or is damaged — restore it from a backup (docs/sqlite.md, "Backups")`, false];
    }
    return ["STORE_ERROR", detail, false];
  }
  switch (sqliteCode.replace(/^(SQLITE_[A-Z]+).*$/, "$1")) {
    case "SQLITE_BUSY":
    case "SQLITE_LOCKED":
      return ["STORE_BUSY", `the database stayed locked by another connection for longer than the busy timeout (${detail}); try again, or raise busyTimeoutMs`, true];
    case "SQLITE_CONSTRAINT":
    case "SQLITE_MISMATCH":
    case "SQLITE_TOOBIG":
    case "SQLITE_RANGE":
      return ["STORE_INVALID_VALUE", detail, false];
    case "SQLITE_FULL":
      return ["STORE_FULL", `the disk is full (${detail}); free space and try again`, true];
    case "SQLITE_IOERR":
      return ["STORE_IO_ERROR", `I/O error (${detail}); check the disk and try again`, true];
    case "SQLITE_READONLY":
    case "SQLITE_PERM":
    case "SQLITE_AUTH":
      return ["STORE_READ_ONLY", `the file cannot be written (${detail}); check the permissions of the file and of its directory (SQLite creates -wal and -shm files next to it)`, false];
    case "SQLITE_CORRUPT":
    case "SQLITE_NOTADB":
      return ["STORE_CORRUPT", `the file is not a valid database or is damaged (${detail}); restore it from a backup (docs/sqlite.md, "Backups")`, false];
    case "SQLITE_CANTOPEN":
      return ["STORE_OPEN_FAILED", `the file cannot be opened (${detail}); check that its directory exists and is writable`, false];
    default:
      return ["STORE_ERROR", detail, false];
  }
}
