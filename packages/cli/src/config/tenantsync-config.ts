import { Cloud, ConfigError, DomainName, Guid, SyncJobConfig, jobIdOf, type ConfigIssue } from "@tenantsync/core";
import { z } from "zod";

/**
 * Where the jobs' state (links, watermarks, escrows, status, provisioning
 * log) lives: a SQLite file that persists between runs, or memory (lost when
 * the process ends; for demos and `simulate`).
 *
 * @example
 * ```ts
 * const state: StateConfig = { type: "sqlite", path: "./tenantsync.db" };
 * ```
 */
export const StateConfig = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("sqlite"),
    /** The database file, relative to the config file. Its folder is created when missing. */
    path: z.string().min(1).describe("The database file, relative to the config file. Its folder is created when missing."),
    /** `PRAGMA synchronous`: `normal` (default) or `full` (also survives a power cut). */
    synchronous: z.enum(["normal", "full"]).optional().describe("PRAGMA synchronous: normal (default) or full (also survives a power cut)."),
  }),
  z.strictObject({ type: z.literal("memory") }),
]);
/** @see {@link StateConfig} */
export type StateConfig = z.infer<typeof StateConfig>;

/**
 * How a Graph adapter gets its tokens.
 *
 * - `clientSecret` — an app registration's secret (`@azure/identity` `ClientSecretCredential`);
 * - `certificate` — a PEM file with the certificate and its private key (`ClientCertificateCredential`);
 * - `defaultAzure` — `DefaultAzureCredential`: environment variables, workload or managed identity, Azure CLI…;
 * - `module` — any `TokenCredential`, made by a module of yours (`export default (options, context) => credential`);
 * - `static` — a fixed bearer token, **for tests and emulators only** (never refreshed);
 * - `emulator` — mints unsigned tokens for the Graph emulator, **for tests only** (needs a loopback `baseUrl`).
 *
 * Put secrets in environment variables: `"clientSecret": "${GRAPH_CLIENT_SECRET}"`.
 *
 * @example
 * ```ts
 * const credential: CredentialConfig = { type: "clientSecret", clientId: "…", clientSecret: "${GRAPH_CLIENT_SECRET}" };
 * ```
 */
export const CredentialConfig = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("clientSecret"),
    /** The application (client) id. */
    clientId: z.string().min(1).describe("The application (client) id."),
    /** The client secret. Secret: use `${ENV}`; never printed. */
    clientSecret: z.string().min(1).describe("The client secret. Secret: use ${ENV}; never printed."),
  }),
  z.strictObject({
    type: z.literal("certificate"),
    clientId: z.string().min(1),
    /** A PEM file holding the certificate and its private key, relative to the config file. */
    certificatePath: z.string().min(1).describe("A PEM file holding the certificate and its private key, relative to the config file."),
    /** The private key's password, if any. Secret: use `${ENV}`; never printed. */
    certificatePassword: z.string().optional().describe("The private key's password, if any. Secret: use ${ENV}; never printed."),
    /** Send the x5c chain (subject name / issuer authentication). */
    sendCertificateChain: z.boolean().optional().describe("Send the x5c chain (subject name / issuer authentication)."),
  }),
  z.strictObject({
    type: z.literal("defaultAzure"),
    /** The client id of a user-assigned managed identity. */
    managedIdentityClientId: z.string().min(1).optional().describe("The client id of a user-assigned managed identity."),
  }),
  z.strictObject({
    type: z.literal("module"),
    /** A module (relative to the config file, or a package name) whose export makes the credential. */
    module: z.string().min(1).describe("A module (relative to the config file, or a package name) whose export makes the credential."),
    /** The export to call; default `default`. */
    export: z.string().min(1).optional().describe("The export to call (default: the default export)."),
    /** Passed to the factory as its first argument. */
    options: z.record(z.string(), z.unknown()).optional().describe("Passed to the factory as its first argument."),
  }),
  z.strictObject({
    type: z.literal("static"),
    /** A bearer token. For tests and emulators only. Secret: never printed. */
    token: z.string().min(1).describe("A bearer token. For tests and emulators only. Secret: never printed."),
  }),
  z.strictObject({ type: z.literal("emulator") }),
]);
/** @see {@link CredentialConfig} */
export type CredentialConfig = z.infer<typeof CredentialConfig>;

