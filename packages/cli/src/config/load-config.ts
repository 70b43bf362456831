import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { ConfigError, type ConfigIssue } from "@tenantsync/core";
import { CliUsageError } from "../cli-error.ts";
import { interpolateEnv } from "./interpolate-env.ts";
import { REDACTED_SECRET, SECRET_ENV_NAME, createRedactor, type Redactor } from "./redactor.ts";
import { isSecretPath, parseTenantSyncConfig, type TenantSyncConfig } from "./tenantsync-config.ts";

/**
 * A configuration file, read, interpolated and validated.
 *
 * @example
 * ```ts
 * const { config, resolvePath, redactor } = await loadConfigFile("tenantsync.json");
 * console.log(redactor.redact(JSON.stringify(config)));
 * ```
 */
export interface LoadedConfig {
  /** The file's absolute path. */
  path: string;
  /** Its folder: relative paths in the config are resolved against it. */
  dir: string;
  config: TenantSyncConfig;
  /** Advice that does not stop the CLI (a secret written in clear, …). */
  warnings: string[];
  /** Knows every secret of the config; all output goes through it. */
  redactor: Redactor;
  /** `path` resolved against the config file's folder. */
  resolvePath(path: string): string;
  /** The validated config with secret fields replaced by `[redacted]`. */
  redactedView(): unknown;
}

/**
 * Options of {@link loadConfigFile}.
 *
 * @example
 * ```ts
 * await loadConfigFile("tenantsync.json", { env: { GRAPH_SECRET: "…" } });
 * ```
 */
export interface LoadConfigOptions {
  /** Variables for `${NAME}`. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Secrets found are added to this redactor (else a new one). */
  redactor?: Redactor;
}

/** Line and column (1-based) of a character offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return { line, column: offset - last };
}

/** Parses JSON; a syntax error becomes a ConfigError with the line and column, never echoing the file's text. */
function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    let offset = position ? Number(position[1]) : null;
    if (offset === null && /Unexpected end of JSON input/i.test(message)) offset = text.length;
    const where = offset === null ? "" : (({ line, column }) => ` at line ${line}, column ${column}`)(lineColumn(text, offset));
    // V8 quotes a piece of the input in some messages; keep only the reason.
    const reason = message
      .replace(/,? ".*" is not valid JSON$/s, "")
      .replace(/ in JSON at position \d+.*$/s, "")
      .replace(/^(Unexpected token '.'?).*$/s, "$1")
      .trim();
    throw new ConfigError([{ path: [], message: `not valid JSON${where}: ${reason}` }], `configuration file ${file}`);
  }
}

function redactSecrets(value: unknown, path: Array<string | number> = []): unknown {
  if (typeof value === "string" && isSecretPath(path)) return REDACTED_SECRET;
  if (Array.isArray(value)) return value.map((v, i) => redactSecrets(v, [...path, i]));
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecrets(v, [...path, k])]));
  return value;
}

function collectSecrets(value: unknown, redactor: Redactor, path: Array<string | number> = []): Array<Array<string | number>> {
  const found: Array<Array<string | number>> = [];
  const walk = (v: unknown, p: Array<string | number>) => {
    if (typeof v === "string") {
      if (isSecretPath(p)) {
        redactor.add(v);
        found.push(p);
      }
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...p, i]));
    else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, [...p, k]);
  };
  walk(value, path);
  return found;
}

/**
 * Validates an already parsed configuration object: `${ENV}` interpolation,
 * then the schema. Throws `ConfigError` with every issue's JSON path.
 *
 * @example
 * ```ts
 * const loaded = loadConfigObject(JSON.parse(text), { file: "tenantsync.json", env: process.env });
 * ```
 */
export function loadConfigObject(raw: unknown, options: LoadConfigOptions & { file: string }): LoadedConfig {
  const file = resolve(options.file);
  const env = options.env ?? process.env;
  const redactor = options.redactor ?? createRedactor();
  const interpolated = interpolateEnv(raw, env);
  for (const s of interpolated.substitutions) if (SECRET_ENV_NAME.test(s.name) || isSecretPath(s.path)) redactor.add(s.value);
  // Secrets are registered before validation, so no error message can show one.
  const secretPaths = collectSecrets(interpolated.value, redactor);
  let config: TenantSyncConfig;
  const issues: ConfigIssue[] = [...interpolated.issues];
  try {
    config = parseTenantSyncConfig(interpolated.value, `configuration file ${file}`);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError([...issues, ...error.issues], `configuration file ${file}`);
    throw error;
  }
  if (issues.length > 0) throw new ConfigError(issues, `configuration file ${file}`);
  const fromEnv = new Set(interpolated.substitutions.map((s) => s.path.join("\u0000")));
  const warnings: string[] = [];
  for (const p of secretPaths) {
    if (!fromEnv.has(p.join("\u0000"))) {
      const text = p.map((x) => (typeof x === "number" ? `[${x}]` : `.${x}`)).join("");
      warnings.push(`$${text} is written in the config file; prefer an environment variable ("\${NAME}") so the file holds no secret`);
    }
  }
  const dir = dirname(file);
  return {
    path: file,
    dir,
    config,
    warnings,
    redactor,
    resolvePath: (p) => resolve(dir, p),
    redactedView: () => redactSecrets(config),
  };
}

/**
 * Reads, interpolates and validates a configuration file. Throws
 * `CliUsageError` (`CONFIG_NOT_FOUND`) when the file cannot be read and
 * `ConfigError` for invalid JSON (with line and column) or an invalid
 * configuration (every issue with its JSON path).
 *
 * @example
 * ```ts
 * const { config, resolvePath } = await loadConfigFile("tenantsync.json");
 * ```
 */
export async function loadConfigFile(file: string, options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why = code === "ENOENT" ? "does not exist" : code === "EISDIR" ? "is a folder" : `cannot be read (${code ?? String(error)})`;
    throw new CliUsageError(`configuration file ${path} ${why}; pass --config <file> or create tenantsync.json (see docs/cli.md)`, { code: "CONFIG_NOT_FOUND", cause: error });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return loadConfigObject(parseJson(text, path), { ...options, file: path });
}
