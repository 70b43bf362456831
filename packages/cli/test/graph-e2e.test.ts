import { systemClock } from "@tenantsync/core";
import { createEmulatorToken, startGraphEmulator, type GraphEmulator } from "@tenantsync/graph/emulator";
import { createMesh, type MemoryDirectory } from "@tenantsync/memory";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliInProcess, runCliProcess, spawnCli, tempDir, waitFor, writeConfig } from "./helpers.ts";

const APP_ID = "b7d8e648-520f-41d3-b9c0-fdeb91768a0a";
/** Where the Graph adapter stamps "<source tenant>:<source user>" on the users it creates (extension_<appId>_tenantSyncAnchor). */
const ANCHOR = `extension_${APP_ID.replace(/-/g, "")}_tenantSyncAnchor`;
const JOB = "hub-to-spoke";
const MEMBERS = 30;

describe("tenantsync against Graph emulators (the graph adapter over loopback HTTP)", () => {
  let t: { dir: string; cleanup(): Promise<void> };
  let emulator: GraphEmulator;
  let source: MemoryDirectory;
  let target: MemoryDirectory;
  let token: string;
  const env = () => ({ SPOKE_TOKEN: token });
  const externals = () => target.admin.snapshot().users.filter((u) => u.origin === "external" && String(u.extensions[ANCHOR] ?? "").startsWith(`${source.tenant.id}:`));

  beforeAll(async () => {
    t = await tempDir();
    const world = createMesh({ seed: 11, tenants: 2, usersPerTenant: MEMBERS, groupsPerTenant: 2, trust: "full", clock: systemClock });
    [source, target] = world.tenants as [MemoryDirectory, MemoryDirectory];
    emulator = await startGraphEmulator({ directories: world.tenants });
    token = createEmulatorToken({ tenantId: target.tenant.id, expiresOnTimestamp: Date.now() + 3_600_000, appId: APP_ID });
    await writeConfig(t.dir, {
      state: { type: "sqlite", path: "./state.db" },
      tenants: [
        // The emulator credential mints unsigned tokens (tests only; it refuses a non-loopback baseUrl).
        { id: source.tenant.id, name: "Hub", adapter: { type: "graph", baseUrl: emulator.url, appId: APP_ID, credential: { type: "emulator" } } },
        // A static bearer token from the environment (tests and emulators only); it must never be printed.
        { id: target.tenant.id, name: "Spoke", adapter: { type: "graph", baseUrl: emulator.url, appId: APP_ID, credential: { type: "static", token: "${SPOKE_TOKEN}" } } },
      ],
      jobs: [{ id: JOB, sourceTenantId: source.tenant.id, targetTenantId: target.tenant.id, scope: { mode: "all" }, schedule: { interval: "PT1H", trigger: "changes" } }],
      options: { changePollIntervalMs: 150 },
    });
  });
  afterAll(async () => {
    await emulator?.close();
    await t?.cleanup();
  });

  it("runs a cycle, then watches for changes, and stops cleanly on Ctrl-C keeping the state", async () => {
    const run = await runCliProcess(["run", "--json"], { cwd: t.dir, env: env() });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).jobs[0].report.summary.counts.created).toBe(MEMBERS);
    expect(externals()).toHaveLength(MEMBERS);
    expect(run.stdout + run.stderr).not.toContain(token);

    const watcher = spawnCli(["run", "--watch", "--json"], { cwd: t.dir, env: env() });
    const events = () =>
      watcher.stdout()
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as { event: string; summary?: { counts: { created: number } } });
    try {
      await waitFor(() => events().some((e) => e.event === "watching"), "the watcher to start");
      const joiner = source.admin.addUser({ userPrincipalName: `new.joiner@${source.tenant.verifiedDomains[0]}`, displayName: "New Joiner", department: "Sales" });
      await waitFor(() => events().some((e) => e.event === "cycleCompleted" && e.summary!.counts.created === 1), "a change-driven cycle that creates the joiner");
      expect(externals().map((u) => u.displayName)).toContain(joiner.displayName);
    } finally {
      watcher.kill("SIGINT");
    }
    const stopped = await watcher.result;
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stdout + stopped.stderr).not.toContain(token);

    const status = await runCliInProcess(["status", "--json"], { cwd: t.dir, env: env() });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).jobs[0].status.lastExecution.counts.created).toBe(1);
  });

  it("stops a running cycle at a user boundary on Ctrl-C (exit 130); the next run finishes without duplicates", async () => {
    // Every user is rewritten (restart --watermark), slowly: the emulator answers after 250 ms.
    const restart = await runCliInProcess(["restart", "--job", JOB, "--watermark"], { cwd: t.dir, env: env() });
    expect(restart.code, restart.stderr).toBe(0);
    const before = externals().length;
    emulator.setFaults({ latencyMs: 250 });
    const running = spawnCli(["run", "--no-progress"], { cwd: t.dir, env: env() });
    try {
      await waitFor(() => running.stderr().includes("cycle started"), "the cycle to start");
    } finally {
      running.kill("SIGINT");
    }
    const interrupted = await running.result;
    emulator.setFaults(null);
    expect(interrupted.code, interrupted.stdout + interrupted.stderr).toBe(130);
    expect(interrupted.stdout).toMatch(/Interrupted/);
    const status = JSON.parse((await runCliInProcess(["status", "--json"], { cwd: t.dir, env: env() })).stdout).jobs[0].status;
    expect(status.watermark).toBeNull(); // not committed: the next cycle starts over

    const resumed = await runCliProcess(["run", "--json"], { cwd: t.dir, env: env() });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout).jobs[0].report.committed).toBe(true);
    expect(externals()).toHaveLength(before);
    expect(new Set(externals().map((u) => u.mail)).size).toBe(before);
  });
});
