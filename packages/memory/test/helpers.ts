import { createManualClock, type ManualClock, type WriteOptions } from "@tenantsync/core";
import { createMemoryDirectory, type MemoryDirectory, type MemoryDirectoryOptions } from "../src/index.ts";

/** The tenant under test (the sync target in most tests). */
export const TARGET = "22222222-2222-4222-8222-222222222222";
/** A partner allowed to sync into TARGET. */
export const SOURCE = "11111111-1111-4111-8111-111111111111";
/** A partner with no settings in TARGET. */
export const STRANGER = "33333333-3333-4333-8333-333333333333";

export const DAY = 24 * 60 * 60 * 1000;
export const HOUR = 60 * 60 * 1000;

export const fromSource: WriteOptions = { sourceTenantId: SOURCE };

export interface Fixture {
  clock: ManualClock;
  dir: MemoryDirectory;
}

/** A Fabrikam target on a manual clock that allows inbound sync from SOURCE. */
export function makeTarget(options: Partial<MemoryDirectoryOptions> = {}): Fixture {
  const clock = createManualClock({ start: "2026-01-01T00:00:00Z" });
  const dir = createMemoryDirectory({
    tenant: { id: TARGET, displayName: "Fabrikam", verifiedDomains: ["fabrikam.com", "fabrikam.onmicrosoft.com"] },
    clock,
    seed: 7,
    ...options,
  });
  dir.admin.setPartnerSettings({ tenantId: SOURCE, userSyncInbound: { isSyncAllowed: true }, automaticUserConsentSettings: { inboundAllowed: true } });
  return { clock, dir };
}

/** The input the engine would send to create the synced copy of source user `userId`. */
export function externalInput(userId: string, alias: string, extra: Record<string, unknown> = {}) {
  return {
    alternativeSecurityId: { tenantId: SOURCE, userId },
    userType: "Member" as const,
    attributes: { userPrincipalName: `${alias}@contoso.com`, mail: `${alias}@contoso.com`, displayName: alias, ...extra },
  };
}

/** Collects every page of an async iterable. */
export async function pages<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of iterable) out.push(page);
  return out;
}

/** Awaits a promise that must reject, and returns the error. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject");
}

/** Calls a function that must throw, and returns the error. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw");
}
