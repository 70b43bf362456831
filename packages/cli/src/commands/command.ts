import type { ParseArgsConfig } from "node:util";
import type { Redactor } from "../config/redactor.ts";
import type { LoadedConfig } from "../config/load-config.ts";
import type { ExitCode } from "../exit-codes.ts";
import type { Output, TextStream } from "../output/output.ts";

/**
 * Where the CLI reads and writes: the process, or a test's buffers.
 *
 * @example
 * ```ts
 * const io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), signal: controller.signal };
 * ```
 */
export interface CliIo {
  stdout: TextStream;
  stderr: TextStream;
  /** Environment for `${NAME}` and `TENANTSYNC_CONFIG`. */
  env: Readonly<Record<string, string | undefined>>;
  /** Folder relative `--config` and `--out` paths start from. */
  cwd: string;
  /** Aborted on Ctrl-C (SIGINT) or SIGTERM: cycles stop at the next user boundary. */
  signal?: AbortSignal | undefined;
}

/** Parsed option values (strings, booleans, string arrays). */
export type OptionValues = Record<string, string | boolean | string[] | undefined>;

/** What a command's `run` gets. */
export interface CommandContext {
  io: CliIo;
  values: OptionValues;
  positionals: string[];
  output: Output;
  redactor: Redactor;
  signal: AbortSignal;
  /** Reads and validates `--config` (default `tenantsync.json`, or `$TENANTSYNC_CONFIG`); prints its warnings. */
  loadConfig(): Promise<LoadedConfig>;
}

/** One command of the CLI. */
export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Usage lines after `tenantsync <name>`. */
  usage: string;
  /** Longer help. */
  description: string;
  options: NonNullable<ParseArgsConfig["options"]>;
  /** Help text per option. */
  optionHelp: Record<string, string>;
  /** Positional arguments allowed: none, or a name for `<name…>`. */
  positionals: { name: string; min: number } | null;
  /** Reads `--config`. */
  usesConfig: boolean;
  run(context: CommandContext): Promise<ExitCode>;
}
