import { beforeAll, describe, expect, it } from "vitest";
import { SqliteStateStoreError } from "../src/index.ts";
import { allLinks, link, logEntry, openStore, rawDb, tempDbPath } from "./helpers.ts";
import { bundleScripts, startNode } from "./process-helpers.ts";

describe("several stores on one file (WAL)", () => {
  let scripts: { concurrentWriter: string };
  beforeAll(async () => {
    scripts = await bundleScripts({ concurrentWriter: "test/fixtures/concurrent-writer.ts" });
  }, 60_000);

  it("two stores in one process see each other's commits at once", async () => {
    const path = tempDbPath();
    const a = openStore({ path });
    const b = openStore({ path });
    await a.write("j", { putLinks: [link("from-a")] });
    expect((await b.getLinks("j", ["from-a"])).get("from-a")).toEqual(link("from-a"));
    await b.write("j", { putLinks: [link("from-b")], deleteLinks: ["from-a"], appendLogs: [logEntry({ jobId: "j", id: "b-log" })] });
    expect(await allLinks(a, "j")).toEqual([link("from-b")]);
    expect((await a.queryLogs({ jobId: "j" })).map((e) => e.id)).toEqual(["b-log"]);
  });

  it("a reader keeps a consistent snapshot through a multi-chunk getLinks while the other store writes", async () => {
    const path = tempDbPath();
    const a = openStore({ path });
    const b = openStore({ path });
    const ids = Array.from({ length: 2000 }, (_, i) => `u${i}`);
    await a.write("j", { putLinks: ids.map((id) => link(id)) });
    const reading = a.getLinks("j", ids);
    await b.write("j", { deleteLinks: ids.slice(1000) });
    expect((await reading).size).toBe(2000);
    expect((await a.getLinks("j", ids)).size).toBe(1000);
  });

  it("a write waits for another connection's lock up to the busy timeout, then fails with a retryable STORE_BUSY and writes nothing", async () => {
    const path = tempDbPath();
    const store = openStore({ path, busyTimeoutMs: 50 });
    const other = rawDb(path);
    other.exec("BEGIN IMMEDIATE");
    const error = await store.write("j", { putLinks: [link("x")] }).then(
      () => null,
      (e: unknown) => e,
    );
    other.exec("COMMIT");
    expect(error).toBeInstanceOf(SqliteStateStoreError);
    expect(error).toMatchObject({ code: "STORE_BUSY", retryable: true });
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toContain("busyTimeoutMs");
    expect(await allLinks(store, "j")).toEqual([]);
    // Reads are not blocked by a writer in WAL mode.
    other.exec("BEGIN IMMEDIATE");
    expect(await store.getJob("j")).toBeNull();
    other.exec("ROLLBACK");
  });

  it("a write waits while another process holds the lock briefly, then succeeds", async () => {
    const path = tempDbPath();
    const store = openStore({ path, busyTimeoutMs: 30_000 });
    const holder = startNode(["test/fixtures/lock-holder.mjs", path, "300"]);
    await holder.waitFor((l) => l === "locked");
    await store.write("j", { putLinks: [link("x")] });
    const committedAt = Date.now();
    // The write could only commit after the other process released its lock.
    const released = await holder.waitFor((l) => l.startsWith("released"));
    expect(committedAt).toBeGreaterThanOrEqual(Number(released.split(" ")[1]));
    expect(await allLinks(store, "j")).toEqual([link("x")]);
    expect((await holder.exited).code).toBe(0);
  });

  it("processes writing to the same file and job at the same time lose nothing, and the log cap holds", async () => {
    const path = tempDbPath();
    openStore({ path }); // create the file (and migrate) once
    const count = 400;
    const cap = 100;
    const writers = ["p1", "p2", "p3"].map((prefix) => ({ prefix, child: startNode([scripts.concurrentWriter, path, "j", prefix, String(count), String(cap)]) }));
    await Promise.all(writers.map((w) => w.child.waitFor((l) => l === "ready")));
    for (const w of writers) w.child.send("go");
    // Read while they write: WAL readers are never blocked.
    const reader = openStore({ path });
    let reads = 0;
    while (writers.some((w) => !w.child.lines.includes("done"))) {
      await reader.queryLogs({ jobId: "j", limit: 10 });
      await reader.getLinks("j", ["p1-00000", "p2-00000"]);
      reads++;
      await new Promise((r) => setTimeout(r, 5));
      if (writers.some((w) => w.child.proc.exitCode !== null && !w.child.lines.includes("done"))) break;
    }
    for (const w of writers) {
      const { code } = await w.child.exited;
      expect(code, w.child.stderr()).toBe(0);
    }
    expect(reads).toBeGreaterThan(0);
    const links = await allLinks(reader, "j");
    expect(links).toHaveLength(3 * count);
    for (const w of writers) expect(links.filter((l) => l.sourceId.startsWith(`${w.prefix}-`))).toHaveLength(count);
    // The cap held under concurrent appends, and kept the newest entries.
    const logs = await reader.queryLogs({ jobId: "j", limit: 10_000 });
    expect(logs).toHaveLength(cap);
    expect(rawDb(path).prepare("SELECT log_count FROM jobs WHERE job_id = 'j'").pluck().get()).toBe(cap);
    // Each writer's entries are appended in order, so what was kept of each
    // writer is a run of its latest entries.
    for (const w of writers) {
      const kept = logs.filter((e) => e.cycleId === w.prefix).map((e) => Number(e.changeId.slice(w.prefix.length + 1)));
      const expected = Array.from({ length: kept.length }, (_, i) => count - 1 - i);
      expect(kept).toEqual(expected);
    }
    expect(await reader.getJob("j")).toMatchObject({ jobId: "j" });
  }, 60_000);
});
