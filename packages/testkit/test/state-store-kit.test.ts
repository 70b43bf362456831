// The state store kit's own tests: one test per key, and each test fails
// against core's memory store with one planted defect (a "mutant") while it
// passes against the healthy store.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AbortedError, createMemoryStateStore, newJobRecord, type StateStore } from "@tenantsync/core";
import { makeStateStoreFixture, type StateStoreFixtureSource } from "../src/state/state-store-fixture.ts";
import { stateStoreConformanceCases } from "../src/state/state-store-conformance.ts";
import { STATE_STORE_CONFORMANCE_TESTS, type StateStoreConformanceTest } from "../src/state/state-store-test-keys.ts";

const savedRuns = process.env.FC_RUNS;
beforeAll(() => {
  delete process.env.FC_RUNS;
  fc.configureGlobal({ seed: 20260101, endOnFailure: true });
});
afterAll(() => {
  if (savedRuns !== undefined) process.env.FC_RUNS = savedRuns;
  fc.resetConfigureGlobal();
});

/** listLinks that honours an aborted signal even for a job without links (core's store checks it per page only). */
function abortSafe(store: StateStore): StateStore {
  return {
    ...store,
    listLinks: (jobId, o) => ({
      async *[Symbol.asyncIterator]() {
        if (o?.signal?.aborted) throw new AbortedError(undefined, { cause: o.signal.reason });
        yield* store.listLinks(jobId, o);
      },
    }),
  };
}

/** Core's memory store with some methods replaced; reopen returns the same store (memory "survives"). */
function mutant(change: (s: StateStore) => Partial<StateStore>): StateStoreFixtureSource<StateStore> {
  return {
    create: () => {
      const s = abortSafe(createMemoryStateStore());
      return { ...s, ...change(s) };
    },
    probe: (s) => ({ reopen: async () => s }),
  };
}
const healthy = mutant(() => ({}));

async function runCase(key: StateStoreConformanceTest, source: StateStoreFixtureSource<StateStore>): Promise<void> {
  const c = stateStoreConformanceCases({ numRuns: 30 }).find((x) => x.key === key)!;
  const fx = await makeStateStoreFixture(source);
  try {
    const reason = c.requires?.(fx) ?? null;
    if (reason !== null) throw new Error(`gated off: ${reason}`);
    await c.run(fx);
  } finally {
    await fx.release();
  }
}