/**
 * Users, groups and the rest that a memory tenant is filled with when it has no snapshot yet.
 *
 * @example
 * ```ts
 * MemoryGenerateConfig.parse({ users: 1000, groups: 8 }); // guests 0, externals 0, managers true
 * ```
 */
export const MemoryGenerateConfig = z.strictObject({
  /** Internal members (the users sync moves). */
  users: z.number().int().min(0).max(1_000_000).default(50).describe("Internal members (the users sync moves)."),
  /** Groups: All Employees, one per department, then projects. */
  groups: z.number().int().min(0).max(10_000).default(5).describe("Groups: All Employees, one per department, then projects."),
  /** Internal guests (never synced). */
  guests: z.number().int().min(0).max(1_000_000).default(0).describe("Internal guests (never synced)."),
  /** External (B2B) users from partners outside the config (never synced). */
  externals: z.number().int().min(0).max(1_000_000).default(0).describe("External (B2B) users from partners outside the config (never synced)."),
  /** Give members managers (an org tree). */
  managers: z.boolean().default(true).describe("Give members managers (an org tree)."),
});
/** @see {@link MemoryGenerateConfig} */
export type MemoryGenerateConfig = z.infer<typeof MemoryGenerateConfig>;

/**
 * An in-memory tenant (`@tenantsync/memory`), for demos and tests. Without
 * `snapshotPath` it is rebuilt from `seed` in every process, so what a run
 * wrote into it is gone at exit; with `snapshotPath` it is loaded from that
 * JSON file (or generated, the first time) and saved back after every command
 * that writes. See docs/cli.md.
 *
 * @example
 * ```ts
 * MemoryAdapterConfig.parse({ type: "memory", generate: { users: 200 }, snapshotPath: "./tenants/contoso.json" });
 * ```
 */
export const MemoryAdapterConfig = z.strictObject({
  type: z.literal("memory"),
  /** Default: the tenant entry's `name`, else `Tenant <id prefix>`. */
  displayName: z.string().min(1).optional().describe("Default: the tenant entry's name, else Tenant <id prefix>."),
  /** The default verified domain. Default: from the display name, `<name>.example.com`. */
  domain: DomainName.optional().describe("The default verified domain. Default: from the display name, <name>.example.com."),
  cloud: Cloud.default("commercial"),
  /** Everything generated follows from the seed. Default: derived from the tenant id. */
  seed: z.number().int().min(0).max(2 ** 31 - 1).optional().describe("Everything generated follows from the seed. Default: derived from the tenant id."),
  generate: MemoryGenerateConfig.default({ users: 50, groups: 5, guests: 0, externals: 0, managers: true }).describe("What the tenant is filled with when it has no snapshot yet."),
  /**
   * Partner settings the tenant starts with: `all` — inbound sync and automatic
   * redemption (both ways) with every other tenant of the config; `none`; or
   * the ids of the tenants to trust that way.
   */
  trust: z
    .union([z.enum(["all", "none"]), z.array(Guid)])
    .default("all")
    .describe("Partner settings the tenant starts with: all (inbound sync and automatic redemption with every other tenant of the config), none, or the tenant ids to trust."),
  /** A JSON file the tenant is loaded from and saved to, relative to the config file. */
  snapshotPath: z.string().min(1).optional().describe("A JSON file the tenant is loaded from and saved to, relative to the config file."),
});
/** @see {@link MemoryAdapterConfig} */
export type MemoryAdapterConfig = z.infer<typeof MemoryAdapterConfig>;

