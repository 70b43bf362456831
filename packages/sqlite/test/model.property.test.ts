import { createMemoryStateStore } from "@tenantsync/core";
import { newJobRecord, type LogQuery, type StateStore, type StateWrite } from "@tenantsync/core/port";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createSqliteStateStore, type SqliteStateStore } from "../src/index.ts";
import { allLinks, bySource, escrow, guid, link, logEntry, tempDbPath } from "./helpers.ts";

const runs = Number(process.env.FC_RUNS ?? 25);
const CAP = 6;
const JOBS = ["job-a", "job-b"];
// A mix of GUID ids (stored as blobs) and other ids (stored as text).
const IDS = [guid(1), guid(2), guid(0xabc), "u1", "u2", "U1", "12"];

type Command =
  | { kind: "write"; jobId: string; write: StateWrite }
  | { kind: "deleteJob"; jobId: string }
  | { kind: "prune"; jobId: string; stepsBack: number }
  | { kind: "reopen" };

const id = fc.constantFrom(...IDS);
const jobId = fc.constantFrom(...JOBS);
const linkArb = fc.record({
  sourceId: id,
  targetId: fc.constantFrom(guid(100), "t-1", "T-2"),
  state: fc.constantFrom("active" as const, "disabled" as const, "softDeleted" as const),
  softDeletedAt: fc.constantFrom(null, "2026-01-01T00:00:00.000Z"),
  fingerprint: fc.constantFrom("", "a", "b|m:x"),
  disabledFlowed: fc.boolean(),
  managerSourceId: fc.option(id, { nil: null }),
});
const writeArb = fc.record(
  {
    putLinks: fc.array(linkArb, { maxLength: 4 }),
    deleteLinks: fc.array(id, { maxLength: 3 }),
    putEscrows: fc.array(id.map((s) => escrow(s)), { maxLength: 2 }).chain((es) => fc.constant(es)),
    deleteEscrows: fc.array(id, { maxLength: 2 }),
    appendLogs: fc.array(fc.record({ user: id, status: fc.constantFrom("success" as const, "failure" as const), action: fc.constantFrom("create" as const, "update" as const) }), { maxLength: 4 }),
    job: fc.constantFrom("w1", "w2", null),
  },
  { requiredKeys: [] },
);
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("write" as const), jobId, raw: writeArb }).map(({ jobId: j, raw }) => toWrite(j, raw)) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("deleteJob" as const), jobId }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("prune" as const), jobId, stepsBack: fc.nat(8) }) },
  { weight: 1, arbitrary: fc.constant({ kind: "reopen" as const }) },
);

let step = 0;
const stepTime = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString();

function toWrite(j: string, raw: unknown): Command {
  const r = raw as { putLinks?: ReturnType<typeof link>[]; deleteLinks?: string[]; putEscrows?: ReturnType<typeof escrow>[]; deleteEscrows?: string[]; appendLogs?: Array<{ user: string; status: "success" | "failure"; action: "create" | "update" }>; job?: string | null };
  const write: StateWrite = {};
  if (r.putLinks) write.putLinks = r.putLinks;
  if (r.deleteLinks) write.deleteLinks = r.deleteLinks;
  if (r.putEscrows) write.putEscrows = r.putEscrows;
  if (r.deleteEscrows) write.deleteEscrows = r.deleteEscrows;
  // Times are given when the command runs (strictly increasing), see run().
  if (r.appendLogs) write.appendLogs = r.appendLogs.map((l) => logEntry({ jobId: j, source: { tenantId: "s", userId: l.user, displayName: null }, target: { tenantId: "t", userId: null }, status: l.status, action: l.action, cycleId: `c-${l.action}` }));
  if (r.job) write.job = { ...newJobRecord(j), watermark: r.job };
  return { kind: "write", jobId: j, write };
}

async function observe(store: StateStore) {
  const out: Record<string, unknown> = {};
  for (const j of JOBS) {
    const queries: LogQuery[] = [{ jobId: j, limit: 1000 }, { jobId: j, status: "failure" }, { jobId: j, action: "create", limit: 2 }, { jobId: j, userId: IDS[0] }, { jobId: j, cycleId: "c-update" }, { jobId: j, since: stepTime((step - 3) * 5) }];
    out[j] = {
      job: await store.getJob(j),
      links: (await allLinks(store, j)).sort(bySource),
      someLinks: [...(await store.getLinks(j, [IDS[0]!, IDS[3]!, "absent"])).entries()].sort(),
      escrows: (await store.listEscrows(j)).sort(bySource),
      logs: await Promise.all(queries.map((q) => store.queryLogs(q))),
    };
  }
  out["all"] = await store.queryLogs({ limit: 1000 });
  out["byUser"] = await store.queryLogs({ userId: "u1" });
  return out;
}

describe("SQLite store against the memory store (model)", () => {
  it("any sequence of writes, prunes, job deletions and reopenings leaves both stores observably equal", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(commandArb, { minLength: 1, maxLength: 20 }), async (commands) => {
        const path = tempDbPath();
        const model = createMemoryStateStore({ maxLogEntriesPerJob: CAP });
        let real: SqliteStateStore = createSqliteStateStore({ path, logRetention: { maxEntriesPerJob: CAP } });
        try {
          for (const c of commands) {
            step++;
            if (c.kind === "write") {
              const write = { ...c.write, appendLogs: c.write.appendLogs?.map((e, i) => ({ ...e, time: stepTime(step * 5 + i) })) };
              await model.write(c.jobId, write);
              await real.write(c.jobId, write);
            } else if (c.kind === "deleteJob") {
              await model.deleteJob(c.jobId);
              await real.deleteJob(c.jobId);
            } else if (c.kind === "prune") {
              const before = stepTime((step - c.stepsBack) * 5);
              expect(await real.pruneLogs(c.jobId, before)).toBe(await model.pruneLogs(c.jobId, before));
            } else {
              await real.close();
              real = createSqliteStateStore({ path, logRetention: { maxEntriesPerJob: CAP } });
            }
            expect(await observe(real)).toEqual(await observe(model));
          }
        } finally {
          await real.close();
        }
      }),
      { numRuns: runs },
    );
  }, 60_000);
});
