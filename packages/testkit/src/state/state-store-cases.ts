import fc from "fast-check";
import { expect } from "vitest";
import type { Escrow, JobRecord, Link, LogEntry, StateStore, StateWrite } from "@tenantsync/core";
import { propertyRuns, type ConformanceCase } from "../internal/conformance-case.ts";
import { collect, expectRejects } from "../internal/expect-error.ts";
import { logTime, type StateStoreFixture } from "./state-store-fixture.ts";
import type { StateStoreConformanceTest } from "./state-store-test-keys.ts";

/** A state store conformance test. */
export type StateStoreCase = ConformanceCase<StateStoreConformanceTest, StateStoreFixture<StateStore>>;

const bySource = <T extends { sourceId: string }>(list: readonly T[]): T[] => [...list].sort((a, b) => (a.sourceId < b.sourceId ? -1 : a.sourceId > b.sourceId ? 1 : 0));

async function allLinks(store: StateStore, jobId: string): Promise<Link[]> {
  const pages = await collect(store.listLinks(jobId));
  for (const page of pages) expect(Array.isArray(page), "listLinks yields arrays of links").toBe(true);
  return bySource(pages.flat());
}

const aborted = (): AbortSignal => {
  const c = new AbortController();
  c.abort(new Error("aborted by the conformance kit"));
  return c.signal;
};

/** Everything a store holds about a job, for comparisons. */
async function jobState(store: StateStore, jobId: string): Promise<{ job: JobRecord | null; links: Link[]; escrows: Escrow[]; logs: LogEntry[] }> {
  return {
    job: await store.getJob(jobId),
    links: await allLinks(store, jobId),
    escrows: bySource(await store.listEscrows(jobId)),
    logs: await store.queryLogs({ jobId, limit: 1_000_000 }),
  };
}

/** Writes one of everything for a job, returning what was written. */
async function writeEverything(fx: StateStoreFixture<StateStore>, jobId: string, from = 0): Promise<{ job: JobRecord; links: Link[]; escrows: Escrow[]; logs: LogEntry[] }> {
  const job = fx.jobRecord(jobId);
  const links = [fx.link(`${jobId}-u1`), fx.link(`${jobId}-u2`, { state: "softDeleted", softDeletedAt: logTime(5), managerSourceId: `${jobId}-u1` })];
  const escrows = [fx.escrow(`${jobId}-u3`)];
  const logs = [fx.logEntry(jobId, from + 1), fx.logEntry(jobId, from + 2, { action: "create", status: "failure", error: { code: "CONFLICT", message: "taken", retryable: false } })];
  await fx.store.write(jobId, { job, putLinks: links, putEscrows: escrows, appendLogs: logs });
  return { job, links, escrows, logs };
}