/**
 * A tenant reached through Microsoft Graph v1.0 (`@tenantsync/graph`).
 *
 * @example
 * ```ts
 * GraphAdapterConfig.parse({ type: "graph", credential: { type: "clientSecret", clientId, clientSecret: process.env.GRAPH_SECRET } });
 * ```
 */
export const GraphAdapterConfig = z.strictObject({
  type: z.literal("graph"),
  /** Picks Graph's host, the token authority and the scope. */
  cloud: Cloud.default("commercial").describe("Picks Graph's host, the token authority and the scope."),
  credential: CredentialConfig.describe("How tokens are obtained: clientSecret, certificate, defaultAzure, module; static and emulator for tests only."),
  /** Overrides Graph's root (no version segment), for example an emulator's URL. */
  baseUrl: z.url({ protocol: /^https?$/ }).optional().describe("Overrides Graph's root (no version segment), for example an emulator's URL."),
  /** The application id that names the anchor extension of synced users. Default: the credential's clientId. */
  appId: z.string().min(1).optional().describe("The application id that names the anchor extension of synced users. Default: the credential's clientId."),
  /** Where synced users' anchors live: an extension name or `extensionAttribute1`…`15`. */
  anchorAttribute: z.string().min(1).optional().describe("Where synced users' anchors live: an extension name or extensionAttribute1\u202615."),
  /** HTTP requests in flight at once. Default 4. */
  concurrency: z.number().int().min(1).max(64).optional().describe("HTTP requests in flight at once. Default 4."),
  /** `$top` of list reads (1–999). Default 999. */
  pageSize: z.number().int().min(1).max(999).optional().describe("$top of list reads (1\u2013999). Default 999."),
  /** Retries of throttled and unavailable calls. Default 8. */
  maxRetries: z.number().int().min(0).max(30).optional().describe("Retries of throttled and unavailable calls. Default 8."),
  /** Per-request timeout, ms. Default 100,000. */
  requestTimeoutMs: z.number().int().min(1).optional().describe("Per-request timeout, ms. Default 100,000."),
});
/** @see {@link GraphAdapterConfig} */
export type GraphAdapterConfig = z.infer<typeof GraphAdapterConfig>;

/**
 * A SCIM 2.0 service as a job's target (`@tenantsync/scim`): an app that
 * receives synced users. Target role only. A job into it without
 * `attributeMappings` gets the SCIM-writable subset of the default mappings.
 *
 * @example
 * ```ts
 * ScimAdapterConfig.parse({ type: "scim", baseUrl: "https://app.example.com/scim/v2", token: process.env.SCIM_TOKEN });
 * ```
 */
