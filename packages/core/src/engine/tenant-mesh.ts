import { ConfigError, PolicyError } from "../errors/errors.ts";
import { jobIdOf, parseSyncJobConfig, type SyncJobConfigInput } from "../model/sync-job-config.ts";
import type { Tenant } from "../model/tenant.ts";
import type { Clock } from "../ports/clock.ts";
import type { DirectoryPort } from "../ports/directory-port.ts";
import type { StateStore } from "../ports/state-store.ts";
import { createMemoryStateStore } from "../state/memory-state-store.ts";
import { crossCloudError } from "./preflight.ts";
import { createSyncJob, type CycleReport, type SyncJob, type SyncLogger } from "./sync-job.ts";

/** Options of {@link createTenantMesh}. */
export interface TenantMeshOptions {
  /** Shared by every job of the mesh (jobs are keyed by id). Default: in memory. */
  store?: StateStore;
  clock?: Clock;
  logger?: SyncLogger;
  changePollIntervalMs?: number;
  chunkSize?: number;
}

/** The result of one round: one cycle of every job. */
export interface MeshRound {
  reports: Map<string, CycleReport>;
  /** Writes made in the round, all jobs together. */
  writes: number;
}

/**
 * Many tenants and the jobs between them: the API a test suite uses to
 * simulate a multi-tenant organisation (hub-and-spoke or full mesh).
 */
export interface TenantMesh {
  /** Registers a directory; jobs name tenants by id. */
  addTenant(directory: DirectoryPort): Promise<Tenant>;
  /** Creates a job between two registered tenants. Refuses a second job for the same pair (R5) and cross-cloud jobs (R4). */
  addJob(config: SyncJobConfigInput): Promise<SyncJob>;
  /** Deletes a job and its state; target users it created stay as they are (R18). */
  removeJob(jobId: string): Promise<void>;
  job(jobId: string): SyncJob | undefined;
  jobs(): SyncJob[];
  tenants(): Tenant[];
  directory(tenantId: string): DirectoryPort | undefined;
  /** Runs one cycle of every job, in the order the jobs were added. */
  runRound(options?: { signal?: AbortSignal }): Promise<MeshRound>;
  /** Runs rounds until one makes no writes (or `maxRounds`); returns the rounds run. */
  runUntilSteady(options?: { maxRounds?: number; signal?: AbortSignal }): Promise<MeshRound[]>;
  /** Starts / stops every job's scheduler. */
  start(): void;
  stop(): Promise<void>;
}

/**
 * Creates an empty mesh.
 *
 * @example
 * ```ts
 * const mesh = createTenantMesh({ clock });
 * for (const t of tenants) await mesh.addTenant(t);
 * await mesh.addJob({ sourceTenantId: hub.id, targetTenantId: spoke.id, scope: { mode: "all" } });
 * await mesh.runUntilSteady();
 * ```
 */
export function createTenantMesh(options: TenantMeshOptions = {}): TenantMesh {
  const store = options.store ?? createMemoryStateStore();
  const directories = new Map<string, { directory: DirectoryPort; tenant: Tenant }>();
  const jobs = new Map<string, SyncJob>();
  const pairs = new Map<string, string>();
  const key = (a: string, b: string) => `${a.toLowerCase()}>${b.toLowerCase()}`;

  const mesh: TenantMesh = {
    async addTenant(directory) {
      const tenant = await directory.describe();
      const id = tenant.id.toLowerCase();
      if (directories.has(id)) throw new ConfigError([{ path: ["tenants", tenant.id], message: `tenant ${tenant.id} is already part of the mesh` }], "tenant mesh");
      directories.set(id, { directory, tenant });
      return tenant;
    },
    async addJob(input) {
      const config = parseSyncJobConfig(input);
      const source = directories.get(config.sourceTenantId.toLowerCase());
      const target = directories.get(config.targetTenantId.toLowerCase());
      const missing = [
        ...(source ? [] : [{ path: ["sourceTenantId"], message: `tenant ${config.sourceTenantId} is not part of the mesh (addTenant first)` }]),
        ...(target ? [] : [{ path: ["targetTenantId"], message: `tenant ${config.targetTenantId} is not part of the mesh (addTenant first)` }]),
      ];
      if (missing.length || !source || !target) throw new ConfigError(missing, "sync job configuration");
      const existing = pairs.get(key(config.sourceTenantId, config.targetTenantId));
      if (existing) {
        throw new PolicyError(`R5: job ${existing} already syncs tenant ${config.sourceTenantId} into ${config.targetTenantId}; at most one job per (source, target) pair`, {
          code: "DUPLICATE_JOB",
          tenantId: config.targetTenantId,
          partnerTenantId: config.sourceTenantId,
        });
      }
      const cloud = crossCloudError(source.tenant, target.tenant, config.options.allowCrossCloud);
      if (cloud) throw cloud;
      const job = createSyncJob({
        source: source.directory,
        target: target.directory,
        config,
        store,
        ...(options.clock ? { clock: options.clock } : {}),
        ...(options.logger ? { logger: options.logger } : {}),
        ...(options.changePollIntervalMs ? { changePollIntervalMs: options.changePollIntervalMs } : {}),
        ...(options.chunkSize ? { chunkSize: options.chunkSize } : {}),
      });
      if (jobs.has(job.id)) throw new ConfigError([{ path: ["id"], message: `a job with id ${job.id} already exists` }], "sync job configuration");
      jobs.set(job.id, job);
      pairs.set(key(config.sourceTenantId, config.targetTenantId), jobIdOf(config));
      return job;
    },
    async removeJob(jobId) {
      const job = jobs.get(jobId);
      if (!job) return;
      await job.stop();
      jobs.delete(jobId);
      pairs.delete(key(job.config.sourceTenantId, job.config.targetTenantId));
      await store.deleteJob(jobId);
    },
    job: (jobId) => jobs.get(jobId),
    jobs: () => [...jobs.values()],
    tenants: () => [...directories.values()].map((d) => d.tenant),
    directory: (tenantId) => directories.get(tenantId.toLowerCase())?.directory,
    async runRound(o = {}) {
      const reports = new Map<string, CycleReport>();
      let writes = 0;
      for (const job of jobs.values()) {
        const report = await job.runCycle(o.signal ? { signal: o.signal } : {});
        reports.set(job.id, report);
        writes += report.summary.counts.exported;
      }
      return { reports, writes };
    },
    async runUntilSteady(o = {}) {
      const rounds: MeshRound[] = [];
      const max = o.maxRounds ?? 10;
      for (let i = 0; i < max; i++) {
        const round = await mesh.runRound(o.signal ? { signal: o.signal } : {});
        rounds.push(round);
        if (round.writes === 0) break;
      }
      return rounds;
    },
    start() {
      for (const job of jobs.values()) job.start();
    },
    async stop() {
      await Promise.all([...jobs.values()].map((j) => j.stop()));
    },
  };
  return mesh;
}
