import { readFile } from "node:fs/promises";
import { ConfigError, formatPath } from "@tenantsync/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configSchemaText, createRedactor, interpolateEnv, loadConfigFile, loadConfigObject, parseTenantSyncConfig, tenantSyncConfigJsonSchema } from "../src/index.ts";
import { CONTOSO, FABRIKAM, runCliInProcess, tempDir, writeConfig } from "./helpers.ts";

const memoryTenant = (id: string, extra: Record<string, unknown> = {}) => ({ id, adapter: { type: "memory", ...extra } });
const validConfig = () => ({
  state: { type: "memory" },
  tenants: [memoryTenant(CONTOSO), memoryTenant(FABRIKAM)],
  jobs: [{ sourceTenantId: CONTOSO, targetTenantId: FABRIKAM, scope: { mode: "all" } }],
});

function issuesOf(fn: () => unknown): Array<{ path: string; message: string }> {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("the config schema", () => {
  it("is published as schema/tenantsync.schema.json, up to date with the zod schema (regenerate with `pnpm --filter @tenantsync/cli schema`)", async () => {
    const committed = await readFile(new URL("../schema/tenantsync.schema.json", import.meta.url), "utf8");
    expect(committed).toBe(configSchemaText());
  });

  it("describes the adapters, credentials and the core job config so editors can complete them", () => {
    const text = JSON.stringify(tenantSyncConfigJsonSchema());
    for (const word of ['"clientSecret"', '"certificatePath"', '"snapshotPath"', '"sourceTenantId"', '"attributeMappings"', '"sqlite"', '"graph"', '"module"']) expect(text).toContain(word);
  });

  it("fills defaults: memory state, 50 generated users, trust with every other tenant", () => {
    const config = parseTenantSyncConfig({ tenants: [memoryTenant(CONTOSO)] });
    expect(config.state).toEqual({ type: "memory" });
    expect(config.jobs).toEqual([]);
    const adapter = config.tenants[0]!.adapter;
    expect(adapter.type === "memory" && adapter.generate.users).toBe(50);
    expect(adapter.type === "memory" && adapter.trust).toBe("all");
  });

  it("names the JSON path of every problem, down into the core job config", () => {
    const bad = validConfig() as Record<string, unknown>;
    (bad["jobs"] as Array<Record<string, unknown>>)[0]!["scope"] = { mode: "everyone" };
    (bad["tenants"] as Array<Record<string, unknown>>)[1]!["adapter"] = { type: "graph", credential: { type: "clientSecret", clientId: "app" } };
    const issues = issuesOf(() => parseTenantSyncConfig(bad));
    const paths = issues.map((i) => i.path);
    expect(paths).toContain("$.jobs[0].scope.mode");
    expect(paths).toContain("$.tenants[1].adapter.credential.clientSecret");
  });

  it("checks references: jobs name listed tenants, one job per pair (R5), unique tenant ids", () => {
    const config = validConfig();
    config.tenants.push(memoryTenant(CONTOSO));
    config.jobs.push({ sourceTenantId: CONTOSO, targetTenantId: FABRIKAM, scope: { mode: "all" } });
    config.jobs.push({ sourceTenantId: FABRIKAM, targetTenantId: "44444444-4444-4444-8444-444444444444", scope: { mode: "all" } });
    const issues = issuesOf(() => parseTenantSyncConfig(config));
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: "$.tenants[2].id", message: expect.stringContaining("already listed at tenants[0]") },
        { path: "$.jobs[1]", message: expect.stringContaining("R5") },
        { path: "$.jobs[2].targetTenantId", message: expect.stringContaining("not listed in tenants") },
      ]),
    );
  });

  it("refuses unknown keys (typos) in its own objects", () => {
    const config = { ...validConfig(), stat: { type: "sqlite" } };
    expect(issuesOf(() => parseTenantSyncConfig(config)).map((i) => i.message).join()).toMatch(/stat/);
  });
});

