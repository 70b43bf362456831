// The optional DirectoryPort.findUsersBatch (R9 matching for a whole chunk in
// one call): the engine uses it when the target has it, falls back to one
// findUsers per user when not, and both give the same result. (Added with the
// performance work of issue 9.)
import { describe, expect, it } from "vitest";
import { createMemoryStateStore, createSyncJob, type DirectoryPort, type UserQuery } from "@tenantsync/core";
import type { MemoryDirectory } from "@tenantsync/memory";
import { SOURCE_ID, TARGET_ID, createWorld } from "./support.ts";

/** The target with a findUsersBatch built from its findUsers (or with none), counting calls. */
function withBatch(target: MemoryDirectory, batch: "yes" | "no" | "short"): { port: DirectoryPort; calls: { batch: number; single: number; queries: number } } {
  const calls = { batch: 0, single: 0, queries: 0 };
  const { findUsersBatch: _omit, ...rest } = target as MemoryDirectory & { findUsersBatch?: unknown };
  const port: DirectoryPort = {
    ...rest,
    findUsers: (q, o) => {
      calls.single++;
      return target.findUsers(q, o);
    },
  };
  if (batch !== "no") {
    port.findUsersBatch = async (queries: readonly UserQuery[], o) => {
      calls.batch++;
      calls.queries += queries.length;
      const results = await Promise.all(queries.map((q) => target.findUsers(q, o)));
      return batch === "short" ? results.slice(1) : results;
    };
  }
  return { port, calls };
}

function sortedCopies(target: MemoryDirectory): string[] {
  const snap = target.admin.snapshot();
  return [...snap.users, ...snap.bin]
    .filter((u) => u.alternativeSecurityId !== null)
    .map((u) => JSON.stringify([u.alternativeSecurityId?.userId, u.displayName, u.department, u.accountEnabled, u.userType, u.deletedDateTime]))
    .sort();
}

describe("findUsersBatch (optional port method)", () => {
  it("R9 matches a chunk in one call, with the same outcome as one findUsers per user", async () => {
    const outcomes: string[][] = [];
    for (const mode of ["yes", "no"] as const) {
      const w = createWorld();
      for (let i = 0; i < 25; i++) w.member(`Person ${i}`);
      // One user already has an external account in the target: adopted, not duplicated.
      const adopted = w.member("Adopted Person");
      await w.target.createExternalUser({ alternativeSecurityId: { tenantId: SOURCE_ID, userId: adopted.id }, userType: "Guest", attributes: { userPrincipalName: "adopted.person@contoso.com", displayName: "Old Name" } }, { sourceTenantId: SOURCE_ID });
      const { port, calls } = withBatch(w.target, mode);
      const job = createSyncJob({ source: w.source, target: port, store: createMemoryStateStore(), clock: w.clock, chunkSize: 10, config: { sourceTenantId: SOURCE_ID, targetTenantId: TARGET_ID, scope: { mode: "assigned", users: [], groups: [w.groupId] } } });
      const report = await job.runCycle();
      expect(report.summary.counts).toMatchObject({ created: 25, updated: 1, errors: 0 });
      if (mode === "yes") {
        expect(calls.single).toBe(0);
        expect(calls.batch).toBe(3); // 26 users in chunks of 10
        expect(calls.queries).toBe(26);
      } else {
        expect(calls.single).toBe(26);
      }
      outcomes.push(sortedCopies(w.target));
      // A second cycle has nothing to match: every user is linked.
      const before = { ...calls };
      await job.runCycle();
      expect(calls).toEqual(before);
    }
    expect(outcomes[0]).toEqual(outcomes[1]);
  });

  it("a batch that does not answer every query fails the cycle with a message naming the adapter", async () => {
    const w = createWorld();
    w.member("Someone");
    w.member("Someone Else");
    const { port } = withBatch(w.target, "short");
    const job = createSyncJob({ source: w.source, target: port, store: createMemoryStateStore(), clock: w.clock, config: { sourceTenantId: SOURCE_ID, targetTenantId: TARGET_ID, scope: { mode: "assigned", users: [], groups: [w.groupId] } } });
    await expect(job.runCycle()).rejects.toMatchObject({ code: "ADAPTER_BAD_RESULT", message: expect.stringContaining("findUsersBatch returned 1 results for 2 queries") });
    expect(w.syncedUsers()).toHaveLength(0);
  });
});