/** The cases that need no randomness. */
export const stateStoreCases: StateStoreCase[] = [
  {
    key: "jobs.unknownIsNull",
    title: "a job never written reads as null, with no links, escrows or logs",
    async run(fx) {
      const jobId = fx.jobId();
      expect(await jobState(fx.store, jobId)).toEqual({ job: null, links: [], escrows: [], logs: [] });
      expect((await fx.store.getLinks(jobId, ["nobody"])).size).toBe(0);
    },
  },
  {
    key: "jobs.roundTrip",
    title: "a written job record reads back equal, and a later write replaces it",
    async run(fx) {
      const jobId = fx.jobId();
      const record = fx.jobRecord(jobId, {
        quarantine: { reason: "TooManyDeletes", message: "held", since: logTime(1), nextAttemptAt: logTime(2), seriesCount: 2 },
        lastExecution: { cycleId: "c1", kind: "full", begin: logTime(0), end: logTime(3), state: "warning", counts: { imported: 3, inScope: 2, exported: 1, escrowed: 0, errors: 1, created: 1, updated: 0, disabled: 0, deleted: 0, restored: 0, skipped: 0 }, error: { code: "X", message: "y" } },
        failureSeries: { exports: 4, failures: 1 },
      });
      await fx.store.write(jobId, { job: record });
      expect(await fx.store.getJob(jobId)).toEqual(record);
      const next = { ...record, watermark: "cursor-2", quarantine: null, state: "Active" as const };
      await fx.store.write(jobId, { job: next });
      expect(await fx.store.getJob(jobId)).toEqual(next);
    },
  },
  {
    key: "jobs.copies",
    title: "changing an object after writing it, or one returned by a read, does not change what is stored",
    async run(fx) {
      const jobId = fx.jobId();
      const written = await writeEverything(fx, jobId);
      const expected = structuredClone(written);
      written.job.watermark = "changed";
      written.links[0]!.targetId = "changed";
      written.logs[0]!.steps[0]!.description = "changed";
      const read = await fx.store.getJob(jobId);
      read!.failureSeries.failures = 99;
      (await fx.store.getLinks(jobId, [expected.links[0]!.sourceId])).get(expected.links[0]!.sourceId)!.fingerprint = "changed";
      (await fx.store.queryLogs({ jobId }))[0]!.modifiedProperties.push({ name: "x", oldValue: 1, newValue: 2 });
      (await fx.store.listEscrows(jobId))[0]!.error.message = "changed";
      const state = await jobState(fx.store, jobId);
      expect(state.job).toEqual(expected.job);
      expect(state.links).toEqual(bySource(expected.links));
      expect(state.escrows).toEqual(expected.escrows);
      expect(state.logs).toEqual([...expected.logs].reverse());
    },
  },
  {
    key: "jobs.isolated",
    title: "jobs do not see each other's record, links, escrows or logs",
    async run(fx) {
      const [a, b] = [fx.jobId(), fx.jobId()];
      const wa = await writeEverything(fx, a, 0);
      const wb = await writeEverything(fx, b, 10);
      expect(await jobState(fx.store, a)).toEqual({ job: wa.job, links: bySource(wa.links), escrows: wa.escrows, logs: [...wa.logs].reverse() });
      expect(await jobState(fx.store, b)).toEqual({ job: wb.job, links: bySource(wb.links), escrows: wb.escrows, logs: [...wb.logs].reverse() });
      expect((await fx.store.getLinks(a, [wb.links[0]!.sourceId])).size).toBe(0);
    },
  },
  {
    key: "jobs.delete",
    title: "deleteJob forgets everything about that job and nothing about others",
    async run(fx) {
      const [a, b] = [fx.jobId(), fx.jobId()];
      await writeEverything(fx, a, 0);
      const wb = await writeEverything(fx, b, 10);
      await fx.store.deleteJob(a);
      expect(await jobState(fx.store, a)).toEqual({ job: null, links: [], escrows: [], logs: [] });
      expect(await jobState(fx.store, b)).toEqual({ job: wb.job, links: bySource(wb.links), escrows: wb.escrows, logs: [...wb.logs].reverse() });
      await fx.store.deleteJob(fx.jobId());
    },
  },
  {
    key: "links.roundTrip",
    title: "getLinks returns the stored links of the ids asked for; absent ids are missing from the map",
    async run(fx) {
      const jobId = fx.jobId();
      const links = [fx.link("s1"), fx.link("s2", { state: "disabled", disabledFlowed: true }), fx.link("s3", { state: "softDeleted", softDeletedAt: logTime(9), managerSourceId: "s1" })];
      await fx.store.write(jobId, { putLinks: links });
      const found = await fx.store.getLinks(jobId, ["s1", "s3", "missing"]);
      expect([...found.keys()].sort()).toEqual(["s1", "s3"]);
      expect(found.get("s1")).toEqual(links[0]);
      expect(found.get("s3")).toEqual(links[2]);
      expect((await fx.store.getLinks(jobId, [])).size).toBe(0);
    },
  },
  {
    key: "links.overwrite",
    title: "putting a link for a source id that has one replaces it",
    async run(fx) {
      const jobId = fx.jobId();
      await fx.store.write(jobId, { putLinks: [fx.link("s1")] });
      const replaced = fx.link("s1", { targetId: "t-new", state: "softDeleted", softDeletedAt: logTime(3), fingerprint: "fp-2" });
      await fx.store.write(jobId, { putLinks: [replaced] });
      expect(await allLinks(fx.store, jobId)).toEqual([replaced]);
    },
  },
  {
    key: "links.delete",
    title: "deleteLinks removes those links only; deleting an absent id is fine",
    async run(fx) {
      const jobId = fx.jobId();
      await fx.store.write(jobId, { putLinks: [fx.link("s1"), fx.link("s2"), fx.link("s3")] });
      await fx.store.write(jobId, { deleteLinks: ["s2", "missing"] });
      expect((await allLinks(fx.store, jobId)).map((l) => l.sourceId)).toEqual(["s1", "s3"]);
    },
  },
  {
    key: "links.listAll",
    title: "listLinks yields every link of the job exactly once, in pages",
    async run(fx) {
      const jobId = fx.jobId();
      const links = Array.from({ length: 2500 }, (_, i) => fx.link(`s${String(i).padStart(5, "0")}`));
      for (let i = 0; i < links.length; i += 500) await fx.store.write(jobId, { putLinks: links.slice(i, i + 500) });
      const pages = await collect(fx.store.listLinks(jobId));
      const ids = pages.flat().map((l) => l.sourceId);
      expect(ids.length, "a link was listed twice").toBe(new Set(ids).size);
      expect(bySource(pages.flat())).toEqual(links);
    },
  },
  {
    key: "escrows.roundTrip",
    title: "escrows read back equal, and a later put for the same source id replaces the escrow",
    async run(fx) {
      const jobId = fx.jobId();
      const escrows = [fx.escrow("s1"), fx.escrow("s2", { action: "create", attempts: 3, error: { code: "THROTTLED", message: "429", retryable: true } })];
      await fx.store.write(jobId, { putEscrows: escrows });
      expect(bySource(await fx.store.listEscrows(jobId))).toEqual(escrows);
      const next = fx.escrow("s1", { attempts: 2, nextAttemptAt: logTime(12 * 3600) });
      await fx.store.write(jobId, { putEscrows: [next] });
      expect(bySource(await fx.store.listEscrows(jobId))).toEqual([next, escrows[1]]);
    },
  },
  {
    key: "escrows.delete",
    title: "deleteEscrows removes those escrows only",
    async run(fx) {
      const jobId = fx.jobId();
      await fx.store.write(jobId, { putEscrows: [fx.escrow("s1"), fx.escrow("s2")] });
      await fx.store.write(jobId, { deleteEscrows: ["s1", "missing"] });
      expect((await fx.store.listEscrows(jobId)).map((e) => e.sourceId)).toEqual(["s2"]);
    },
  },
  {
    key: "logs.newestFirst",
    title: "queryLogs returns a job's entries newest first, as written",
    async run(fx) {
      const jobId = fx.jobId();
      const entries = [1, 2, 3, 4, 5].map((n) => fx.logEntry(jobId, n));
      await fx.store.write(jobId, { appendLogs: entries.slice(0, 2) });
      await fx.store.write(jobId, { appendLogs: entries.slice(2) });
      expect(await fx.store.queryLogs({ jobId })).toEqual([...entries].reverse());
    },
  },
  {
    key: "logs.filters",
    title: "queryLogs filters by cycle, user (source or target), action, status and time, together",
    async run(fx) {
      const jobId = fx.jobId();
      const entries = [
        fx.logEntry(jobId, 1, { cycleId: "c1", action: "create", status: "success" }),
        fx.logEntry(jobId, 2, { cycleId: "c1", action: "update", status: "failure", source: { tenantId: "11111111-1111-4111-8111-111111111111", userId: "alice", displayName: "Alice" } }),
        fx.logEntry(jobId, 3, { cycleId: "c2", action: "update", status: "success", target: { tenantId: "22222222-2222-4222-8222-222222222222", userId: "alice" } }),
        fx.logEntry(jobId, 4, { cycleId: "c2", action: "delete", status: "skipped" }),
        fx.logEntry(jobId, 5, { cycleId: "c2", action: "update", status: "failure" }),
      ];
      await fx.store.write(jobId, { appendLogs: entries });
      const ids = async (q: Parameters<StateStore["queryLogs"]>[0]) => (await fx.store.queryLogs({ jobId, ...q })).map((e) => e.id);
      const [e1, e2, e3, e4, e5] = entries.map((e) => e.id);
      expect(await ids({ cycleId: "c1" })).toEqual([e2, e1]);
      expect(await ids({ userId: "alice" })).toEqual([e3, e2]);
      expect(await ids({ action: "update" })).toEqual([e5, e3, e2]);
      expect(await ids({ status: "failure" })).toEqual([e5, e2]);
      expect(await ids({ since: logTime(3) })).toEqual([e5, e4, e3]);
      expect(await ids({ cycleId: "c2", action: "update", status: "success" })).toEqual([e3]);
      expect(await ids({ cycleId: "c3" })).toEqual([]);
    },
  },
  {
    key: "logs.limit",
    title: "queryLogs returns at most 100 entries by default and at most `limit` when given, the newest",
    async run(fx) {
      const jobId = fx.jobId();
      const entries = Array.from({ length: 105 }, (_, i) => fx.logEntry(jobId, i + 1));
      await fx.store.write(jobId, { appendLogs: entries });
      const all = await fx.store.queryLogs({ jobId });
      expect(all.length).toBe(100);
      expect(all[0]!.id).toBe(entries[104]!.id);
      expect((await fx.store.queryLogs({ jobId, limit: 3 })).map((e) => e.id)).toEqual([entries[104]!.id, entries[103]!.id, entries[102]!.id]);
    },
  },
  {
    key: "logs.acrossJobs",
    title: "queryLogs without a jobId searches every job, newest first",
    async run(fx) {
      const [a, b] = [fx.jobId(), fx.jobId()];
      await fx.store.write(a, { appendLogs: [fx.logEntry(a, 1), fx.logEntry(a, 4)] });
      await fx.store.write(b, { appendLogs: [fx.logEntry(b, 2), fx.logEntry(b, 3)] });
      const found = (await fx.store.queryLogs({ limit: 1000 })).filter((e) => e.jobId === a || e.jobId === b);
      expect(found.map((e) => e.id)).toEqual([`${a}-log-4`, `${b}-log-3`, `${b}-log-2`, `${a}-log-1`]);
    },
  },
  {
    key: "logs.prune",
    title: "pruneLogs drops a job's entries older than the time given, keeps the rest and other jobs', and says how many",
    async run(fx) {
      const [a, b] = [fx.jobId(), fx.jobId()];
      await fx.store.write(a, { appendLogs: [0, 1, 2, 3, 4].map((n) => fx.logEntry(a, n)) });
      await fx.store.write(b, { appendLogs: [fx.logEntry(b, 0)] });
      expect(await fx.store.pruneLogs(a, logTime(2))).toBe(2);
      expect((await fx.store.queryLogs({ jobId: a })).map((e) => e.time)).toEqual([logTime(4), logTime(3), logTime(2)]);
      expect((await fx.store.queryLogs({ jobId: b })).length).toBe(1);
      expect(await fx.store.pruneLogs(a, logTime(2))).toBe(0);
      expect(await fx.store.pruneLogs(fx.jobId(), logTime(2))).toBe(0);
    },
  },
  {
    key: "write.partial",
    title: "fields absent from a write leave that part of the state unchanged",
    async run(fx) {
      const jobId = fx.jobId();
      const written = await writeEverything(fx, jobId);
      await fx.store.write(jobId, {});
      await fx.store.write(jobId, { appendLogs: [], putLinks: [] });
      expect(await jobState(fx.store, jobId)).toEqual({ job: written.job, links: bySource(written.links), escrows: written.escrows, logs: [...written.logs].reverse() });
      const other = fx.jobId();
      await fx.store.write(other, { putLinks: [fx.link("s1")] });
      expect(await fx.store.getJob(other), "a write without `job` creates no job record").toBeNull();
    },
  },
  {
    key: "write.atomic",
    title: "a write the store refuses (a link without targetId) applies none of its parts",
    async run(fx) {
      const jobId = fx.jobId();
      const before = await writeEverything(fx, jobId);
      const bad = { ...fx.link("s-bad"), targetId: null as unknown as string };
      const write: StateWrite = {
        job: { ...before.job, watermark: "must-not-land" },
        putLinks: [fx.link("s-new"), bad],
        deleteLinks: [before.links[0]!.sourceId],
        putEscrows: [fx.escrow("s-new")],
        deleteEscrows: [before.escrows[0]!.sourceId],
        appendLogs: [fx.logEntry(jobId, 50)],
      };
      let refused = false;
      try {
        await fx.store.write(jobId, write);
      } catch {
        refused = true;
      }
      expect(refused, "a link without targetId must be refused").toBe(true);
      expect(await jobState(fx.store, jobId), "a refused write left part of itself behind").toEqual({ job: before.job, links: bySource(before.links), escrows: before.escrows, logs: [...before.logs].reverse() });
    },
  },
  {
    key: "abort.everyCall",
    title: "every call rejects with AbortedError when its signal is already aborted, and an aborted write applies nothing",
    async run(fx) {
      const jobId = fx.jobId();
      const before = await writeEverything(fx, jobId);
      const signal = aborted();
      const s = fx.store;
      await expectRejects(() => s.getJob(jobId, { signal }), "AbortedError", "getJob");
      await expectRejects(() => s.getLinks(jobId, ["x"], { signal }), "AbortedError", "getLinks");
      await expectRejects(() => collect(s.listLinks(jobId, { signal })), "AbortedError", "listLinks");
      await expectRejects(() => collect(s.listLinks(fx.jobId(), { signal })), "AbortedError", "listLinks of a job without links");
      await expectRejects(() => s.listEscrows(jobId, { signal }), "AbortedError", "listEscrows");
      await expectRejects(() => s.queryLogs({ jobId }, { signal }), "AbortedError", "queryLogs");
      await expectRejects(() => s.write(jobId, { putLinks: [fx.link("s-aborted")], appendLogs: [fx.logEntry(jobId, 60)] }, { signal }), "AbortedError", "write");
      await expectRejects(() => s.pruneLogs(jobId, logTime(100), { signal }), "AbortedError", "pruneLogs");
      await expectRejects(() => s.deleteJob(jobId, { signal }), "AbortedError", "deleteJob");
      expect(await jobState(s, jobId)).toEqual({ job: before.job, links: bySource(before.links), escrows: before.escrows, logs: [...before.logs].reverse() });
    },
  },
  {
    key: "durability.reopen",
    title: "everything written is there after the store is closed and opened again",
    requires: (fx) => (typeof fx.probe.reopen === "function" ? null : "not applicable: the probe has no probe.reopen (a store that does not persist)"),
    async run(fx) {
      const [a, b] = [fx.jobId(), fx.jobId()];
      const wa = await writeEverything(fx, a, 0);
      const wb = await writeEverything(fx, b, 10);
      await fx.store.write(b, { deleteLinks: [wb.links[0]!.sourceId] });
      const reopened = await fx.probe.reopen!();
      expect(await jobState(reopened, a)).toEqual({ job: wa.job, links: bySource(wa.links), escrows: wa.escrows, logs: [...wa.logs].reverse() });
      expect(await jobState(reopened, b)).toEqual({ job: wb.job, links: bySource(wb.links.slice(1)), escrows: wb.escrows, logs: [...wb.logs].reverse() });
    },
  },
];

