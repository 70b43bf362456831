import { createManualClock } from "@tenantsync/core/port";
import { describe, expect, it } from "vitest";
import { logEntry, openStore, rawDb, tempDbPath } from "./helpers.ts";

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();

describe("log retention", () => {
  it("keeps at most maxEntriesPerJob entries per job, dropping the oldest on the write that exceeds it", async () => {
    const store = openStore({ path: tempDbPath(), logRetention: { maxEntriesPerJob: 5 } });
    const entries = Array.from({ length: 8 }, (_, i) => logEntry({ jobId: "j", id: `e${i}`, time: at(i) }));
    await store.write("j", { appendLogs: entries.slice(0, 4) });
    await store.write("other", { appendLogs: [logEntry({ jobId: "other", id: "o1", time: at(0) })] });
    expect((await store.queryLogs({ jobId: "j" })).map((e) => e.id)).toEqual(["e3", "e2", "e1", "e0"]);
    await store.write("j", { appendLogs: entries.slice(4) });
    expect((await store.queryLogs({ jobId: "j" })).map((e) => e.id)).toEqual(["e7", "e6", "e5", "e4", "e3"]);
    // The cap is per job.
    expect((await store.queryLogs({ jobId: "other" })).map((e) => e.id)).toEqual(["o1"]);
  });

  it("drops the oldest by time, even when they were appended later", async () => {
    const store = openStore({ path: tempDbPath(), logRetention: { maxEntriesPerJob: 2 } });
    await store.write("j", { appendLogs: [logEntry({ jobId: "j", id: "new", time: at(10) })] });
    await store.write("j", { appendLogs: [logEntry({ jobId: "j", id: "mid", time: at(5) })] });
    await store.write("j", { appendLogs: [logEntry({ jobId: "j", id: "old", time: at(1) })] });
    expect((await store.queryLogs({ jobId: "j" })).map((e) => e.id)).toEqual(["new", "mid"]);
  });

  it("keeps the cap right after prunes and across reopening", async () => {
    const path = tempDbPath();
    const store = openStore({ path, logRetention: { maxEntriesPerJob: 4 } });
    await store.write("j", { appendLogs: [0, 1, 2, 3].map((i) => logEntry({ jobId: "j", id: `e${i}`, time: at(i) })) });
    expect(await store.pruneLogs("j", at(2))).toBe(2);
    await store.close();
    const again = openStore({ path, logRetention: { maxEntriesPerJob: 4 } });
    // Two entries left, so two more fit before the oldest goes.
    await again.write("j", { appendLogs: [4, 5].map((i) => logEntry({ jobId: "j", id: `e${i}`, time: at(i) })) });
    expect((await again.queryLogs({ jobId: "j" })).map((e) => e.id)).toEqual(["e5", "e4", "e3", "e2"]);
    await again.write("j", { appendLogs: [logEntry({ jobId: "j", id: "e6", time: at(6) })] });
    expect((await again.queryLogs({ jobId: "j" })).map((e) => e.id)).toEqual(["e6", "e5", "e4", "e3"]);
    expect(rawDb(path).prepare("SELECT log_count FROM jobs WHERE job_id = 'j'").pluck().get()).toBe(4);
  });

  it("a cap of null keeps everything", async () => {
    const store = openStore({ path: tempDbPath(), logRetention: { maxEntriesPerJob: null } });
    await store.write("j", { appendLogs: Array.from({ length: 300 }, (_, i) => logEntry({ jobId: "j", time: at(i) })) });
    expect(await store.queryLogs({ jobId: "j", limit: 1000 })).toHaveLength(300);
  });

  it("the default cap is 100,000 entries per job", async () => {
    const path = tempDbPath();
    const store = openStore({ path });
    await store.write("j", { appendLogs: [logEntry({ jobId: "j", id: "e0", time: "2026-01-01T00:00:00.000Z" })] });
    // Fill the job up to 100,000 entries straight in the file (fast), as the
    // store would have: entries e1…e99999, one second apart, and the counter.
    rawDb(path).exec(`
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 99999)
      INSERT INTO logs (job_key, time, cycle_id, source_user_id, target_user_id, action, status, entry)
      SELECT 1, strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-01', '+' || i || ' seconds'), 'c', 'u', 't', 'update', 'success',
             json_object('id', 'e' || i, 'time', strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-01', '+' || i || ' seconds'))
      FROM n;
      UPDATE jobs SET log_count = 100000 WHERE job_id = 'j';`);
    await store.write("j", { appendLogs: [1, 2].map((i) => logEntry({ jobId: "j", id: `new${i}`, time: "2027-01-01T00:00:00.000Z" })) });
    expect(rawDb(path).prepare("SELECT count(*) FROM logs").pluck().get()).toBe(100_000);
    // 100,002 entries: the two oldest (e0, e1) went; e2 is now the oldest.
    expect(rawDb(path).prepare("SELECT json_extract(entry, '$.id') FROM logs ORDER BY time, seq LIMIT 1").pluck().get()).toBe("e2");
    expect((await store.queryLogs({ jobId: "j", limit: 2 })).map((e) => e.id)).toEqual(["new2", "new1"]);
  }, 30_000);

  it("maxAgeDays drops entries older than that, measured with the store's clock, on each write that appends", async () => {
    const clock = createManualClock({ start: "2026-03-01T00:00:00.000Z" });
    const store = openStore({ path: tempDbPath(), clock, logRetention: { maxAgeDays: 30 } });
    await store.write("j", {
      appendLogs: [
        logEntry({ jobId: "j", id: "old", time: "2026-01-15T00:00:00.000Z" }),
        logEntry({ jobId: "j", id: "recent", time: "2026-02-15T00:00:00.000Z" }),
      ],
    });
    expect((await store.queryLogs({ jobId: "j" })).map((e) => e.id)).toEqual(["recent"]);
    clock.set("2026-03-20T00:00:00.000Z");
    // A write without log entries prunes nothing.
    await store.write("j", { job: undefined, putLinks: [] });
    expect((await store.queryLogs({ jobId: "j" })).map((e) => e.id)).toEqual(["recent"]);
    await store.write("j", { appendLogs: [logEntry({ jobId: "j", id: "now", time: clock.now().toISOString() })] });
    expect((await store.queryLogs({ jobId: "j" })).map((e) => e.id)).toEqual(["now"]);
  });
});
