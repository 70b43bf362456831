import { join } from "node:path";
import { AbortedError, ConfigError, newJobRecord, type Link } from "@tenantsync/core/port";
import { describe, expect, it } from "vitest";
import { createSqliteStateStore, SQLITE_STATE_STORE_SCHEMA_VERSION, SqliteStateStoreError } from "../src/index.ts";
import { allLinks, bySource, escrow, fullJobRecord, guid, link, logEntry, openStore, rawDb, tempDbPath, tempDir } from "./helpers.ts";

describe("createSqliteStateStore", () => {
  it("creates a new file in WAL mode at the current schema version", () => {
    const path = tempDbPath();
    const store = openStore({ path });
    expect(store.name).toBe("sqlite");
    expect(store.path).toBe(path);
    expect(store.schemaVersion).toBe(SQLITE_STATE_STORE_SCHEMA_VERSION);
    expect(store.migratedFrom).toBe(0);
    const db = rawDb(path);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("user_version", { simple: true })).toBe(SQLITE_STATE_STORE_SCHEMA_VERSION);
  });

  it("rejects invalid options with a ConfigError listing every issue with its path", () => {
    const path = tempDbPath();
    let error: unknown;
    try {
      createSqliteStateStore({ path: "", logRetention: { maxEntriesPerJob: 0, maxAgeDays: -1 }, busyTimeoutMs: -5, linkPageSize: 1.5, synchronous: "off" as never });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const paths = (error as ConfigError).issues.map((i) => i.path.join("."));
    expect(paths.sort()).toEqual(["busyTimeoutMs", "linkPageSize", "logRetention.maxAgeDays", "logRetention.maxEntriesPerJob", "path", "synchronous"]);
    // Nothing was created for valid-looking paths either.
    expect(() => openStore({ path })).not.toThrow();
  });

  it("fails with STORE_OPEN_FAILED naming the path when the directory does not exist", () => {
    const path = join(tempDir(), "missing", "state.db");
    let error: unknown;
    try {
      createSqliteStateStore({ path });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SqliteStateStoreError);
    expect((error as SqliteStateStoreError).code).toBe("STORE_OPEN_FAILED");
    expect((error as SqliteStateStoreError).path).toBe(path);
    expect((error as Error).message).toContain(path);
  });

  it("accepts ':memory:' for a throw-away store", async () => {
    const store = openStore({ path: ":memory:" });
    await store.write("j", { putLinks: [link("a")] });
    expect((await store.getLinks("j", ["a"])).get("a")).toEqual(link("a"));
  });
});

describe("getJob and the job record", () => {
  it("returns null for a job never seen, and the record as written", async () => {
    const store = openStore({ path: tempDbPath() });
    expect(await store.getJob("job-1")).toBeNull();
    const record = fullJobRecord("job-1");
    await store.write("job-1", { job: record });
    expect(await store.getJob("job-1")).toEqual(record);
    expect(await store.getJob("job-2")).toBeNull();
  });

  it("replaces the record on each write that carries one and keeps it otherwise", async () => {
    const store = openStore({ path: tempDbPath() });
    await store.write("j", { job: newJobRecord("j") });
    await store.write("j", { job: { ...newJobRecord("j"), watermark: "w1", state: "Active" } });
    await store.write("j", { putLinks: [link("a")] });
    expect(await store.getJob("j")).toMatchObject({ watermark: "w1", state: "Active" });
  });

  it("a job with links but no record yet has no record", async () => {
    const store = openStore({ path: tempDbPath() });
    await store.write("j", { putLinks: [link("a")] });
    expect(await store.getJob("j")).toBeNull();
  });

  it("returns copies: changing a returned record changes nothing stored", async () => {
    const store = openStore({ path: tempDbPath() });
    await store.write("j", { job: newJobRecord("j") });
    const r = (await store.getJob("j"))!;
    r.watermark = "changed";
    expect((await store.getJob("j"))!.watermark).toBeNull();
  });
});