// ------------------------------------------------------------ model-based

type Operation =
  | { kind: "write"; jobId: string; put: Array<Partial<Link> & { sourceId: string }>; del: string[]; putEscrows: string[]; delEscrows: string[]; logs: number; job: Partial<JobRecord> | null }
  | { kind: "deleteJob"; jobId: string }
  | { kind: "prune"; jobId: string; keepFrom: number };

interface ModelJob {
  record: JobRecord | null;
  links: Map<string, Link>;
  escrows: Map<string, Escrow>;
  logs: LogEntry[];
}

const SOURCE_IDS = ["s1", "s2", "s3", "s4", "s5", "s6"];

function operationsArbitrary(jobs: readonly string[]): fc.Arbitrary<Operation[]> {
  const job = fc.constantFrom(...jobs);
  const linkPatch = fc.record({
    sourceId: fc.constantFrom(...SOURCE_IDS),
    targetId: fc.constantFrom("t1", "t2", "t3"),
    state: fc.constantFrom<Link["state"]>("active", "disabled", "softDeleted"),
    fingerprint: fc.stringMatching(/^[a-f0-9]{1,8}$/),
    disabledFlowed: fc.boolean(),
    managerSourceId: fc.option(fc.constantFrom(...SOURCE_IDS), { freq: 3 }),
  });
  const write = fc
    .record({
      jobId: job,
      put: fc.uniqueArray(linkPatch, { selector: (l) => l.sourceId, maxLength: 3 }),
      del: fc.subarray(SOURCE_IDS, { maxLength: 2 }),
      putEscrows: fc.subarray(SOURCE_IDS, { maxLength: 2 }),
      delEscrows: fc.subarray(SOURCE_IDS, { maxLength: 2 }),
      logs: fc.nat({ max: 3 }),
      job: fc.option(fc.record({ watermark: fc.option(fc.stringMatching(/^cursor-[0-9]{1,3}$/)), state: fc.constantFrom<JobRecord["state"]>("Active", "Quarantine", "Paused"), successiveFailures: fc.nat({ max: 5 }) }), { freq: 2 }),
    })
    .map((w): Operation => {
      // Keep puts and deletes of one write apart: the order of the two inside one write is not part of the contract.
      const put = new Set(w.put.map((l) => l.sourceId));
      const putE = new Set(w.putEscrows);
      return { kind: "write", ...w, del: w.del.filter((id) => !put.has(id)), delEscrows: w.delEscrows.filter((id) => !putE.has(id)) };
    });
  const op = fc.oneof(
    { arbitrary: write, weight: 8 },
    { arbitrary: job.map((jobId): Operation => ({ kind: "deleteJob", jobId })), weight: 1 },
    { arbitrary: fc.record({ jobId: job, keepFrom: fc.nat({ max: 40 }) }).map((p): Operation => ({ kind: "prune", ...p })), weight: 1 },
  );
  return fc.array(op, { minLength: 1, maxLength: 20 });
}

