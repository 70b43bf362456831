// End to end: a memory source tenant syncs into a SCIM service through the
// engine (createSyncJob), across the lifecycle: create, update, disable,
// deprovision, return. Both test services, both deprovision modes.
import { afterEach, describe, expect, it } from "vitest";
import { WRITE_ACTION_KINDS, createManualClock, createMemoryStateStore, createSyncJob, type SyncJob } from "@tenantsync/core";
import { createMemoryDirectory, type MemoryDirectory } from "@tenantsync/memory";
import { SCIM_ENTERPRISE_USER_SCHEMA, createScimDirectory, encodeExternalId, scimJobMappings, type ScimDirectory } from "../src/index.ts";
import { BETTER_AUTH_MARKER, startBetterAuthScimServer } from "./helpers/better-auth-server.ts";
import { startScimmyServer } from "./helpers/scimmy-server.ts";
import { SCIM_TENANT, SOURCE_TENANT } from "./helpers/tenants.ts";

interface Service {
  baseUrl: string;
  token: string;
  /** The SCIM Users as stored by the service (read from its store, not through the adapter). */
  stored(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

const services: Record<string, () => Promise<Service & { marker?: string }>> = {
  scimmy: async () => {
    const s = await startScimmyServer();
    return { baseUrl: s.baseUrl, token: s.token, stored: () => [...s.store.users.values()].map((u) => structuredClone(u)), close: () => s.close() };
  },
  "better-auth": async () => {
    const s = await startBetterAuthScimServer();
    return { baseUrl: s.baseUrl, token: s.token, stored: () => s.storedResources(), close: () => s.close(), marker: BETTER_AUTH_MARKER };
  },
};

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

interface World {
  source: MemoryDirectory;
  target: ScimDirectory;
  job: SyncJob;
  service: Service;
  ids: { adele: string; megan: string; alex: string };
  byAnchor(sourceId: string): Array<Record<string, unknown>>;
}

async function world(kind: string, deprovision: "disable" | "delete"): Promise<World> {
  const service = await services[kind]!();
  cleanups.push(() => service.close());
  const clock = createManualClock({ start: "2026-03-01T08:00:00Z" });
  const source = createMemoryDirectory({ tenant: SOURCE_TENANT, clock });
  source.admin.setPartnerSettings({ tenantId: SCIM_TENANT.id, automaticUserConsentSettings: { outboundAllowed: true } });
  const megan = source.admin.addUser({ userPrincipalName: "megan@contoso.com", mail: "megan@contoso.com", displayName: "Megan Bowen", givenName: "Megan", surname: "Bowen", jobTitle: "Marketing Manager", department: "Marketing", employeeId: "E100" });
  const adele = source.admin.addUser({ userPrincipalName: "adele@contoso.com", mail: "adele@contoso.com", displayName: "Adele Vance", givenName: "Adele", surname: "Vance", jobTitle: "Retail Manager", department: "Retail", city: "Zürich", businessPhones: ["+41 44 555 0100"], managerId: megan.id });
  const alex = source.admin.addUser({ userPrincipalName: "alex@contoso.com", mail: "alex@contoso.com", displayName: "Alex Wilber", jobTitle: "Designer" });
  const target = createScimDirectory({ baseUrl: service.baseUrl, token: service.token, tenant: SCIM_TENANT, deprovision, softDeleteMarker: service.marker, clock });
  const job = createSyncJob({
    source,
    target,
    clock,
    store: createMemoryStateStore(),
    config: {
      sourceTenantId: SOURCE_TENANT.id,
      targetTenantId: SCIM_TENANT.id,
      scope: { mode: "all" },
      attributeMappings: scimJobMappings(target),
      accidentalDeletionPrevention: { enabled: false },
    },
  });
  const byAnchor = (sourceId: string) => service.stored().filter((u) => u.externalId === encodeExternalId({ tenantId: SOURCE_TENANT.id, userId: sourceId }));
  return { source, target, job, service, ids: { adele: adele.id, megan: megan.id, alex: alex.id }, byAnchor };
}

/** Runs a cycle that must succeed, then checks that nothing is left to write. */
async function converge(w: World, when: string): Promise<void> {
  const report = await w.job.runCycle();
  const failures = await w.job.logs({ cycleId: report.cycleId, status: "failure" });
  expect(failures.map((f) => `${f.action} ${f.error?.code}: ${f.error?.message}`), `${when}: failed actions`).toEqual([]);
  expect(report.summary.state, when).toBe("succeeded");
  const plan = await w.job.plan();
  expect(plan.actions.filter((a) => WRITE_ACTION_KINDS.has(a.kind)).map((a) => `${a.kind} ${a.sourceId}`), `${when}: left to write`).toEqual([]);
}

for (const kind of Object.keys(services)) {
  for (const deprovision of ["disable", "delete"] as const) {
    describe(`memory source → SCIM (${kind}, deprovision ${deprovision})`, () => {
      it("creates, updates, disables, deprovisions and brings back users through the engine", async () => {
        const w = await world(kind, deprovision);
        const first = await w.job.runCycle();
        expect((await w.job.plan()).warnings.join(" "), "the engine skips trust checks for a SCIM target, with a warning").toContain("trust settings not checked");
        expect(first.summary.counts.created).toBe(3);

        // create: every mapped attribute, the anchor in externalId, the manager reference
        const [adele] = w.byAnchor(w.ids.adele);
        const [megan] = w.byAnchor(w.ids.megan);
        expect(adele, "adele is stored with her anchor as externalId").toBeDefined();
        expect(adele).toMatchObject({ userName: "adele@contoso.com", displayName: "Adele Vance", title: "Retail Manager", active: true, name: { givenName: "Adele", familyName: "Vance" } });
        expect(adele!.emails).toEqual(expect.arrayContaining([expect.objectContaining({ type: "work", value: "adele@contoso.com" })]));
        expect(adele!.phoneNumbers).toEqual([expect.objectContaining({ type: "work", value: "+41 44 555 0100" })]);
        expect((adele![SCIM_ENTERPRISE_USER_SCHEMA] as Record<string, unknown>).department).toBe("Retail");
        expect((adele![SCIM_ENTERPRISE_USER_SCHEMA] as { manager?: { value?: string } }).manager?.value, "the manager reference points at megan's SCIM id").toBe(megan!.id);
        expect((megan![SCIM_ENTERPRISE_USER_SCHEMA] as Record<string, unknown>).employeeNumber).toBe("E100");
        await converge(w, "after the first cycle");

        // update
        w.source.admin.updateUser(w.ids.adele, { jobTitle: "Store Director", city: "Basel" });
        await converge(w, "after an update");
        const updated = w.byAnchor(w.ids.adele)[0]!;
        expect(updated.id, "an update patches the same SCIM user").toBe(adele!.id);
        expect(updated.title).toBe("Store Director");
        expect(updated.addresses, "the work address's locality is replaced").toEqual([expect.objectContaining({ type: "work", locality: "Basel" })]);

        // disable (R12): active false, nothing else
        w.source.admin.disableUser(w.ids.alex);
        await converge(w, "after a disable");
        const disabled = w.byAnchor(w.ids.alex)[0]!;
        expect(disabled.active).toBe(false);
        expect(await w.target.getUser(String(disabled.id)), "a disabled user is not soft-deleted").toMatchObject({ accountEnabled: false, deletedDateTime: null });

        // deprovision: megan leaves the source tenant
        const meganId = String(megan!.id);
        w.source.admin.deleteUser(w.ids.megan);
        await converge(w, "after a deprovision");
        if (deprovision === "disable") {
          const binned = w.byAnchor(w.ids.megan);
          expect(binned.map((u) => u.id), "disable mode keeps the SCIM user").toEqual([meganId]);
          expect(binned[0]!.active).toBe(false);
          expect((await w.target.getUser(meganId, { includeDeleted: true }))?.deletedDateTime, "the marker reads as deletedDateTime").toBe("2026-03-01T08:00:00.000Z");
          expect(await w.target.getUser(meganId), "a soft-deleted user is hidden from live reads").toBeNull();
        } else {
          expect(w.byAnchor(w.ids.megan), "delete mode removes the SCIM user").toEqual([]);
        }

        // return: megan is restored in the source
        w.source.admin.restoreUser(w.ids.megan);
        await converge(w, "after the return");
        const back = w.byAnchor(w.ids.megan);
        expect(back).toHaveLength(1);
        expect(back[0]!.active).toBe(true);
        if (deprovision === "disable") expect(back[0]!.id, "disable mode restores the same SCIM user").toBe(meganId);
        else expect(back[0]!.id, "delete mode creates a new SCIM user (SCIM has no restore)").not.toBe(meganId);
        expect((await w.target.getUser(String(back[0]!.id)))?.deletedDateTime).toBeNull();
      }, 60_000);
    });
  }
}
