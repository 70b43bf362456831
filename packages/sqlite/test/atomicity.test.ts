import { newJobRecord, type LogEntry } from "@tenantsync/core/port";
import { describe, expect, it } from "vitest";
import { SqliteStateStoreError } from "../src/index.ts";
import { allLinks, escrow, link, logEntry, openStore, rawDb, tempDbPath } from "./helpers.ts";

/** What a job looks like from outside, plus the raw row counts of the file. */
async function snapshot(store: ReturnType<typeof openStore>, path: string, jobId: string) {
  const raw = rawDb(path);
  return {
    job: await store.getJob(jobId),
    links: await allLinks(store, jobId),
    escrows: await store.listEscrows(jobId),
    logs: await store.queryLogs({ jobId, limit: 1000 }),
    rows: raw.prepare("SELECT (SELECT count(*) FROM links) AS links, (SELECT count(*) FROM escrows) AS escrows, (SELECT count(*) FROM logs) AS logs, (SELECT group_concat(log_count) FROM jobs) AS logCounts").get(),
  };
}

async function seeded() {
  const path = tempDbPath();
  const store = openStore({ path });
  await store.write("j", {
    job: { ...newJobRecord("j"), watermark: "w0" },
    putLinks: [link("keep"), link("doomed")],
    putEscrows: [escrow("e-keep"), escrow("e-doomed")],
    appendLogs: [logEntry({ jobId: "j" })],
  });
  return { path, store };
}

describe("StateWrite atomicity", () => {
  it("an invalid row in the middle of a write (after links and escrows were applied) leaves nothing of the write", async () => {
    const { path, store } = await seeded();
    const before = await snapshot(store, path, "j");
    const bad = { ...logEntry({ jobId: "j" }), action: "explode" } as unknown as LogEntry;
    const error = await store
      .write("j", {
        putLinks: [link("new-1"), link("keep", { fingerprint: "changed" })],
        deleteLinks: ["doomed"],
        putEscrows: [escrow("e-new")],
        deleteEscrows: ["e-doomed"],
        appendLogs: [logEntry({ jobId: "j" }), bad, logEntry({ jobId: "j" })],
        job: { ...newJobRecord("j"), watermark: "w1" },
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(SqliteStateStoreError);
    expect((error as SqliteStateStoreError).code).toBe("STORE_INVALID_VALUE");
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toContain("appendLogs[1]");
    expect((error as Error).message).toContain("Nothing of this write was stored");
    expect(await snapshot(store, path, "j")).toEqual(before);
  });

  it.each([
    ["a link without targetId", { putLinks: [link("ok"), { ...link("x"), targetId: "" }] }, "putLinks[1]"],
    ["a link with an unknown state", { putLinks: [{ ...link("x"), state: "gone" as never }] }, "putLinks[0]"],
    ["a link whose disabledFlowed is not a boolean", { putLinks: [{ ...link("x"), disabledFlowed: "yes" as never }] }, "putLinks[0]"],
    ["an escrow without sourceId", { putLinks: [link("ok")], putEscrows: [{ ...escrow("x"), sourceId: undefined as never }] }, "putEscrows[0]"],
    ["a log entry whose time is a number", { putLinks: [link("ok")], appendLogs: [{ ...logEntry({ jobId: "j" }), time: 5 as never }] }, "appendLogs[0]"],
    ["a log entry that cannot be serialised", { putLinks: [link("ok")], appendLogs: [{ ...logEntry({ jobId: "j" }), durationMs: 1n as never }] }, "appendLogs[0]"],
    ["a job record that is not an object", { putLinks: [link("ok")], appendLogs: [logEntry({ jobId: "j" })], job: "record" as never }, "job"],
  ])("refuses %s as a whole, naming the position", async (_name, write, position) => {
    const { path, store } = await seeded();
    const before = await snapshot(store, path, "j");
    await expect(store.write("j", write)).rejects.toMatchObject({ code: "STORE_INVALID_VALUE", message: expect.stringContaining(position) });
    expect(await snapshot(store, path, "j")).toEqual(before);
  });

  it("a failure raised by the database itself in the middle of a write rolls back everything before it", async () => {
    const { path, store } = await seeded();
    const before = await snapshot(store, path, "j");
    // Inject the failure from outside the store: a trigger that aborts the
    // insert of one particular escrow, after the links were already written.
    rawDb(path).exec(`CREATE TRIGGER boom BEFORE INSERT ON escrows WHEN NEW.source_id = 'boom' BEGIN SELECT RAISE(ABORT, 'injected failure'); END;`);
    const error = await store
      .write("j", {
        putLinks: [link("new-1")],
        deleteLinks: ["doomed", "keep"],
        putEscrows: [escrow("e-1"), escrow("boom")],
        appendLogs: [logEntry({ jobId: "j" })],
        job: { ...newJobRecord("j"), watermark: "w1" },
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toMatchObject({ code: "STORE_INVALID_VALUE", sqliteCode: "SQLITE_CONSTRAINT_TRIGGER" });
    expect((error as Error).message).toContain("injected failure");
    expect((error as Error).message).toContain("putEscrows[1] (source user boom)");
    expect(await snapshot(store, path, "j")).toEqual(before);
    // The store stays usable after the rollback.
    await store.write("j", { putLinks: [link("after")] });
    expect((await allLinks(store, "j")).map((l) => l.sourceId).sort()).toEqual(["after", "doomed", "keep"]);
  });

  it("a write that fails for a new job leaves no trace of the job", async () => {
    const path = tempDbPath();
    const store = openStore({ path });
    await expect(store.write("fresh", { job: newJobRecord("fresh"), putLinks: [{ ...link("x"), targetId: "" }] })).rejects.toMatchObject({ code: "STORE_INVALID_VALUE" });
    expect(await store.getJob("fresh")).toBeNull();
    expect(rawDb(path).prepare("SELECT count(*) FROM jobs").pluck().get()).toBe(0);
  });
});
