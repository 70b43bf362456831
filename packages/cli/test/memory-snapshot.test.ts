import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CursorExpiredError, type DirectoryPort } from "@tenantsync/core";
import type { MemoryDirectory } from "@tenantsync/memory";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTenant, parseTenantSyncConfig, type OpenedTenant } from "../src/index.ts";
import { CONTOSO, FABRIKAM, tempDir } from "./helpers.ts";

async function drain(port: DirectoryPort, cursor: string): Promise<{ changes: number; cursor: string }> {
  let changes = 0;
  let last = cursor;
  for await (const page of port.readChanges(cursor)) {
    changes += page.changes.length;
    last = page.cursor;
  }
  return { changes, cursor: last };
}

describe("memory tenants from the config", () => {
  let t: { dir: string; cleanup(): Promise<void> };
  beforeEach(async () => {
    t = await tempDir();
  });
  afterEach(() => t.cleanup());

  const open = (adapter: Record<string, unknown>): Promise<OpenedTenant> => {
    const config = parseTenantSyncConfig({ tenants: [{ id: CONTOSO, name: "Contoso", adapter: { type: "memory", ...adapter } }, { id: FABRIKAM, adapter: { type: "memory" } }] });
    return openTenant(config.tenants[0]!, { path: ["tenants", 0], tenantIds: [CONTOSO, FABRIKAM], resolvePath: (p) => join(t.dir, p), warn: () => {}, persistentState: null, writes: true });
  };
  const admin = (opened: OpenedTenant) => (opened.directory as MemoryDirectory).admin;

  it("are generated the same from the same seed, with trust towards the other tenants", async () => {
    const a = await open({ generate: { users: 20, groups: 3 }, seed: 7 });
    const b = await open({ generate: { users: 20, groups: 3 }, seed: 7 });
    const strip = (o: OpenedTenant) => admin(o).snapshot().users.map(({ createdDateTime: _c, ...u }) => u);
    expect(strip(b)).toEqual(strip(a));
    expect(admin(a).snapshot().users.filter((u) => u.origin === "internal" && u.userType === "Member")).toHaveLength(20);
    expect(await a.directory.getPartnerSettings(FABRIKAM)).toMatchObject({ userSyncInbound: { isSyncAllowed: true }, automaticUserConsentSettings: { inboundAllowed: true, outboundAllowed: true } });
    const c = await open({ generate: { users: 20, groups: 3 }, seed: 8 });
    expect(strip(c)).not.toEqual(strip(a));
  });

  it("come back from their snapshot as saved: users, bin with its delete time, groups, managers, partner settings", async () => {
    const first = await open({ generate: { users: 10, groups: 2 }, snapshotPath: "contoso.json" });
    const users = admin(first).snapshot().users;
    admin(first).deleteUser(users[3]!.id);
    await first.save!();
    const saved = admin(first).snapshot();
    const second = await open({ generate: { users: 99 }, snapshotPath: "contoso.json" });
    expect(admin(second).snapshot()).toEqual(saved);
    expect(admin(second).snapshot().bin[0]!.deletedDateTime).toBe(saved.bin[0]!.deletedDateTime);
  });

  it("keep a watermark meaningful across processes, unless the snapshot was edited (then a full read follows)", async () => {
    const first = await open({ generate: { users: 5, groups: 1 }, snapshotPath: "contoso.json" });
    const watermark = await first.directory.currentCursor();
    await first.save!();

    // A process that changes nothing (say, one that only wrote to another tenant) keeps the watermark valid.
    const idle = await open({ snapshotPath: "contoso.json" });
    await idle.save!();

    const second = await open({ snapshotPath: "contoso.json" });
    const unchanged = await drain(second.directory, watermark);
    expect(unchanged.changes).toBe(0);
    const joiner = admin(second).addUser({ userPrincipalName: "new@contoso.example.com", displayName: "New" });
    const after = await drain(second.directory, unchanged.cursor);
    expect(after.changes).toBe(1);
    await second.save!();

    // A cursor from an earlier process that is not the saved head cannot be placed: refused.
    const third = await open({ snapshotPath: "contoso.json" });
    await expect(drain(third.directory, watermark)).rejects.toBeInstanceOf(CursorExpiredError);
    expect((await drain(third.directory, after.cursor)).changes).toBe(0);

    // Edited by hand: the saved head no longer describes the file.
    const file = join(t.dir, "contoso.json");
    const text = JSON.parse(await readFile(file, "utf8"));
    text.users.find((u: { id: string }) => u.id === joiner.id).department = "Research";
    await writeFile(file, JSON.stringify(text), "utf8");
    const fourth = await open({ snapshotPath: "contoso.json" });
    await expect(drain(fourth.directory, after.cursor)).rejects.toBeInstanceOf(CursorExpiredError);
  });

  it("refuse a snapshot of another tenant, naming the config path", async () => {
    const first = await open({ generate: { users: 2 }, snapshotPath: "contoso.json" });
    await first.save!();
    const config = parseTenantSyncConfig({ tenants: [{ id: FABRIKAM, adapter: { type: "memory", snapshotPath: "contoso.json" } }] });
    await expect(openTenant(config.tenants[0]!, { path: ["tenants", 0], tenantIds: [FABRIKAM], resolvePath: (p) => join(t.dir, p), warn: () => {}, persistentState: null, writes: false })).rejects.toThrow(
      /\$\.tenants\[0\]\.adapter\.snapshotPath: .*holds tenant 11111111/,
    );
  });
});
