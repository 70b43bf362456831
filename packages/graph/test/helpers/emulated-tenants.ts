import { createManualClock, type ManualClock } from "@tenantsync/core";
import type { MemoryDirectoryAdmin } from "@tenantsync/memory";
import { createEmulatorCredential, startGraphEmulator, type EmulatorCredential, type GraphEmulator, type GraphEmulatorOptions } from "../../src/emulator.ts";
import { createGraphDirectory, type GraphDirectory, type GraphDirectoryOptions } from "../../src/index.ts";

export const SOURCE = "11111111-1111-4111-8111-111111111111";
export const TARGET = "22222222-2222-4222-8222-222222222222";
export const APP_ID = "b7d8e648-520f-41d3-b9c0-fdeb91768a0a";
export const ANCHOR = "extension_b7d8e648520f41d3b9c0fdeb91768a0a_tenantSyncAnchor";

/** Two tenants (Contoso = source, Fabrikam = target) behind one Graph emulator, with Graph directories over it. */
export interface EmulatedTenants {
  clock: ManualClock;
  emulator: GraphEmulator;
  credential: EmulatorCredential;
  source: GraphDirectory;
  target: GraphDirectory;
  sourceAdmin: MemoryDirectoryAdmin;
  targetAdmin: MemoryDirectoryAdmin;
  make(tenantId: string, extra?: Partial<GraphDirectoryOptions>): GraphDirectory;
  /** Lets the target accept synced users from the source (R3). */
  trust(): void;
  close(): Promise<void>;
}

export async function emulatedTenants(options: { emulator?: Partial<GraphEmulatorOptions>; directory?: Partial<GraphDirectoryOptions> } = {}): Promise<EmulatedTenants> {
  const clock = createManualClock();
  const emulator = await startGraphEmulator({
    tenants: [
      { id: SOURCE, displayName: "Contoso", verifiedDomains: ["contoso.com"] },
      { id: TARGET, displayName: "Fabrikam", verifiedDomains: ["fabrikam.onmicrosoft.com", "fabrikam.com"] },
    ],
    clock,
    ...options.emulator,
  });
  const credential = createEmulatorCredential({ clock });
  const make = (tenantId: string, extra: Partial<GraphDirectoryOptions> = {}) =>
    createGraphDirectory({ tenantId, credential, baseUrl: emulator.url, appId: APP_ID, clock, random: () => 0.5, ...options.directory, ...extra });
  const targetAdmin = emulator.directory(TARGET).admin;
  return {
    clock,
    emulator,
    credential,
    source: make(SOURCE),
    target: make(TARGET),
    sourceAdmin: emulator.directory(SOURCE).admin,
    targetAdmin,
    make,
    trust: () => {
      targetAdmin.setPartnerSettings({ tenantId: SOURCE, userSyncInbound: { isSyncAllowed: true }, automaticUserConsentSettings: { inboundAllowed: true } });
    },
    close: () => emulator.close(),
  };
}
