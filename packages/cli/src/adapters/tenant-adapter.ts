import type { DirectoryPort } from "@tenantsync/core";
import type { TenantConfig } from "../config/tenantsync-config.ts";

/**
 * What an adapter factory gets besides its config.
 *
 * @example
 * ```ts
 * const context: AdapterContext = { path: ["tenants", 0], tenantIds: [id], resolvePath: (p) => p, warn: console.warn, persistentState: "sqlite", writes: true };
 * ```
 */
export interface AdapterContext {
  /** The tenant entry's JSON path in the config, for error messages (`["tenants", 2]`). */
  path: ReadonlyArray<string | number>;
  /** Every tenant id of the config (memory tenants trust them with `trust: "all"`). */
  tenantIds: readonly string[];
  /** Resolves a path relative to the config file. */
  resolvePath(path: string): string;
  /** Advice for the user (printed on stderr). */
  warn(message: string): void;
  /** The kind of state store when it outlives the process (`sqlite`), else null. */
  persistentState: string | null;
  /** Whether the command may write to tenants (run, provision). */
  writes: boolean;
}

/**
 * One opened tenant: its directory, and what the CLI must do with it when a
 * command ends.
 *
 * @example
 * ```ts
 * const opened: OpenedTenant = { directory, label: "Contoso" };
 * ```
 */
export interface OpenedTenant {
  directory: DirectoryPort;
  /** A short name for output. */
  label: string;
  /** Persists what the command changed (memory snapshots). */
  save?(): Promise<void>;
  close?(): Promise<void>;
}

/**
 * Makes a tenant's directory from its config entry. Built-in factories:
 * `memory`, `graph`, `module`; a new adapter type (SCIM) adds one.
 *
 * @example
 * ```ts
 * const factory: AdapterFactory = async (entry) => ({ directory: createMemoryDirectory({ tenant: { id: entry.id, displayName: "X", verifiedDomains: ["x.example.com"] } }), label: "X" });
 * ```
 */
export type AdapterFactory = (entry: TenantConfig, context: AdapterContext) => Promise<OpenedTenant>;
