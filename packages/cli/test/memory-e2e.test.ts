import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTOSO, FABRIKAM, runCliInProcess, runCliProcess, tempDir, writeConfig } from "./helpers.ts";

interface SnapshotUser {
  id: string;
  displayName: string;
  department: string | null;
  accountEnabled: boolean;
  origin: string;
  userType: string;
  alternativeSecurityId: { tenantId: string; userId: string } | null;
}
interface Snapshot {
  users: SnapshotUser[];
  bin: SnapshotUser[];
}

const JOB = "contoso-to-fabrikam";

function config(users: number, extra: { fabrikamTrust?: unknown } = {}) {
  return {
    $schema: "./node_modules/@tenantsync/cli/schema/tenantsync.schema.json",
    state: { type: "sqlite", path: "./state/tenantsync.db" },
    tenants: [
      { id: CONTOSO, name: "Contoso", adapter: { type: "memory", generate: { users, groups: 2 }, snapshotPath: "./tenants/contoso.json" } },
      { id: FABRIKAM, name: "Fabrikam", adapter: { type: "memory", generate: { users: 3 }, snapshotPath: "./tenants/fabrikam.json", ...(extra.fabrikamTrust ? { trust: extra.fabrikamTrust } : {}) } },
    ],
    jobs: [{ id: JOB, sourceTenantId: CONTOSO, targetTenantId: FABRIKAM, scope: { mode: "all" } }],
  };
}

describe("tenantsync against memory tenants saved in snapshots, with a SQLite state", () => {
  let t: { dir: string; cleanup(): Promise<void> };
  const cli = (...args: string[]) => runCliProcess(args, { cwd: t.dir });
  const json = <T = Record<string, any>>(r: { stdout: string }) => JSON.parse(r.stdout) as T;
  const snapshot = async (name: string) => JSON.parse(await readFile(join(t.dir, "tenants", `${name}.json`), "utf8")) as Snapshot;
  const synced = (s: Snapshot) => s.users.filter((u) => u.alternativeSecurityId?.tenantId === CONTOSO);

  beforeAll(async () => {
    t = await tempDir();
    await writeConfig(t.dir, config(12));
  });
  afterAll(() => t.cleanup());

  it("plans, runs, stays steady, follows edits incrementally, and answers status, logs, provision and restart", async () => {
    // The dry run lists one create per source member and writes nothing.
    const plan = await cli("plan", "--json");
    expect(plan.code, plan.stderr).toBe(0);
    const planned = json(plan).jobs[0].plan;
    expect(planned.kind).toBe("full");
    expect(planned.blocked).toBeNull();
    expect(planned.actions.filter((a: { kind: string }) => a.kind === "create")).toHaveLength(12);

    // One cycle creates them; the target's snapshot file holds them afterwards.
    const first = await cli("run", "--json");
    expect(first.code, first.stderr).toBe(0);
    const firstReport = json(first).jobs[0].report;
    expect(firstReport.kind).toBe("full");
    expect(firstReport.summary.counts.created).toBe(12);
    const contoso = await snapshot("contoso");
    const fabrikam = await snapshot("fabrikam");
    const members = contoso.users.filter((u) => u.origin === "internal" && u.userType === "Member");
    expect(members).toHaveLength(12);
    expect(synced(fabrikam).map((u) => u.alternativeSecurityId!.userId).sort()).toEqual(members.map((u) => u.id).sort());

    // A second process continues from the watermark: incremental, nothing to do.
    const second = await cli("run", "--json");
    expect(second.code, second.stderr).toBe(0);
    expect(json(second).jobs[0].report.kind).toBe("incremental");
    expect(json(second).jobs[0].report.summary.counts.exported).toBe(0);

    // Edit the source's snapshot: a mover and a disable. The next run writes exactly those.
    const [mover, leaver] = members;
    const edited = JSON.parse(await readFile(join(t.dir, "tenants", "contoso.json"), "utf8")) as Snapshot;
    edited.users.find((u) => u.id === mover!.id)!.department = "Research";
    edited.users.find((u) => u.id === leaver!.id)!.accountEnabled = false;
    await writeFile(join(t.dir, "tenants", "contoso.json"), JSON.stringify(edited), "utf8");
    const third = await cli("run", "--json");
    expect(third.code, third.stderr).toBe(0);
    const counts = json(third).jobs[0].report.summary.counts;
    expect([counts.created, counts.updated, counts.disabled, counts.deleted]).toEqual([0, 1, 1, 0]);
    const after = synced(await snapshot("fabrikam"));
    expect(after.find((u) => u.alternativeSecurityId!.userId === mover!.id)!.department).toBe("Research");
    expect(after.find((u) => u.alternativeSecurityId!.userId === leaver!.id)!.accountEnabled).toBe(false);

    // The log has the disable, filterable by action and user.
    // (Read-only commands run in this process: the same code, fewer process start-ups.)
    const local = (...args: string[]) => runCliInProcess(args, { cwd: t.dir });
    const logs = await local("logs", "--json", "--action", "disable", "--user", leaver!.id);
    expect(logs.code, logs.stderr).toBe(0);
    const entries = json(logs).entries as Array<{ action: string; status: string; source: { userId: string }; modifiedProperties: Array<{ name: string; newValue: unknown }> }>;
    expect(entries).toHaveLength(1);
    expect(entries[0]!.source.userId).toBe(leaver!.id);
    expect(entries[0]!.modifiedProperties).toContainEqual(expect.objectContaining({ name: "accountEnabled", newValue: false }));

    // Status: active, the last cycle's counts, nothing escrowed.
    const status = await local("status", "--json");
    expect(status.code, status.stderr).toBe(0);
    const job = json(status).jobs[0];
    expect(job.status.state).toBe("Active");
    expect(job.status.lastExecution.counts.disabled).toBe(1);
    expect(job.escrows).toEqual([]);

    // On demand: the four steps, for a user that is already in step.
    const provision = await cli("provision", members[2]!.id, "--json");
    expect(provision.code, provision.stderr).toBe(0);
    const result = json(provision).jobs[0].results[0];
    expect(result.steps.map((s: { name: string }) => s.name)).toEqual(["import", "scope", "match", "action"]);
    expect(result.targetId).toBe(synced(await snapshot("fabrikam")).find((u) => u.alternativeSecurityId!.userId === members[2]!.id)!.id);

    // Restart --watermark makes the next cycle full again.
    const restart = await cli("restart", "--job", JOB, "--watermark", "--json");
    expect(restart.code, restart.stderr).toBe(0);
    expect(json(restart).jobs[0].status.watermark).toBeNull();
    const replan = await runCliInProcess(["plan", "--json"], { cwd: t.dir });
    expect(replan.code, replan.stderr).toBe(0);
    expect(JSON.parse(replan.stdout).jobs[0].plan.kind).toBe("full");
  });
});