export const ScimAdapterConfig = z.strictObject({
  type: z.literal("scim"),
  /** The SCIM base URL (the one /Users hangs off). */
  baseUrl: z.url({ protocol: /^https?$/ }).describe("The SCIM base URL (the one /Users hangs off)."),
  /** A bearer token. Secret: use ${ENV}; never printed. */
  token: z.string().min(1).describe("A bearer token. Secret: use ${ENV}; never printed."),
  /** Default: the tenant entry's name, else `SCIM <id prefix>`. */
  displayName: z.string().min(1).optional().describe("Default: the tenant entry's name."),
  /** Domains the service's users live in; the first is used for userNameFormat external. Default: from the base URL's host. */
  verifiedDomains: z.array(DomainName).min(1).optional().describe("Domains the service's users live in; the first is used for userNameFormat external. Default: the base URL's host."),
  cloud: Cloud.default("commercial"),
  /** What a soft delete does: disable (active=false, restorable) or delete (DELETE /Users/{id}). */
  deprovision: z.enum(["disable", "delete"]).default("disable").describe("What a soft delete does: disable (active=false, restorable) or delete (DELETE /Users/{id})."),
  /** userName: the source UPN as is (source, Entra's SCIM default) or the B2B #EXT# form (external). */
  userNameFormat: z.enum(["source", "external"]).optional().describe("userName: the source UPN as is (source, Entra's SCIM default) or the B2B #EXT# form (external)."),
  /** If-Match on writes: auto (when the service advertises ETags), always, never. */
  etags: z.enum(["auto", "always", "never"]).optional().describe("If-Match on writes: auto (when the service advertises ETags), always, never."),
  /** count of list requests. Default 100. */
  pageSize: z.number().int().min(1).max(10_000).optional().describe("count of list requests. Default 100."),
  /** Retries of 429/502/503/504 and network failures. Default 4. */
  maxRetries: z.number().int().min(0).max(30).optional().describe("Retries of 429/502/503/504 and network failures. Default 4."),
  /** Requests in flight at once. Default 4. */
  concurrency: z.number().int().min(1).max(64).optional().describe("Requests in flight at once. Default 4."),
  /** Most requests started per second. Default: no pacing. */
  requestsPerSecond: z.number().positive().optional().describe("Most requests started per second. Default: no pacing."),
  /** Per-request timeout, ms. Default 30,000. */
  timeoutMs: z.number().int().min(1).optional().describe("Per-request timeout, ms. Default 30,000."),
});
/** @see {@link ScimAdapterConfig} */
export type ScimAdapterConfig = z.infer<typeof ScimAdapterConfig>;

/**
 * A directory adapter of your own: a module whose export makes a
 * `DirectoryPort` (`export default (options, context) => port`). This is
 * also where adapters without a built-in type (SCIM, until it is built in)
 * plug in.
 *
 * @example
 * ```ts
 * ModuleAdapterConfig.parse({ type: "module", module: "./adapters/hr.mjs", options: { url: "https://hr.example.com" } });
 * ```
 */
export const ModuleAdapterConfig = z.strictObject({
  type: z.literal("module"),
  /** A module path (relative to the config file) or package name. */
  module: z.string().min(1).describe("A module path (relative to the config file) or package name."),
  /** The export to call; default `default`. */
  export: z.string().min(1).optional().describe("The export to call (default: the default export)."),
  /** Passed to the factory as its first argument. */
  options: z.record(z.string(), z.unknown()).optional().describe("Passed to the factory as its first argument."),
});
/** @see {@link ModuleAdapterConfig} */
export type ModuleAdapterConfig = z.infer<typeof ModuleAdapterConfig>;

/**
 * How the CLI reaches a tenant. Built in: `memory`, `graph`, `scim`,
 * `module`. A new built-in adapter adds its variant here and its factory in
 * `adapters/open-tenant.ts`.
 *
 * @example
 * ```ts
 * const adapter: AdapterConfig = { type: "memory", generate: { users: 100, groups: 3, guests: 0, externals: 0, managers: true }, cloud: "commercial", trust: "all" };
 * ```
 */
export const AdapterConfig = z.discriminatedUnion("type", [MemoryAdapterConfig, GraphAdapterConfig, ScimAdapterConfig, ModuleAdapterConfig]);
/** @see {@link AdapterConfig} */
export type AdapterConfig = z.infer<typeof AdapterConfig>;

/**
 * One tenant of the config: its id and how to reach it.
 *
 * @example
 * ```ts
 * TenantConfig.parse({ id: "11111111-1111-4111-8111-111111111111", name: "Contoso", adapter: { type: "memory" } });
 * ```
 */
export const TenantConfig = z.strictObject({
  /** The tenant id (GUID); jobs name tenants by it. */
  id: Guid.describe("The tenant id (GUID); jobs name tenants by it."),
  /** A short name for output. */
  name: z.string().min(1).optional().describe("A short name for output."),
  adapter: AdapterConfig.describe("How to reach the tenant: memory (demos), graph (Microsoft Graph), scim (a SCIM 2.0 app, as a target), module (your own DirectoryPort)."),
});
/** @see {@link TenantConfig} */
export type TenantConfig = z.infer<typeof TenantConfig>;

