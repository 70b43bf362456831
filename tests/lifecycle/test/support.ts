import { createManualClock, createMemoryStateStore, createSyncJob, type DirectoryUser, type ManualClock, type StateStore, type SyncJob, type SyncJobConfigInput } from "@tenantsync/core";
import { createMemoryDirectory, type MemoryDirectory, type MemoryUserInput } from "@tenantsync/memory";

export const SOURCE_ID = "11111111-1111-4111-8111-111111111111";
export const TARGET_ID = "22222222-2222-4222-8222-222222222222";
export const DAY = 86_400_000;

export interface World {
  clock: ManualClock;
  source: MemoryDirectory;
  target: MemoryDirectory;
  store: StateStore;
  job: SyncJob;
  groupId: string;
  /** Adds an internal member to the source and to the assigned group. */
  member(name: string, extra?: Partial<MemoryUserInput>, options?: { assign?: boolean }): DirectoryUser;
  /** The target user created for a source user (live or in the bin), found by its alternative security id. */
  targetOf(sourceId: string): DirectoryUser | null;
  /** Every target user that carries a link back to the source. */
  syncedUsers(): DirectoryUser[];
  newJob(config?: Partial<SyncJobConfigInput>): SyncJob;
}

export interface WorldOptions {
  trust?: boolean;
  sourceCloud?: "commercial" | "gcc" | "gcch" | "dod" | "china";
  targetCloud?: "commercial" | "gcc" | "gcch" | "dod" | "china";
  config?: Partial<SyncJobConfigInput>;
}

/** Sets the three trust settings a job from `source` to `target` needs (R3), keeping the others each tenant holds. */
export function grantTrust(source: MemoryDirectory, target: MemoryDirectory): void {
  const held = (d: MemoryDirectory, partner: string) => d.admin.snapshot().partnerSettings.find((p) => p.tenantId === partner);
  const inbound = held(target, source.tenant.id);
  target.admin.setPartnerSettings({
    tenantId: source.tenant.id,
    userSyncInbound: { isSyncAllowed: true },
    automaticUserConsentSettings: { inboundAllowed: true, outboundAllowed: inbound?.automaticUserConsentSettings.outboundAllowed ?? false },
  });
  const outbound = held(source, target.tenant.id);
  source.admin.setPartnerSettings({
    tenantId: target.tenant.id,
    userSyncInbound: { isSyncAllowed: outbound?.userSyncInbound.isSyncAllowed ?? false },
    automaticUserConsentSettings: { inboundAllowed: outbound?.automaticUserConsentSettings.inboundAllowed ?? false, outboundAllowed: true },
  });
}

/** The error a simulated process death throws from every call after it. */
export class SimulatedCrash extends Error {
  constructor() {
    super("simulated process death");
  }
}

/**
 * Wraps a directory and a store so that, after `afterOps` operations between
 * them (port calls and store writes), every further call throws
 * {@link SimulatedCrash}: the in-process picture of a killed process, which
 * can stop between any target write and the store write that records it.
 */
export function crashAfter<D extends object, S extends StateStore>(target: D, store: S, afterOps: number): { target: D; store: S; crashed: () => boolean } {
  let ops = 0;
  const tick = () => {
    if (++ops > afterOps) throw new SimulatedCrash();
  };
  const wrap = <T extends object>(obj: T, methods: readonly string[]): T =>
    new Proxy(obj, {
      get(t, prop, receiver) {
        const v = Reflect.get(t, prop, receiver);
        if (typeof prop === "string" && methods.includes(prop) && typeof v === "function") {
          return (...args: unknown[]) => {
            tick();
            return (v as (...a: unknown[]) => unknown).apply(t, args);
          };
        }
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(t) : v;
      },
    });
  return {
    target: wrap(target, ["createExternalUser", "updateUser", "setManager", "softDeleteUser", "restoreUser", "findUsers", "getUser"]),
    store: wrap(store, ["write"]),
    crashed: () => ops > afterOps,
  };
}

export function createWorld(options: WorldOptions = {}): World {
  const clock = createManualClock({ start: "2026-01-01T00:00:00Z" });
  const source = createMemoryDirectory({ tenant: { id: SOURCE_ID, displayName: "Contoso", cloud: options.sourceCloud ?? "commercial", verifiedDomains: ["contoso.com"] }, clock });
  const target = createMemoryDirectory({ tenant: { id: TARGET_ID, displayName: "Fabrikam", cloud: options.targetCloud ?? "commercial", verifiedDomains: ["fabrikam.com"] }, clock });
  if (options.trust ?? true) grantTrust(source, target);
  const group = source.admin.addGroup({ displayName: "Cross-tenant sync" });
  const store = createMemoryStateStore();
  const newJob = (config: Partial<SyncJobConfigInput> = {}) =>
    createSyncJob({
      source,
      target,
      store,
      clock,
      config: { sourceTenantId: SOURCE_ID, targetTenantId: TARGET_ID, scope: { mode: "assigned", users: [], groups: [group.id] }, ...options.config, ...config },
    });
  const world: World = {
    clock,
    source,
    target,
    store,
    groupId: group.id,
    job: newJob(),
    newJob,
    member(name, extra = {}, o = {}) {
      const alias = name.toLowerCase().replace(/[^a-z0-9]+/g, ".");
      const user = source.admin.addUser({
        userPrincipalName: `${alias}@contoso.com`,
        mail: `${alias}@contoso.com`,
        mailNickname: alias,
        displayName: name,
        givenName: name.split(" ")[0] ?? name,
        surname: name.split(" ").slice(1).join(" ") || null,
        department: "Sales",
        jobTitle: "Account manager",
        ...extra,
      });
      if (o.assign ?? true) source.admin.addMember(group.id, user.id);
      return user;
    },
    targetOf(sourceId) {
      const snap = target.admin.snapshot();
      return [...snap.users, ...snap.bin].find((u) => u.alternativeSecurityId?.userId === sourceId) ?? null;
    },
    syncedUsers() {
      const snap = target.admin.snapshot();
      return [...snap.users, ...snap.bin].filter((u) => u.alternativeSecurityId !== null);
    },
  };
  return world;
}

/** Kinds and source ids of a plan's target-writing actions, sorted: what a dry run promises. */
export function writeSignature(actions: ReadonlyArray<{ kind: string; sourceId: string }>): string[] {
  return actions
    .filter((a) => a.kind !== "skip" && a.kind !== "error")
    .map((a) => `${a.kind}:${a.sourceId}`)
    .sort();
}