/** The model-based case: random operation sequences against the store and a model side by side. */
export function stateStoreModelCase(options: { numRuns?: number | undefined } = {}): StateStoreCase {
  return {
    key: "properties.model",
    title: "random sequences of writes, prunes and job deletions agree with a simple model (fresh store per run)",
    timeout: 300_000,
    async run(fx) {
      await fc.assert(
        fc.asyncProperty(operationsArbitrary(["kit-model-a", "kit-model-b"]), async (ops) => {
          const run = await fx.fresh();
          try {
            const model = new Map<string, ModelJob>();
            const jobOf = (id: string) => {
              let j = model.get(id);
              if (!j) model.set(id, (j = { record: null, links: new Map(), escrows: new Map(), logs: [] }));
              return j;
            };
            let clock = 0;
            for (const op of ops) {
              const m = jobOf(op.jobId);
              if (op.kind === "write") {
                const write: StateWrite = {};
                if (op.put.length) write.putLinks = op.put.map((p) => run.link(p.sourceId, p));
                if (op.del.length) write.deleteLinks = op.del;
                if (op.putEscrows.length) write.putEscrows = op.putEscrows.map((id) => run.escrow(id, { attempts: clock + 1 }));
                if (op.delEscrows.length) write.deleteEscrows = op.delEscrows;
                if (op.logs > 0) write.appendLogs = Array.from({ length: op.logs }, () => run.logEntry(op.jobId, ++clock));
                if (op.job) write.job = run.jobRecord(op.jobId, op.job);
                await run.store.write(op.jobId, write);
                for (const l of write.putLinks ?? []) m.links.set(l.sourceId, l);
                for (const id of write.deleteLinks ?? []) m.links.delete(id);
                for (const e of write.putEscrows ?? []) m.escrows.set(e.sourceId, e);
                for (const id of write.deleteEscrows ?? []) m.escrows.delete(id);
                m.logs.push(...(write.appendLogs ?? []));
                if (write.job) m.record = write.job;
              } else if (op.kind === "deleteJob") {
                await run.store.deleteJob(op.jobId);
                model.delete(op.jobId);
              } else {
                const before = logTime(op.keepFrom);
                const dropped = await run.store.pruneLogs(op.jobId, before);
                const kept = m.logs.filter((e) => e.time >= before);
                expect(dropped, `pruneLogs(${op.jobId}, ${before}) count`).toBe(m.logs.length - kept.length);
                m.logs = kept;
              }
              for (const id of ["kit-model-a", "kit-model-b"]) {
                const expected = model.get(id);
                const actual = await jobState(run.store, id);
                expect(actual, `job ${id} after ${JSON.stringify(op)}`).toEqual({
                  job: expected?.record ?? null,
                  links: bySource([...(expected?.links.values() ?? [])]),
                  escrows: bySource([...(expected?.escrows.values() ?? [])]),
                  logs: [...(expected?.logs ?? [])].reverse(),
                });
              }
            }
          } finally {
            await run.release();
          }
        }),
        { numRuns: propertyRuns(options.numRuns, 30) },
      );
    },
  };
}
