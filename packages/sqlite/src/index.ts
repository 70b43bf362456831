/**
 * `@tenantsync/sqlite` — a durable `StateStore` for tenantsync in one
 * SQLite file (better-sqlite3, WAL mode). See docs/sqlite.md.
 *
 * @module
 */
export { createSqliteStateStore, SQLITE_STATE_STORE_SCHEMA_VERSION } from "./sqlite-state-store.ts";
export type { SqliteLogRetention, SqliteStateStore, SqliteStateStoreOptions } from "./sqlite-state-store.ts";
export { SqliteStateStoreError } from "./sqlite-state-store-error.ts";
export type { SqliteStateStoreErrorCode } from "./sqlite-state-store-error.ts";
