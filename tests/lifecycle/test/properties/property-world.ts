import { createManualClock, createMemoryStateStore, createSyncJob, type DirectoryUser, type ManualClock, type StateStore, type SyncJob, type SyncJobConfigInput } from "@tenantsync/core";
import { createMemoryDirectory, type MemoryDirectory } from "@tenantsync/memory";
import { SOURCE_ID, TARGET_ID, grantTrust } from "../support.ts";
import { ASSIGNED_GROUPS, FILTERED_OUT_DEPARTMENT, type GroupName } from "./lifecycle-model.ts";

/** The start of every property world's clock. */
export const WORLD_START = "2026-01-01T00:00:00Z";

/** Options of {@link createPropertyWorld}. */
export interface PropertyWorldOptions {
  /** Merged into the job's options (concurrency, maxAttemptsPerCycle, …). */
  jobOptions?: NonNullable<SyncJobConfigInput["options"]>;
  /** Deletion guard threshold (R25); default 500, far above these tenants. */
  deletionThreshold?: number;
  /** Seeds of the two directories' id generators (same seeds: same source ids). */
  seed?: number;
}

/**
 * A source and a target memory tenant with trust granted both ways, two
 * assigned groups (G1, G2), a scoping filter `department NOT EQUALS Legal`,
 * and a job over them whose config can change (direct assignments).
 */
export interface PropertyWorld {
  clock: ManualClock;
  source: MemoryDirectory;
  target: MemoryDirectory;
  store: StateStore;
  job: SyncJob;
  groups: Record<GroupName, string>;
  /** Source ids assigned directly in the job's config. */
  direct: Set<string>;
  /** Human-readable log of what was done, for failure messages. */
  trace: string[];
  /** The job configuration for the current direct assignments. */
  config(): SyncJobConfigInput;
  /** Replaces the job (same store, same id) with one for the current config. */
  rebuildJob(): SyncJob;
  /** Synced target users (live and in the bin), by source user id. */
  syncedBySource(): Map<string, DirectoryUser[]>;
}

/** The job's scoping filter (R7): everyone but Legal. */
export const NOT_LEGAL_FILTER = {
  groups: [{ name: "not-legal", clauses: [{ sourceOperandName: "department", operatorName: "NOT EQUALS", targetOperand: { values: [FILTERED_OUT_DEPARTMENT] } }] }],
};

/**
 * Builds a {@link PropertyWorld}.
 *
 * @example
 * ```ts
 * const w = createPropertyWorld();
 * await w.job.runCycle();
 * ```
 */
export function createPropertyWorld(options: PropertyWorldOptions = {}): PropertyWorld {
  const clock = createManualClock({ start: WORLD_START });
  const seed = options.seed ?? 1;
  const source = createMemoryDirectory({ tenant: { id: SOURCE_ID, displayName: "Contoso", verifiedDomains: ["contoso.com"] }, clock, seed });
  const target = createMemoryDirectory({ tenant: { id: TARGET_ID, displayName: "Fabrikam", verifiedDomains: ["fabrikam.com"] }, clock, seed: seed + 1 });
  grantTrust(source, target);
  const groups = Object.fromEntries(ASSIGNED_GROUPS.map((g) => [g, source.admin.addGroup({ displayName: g }).id])) as Record<GroupName, string>;
  const store = createMemoryStateStore();
  const direct = new Set<string>();
  const config = (): SyncJobConfigInput => ({
    sourceTenantId: SOURCE_ID,
    targetTenantId: TARGET_ID,
    scope: { mode: "assigned", users: [...direct].sort(), groups: ASSIGNED_GROUPS.map((g) => groups[g]) },
    scopingFilter: NOT_LEGAL_FILTER,
    accidentalDeletionPrevention: { enabled: true, deletionThreshold: options.deletionThreshold ?? 500 },
    ...(options.jobOptions ? { options: options.jobOptions } : {}),
  });
  const world: PropertyWorld = {
    clock,
    source,
    target,
    store,
    groups,
    direct,
    trace: [],
    job: createSyncJob({ source, target, store, clock, config: config() }),
    config,
    rebuildJob() {
      world.job = createSyncJob({ source, target, store, clock, config: config() });
      return world.job;
    },
    syncedBySource() {
      const snap = target.admin.snapshot();
      const out = new Map<string, DirectoryUser[]>();
      for (const u of [...snap.users, ...snap.bin]) {
        if (!u.alternativeSecurityId) continue;
        const list = out.get(u.alternativeSecurityId.userId) ?? [];
        list.push(u);
        out.set(u.alternativeSecurityId.userId, list);
      }
      return out;
    },
  };
  return world;
}

/** Sets one trust flag, keeping the others (R3). */
export function setTrustFlag(world: Pick<PropertyWorld, "source" | "target">, flag: "inboundSync" | "redemptionInbound" | "redemptionOutbound", value: boolean): void {
  const { source, target } = world;
  const held = (d: MemoryDirectory, partner: string) => d.admin.snapshot().partnerSettings.find((p) => p.tenantId === partner);
  if (flag === "redemptionOutbound") {
    const s = held(source, TARGET_ID);
    source.admin.setPartnerSettings({
      tenantId: TARGET_ID,
      userSyncInbound: { isSyncAllowed: s?.userSyncInbound.isSyncAllowed ?? false },
      automaticUserConsentSettings: { inboundAllowed: s?.automaticUserConsentSettings.inboundAllowed ?? false, outboundAllowed: value },
    });
    return;
  }
  const t = held(target, SOURCE_ID);
  target.admin.setPartnerSettings({
    tenantId: SOURCE_ID,
    userSyncInbound: { isSyncAllowed: flag === "inboundSync" ? value : (t?.userSyncInbound.isSyncAllowed ?? false) },
    automaticUserConsentSettings: {
      inboundAllowed: flag === "redemptionInbound" ? value : (t?.automaticUserConsentSettings.inboundAllowed ?? false),
      outboundAllowed: t?.automaticUserConsentSettings.outboundAllowed ?? false,
    },
  });
}
