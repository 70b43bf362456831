/**
 * `@tenantsync/cli` — the `tenantsync` command line, and what it is made of
 * for programs that want the same behaviour: the config file's schema (zod
 * and JSON Schema), its loader with `${ENV}` interpolation and redaction,
 * the exit codes, and `runCli` itself.
 *
 * @example
 * ```ts
 * import { loadConfigFile, runCli } from "@tenantsync/cli";
 * const { config } = await loadConfigFile("tenantsync.json");
 * const code = await runCli(["status", "--json"], { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() });
 * ```
 *
 * @module
 */
export { runCli } from "./run-cli.ts";
export type { CliIo } from "./commands/command.ts";
export { EXIT_CODES, worstExitCode } from "./exit-codes.ts";
export type { ExitCode } from "./exit-codes.ts";
export { CliUsageError } from "./cli-error.ts";
export {
  AdapterConfig,
  CredentialConfig,
  GraphAdapterConfig,
  MemoryAdapterConfig,
  MemoryGenerateConfig,
  ModuleAdapterConfig,
  ScimAdapterConfig,
  StateConfig,
  TenantConfig,
  TenantSyncConfig,
  parseTenantSyncConfig,
  tenantSyncConfigJsonSchema,
} from "./config/tenantsync-config.ts";
export type { TenantSyncConfigInput } from "./config/tenantsync-config.ts";
export { loadConfigFile, loadConfigObject } from "./config/load-config.ts";
export type { LoadConfigOptions, LoadedConfig } from "./config/load-config.ts";
export { interpolateEnv } from "./config/interpolate-env.ts";
export type { InterpolatedConfig } from "./config/interpolate-env.ts";
export { REDACTED_SECRET, createRedactor } from "./config/redactor.ts";
export type { Redactor } from "./config/redactor.ts";
export { openTenant } from "./adapters/open-tenant.ts";
export type { AdapterContext, AdapterFactory, OpenedTenant } from "./adapters/tenant-adapter.ts";
export { createCredential } from "./adapters/credentials.ts";
export type { CredentialContext } from "./adapters/credentials.ts";
export { MEMORY_SNAPSHOT_FORMAT } from "./adapters/memory-snapshot.ts";
export type { MemorySnapshotFile, SnapshotFeed } from "./adapters/memory-snapshot.ts";
export { openWorkspace, openStateStore } from "./workspace.ts";
export type { OpenWorkspaceOptions, OpenedStore, Workspace } from "./workspace.ts";
export { runSimulation } from "./simulate/simulation.ts";
export type { RoundChanges, SimulationCheck, SimulationHooks, SimulationOptions, SimulationResult, SimulationRound } from "./simulate/simulation.ts";
export { renderTable } from "./output/table.ts";
export type { TableColumn } from "./output/table.ts";
export { createProgressBars } from "./output/progress.ts";
export type { ProgressBar, ProgressBars } from "./output/progress.ts";
export { configSchemaText } from "./commands/schema-command.ts";
