import { describe, expect, it } from "vitest";
import * as cli from "../src/index.ts";

describe("the public API of @tenantsync/cli", () => {
  it("exports exactly these values (types are checked by the compiler)", () => {
    expect(Object.keys(cli).sort()).toEqual(
      [
        "AdapterConfig",
        "CliUsageError",
        "CredentialConfig",
        "EXIT_CODES",
        "GraphAdapterConfig",
        "MEMORY_SNAPSHOT_FORMAT",
        "MemoryAdapterConfig",
        "MemoryGenerateConfig",
        "ModuleAdapterConfig",
        "REDACTED_SECRET",
        "ScimAdapterConfig",
        "StateConfig",
        "TenantConfig",
        "TenantSyncConfig",
        "configSchemaText",
        "createCredential",
        "createProgressBars",
        "createRedactor",
        "interpolateEnv",
        "loadConfigFile",
        "loadConfigObject",
        "openStateStore",
        "openTenant",
        "openWorkspace",
        "parseTenantSyncConfig",
        "renderTable",
        "runCli",
        "runSimulation",
        "tenantSyncConfigJsonSchema",
        "worstExitCode",
      ].sort(),
    );
  });

  it("documents the exit codes scripts rely on", () => {
    expect(cli.EXIT_CODES).toEqual({ ok: 0, failure: 1, usage: 2, blocked: 3, partial: 4, interrupted: 130 });
    expect(cli.worstExitCode([cli.EXIT_CODES.partial, cli.EXIT_CODES.blocked, cli.EXIT_CODES.ok])).toBe(3);
    expect(cli.worstExitCode([cli.EXIT_CODES.failure, cli.EXIT_CODES.interrupted])).toBe(130);
  });
});