describe("${ENV} interpolation", () => {
  it("replaces variables everywhere, with defaults and escapes", () => {
    const out = interpolateEnv({ a: "${A}", b: ["x-${B:-fallback}-y"], c: "$${LITERAL}", n: 3 }, { A: "one" });
    expect(out.issues).toEqual([]);
    expect(out.value).toEqual({ a: "one", b: ["x-fallback-y"], c: "${LITERAL}", n: 3 });
  });

  it("reports an unset variable at its JSON path without echoing anything", () => {
    const out = interpolateEnv({ tenants: [{ adapter: { credential: { clientSecret: "${GRAPH_SECRET}" } } }] }, {});
    expect(out.issues.map((i) => [formatPath(i.path), i.message])).toEqual([["$.tenants[0].adapter.credential.clientSecret", "environment variable GRAPH_SECRET is not set"]]);
  });
});

describe("secrets", () => {
  const secret = "Sup3r-S3cret~Value";
  const graphConfig = () => ({
    tenants: [
      { id: CONTOSO, adapter: { type: "graph", credential: { type: "clientSecret", clientId: "app-id", clientSecret: "${GRAPH_CLIENT_SECRET}" } } },
      memoryTenant(FABRIKAM),
    ],
    jobs: [{ sourceTenantId: CONTOSO, targetTenantId: FABRIKAM, scope: { mode: "nobody" } }],
  });

  it("are redacted from the validated view and from error messages", () => {
    const redactor = createRedactor();
    const config = graphConfig();
    let message = "";
    try {
      loadConfigObject(config, { file: "x.json", env: { GRAPH_CLIENT_SECRET: secret }, redactor });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("$.jobs[0].scope.mode");
    expect(redactor.redact(`${message} ${secret}`)).not.toContain(secret);
    config.jobs[0]!.scope.mode = "all";
    const loaded = loadConfigObject(config, { file: "x.json", env: { GRAPH_CLIENT_SECRET: secret } });
    expect(JSON.stringify(loaded.redactedView())).not.toContain(secret);
    expect(JSON.stringify(loaded.redactedView())).toContain("[redacted]");
    expect(loaded.warnings).toEqual([]);
  });

  it("written in clear in the file draw a warning that names the field, not the value", () => {
    const config = graphConfig();
    config.jobs[0]!.scope.mode = "all";
    (config.tenants[0]!.adapter as { credential: { clientSecret: string } }).credential.clientSecret = secret;
    const loaded = loadConfigObject(config, { file: "x.json", env: {} });
    expect(loaded.warnings).toHaveLength(1);
    expect(loaded.warnings[0]).toContain("$.tenants[0].adapter.credential.clientSecret");
    expect(loaded.warnings[0]).not.toContain(secret);
  });

  it("never reach the CLI's output, even in --json and in errors", async () => {
    const t = await tempDir();
    try {
      const config = graphConfig();
      config.jobs[0]!.scope.mode = "all";
      await writeConfig(t.dir, config);
      const env = { GRAPH_CLIENT_SECRET: secret };
      const valid = await runCliInProcess(["validate", "--json"], { cwd: t.dir, env });
      expect(valid.code).toBe(0);
      expect(JSON.parse(valid.stdout).config.tenants[0].adapter.credential.clientSecret).toBe("[redacted]");
      config.jobs[0]!.scope.mode = "nobody";
      await writeConfig(t.dir, config);
      const invalid = await runCliInProcess(["validate", "--json"], { cwd: t.dir, env });
      expect(invalid.code).toBe(2);
      for (const r of [valid, invalid]) expect(r.stdout + r.stderr).not.toContain(secret);
    } finally {
      await t.cleanup();
    }
  });
});

describe("loading a config file", () => {
  let t: { dir: string; cleanup(): Promise<void> };
  beforeAll(async () => {
    t = await tempDir();
  });
  afterAll(() => t.cleanup());

  it("reports a JSON syntax error with its line and column", async () => {
    const path = await writeConfig(t.dir, '{\n  "tenants": [\n    { "id": "x", }\n  ]\n}\n', "broken.json");
    const issues = await loadConfigFile(path).then(
      () => [],
      (e: ConfigError) => e.issues.map((i) => i.message),
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/not valid JSON at line 3, column \d+/);
  });

  it("resolves relative paths against the config file's folder", async () => {
    const path = await writeConfig(t.dir, { ...validConfig(), state: { type: "sqlite", path: "state/db.sqlite" } }, "relative.json");
    const loaded = await loadConfigFile(path, { env: {} });
    expect(loaded.resolvePath("state/db.sqlite")).toBe(`${t.dir}/state/db.sqlite`);
  });
});
