import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT_CODES } from "../src/index.ts";
import { CONTOSO, FABRIKAM, runCliInProcess, runCliProcess, tempDir, writeConfig } from "./helpers.ts";

const config = (scopeMode = "all") => ({
  tenants: [
    { id: CONTOSO, adapter: { type: "memory", generate: { users: 3 } } },
    { id: FABRIKAM, adapter: { type: "memory", generate: { users: 1 } } },
  ],
  jobs: [{ id: "job-1", sourceTenantId: CONTOSO, targetTenantId: FABRIKAM, scope: { mode: scopeMode } }],
});

describe("usage and configuration errors", () => {
  let t: { dir: string; cleanup(): Promise<void> };
  beforeAll(async () => {
    t = await tempDir();
  });
  afterAll(() => t.cleanup());

  it("a bad config file exits 2 and names the JSON path (child process, human and --json output)", async () => {
    await writeConfig(t.dir, config("everyone"), "bad.json");
    const human = await runCliProcess(["validate", "--config", "bad.json"], { cwd: t.dir });
    expect(human.code).toBe(EXIT_CODES.usage);
    expect(human.stderr).toContain("$.jobs[0].scope.mode");
    const json = await runCliProcess(["plan", "--config", "bad.json", "--json"], { cwd: t.dir });
    expect(json.code).toBe(EXIT_CODES.usage);
    const doc = JSON.parse(json.stdout);
    expect(doc.ok).toBe(false);
    expect(doc.error.code).toBe("CONFIG_INVALID");
    expect(doc.error.issues.map((i: { path: string }) => i.path)).toContain("$.jobs[0].scope.mode");
  });

  it("an unset ${ENV} variable exits 2 at its path", async () => {
    await writeConfig(t.dir, { ...config(), state: { type: "sqlite", path: "${STATE_DIR}/db.sqlite" } }, "env.json");
    const r = await runCliInProcess(["validate", "--config", "env.json"], { cwd: t.dir, env: {} });
    expect(r.code).toBe(EXIT_CODES.usage);
    expect(r.stderr).toContain("$.state.path: environment variable STATE_DIR is not set");
    const ok = await runCliInProcess(["validate", "--config", "env.json", "--json"], { cwd: t.dir, env: { STATE_DIR: "/var/lib/ts" } });
    expect(ok.code).toBe(EXIT_CODES.ok);
    expect(JSON.parse(ok.stdout).config.state.path).toBe("/var/lib/ts/db.sqlite");
  });

  it.each([
    [["frobnicate"], /unknown command 'frobnicate'/],
    [["run", "--frobnicate"], /Unknown option '--frobnicate'/],
    [["simulate", "--tenants", "1"], /--tenants must be between 2 and 50/],
    [["simulate", "--users", "many"], /--users must be an integer/],
    [["restart"], /name the jobs with --job/],
    [["provision"], /needs at least 1 <sourceUserId>/],
    [["status", "extra"], /takes no arguments/],
    [["logs", "--action", "explode"], /--action must be one of create, update/],
    [["logs", "--since", "last tuesday"], /--since must be an ISO date/],
    [["run", "--job", "nope"], /unknown job 'nope'; the jobs in .* are: job-1/],
    [["status", "--config", "missing.json"], /missing.json does not exist/],
  ])("tenantsync %j exits 2: %s", async (args, message) => {
    await writeConfig(t.dir, config());
    const r = await runCliInProcess(args, { cwd: t.dir });
    expect(r.code).toBe(EXIT_CODES.usage);
    expect(r.stderr).toMatch(message);
  });

  it("--help lists every command and the exit codes; a command's --help lists its options", async () => {
    const all = await runCliInProcess(["--help"], { cwd: t.dir });
    expect(all.code).toBe(0);
    for (const c of ["simulate", "validate", "plan", "run", "provision", "status", "logs", "restart", "schema"]) expect(all.stdout).toContain(`  ${c} `);
    expect(all.stdout).toContain("130 interrupted");
    const restart = await runCliInProcess(["restart", "--help"], { cwd: t.dir });
    for (const o of ["--watermark", "--escrows", "--quarantine", "--force-deletes", "--full", "--config", "--job"]) expect(restart.stdout).toContain(o);
  });

  it("TENANTSYNC_CONFIG names the config file when --config is absent", async () => {
    await writeConfig(t.dir, config(), "elsewhere.json");
    const r = await runCliInProcess(["validate", "--json"], { cwd: t.dir, env: { TENANTSYNC_CONFIG: "elsewhere.json" } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).path).toMatch(/elsewhere\.json$/);
  });
});