describe("links", () => {
  it("round-trips every field of a link, for GUID and non-GUID ids", async () => {
    const store = openStore({ path: tempDbPath() });
    const links: Link[] = [
      link(guid(1), { targetId: guid(2), managerSourceId: guid(3), state: "softDeleted", softDeletedAt: "2026-01-05T00:00:00.000Z", disabledFlowed: true }),
      link("NOT-A-GUID", { targetId: "x", managerSourceId: "mgr", state: "disabled" }),
      link(guid(0xdef).toUpperCase(), { targetId: `{${guid(5)}}` }),
      link("12345", { targetId: "0042", fingerprint: "007" }),
    ];
    await store.write("j", { putLinks: links });
    const got = await store.getLinks("j", links.map((l) => l.sourceId));
    expect([...got.values()].sort(bySource)).toEqual([...links].sort(bySource));
    for (const l of links) expect(got.get(l.sourceId)).toEqual(l);
  });

  it("stores canonical GUIDs as 16-byte blobs and other ids as text", async () => {
    const path = tempDbPath();
    const store = openStore({ path });
    await store.write("j", { putLinks: [link(guid(1), { targetId: guid(2) }), link("plain", { targetId: guid(0xabc).toUpperCase() })] });
    const rows = rawDb(path).prepare("SELECT typeof(source_id) AS s, length(source_id) AS n, typeof(target_id) AS t FROM links ORDER BY source_id").all();
    expect(rows).toEqual([
      { s: "text", n: 5, t: "text" },
      { s: "blob", n: 16, t: "blob" },
    ]);
  });

  it("getLinks answers many ids at once (more than one IN chunk), ignoring duplicates and absent ids", async () => {
    const store = openStore({ path: tempDbPath() });
    const ids = Array.from({ length: 1300 }, (_, i) => (i % 3 === 0 ? `user-${i}` : guid(i)));
    await store.write("j", { putLinks: ids.map((id) => link(id)) });
    const asked = [...ids.filter((_, i) => i % 2 === 0), ...ids.slice(0, 10), "absent-1", guid(999_999)];
    const got = await store.getLinks("j", asked);
    const expected = new Set([...ids.filter((_, i) => i % 2 === 0), ...ids.slice(0, 10)]);
    expect(new Set(got.keys())).toEqual(expected);
    for (const id of expected) expect(got.get(id)).toEqual(link(id));
    expect((await store.getLinks("j", [])).size).toBe(0);
    expect((await store.getLinks("other-job", ids)).size).toBe(0);
  });

  it("put replaces a link, delete removes it, and jobs do not see each other's links", async () => {
    const store = openStore({ path: tempDbPath() });
    await store.write("a", { putLinks: [link("u1"), link("u2")] });
    await store.write("b", { putLinks: [link("u1", { targetId: "other" })] });
    await store.write("a", { putLinks: [link("u1", { fingerprint: "new", state: "disabled" })], deleteLinks: ["u2", "never-there"] });
    expect(await allLinks(store, "a")).toEqual([link("u1", { fingerprint: "new", state: "disabled" })]);
    expect(await allLinks(store, "b")).toEqual([link("u1", { targetId: "other" })]);
  });

  it("listLinks pages through every link exactly once, in pages of linkPageSize", async () => {
    const store = openStore({ path: tempDbPath(), linkPageSize: 7 });
    const ids = [...Array.from({ length: 30 }, (_, i) => guid(i)), ...Array.from({ length: 20 }, (_, i) => `u${i}`)];
    await store.write("j", { putLinks: ids.map((id) => link(id)) });
    const sizes: number[] = [];
    const seen: string[] = [];
    for await (const page of store.listLinks("j")) {
      sizes.push(page.length);
      seen.push(...page.map((l) => l.sourceId));
    }
    expect(sizes).toEqual([7, 7, 7, 7, 7, 7, 7, 1]);
    expect([...seen].sort()).toEqual([...ids].sort());
    expect(new Set(seen).size).toBe(ids.length);
  });

  it("listLinks neither skips nor repeats a link that stays while others are written between pages", async () => {
    const store = openStore({ path: tempDbPath(), linkPageSize: 5 });
    const ids = Array.from({ length: 40 }, (_, i) => `u${String(i).padStart(3, "0")}`);
    await store.write("j", { putLinks: ids.map((id) => link(id)) });
    const seen: string[] = [];
    let round = 0;
    for await (const page of store.listLinks("j")) {
      seen.push(...page.map((l) => l.sourceId));
      // Between pages: delete a link already seen, and add links before and after the cursor.
      round++;
      await store.write("j", { deleteLinks: [ids[round - 1]!], putLinks: [link(`a-new-${round}`), link(`z-new-${round}`)] });
    }
    for (const id of ids) expect(seen.filter((s) => s === id)).toHaveLength(1);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("listLinks of an unknown job yields nothing", async () => {
    const store = openStore({ path: tempDbPath() });
    expect(await allLinks(store, "nobody")).toEqual([]);
  });
});

describe("escrows", () => {
  it("put, replace, delete and list escrows per job", async () => {
    const store = openStore({ path: tempDbPath() });
    await store.write("j", { putEscrows: [escrow("u1"), escrow(guid(7), { attempts: 3 })] });
    await store.write("k", { putEscrows: [escrow("u1", { action: "create" })] });
    await store.write("j", { putEscrows: [escrow("u1", { attempts: 2, nextAttemptAt: "2026-01-02T00:00:00.000Z" })] });
    expect((await store.listEscrows("j")).sort(bySource)).toEqual([escrow("u1", { attempts: 2, nextAttemptAt: "2026-01-02T00:00:00.000Z" }), escrow(guid(7), { attempts: 3 })].sort(bySource));
    await store.write("j", { deleteEscrows: ["u1"] });
    expect(await store.listEscrows("j")).toEqual([escrow(guid(7), { attempts: 3 })]);
    expect(await store.listEscrows("k")).toEqual([escrow("u1", { action: "create" })]);
    expect(await store.listEscrows("none")).toEqual([]);
  });
});

describe("provisioning log", () => {
  async function seeded() {
    const store = openStore({ path: tempDbPath() });
    const e = [
      logEntry({ jobId: "j", time: "2026-01-01T00:00:01.000Z", cycleId: "c1", action: "create", status: "success", source: { tenantId: "s", userId: "alice", displayName: "Alice" }, target: { tenantId: "t", userId: guid(1) } }),
      logEntry({ jobId: "j", time: "2026-01-01T00:00:02.000Z", cycleId: "c1", action: "update", status: "failure", source: { tenantId: "s", userId: "bob", displayName: null }, target: { tenantId: "t", userId: null } }),
      logEntry({ jobId: "j", time: "2026-01-01T00:00:03.000Z", cycleId: "c2", action: "update", status: "success", source: { tenantId: "s", userId: "alice", displayName: "Alice" }, target: { tenantId: "t", userId: guid(1) } }),
      logEntry({ jobId: "k", time: "2026-01-01T00:00:04.000Z", cycleId: "c3", action: "delete", status: "success", source: { tenantId: "s", userId: guid(1), displayName: null }, target: { tenantId: "t", userId: "carol" } }),
      logEntry({ jobId: "j", time: "2026-01-01T00:00:05.000Z", cycleId: "c2", action: "skip", status: "skipped", source: { tenantId: "s", userId: "dave", displayName: null }, target: { tenantId: "t", userId: null } }),
    ];
    await store.write("j", { appendLogs: [e[0]!, e[1]!] });
    await store.write("j", { appendLogs: [e[2]!] });
    await store.write("k", { appendLogs: [e[3]!] });
    await store.write("j", { appendLogs: [e[4]!] });
    return { store, e };
  }

  it("queries by job, newest first, with the entries as written", async () => {
    const { store, e } = await seeded();
    expect(await store.queryLogs({ jobId: "j" })).toEqual([e[4], e[2], e[1], e[0]]);
    expect(await store.queryLogs({ jobId: "k" })).toEqual([e[3]]);
    expect(await store.queryLogs({ jobId: "nobody" })).toEqual([]);
    expect(await store.queryLogs({})).toEqual([e[4], e[3], e[2], e[1], e[0]]);
  });

  it("filters by cycle, user (source or target id), action, status, since and limit", async () => {
    const { store, e } = await seeded();
    expect(await store.queryLogs({ jobId: "j", cycleId: "c2" })).toEqual([e[4], e[2]]);
    expect(await store.queryLogs({ cycleId: "c1" })).toEqual([e[1], e[0]]);
    expect(await store.queryLogs({ jobId: "j", userId: "alice" })).toEqual([e[2], e[0]]);
    // A GUID user id matches as a target in job j and as a source in job k.
    expect(await store.queryLogs({ userId: guid(1) })).toEqual([e[3], e[2], e[0]]);
    expect(await store.queryLogs({ userId: "carol" })).toEqual([e[3]]);
    expect(await store.queryLogs({ jobId: "j", action: "update" })).toEqual([e[2], e[1]]);
    expect(await store.queryLogs({ action: "delete" })).toEqual([e[3]]);
    expect(await store.queryLogs({ jobId: "j", status: "success" })).toEqual([e[2], e[0]]);
    expect(await store.queryLogs({ status: "skipped" })).toEqual([e[4]]);
    expect(await store.queryLogs({ jobId: "j", since: "2026-01-01T00:00:02.000Z" })).toEqual([e[4], e[2], e[1]]);
    expect(await store.queryLogs({ since: "2026-01-01T00:00:04.000Z" })).toEqual([e[4], e[3]]);
    expect(await store.queryLogs({ jobId: "j", limit: 2 })).toEqual([e[4], e[2]]);
    expect(await store.queryLogs({ jobId: "j", limit: 0 })).toEqual([]);
    expect(await store.queryLogs({ jobId: "j", userId: "alice", cycleId: "c1", action: "create", status: "success", since: "2026-01-01T00:00:00.000Z" })).toEqual([e[0]]);
    expect(await store.queryLogs({ jobId: "j", userId: "alice", status: "failure" })).toEqual([]);
  });

  it("returns at most 100 entries by default", async () => {
    const store = openStore({ path: tempDbPath() });
    const entries = Array.from({ length: 130 }, (_, i) => logEntry({ jobId: "j", time: `2026-01-01T00:${String(Math.floor(i / 60)).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}.000Z` }));
    await store.write("j", { appendLogs: entries });
    const got = await store.queryLogs({ jobId: "j" });
    expect(got).toHaveLength(100);
    expect(got[0]).toEqual(entries[129]);
    expect(got[99]).toEqual(entries[30]);
  });

  it("orders entries with the same time by when they were appended, newest first", async () => {
    const store = openStore({ path: tempDbPath() });
    const a = logEntry({ jobId: "j", time: "2026-01-01T00:00:00.000Z" });
    const b = logEntry({ jobId: "j", time: "2026-01-01T00:00:00.000Z" });
    await store.write("j", { appendLogs: [a] });
    await store.write("j", { appendLogs: [b] });
    expect((await store.queryLogs({ jobId: "j" })).map((x) => x.id)).toEqual([b.id, a.id]);
  });

  it("pruneLogs drops the job's entries older than the given time and says how many", async () => {
    const { store, e } = await seeded();
    expect(await store.pruneLogs("j", "2026-01-01T00:00:03.000Z")).toBe(2);
    expect(await store.queryLogs({ jobId: "j" })).toEqual([e[4], e[2]]);
    expect(await store.queryLogs({ jobId: "k" })).toEqual([e[3]]);
    expect(await store.pruneLogs("j", "2026-01-01T00:00:03.000Z")).toBe(0);
    expect(await store.pruneLogs("nobody", "2030-01-01T00:00:00.000Z")).toBe(0);
  });
});

describe("deleteJob", () => {
  it("forgets everything about one job and nothing about the others", async () => {
    const store = openStore({ path: tempDbPath() });
    for (const j of ["a", "b"]) {
      await store.write(j, { job: newJobRecord(j), putLinks: [link("u1"), link(guid(1))], putEscrows: [escrow("u1")], appendLogs: [logEntry({ jobId: j })] });
    }
    await store.deleteJob("a");
    expect(await store.getJob("a")).toBeNull();
    expect(await allLinks(store, "a")).toEqual([]);
    expect((await store.getLinks("a", ["u1"])).size).toBe(0);
    expect(await store.listEscrows("a")).toEqual([]);
    expect(await store.queryLogs({ jobId: "a" })).toEqual([]);
    expect(await store.getJob("b")).toEqual(newJobRecord("b"));
    expect(await allLinks(store, "b")).toHaveLength(2);
    expect(await store.listEscrows("b")).toHaveLength(1);
    expect(await store.queryLogs({})).toHaveLength(1);
    await store.deleteJob("never-existed");
    // The job can start afresh.
    await store.write("a", { putLinks: [link("u9")] });
    expect(await allLinks(store, "a")).toEqual([link("u9")]);
  });
});

describe("AbortSignal and close", () => {
  it("every method rejects with AbortedError on an aborted signal and does nothing", async () => {
    const store = openStore({ path: tempDbPath() });
    await store.write("j", { putLinks: [link("u")], appendLogs: [logEntry({ jobId: "j" })] });
    const signal = AbortSignal.abort();
    const calls: Array<() => Promise<unknown>> = [
      () => store.getJob("j", { signal }),
      () => store.getLinks("j", ["u"], { signal }),
      () => allLinksWith(signal),
      () => store.listEscrows("j", { signal }),
      () => store.write("j", { deleteLinks: ["u"] }, { signal }),
      () => store.queryLogs({ jobId: "j" }, { signal }),
      () => store.pruneLogs("j", "2099-01-01T00:00:00.000Z", { signal }),
      () => store.deleteJob("j", { signal }),
      () => store.backup(join(tempDir(), "copy.db"), { signal }),
    ];
    for (const call of calls) await expect(call()).rejects.toBeInstanceOf(AbortedError);
    expect(await allLinks(store, "j")).toEqual([link("u")]);
    expect(await store.queryLogs({ jobId: "j" })).toHaveLength(1);

    async function allLinksWith(s: AbortSignal) {
      for await (const _ of store.listLinks("j", { signal: s })) void _;
    }
  });

  it("listLinks stops between pages when the signal aborts", async () => {
    const store = openStore({ path: tempDbPath(), linkPageSize: 2 });
    await store.write("j", { putLinks: ["a", "b", "c", "d", "e"].map((id) => link(id)) });
    const controller = new AbortController();
    const pages: Link[][] = [];
    const run = async () => {
      for await (const page of store.listLinks("j", { signal: controller.signal })) {
        pages.push(page);
        controller.abort();
      }
    };
    await expect(run()).rejects.toBeInstanceOf(AbortedError);
    expect(pages).toHaveLength(1);
  });

  it("after close every method fails with STORE_CLOSED naming the file; close is idempotent", async () => {
    const path = tempDbPath();
    const store = createSqliteStateStore({ path });
    await store.close();
    await store.close();
    const calls: Array<() => Promise<unknown>> = [
      () => store.getJob("j"),
      () => store.getLinks("j", ["u"]),
      async () => {
        for await (const _ of store.listLinks("j")) void _;
      },
      () => store.listEscrows("j"),
      () => store.write("j", { putLinks: [link("u")] }),
      () => store.queryLogs({}),
      () => store.pruneLogs("j", "x"),
      () => store.deleteJob("j"),
      () => store.backup(join(tempDir(), "b.db")),
    ];
    for (const call of calls) {
      const error = await call().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SqliteStateStoreError);
      expect((error as SqliteStateStoreError).code).toBe("STORE_CLOSED");
      expect((error as Error).message).toContain(path);
    }
  });

  it("a listLinks iteration still running when the store closes fails with STORE_CLOSED", async () => {
    const store = createSqliteStateStore({ path: tempDbPath(), linkPageSize: 1 });
    await store.write("j", { putLinks: [link("a"), link("b")] });
    const run = async () => {
      for await (const _ of store.listLinks("j")) await store.close();
    };
    await expect(run()).rejects.toMatchObject({ code: "STORE_CLOSED" });
  });
});

describe("backup", () => {
  it("copies the database to a file that opens as a store with the same content", async () => {
    const store = openStore({ path: tempDbPath() });
    await store.write("j", { job: fullJobRecord("j"), putLinks: [link(guid(1))], putEscrows: [escrow("u")], appendLogs: [logEntry({ jobId: "j" })] });
    const dest = join(tempDir(), "backup.db");
    await store.backup(dest);
    await store.write("j", { deleteLinks: [guid(1)] });
    const copy = openStore({ path: dest });
    expect(await copy.getJob("j")).toEqual(fullJobRecord("j"));
    expect(await allLinks(copy, "j")).toEqual([link(guid(1))]);
    expect(await copy.listEscrows("j")).toEqual([escrow("u")]);
    expect(await copy.queryLogs({ jobId: "j" })).toHaveLength(1);
  });
});