/**
 * A tenantsync configuration file: where state lives, the tenants, and the
 * jobs between them (each a core `SyncJobConfig`). Validated with every
 * problem reported by its JSON path; published as a JSON Schema
 * (`@tenantsync/cli/schema.json`) so editors complete it.
 *
 * @example
 * ```ts
 * const config = parseTenantSyncConfig({
 *   state: { type: "sqlite", path: "./tenantsync.db" },
 *   tenants: [
 *     { id: "11111111-1111-4111-8111-111111111111", adapter: { type: "memory" } },
 *     { id: "22222222-2222-4222-8222-222222222222", adapter: { type: "memory" } },
 *   ],
 *   jobs: [{ sourceTenantId: "11111111-1111-4111-8111-111111111111", targetTenantId: "22222222-2222-4222-8222-222222222222", scope: { mode: "all" } }],
 * });
 * ```
 */
export const TenantSyncConfig = z
  .strictObject({
    /** The JSON Schema, for editors: `./node_modules/@tenantsync/cli/schema/tenantsync.schema.json`. */
    $schema: z.string().optional().describe("The JSON Schema, for editors: ./node_modules/@tenantsync/cli/schema/tenantsync.schema.json."),
    state: StateConfig.default({ type: "memory" }).describe("Where links, watermarks, escrows, status and logs live: sqlite (persists) or memory."),
    tenants: z.array(TenantConfig).min(1, "list at least one tenant").describe("The tenants and how to reach them (memory, graph, module)."),
    jobs: z.array(SyncJobConfig).default([]).describe("Sync jobs (@tenantsync/core SyncJobConfig): one source tenant into one target tenant."),
    /** Engine options shared by every job. */
    options: z
      .strictObject({
        /** Users read, evaluated and written per chunk. Default 500. */
        chunkSize: z.number().int().min(1).max(100_000).optional().describe("Users read, evaluated and written per chunk. Default 500."),
        /** How often a watching job looks for due cycles and source changes, ms. Default 1000. */
        changePollIntervalMs: z.number().int().min(10).max(86_400_000).optional().describe("How often a watching job looks for due cycles and source changes, ms. Default 1000."),
      })
      .default({}),
  })
  .superRefine((config, ctx) => {
    const tenants = new Map<string, number>();
    config.tenants.forEach((t, i) => {
      const key = t.id.toLowerCase();
      const prev = tenants.get(key);
      if (prev !== undefined) ctx.addIssue({ code: "custom", path: ["tenants", i, "id"], message: `tenant ${t.id} is already listed at tenants[${prev}]` });
      else tenants.set(key, i);
    });
    const snapshots = new Map<string, number>();
    config.tenants.forEach((t, i) => {
      if (t.adapter.type !== "memory") return;
      if (t.adapter.snapshotPath) {
        const prev = snapshots.get(t.adapter.snapshotPath);
        if (prev !== undefined) ctx.addIssue({ code: "custom", path: ["tenants", i, "adapter", "snapshotPath"], message: `tenants[${prev}] already uses this snapshot file` });
        else snapshots.set(t.adapter.snapshotPath, i);
      }
      if (Array.isArray(t.adapter.trust)) {
        t.adapter.trust.forEach((id, k) => {
          if (!tenants.has(id.toLowerCase())) ctx.addIssue({ code: "custom", path: ["tenants", i, "adapter", "trust", k], message: `tenant ${id} is not listed in tenants` });
        });
      }
    });
    const ids = new Map<string, number>();
    const pairs = new Map<string, number>();
    config.jobs.forEach((job, i) => {
      for (const key of ["sourceTenantId", "targetTenantId"] as const) {
        if (!tenants.has(job[key].toLowerCase())) ctx.addIssue({ code: "custom", path: ["jobs", i, key], message: `tenant ${job[key]} is not listed in tenants` });
      }
      const source = config.tenants.find((t) => t.id.toLowerCase() === job.sourceTenantId.toLowerCase());
      if (source?.adapter.type === "scim") ctx.addIssue({ code: "custom", path: ["jobs", i, "sourceTenantId"], message: `tenant ${job.sourceTenantId} is a SCIM service, which can only be a target` });
      const id = jobIdOf(job);
      const prevId = ids.get(id);
      if (prevId !== undefined) ctx.addIssue({ code: "custom", path: ["jobs", i, "id"], message: `job id ${id} is already used by jobs[${prevId}]` });
      else ids.set(id, i);
      const pair = `${job.sourceTenantId.toLowerCase()}>${job.targetTenantId.toLowerCase()}`;
      const prevPair = pairs.get(pair);
      if (prevPair !== undefined) ctx.addIssue({ code: "custom", path: ["jobs", i], message: `R5: jobs[${prevPair}] already syncs tenant ${job.sourceTenantId} into ${job.targetTenantId}; at most one job per (source, target) pair` });
      else pairs.set(pair, i);
    });
  });