const MUTANTS: Array<{ key: StateStoreConformanceTest; defect: string; source: StateStoreFixtureSource<StateStore> }> = [
  { key: "jobs.unknownIsNull", defect: "an unknown job reads as a fresh record", source: mutant((s) => ({ getJob: async (id, o) => (await s.getJob(id, o)) ?? newJobRecord(id) })) },
  { key: "jobs.roundTrip", defect: "quarantine is not stored", source: mutant((s) => ({ write: (id, w, o) => s.write(id, w.job ? { ...w, job: { ...w.job, quarantine: null } } : w, o) })) },
  { key: "jobs.copies", defect: "job records stored by reference", source: mutant((s) => { const refs = new Map<string, ReturnType<typeof newJobRecord>>(); return { write: async (id, w, o) => { if (w.job) refs.set(id, w.job); await s.write(id, w, o); }, getJob: async (id, o) => refs.get(id) ?? s.getJob(id, o) }; }) },
  { key: "jobs.isolated", defect: "escrows of every job listed", source: mutant((s) => { const jobs = new Set<string>(); return { write: (id, w, o) => (jobs.add(id), s.write(id, w, o)), listEscrows: async (_id, o) => (await Promise.all([...jobs].map((j) => s.listEscrows(j, o)))).flat() }; }) },
  { key: "jobs.delete", defect: "deleteJob keeps the links", source: mutant((s) => ({ deleteJob: async (id, o) => { const links = (await (async () => { const out = []; for await (const p of s.listLinks(id)) out.push(...p); return out; })()); await s.deleteJob(id, o); if (links.length) await s.write(id, { putLinks: links }); } })) },
  { key: "links.roundTrip", defect: "getLinks returns every link", source: mutant((s) => ({ getLinks: async (id, _ids, o) => { const out = new Map(); for await (const p of s.listLinks(id, o)) for (const l of p) out.set(l.sourceId, l); return out; } })) },
  { key: "links.overwrite", defect: "an existing link is kept", source: mutant((s) => ({ write: async (id, w, o) => { const have = await s.getLinks(id, (w.putLinks ?? []).map((l) => l.sourceId)); await s.write(id, { ...w, putLinks: (w.putLinks ?? []).filter((l) => !have.has(l.sourceId)) }, o); } })) },
  { key: "links.delete", defect: "deleteLinks ignored", source: mutant((s) => ({ write: (id, w, o) => s.write(id, { ...w, deleteLinks: [] }, o) })) },
  { key: "links.listAll", defect: "only the first page listed", source: mutant((s) => ({ listLinks: (id, o) => ({ async *[Symbol.asyncIterator]() { for await (const p of s.listLinks(id, o)) { yield p; return; } } }) })) },
  { key: "escrows.roundTrip", defect: "an existing escrow is kept", source: mutant((s) => ({ write: async (id, w, o) => { const have = new Set((await s.listEscrows(id)).map((e) => e.sourceId)); await s.write(id, { ...w, putEscrows: (w.putEscrows ?? []).filter((e) => !have.has(e.sourceId)) }, o); } })) },
  { key: "escrows.delete", defect: "deleteEscrows ignored", source: mutant((s) => ({ write: (id, w, o) => s.write(id, { ...w, deleteEscrows: [] }, o) })) },
  { key: "logs.newestFirst", defect: "oldest first", source: mutant((s) => ({ queryLogs: async (q, o) => (await s.queryLogs(q, o)).reverse() })) },
  { key: "logs.filters", defect: "userId matches the source user only", source: mutant((s) => ({ queryLogs: async (q, o) => (await s.queryLogs(q, o)).filter((e) => !q.userId || e.source.userId === q.userId) })) },
  { key: "logs.limit", defect: "no default limit", source: mutant((s) => ({ queryLogs: (q, o) => s.queryLogs({ ...q, limit: q.limit ?? 1_000_000 }, o) })) },
  { key: "logs.acrossJobs", defect: "a query without jobId finds nothing", source: mutant((s) => ({ queryLogs: async (q, o) => (q.jobId ? s.queryLogs(q, o) : []) })) },
  { key: "logs.prune", defect: "the entry at the boundary is dropped too", source: mutant((s) => ({ pruneLogs: (id, before, o) => s.pruneLogs(id, new Date(Date.parse(before) + 1).toISOString(), o) })) },
  { key: "write.partial", defect: "a write without a job resets the record", source: mutant((s) => ({ write: (id, w, o) => s.write(id, { ...w, job: w.job ?? newJobRecord(id) }, o) })) },
  { key: "write.atomic", defect: "parts applied one by one", source: mutant((s) => ({ write: async (id, w, o) => { if (w.job) await s.write(id, { job: w.job }, o); if (w.appendLogs) await s.write(id, { appendLogs: w.appendLogs }, o); for (const l of w.putLinks ?? []) await s.write(id, { putLinks: [l] }, o); await s.write(id, { ...w, job: undefined, appendLogs: undefined, putLinks: undefined }, o); } })) },
  { key: "abort.everyCall", defect: "getLinks ignores its signal", source: mutant((s) => ({ getLinks: (id, ids) => s.getLinks(id, ids) })) },
  { key: "durability.reopen", defect: "reopening loses everything", source: { create: () => abortSafe(createMemoryStateStore()), probe: () => ({ reopen: async () => createMemoryStateStore() }) } },
  { key: "properties.model", defect: "deleting a link deletes the escrow of that user too", source: mutant((s) => ({ write: (id, w, o) => s.write(id, { ...w, deleteEscrows: [...(w.deleteEscrows ?? []), ...(w.deleteLinks ?? [])] }, o) })) },
];

describe("state store kit", () => {
  it("has exactly one test per key, each with a mutant", () => {
    expect(stateStoreConformanceCases().map((c) => c.key).sort()).toEqual([...STATE_STORE_CONFORMANCE_TESTS].sort());
    expect(MUTANTS.map((m) => m.key).sort()).toEqual([...STATE_STORE_CONFORMANCE_TESTS].sort());
  });

  it.each(MUTANTS)("$key catches a store where $defect", { timeout: 60_000 }, async ({ key, source }) => {
    await expect(runCase(key, source)).rejects.toThrow();
    await runCase(key, healthy);
  });
});
