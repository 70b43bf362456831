import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { createMemoryStateStore, createSyncJob, jobIdOf, type DirectoryPort, type StateStore, type SyncJob, type SyncLogger } from "@tenantsync/core";
import { openTenant } from "./adapters/open-tenant.ts";
import type { OpenedTenant } from "./adapters/tenant-adapter.ts";
import { CliUsageError } from "./cli-error.ts";
import type { LoadedConfig } from "./config/load-config.ts";
import type { Output } from "./output/output.ts";

/**
 * A state store the CLI opened, closable.
 *
 * @example
 * ```ts
 * const opened: OpenedStore = await openStateStore(loaded);
 * ```
 */
export interface OpenedStore {
  store: StateStore;
  /** `sqlite` or `memory`. */
  kind: "sqlite" | "memory";
  close(): Promise<void>;
}

/**
 * The state store, tenants and jobs of a configuration, opened for one command.
 *
 * @example
 * ```ts
 * const ws: Workspace = await openWorkspace(loaded, { jobIds: [], writes: false, output });
 * for (const job of ws.jobs) console.log(ws.jobLabel(job), (await job.status()).state);
 * await ws.close();
 * ```
 */
export interface Workspace {
  loaded: LoadedConfig;
  state: OpenedStore;
  /** The selected jobs, in config order. */
  jobs: SyncJob[];
  /** `Contoso → Fabrikam`. */
  jobLabel(job: SyncJob): string;
  /** A tenant's short name. */
  tenantLabel(tenantId: string): string;
  directory(tenantId: string): DirectoryPort | undefined;
  /** Saves what tenants must persist (memory snapshots). */
  save(): Promise<void>;
  /** Saves, then closes tenants and the store. */
  close(): Promise<void>;
}

/**
 * Options of {@link openWorkspace}.
 *
 * @example
 * ```ts
 * const options: OpenWorkspaceOptions = { jobIds: ["contoso-to-fabrikam"], writes: false, output };
 * ```
 */
export interface OpenWorkspaceOptions {
  /** `--job` values; empty: every job. */
  jobIds: readonly string[];
  /** Whether the command writes to tenants (run, provision). */
  writes: boolean;
  output: Output;
  /** Print engine debug and info messages. */
  verbose?: boolean;
}

/**
 * Opens the configured state store (the SQLite file's folder is created when missing).
 *
 * @example
 * ```ts
 * const { store, close } = await openStateStore(loaded);
 * const failures = await store.queryLogs({ status: "failure" });
 * await close();
 * ```
 */
export async function openStateStore(loaded: LoadedConfig): Promise<OpenedStore> {
  const state = loaded.config.state;
  if (state.type === "memory") return { store: createMemoryStateStore(), kind: "memory", close: async () => {} };
  const path = loaded.resolvePath(state.path);
  await mkdir(dirname(path), { recursive: true });
  const { createSqliteStateStore } = await import("@tenantsync/sqlite");
  const store = createSqliteStateStore({ path, ...(state.synchronous ? { synchronous: state.synchronous } : {}) });
  return { store, kind: "sqlite", close: () => store.close() };
}

/**
 * Picks the jobs named by `--job` (all when none), with a usage error that
 * lists the configured ids for an unknown one.
 */
export function selectJobConfigs(loaded: LoadedConfig, jobIds: readonly string[]): LoadedConfig["config"]["jobs"] {
  const all = loaded.config.jobs;
  if (jobIds.length === 0) return all;
  const byId = new Map(all.map((j) => [jobIdOf(j), j]));
  const unknown = jobIds.filter((id) => !byId.has(id));
  if (unknown.length > 0) {
    const known = [...byId.keys()];
    throw new CliUsageError(`unknown job ${unknown.map((u) => `'${u}'`).join(", ")}; the jobs in ${loaded.path} are: ${known.length ? known.join(", ") : "(none)"}`);
  }
  return all.filter((j) => jobIds.includes(jobIdOf(j)));
}

