import { randomUUID } from "node:crypto";
import { ConfigError, type Tenant } from "@tenantsync/core";
import { createMemoryDirectory, createMesh, seedFromString } from "@tenantsync/memory";
import type { MemoryAdapterConfig, TenantConfig } from "../config/tenantsync-config.ts";
import { createLoadClock, loadMemorySnapshot, readMemorySnapshot, wrapEpochFeed, writeMemorySnapshot } from "./memory-snapshot.ts";
import type { AdapterContext, OpenedTenant } from "./tenant-adapter.ts";
import { createYieldingPort } from "./yielding-port.ts";

/** `Contoso Ltd` → `contoso-ltd`; null when nothing usable is left. */
function domainLabel(name: string): string | null {
  const label = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63)
    .replace(/-+$/g, "");
  return label.length > 0 ? label : null;
}

/**
 * Opens a memory tenant: from its snapshot file when there is one, otherwise
 * generated from its seed (the same seed gives the same users, ids and
 * groups in every process), with the configured partner settings.
 */
export async function openMemoryTenant(entry: TenantConfig, context: AdapterContext): Promise<OpenedTenant> {
  const config = entry.adapter as MemoryAdapterConfig;
  const displayName = config.displayName ?? entry.name ?? `Tenant ${entry.id.slice(0, 8)}`;
  const domain = config.domain ?? `${domainLabel(displayName) ?? `tenant-${entry.id.slice(0, 8).toLowerCase()}`}.example.com`;
  const tenant: Tenant = { id: entry.id, displayName, cloud: config.cloud, verifiedDomains: [domain] };
  const clock = createLoadClock();
  const snapshotPath = config.snapshotPath ? context.resolvePath(config.snapshotPath) : null;
  const stored = snapshotPath ? await readMemorySnapshot(snapshotPath, [...context.path, "adapter", "snapshotPath"]) : null;

  if (stored) {
    if (stored.snapshot.tenant.id.toLowerCase() !== entry.id.toLowerCase()) {
      throw new ConfigError(
        [{ path: [...context.path, "adapter", "snapshotPath"], message: `${snapshotPath} holds tenant ${stored.snapshot.tenant.id}, not ${entry.id}; point snapshotPath at another file` }],
        "memory tenant",
      );
    }
    const epoch = randomUUID();
    // A fresh id seed per load: ids of users purged in earlier runs are never reissued.
    const directory = createMemoryDirectory({ tenant: stored.snapshot.tenant, clock, seed: seedFromString(epoch) });
    loadMemorySnapshot(directory, stored.snapshot, clock);
    const previous = stored.snapshot.feed;
    const port = wrapEpochFeed(directory, { previous, unchanged: previous !== null && previous.contentHash === stored.contentHash, loadedHead: await directory.currentCursor(), epoch });
    return {
      directory: createYieldingPort(port),
      label: entry.name ?? stored.snapshot.tenant.displayName,
      save: async () => writeMemorySnapshot(snapshotPath!, directory, await port.feedToSave()),
    };
  }

  const seed = config.seed ?? seedFromString(entry.id.toLowerCase());
  const g = config.generate;
  const world = createMesh({
    seed,
    tenants: [{ displayName, cloud: config.cloud, domain }],
    usersPerTenant: g.users,
    groupsPerTenant: g.groups,
    guestsPerTenant: g.guests,
    externalsPerTenant: g.externals,
    managers: g.managers,
    trust: "none",
    clock,
  });
  const generated = world.tenants[0]!.admin.snapshot();
  const directory = createMemoryDirectory({ tenant, clock, seed });
  loadMemorySnapshot(directory, { ...generated, tenant }, clock);
  const trusted = config.trust === "all" ? context.tenantIds : config.trust === "none" ? [] : config.trust;
  for (const partner of trusted) {
    if (partner.toLowerCase() === entry.id.toLowerCase()) continue;
    directory.admin.setPartnerSettings({ tenantId: partner, userSyncInbound: { isSyncAllowed: true }, automaticUserConsentSettings: { inboundAllowed: true, outboundAllowed: true } });
  }
  const epoch = randomUUID();
  const port = wrapEpochFeed(directory, { previous: null, unchanged: false, loadedHead: await directory.currentCursor(), epoch });
  if (!snapshotPath && context.persistentState && context.writes) {
    context.warn(
      `memory tenant ${entry.id} (${displayName}) has no snapshotPath: it is rebuilt from its seed in every process, so what this run writes into it is gone at exit while the ${context.persistentState} state remembers it. Give it a snapshotPath, or use "state": { "type": "memory" }.`,
    );
  }
  return {
    directory: createYieldingPort(port),
    label: entry.name ?? displayName,
    ...(snapshotPath ? { save: async () => writeMemorySnapshot(snapshotPath, directory, await port.feedToSave()) } : {}),
  };
}
