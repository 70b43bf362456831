import { resolve } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { ConfigError, formatPath, isTenantSyncError } from "@tenantsync/core";
import { CliUsageError } from "./cli-error.ts";
import type { CliIo, Command, CommandContext, OptionValues } from "./commands/command.ts";
import { logsCommand } from "./commands/logs-command.ts";
import { planCommand } from "./commands/plan-command.ts";
import { provisionCommand } from "./commands/provision-command.ts";
import { restartCommand } from "./commands/restart-command.ts";
import { runCommand } from "./commands/run-command.ts";
import { schemaCommand } from "./commands/schema-command.ts";
import { simulateCommand } from "./commands/simulate-command.ts";
import { statusCommand } from "./commands/status-command.ts";
import { validateCommand } from "./commands/validate-command.ts";
import { loadConfigFile, type LoadedConfig } from "./config/load-config.ts";
import { createRedactor, type Redactor } from "./config/redactor.ts";
import { EXIT_CODES, type ExitCode } from "./exit-codes.ts";
import { createOutput } from "./output/output.ts";
import { CLI_VERSION } from "./version.ts";

/** Every command, in the order `tenantsync --help` lists them. */
export const COMMANDS: readonly Command[] = [simulateCommand, validateCommand, planCommand, runCommand, provisionCommand, statusCommand, logsCommand, restartCommand, schemaCommand];