/** @see {@link TenantSyncConfig} */
export type TenantSyncConfig = z.infer<typeof TenantSyncConfig>;
/**
 * The input form of {@link TenantSyncConfig}: every defaulted field optional.
 *
 * @example
 * ```ts
 * const input: TenantSyncConfigInput = { tenants: [{ id: tenantId, adapter: { type: "memory" } }] };
 * ```
 */
export type TenantSyncConfigInput = z.input<typeof TenantSyncConfig>;

/** JSON paths (as arrays, `*` for any array index) of the fields that hold secrets. */
export const SECRET_FIELD_PATHS: readonly (readonly string[])[] = [
  ["tenants", "*", "adapter", "credential", "clientSecret"],
  ["tenants", "*", "adapter", "credential", "certificatePassword"],
  ["tenants", "*", "adapter", "credential", "token"],
  ["tenants", "*", "adapter", "token"],
];

/** True when `path` (a concrete JSON path) names a secret field. */
export function isSecretPath(path: ReadonlyArray<string | number>): boolean {
  return SECRET_FIELD_PATHS.some((pattern) => pattern.length === path.length && pattern.every((p, i) => p === "*" || p === String(path[i])));
}

/**
 * Validates a parsed (and env-interpolated) configuration, filling defaults.
 * Throws core's `ConfigError` listing every problem with its JSON path
 * (`$.jobs[0].scope.mode`).
 *
 * @example
 * ```ts
 * try { parseTenantSyncConfig(JSON.parse(text)); }
 * catch (e) { if (e instanceof ConfigError) for (const i of e.issues) console.log(formatPath(i.path), i.message); }
 * ```
 */
export function parseTenantSyncConfig(input: unknown, what = "tenantsync configuration"): TenantSyncConfig {
  const result = TenantSyncConfig.safeParse(input);
  if (result.success) return result.data;
  const issues: ConfigIssue[] = result.error.issues.map((issue) => ({
    path: issue.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
    message: issue.message,
  }));
  throw new ConfigError(issues, what);
}

/**
 * The JSON Schema (draft 2020-12) of a configuration file, generated from the
 * zod schema; `schema/tenantsync.schema.json` holds a copy a test keeps up to date.
 *
 * @example
 * ```ts
 * writeFileSync("tenantsync.schema.json", JSON.stringify(tenantSyncConfigJsonSchema(), null, 2));
 * ```
 */
export function tenantSyncConfigJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(TenantSyncConfig, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return {
    $schema: schema["$schema"],
    title: "tenantsync configuration",
    description: "State, tenants and sync jobs for the tenantsync CLI. Strings may use ${ENV} (or ${ENV:-default}) to read environment variables.",
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== "$schema")),
  };
}