/**
 * Opens the state store, the tenants the selected jobs use, and the jobs.
 *
 * @example
 * ```ts
 * const ws = await openWorkspace(loaded, { jobIds: [], writes: true, output });
 * try { for (const job of ws.jobs) await job.runCycle(); } finally { await ws.close(); }
 * ```
 */
export async function openWorkspace(loaded: LoadedConfig, options: OpenWorkspaceOptions): Promise<Workspace> {
  const { config } = loaded;
  const jobConfigs = selectJobConfigs(loaded, options.jobIds);
  const needed = new Set(jobConfigs.flatMap((j) => [j.sourceTenantId.toLowerCase(), j.targetTenantId.toLowerCase()]));
  const state = await openStateStore(loaded);
  const tenants = new Map<string, OpenedTenant>();
  try {
    for (const [i, entry] of config.tenants.entries()) {
      if (!needed.has(entry.id.toLowerCase())) continue;
      tenants.set(
        entry.id.toLowerCase(),
        await openTenant(entry, {
          path: ["tenants", i],
          tenantIds: config.tenants.map((t) => t.id),
          resolvePath: loaded.resolvePath,
          warn: (m) => options.output.warn(m),
          persistentState: state.kind === "sqlite" ? "sqlite" : null,
          writes: options.writes,
        }),
      );
    }
  } catch (error) {
    await state.close();
    throw error;
  }
  const out = options.output;
  const logger = (jobId: string): SyncLogger => ({
    ...(options.verbose ? { debug: (m: string) => out.note(`[${jobId}] ${m}`), info: (m: string) => out.note(`[${jobId}] ${m}`) } : {}),
    warn: (m, data) => out.warn(`[${jobId}] ${m}${data ? ` ${JSON.stringify(data)}` : ""}`),
    error: (m, data) => out.error(`[${jobId}] ${m}${data ? ` ${JSON.stringify(data)}` : ""}`),
  });
  // The default mapping set names attributes a SCIM service does not hold: a job
  // into SCIM without its own mappings gets the SCIM-writable subset.
  const scimTargets = jobConfigs.filter((j) => j.attributeMappings === null && tenants.get(j.targetTenantId.toLowerCase())?.directory.name === "scim");
  const scimJobMappings = scimTargets.length ? (await import("@tenantsync/scim")).scimJobMappings : null;
  const jobs = jobConfigs.map((jobConfig) =>
    createSyncJob({
      source: tenants.get(jobConfig.sourceTenantId.toLowerCase())!.directory,
      target: tenants.get(jobConfig.targetTenantId.toLowerCase())!.directory,
      config:
        scimJobMappings && scimTargets.includes(jobConfig)
          ? { ...jobConfig, attributeMappings: scimJobMappings(tenants.get(jobConfig.targetTenantId.toLowerCase())!.directory, { userType: jobConfig.userType }) }
          : jobConfig,
      store: state.store,
      logger: logger(jobIdOf(jobConfig)),
      ...(config.options.chunkSize ? { chunkSize: config.options.chunkSize } : {}),
      ...(config.options.changePollIntervalMs ? { changePollIntervalMs: config.options.changePollIntervalMs } : {}),
    }),
  );
  const tenantLabel = (id: string) => tenants.get(id.toLowerCase())?.label ?? config.tenants.find((t) => t.id.toLowerCase() === id.toLowerCase())?.name ?? id;
  let closed = false;
  const save = async () => {
    for (const t of tenants.values()) await t.save?.();
  };
  return {
    loaded,
    state,
    jobs,
    jobLabel: (job) => `${tenantLabel(job.config.sourceTenantId)} → ${tenantLabel(job.config.targetTenantId)}`,
    tenantLabel,
    directory: (id) => tenants.get(id.toLowerCase())?.directory,
    save,
    async close() {
      if (closed) return;
      closed = true;
      try {
        if (options.writes) await save();
      } finally {
        for (const t of tenants.values()) await t.close?.();
        await state.close();
      }
    },
  };
}
