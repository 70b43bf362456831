import { beforeAll, describe, expect, it } from "vitest";
import { allLinks, bySource, escrow, fullJobRecord, guid, link, logEntry, openStore, tempDbPath } from "./helpers.ts";
import { bundleScripts, startNode } from "./process-helpers.ts";

describe("durability", () => {
  let scripts: { batchWriter: string };
  beforeAll(async () => {
    scripts = await bundleScripts({ batchWriter: "test/fixtures/batch-writer.ts" });
  }, 60_000);

  it("a new store on the same file sees everything, after close and reopen", async () => {
    const path = tempDbPath();
    const first = openStore({ path });
    const links = [link(guid(1), { managerSourceId: guid(2) }), link("u2", { state: "softDeleted", softDeletedAt: "2026-02-01T00:00:00.000Z" })];
    const logs = [logEntry({ jobId: "j", time: "2026-01-01T00:00:01.000Z" }), logEntry({ jobId: "j", time: "2026-01-01T00:00:02.000Z" })];
    await first.write("j", { job: fullJobRecord("j"), putLinks: links, putEscrows: [escrow("u2")], appendLogs: logs });
    await first.write("k", { putLinks: [link("x")] });
    // Seen by a second store while the first is still open (no checkpoint yet)…
    const second = openStore({ path });
    expect(await second.getJob("j")).toEqual(fullJobRecord("j"));
    await first.close();
    await second.close();
    // …and after both are closed.
    const third = openStore({ path });
    expect(third.migratedFrom).toBe(third.schemaVersion);
    expect(await third.getJob("j")).toEqual(fullJobRecord("j"));
    expect((await allLinks(third, "j")).sort(bySource)).toEqual([...links].sort(bySource));
    expect(await third.listEscrows("j")).toEqual([escrow("u2")]);
    expect(await third.queryLogs({ jobId: "j" })).toEqual([logs[1], logs[0]]);
    expect(await allLinks(third, "k")).toEqual([link("x")]);
  });

  it("a process killed (SIGKILL) in the middle of big writes leaves exactly its last complete write, never part of one", async () => {
    const perBatch = 8_000;
    const delays = [0, 40, 90, 150, 230];
    for (const delay of delays) {
      const path = tempDbPath();
      const child = startNode([scripts.batchWriter, path, String(perBatch)]);
      await child.waitFor((l) => l === "committed 1");
      await new Promise((r) => setTimeout(r, delay));
      child.proc.kill("SIGKILL");
      expect((await child.exited).signal).toBe("SIGKILL");
      const acknowledged = Math.max(...child.lines.filter((l) => l.startsWith("committed ")).map((l) => Number(l.split(" ")[1])));

      const store = openStore({ path });
      const record = await store.getJob("j");
      const tag = record!.watermark!;
      const k = Number(tag.slice(1));
      // Every write the child saw return is there (it may have committed one more before its output was read).
      expect(k).toBeGreaterThanOrEqual(acknowledged);
      const links = await allLinks(store, "j");
      expect(links).toHaveLength(perBatch);
      expect(new Set(links.map((l) => l.fingerprint))).toEqual(new Set([tag]));
      expect((await store.queryLogs({ jobId: "j", limit: 1 }))[0]!.id).toBe(tag);
      expect(await store.queryLogs({ jobId: "j", limit: 1000 })).toHaveLength(k);
      await store.close();
    }
  }, 120_000);
});
