import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT_CODES } from "../src/index.ts";
import { CONTOSO, NORTHWIND, runCliInProcess, runCliProcess, tempDir, writeConfig } from "./helpers.ts";
import { startScimTestService, type ScimTestService } from "./scim-service.ts";

const TOKEN = "scim-bearer-7c1f0e2a9b";

describe("tenantsync with a SCIM 2.0 service as the target", () => {
  let t: { dir: string; cleanup(): Promise<void> };
  let scim: ScimTestService;
  const config = (token: string) => ({
    state: { type: "sqlite", path: "./state.db" },
    tenants: [
      { id: CONTOSO, name: "Contoso", adapter: { type: "memory", generate: { users: 8, groups: 1 }, snapshotPath: "./contoso.json" } },
      { id: NORTHWIND, name: "Northwind app", adapter: { type: "scim", baseUrl: scim.url, token } },
    ],
    jobs: [{ id: "contoso-to-app", sourceTenantId: CONTOSO, targetTenantId: NORTHWIND, scope: { mode: "all" } }],
  });
  beforeAll(async () => {
    t = await tempDir();
    scim = await startScimTestService(TOKEN);
  });
  afterAll(async () => {
    await scim.close();
    await t.cleanup();
  });

  it("provisions the source's members with the SCIM subset of the default mappings; the token is never printed", async () => {
    await writeConfig(t.dir, config("${SCIM_TOKEN}"));
    const r = await runCliProcess(["run", "--json"], { cwd: t.dir, env: { SCIM_TOKEN: TOKEN } });
    expect(r.code, r.stderr).toBe(EXIT_CODES.ok);
    expect(JSON.parse(r.stdout).jobs[0].report.summary.counts.created).toBe(8);
    const users = [...scim.users.values()];
    expect(users).toHaveLength(8);
    expect(users.every((u) => u["active"] === true && typeof u["externalId"] === "string")).toBe(true);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it("a rejected token quarantines the job (exit 3) and the token is not in the error", async () => {
    await writeConfig(t.dir, { ...config("${SCIM_TOKEN}"), state: { type: "sqlite", path: "./rejected.db" } });
    const before = scim.rejected;
    const r = await runCliInProcess(["run", "--json"], { cwd: t.dir, env: { SCIM_TOKEN: "wrong-token-value" } });
    expect(scim.rejected).toBeGreaterThan(before);
    expect(r.code, r.stdout + r.stderr).toBe(EXIT_CODES.blocked);
    expect(JSON.parse(r.stdout).jobs[0].status.quarantine).not.toBeNull();
    expect(r.stdout + r.stderr).not.toContain("wrong-token-value");
  });

  it("refuses a SCIM service as a job's source, at the job's path", async () => {
    const c = config(TOKEN);
    c.jobs[0] = { ...c.jobs[0]!, sourceTenantId: NORTHWIND, targetTenantId: CONTOSO };
    await writeConfig(t.dir, c, "reversed.json");
    const r = await runCliInProcess(["validate", "--config", "reversed.json"], { cwd: t.dir });
    expect(r.code).toBe(EXIT_CODES.usage);
    expect(r.stderr).toContain("$.jobs[0].sourceTenantId: tenant 33333333-3333-4333-8333-333333333333 is a SCIM service, which can only be a target");
  });
});