const GLOBAL_OPTIONS: NonNullable<ParseArgsConfig["options"]> = {
  json: { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  verbose: { type: "boolean" },
  progress: { type: "boolean" },
  "no-progress": { type: "boolean" },
  help: { type: "boolean", short: "h" },
};
const CONFIG_OPTIONS: NonNullable<ParseArgsConfig["options"]> = {
  config: { type: "string", short: "c" },
  job: { type: "string", short: "j", multiple: true },
};
const GLOBAL_HELP: Record<string, string> = {
  json: "print one JSON document on stdout (for scripts); errors too",
  quiet: "no notes on stderr (warnings and errors still)",
  verbose: "also print the engine's info and debug messages, and stacks of unexpected errors",
  progress: "force progress bars (default: on when stderr is a terminal)",
  "no-progress": "no progress bars",
  help: "this help",
};
const CONFIG_HELP: Record<string, string> = {
  config: "the config file (default: $TENANTSYNC_CONFIG, else ./tenantsync.json)",
  job: "only this job (repeatable, or comma-separated); default: every job",
};

function optionLines(options: NonNullable<ParseArgsConfig["options"]>, help: Record<string, string>): string[] {
  return Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : "    "}--${name}${o.type === "string" ? " <value>" : ""}`;
    return `  ${flag.padEnd(28)} ${help[name] ?? ""}`;
  });
}

/** The text of `tenantsync --help`. */
export function globalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `tenantsync ${CLI_VERSION} — cross-tenant user synchronization (Entra ID cross-tenant sync as an SDK)`,
    "",
    "Usage: tenantsync <command> [options]",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Options of every command:",
    ...optionLines(GLOBAL_OPTIONS, GLOBAL_HELP),
    "",
    "Exit codes: 0 ok · 1 failure · 2 usage or config error · 3 quarantined or blocked · 4 some users failed · 130 interrupted (Ctrl-C)",
    "Run `tenantsync <command> --help` for a command's options. Guide: docs/cli.md",
    "",
  ].join("\n");
}

/** The text of `tenantsync <command> --help`. */
export function commandHelp(command: Command): string {
  return [
    `Usage: tenantsync ${command.usage}`,
    "",
    wrap(command.description, 88),
    "",
    ...(Object.keys(command.options).length ? ["Options:", ...optionLines(command.options, command.optionHelp), ""] : []),
    ...(command.usesConfig ? ["Config options:", ...optionLines(CONFIG_OPTIONS, CONFIG_HELP), ""] : []),
    "Options of every command:",
    ...optionLines(GLOBAL_OPTIONS, GLOBAL_HELP),
    "",
  ].join("\n");
}

function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line.length + word.length + 1 > width && line.length > 0) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join("\n");
}

/** An error as the `--json` error document shows it. */
function errorDocument(error: unknown): Record<string, unknown> {
  if (error instanceof ConfigError) return { code: error.code, message: error.message, issues: error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })) };
  if (isTenantSyncError(error)) return { code: error.code, message: error.message, retryable: error.retryable };
  return { code: "ERROR", message: error instanceof Error ? error.message : String(error) };
}

function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CliUsageError || error instanceof ConfigError) return EXIT_CODES.usage;
  if (isTenantSyncError(error) && error.code === "ABORTED") return EXIT_CODES.interrupted;
  return EXIT_CODES.failure;
}

function parseCommandLine(command: Command, args: readonly string[]): { values: OptionValues; positionals: string[] } {
  const options = { ...GLOBAL_OPTIONS, ...(command.usesConfig ? CONFIG_OPTIONS : {}), ...command.options };
  try {
    const parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
    return { values: parsed.values as OptionValues, positionals: parsed.positionals };
  } catch (error) {
    // node:util's messages are good ("Unknown option '--foo'"); add where to look.
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, "");
    throw new CliUsageError(`${message} (see tenantsync ${command.name} --help)`, { cause: error });
  }
}

/**
 * Runs the `tenantsync` command line and returns its exit code (see
 * {@link EXIT_CODES}). Everything printed goes through `io`, redacted.
 *
 * @example
 * ```ts
 * const code = await runCli(["validate", "--config", "tenantsync.json"], { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() });
 * process.exitCode = code;
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const redactor: Redactor = createRedactor();
  const wantsJson = argv.includes("--json");
  let output = createOutput({ stdout: io.stdout, stderr: io.stderr, redactor, json: wantsJson });
  const fail = (error: unknown, verbose: boolean): ExitCode => {
    const code = exitCodeOf(error);
    if (output.json) output.data({ ok: false, exitCode: code, error: errorDocument(error) });
    const message = error instanceof Error ? error.message : String(error);
    output.error(isTenantSyncError(error) && !(error instanceof ConfigError) && !(error instanceof CliUsageError) ? `${error.code}: ${message}` : message);
    if (verbose && error instanceof Error && error.stack && !(error instanceof ConfigError) && !(error instanceof CliUsageError)) io.stderr.write(`${redactor.redact(error.stack)}\n`);
    return code;
  };

  const [first, ...rest] = argv;
  if (first === undefined || first === "--help" || first === "-h" || first === "help") {
    const topic = first === "help" ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    io.stdout.write(topic ? commandHelp(topic) : globalHelp());
    return first === undefined ? EXIT_CODES.usage : EXIT_CODES.ok;
  }
  if (first === "--version" || first === "-V" || first === "version") {
    io.stdout.write(`${CLI_VERSION}\n`);
    return EXIT_CODES.ok;
  }
  const command = COMMANDS.find((c) => c.name === first);
  if (!command) {
    const near = COMMANDS.find((c) => c.name.startsWith(first.slice(0, 3)));
    return fail(new CliUsageError(`unknown command '${first}'${near ? ` (did you mean '${near.name}'?)` : ""}; run tenantsync --help for the list`), false);
  }
  let parsed: { values: OptionValues; positionals: string[] };
  try {
    parsed = parseCommandLine(command, rest);
  } catch (error) {
    return fail(error, false);
  }
  const { values, positionals } = parsed;
  const verbose = values["verbose"] === true;
  output = createOutput({
    stdout: io.stdout,
    stderr: io.stderr,
    redactor,
    json: values["json"] === true,
    quiet: values["quiet"] === true,
    progress: values["no-progress"] === true ? false : values["progress"] === true ? true : undefined,
  });
  if (values["help"] === true) {
    io.stdout.write(commandHelp(command));
    return EXIT_CODES.ok;
  }
  try {
    if (!command.positionals && positionals.length > 0) throw new CliUsageError(`${command.name} takes no arguments, got '${positionals.join(" ")}' (see tenantsync ${command.name} --help)`);
    if (command.positionals && positionals.length < command.positionals.min) throw new CliUsageError(`${command.name} needs at least ${command.positionals.min} <${command.positionals.name}> (see tenantsync ${command.name} --help)`);
    const signal = io.signal ?? new AbortController().signal;
    signal.addEventListener("abort", () => output.warn("interrupted: stopping at the next user boundary (press Ctrl-C again to exit now)"), { once: true });
    let loaded: Promise<LoadedConfig> | null = null;
    const context: CommandContext = {
      io,
      values,
      positionals,
      output,
      redactor,
      signal,
      loadConfig: () => {
        loaded ??= (async () => {
          const file = typeof values["config"] === "string" ? values["config"] : (io.env["TENANTSYNC_CONFIG"] ?? "tenantsync.json");
          const config = await loadConfigFile(resolve(io.cwd, file), { env: io.env, redactor });
          for (const w of config.warnings) output.warn(w);
          return config;
        })();
        return loaded;
      },
    };
    return await command.run(context);
  } catch (error) {
    return fail(error, verbose);
  }
}