describe("exit codes that scripts can rely on", () => {
  let t: { dir: string; cleanup(): Promise<void> };
  beforeAll(async () => {
    t = await tempDir();
  });
  afterAll(() => t.cleanup());

  it("3 when the target does not trust the source: the plan is blocked, the run quarantines the job, status says so", async () => {
    await writeConfig(t.dir, { ...config(4, { fabrikamTrust: "none" }), state: { type: "sqlite", path: "./blocked.db" } });
    const plan = await runCliInProcess(["plan", "--json"], { cwd: t.dir });
    expect(plan.code).toBe(3);
    expect(JSON.parse(plan.stdout).jobs[0].plan.blocked.message).toMatch(/inbound|sync|trust|allow/i);
    const run = await runCliInProcess(["run"], { cwd: t.dir });
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/quarantined/);
    const status = await runCliInProcess(["status", "--json"], { cwd: t.dir });
    expect(status.code).toBe(3);
    expect(JSON.parse(status.stdout).jobs[0].status.quarantine.reason).toBeTruthy();
  });

  it("4 when on-demand provisioning fails for a user (unknown source id)", async () => {
    await writeConfig(t.dir, { ...config(3), state: { type: "memory" }, tenants: config(3).tenants.map((x) => ({ ...x, adapter: { type: "memory", generate: { users: 3 } } })) });
    const r = await runCliInProcess(["provision", "00000000-0000-4000-8000-000000000000", "--json"], { cwd: t.dir });
    expect(r.code).toBe(4);
    const step = JSON.parse(r.stdout).jobs[0].results[0].steps[0];
    expect([step.name, step.status]).toEqual(["import", "failure"]);
  });
});
