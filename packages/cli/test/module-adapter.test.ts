import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTOSO, FABRIKAM, runCliInProcess, tempDir, writeConfig } from "./helpers.ts";

// An absolute path, so the fixture's own imports resolve from the repository.
const MODULE = fileURLToPath(new URL("./fixtures/memory-adapter.mjs", import.meta.url));

describe("a module adapter (a DirectoryPort from the user's own code)", () => {
  let t: { dir: string; cleanup(): Promise<void> };
  beforeAll(async () => {
    t = await tempDir();
  });
  afterAll(() => t.cleanup());

  const config = (exportName: string) => ({
    tenants: [
      { id: CONTOSO, adapter: { type: "memory", generate: { users: 6, groups: 1 } } },
      { id: FABRIKAM, adapter: { type: "module", module: MODULE, export: exportName, options: { displayName: "Fabrikam", domain: "fabrikam.example.com", trust: [CONTOSO] } } },
    ],
    jobs: [{ sourceTenantId: CONTOSO, targetTenantId: FABRIKAM, scope: { mode: "all" } }],
  });

  it("is loaded from its path and synced into", async () => {
    await writeConfig(t.dir, config("createDirectory"));
    const r = await runCliInProcess(["run", "--json"], { cwd: t.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).jobs[0].report.summary.counts.created).toBe(6);
  });

  it("a missing export is a config error at the adapter's path", async () => {
    await writeConfig(t.dir, config("createDirectoryy"));
    const r = await runCliInProcess(["plan"], { cwd: t.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\$\.tenants\[1\]\.adapter\.export: .*memory-adapter\.mjs has no function export 'createDirectoryy' \(exports: createDirectory\)/);
  });
});
