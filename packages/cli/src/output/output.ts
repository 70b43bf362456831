import type { Redactor } from "../config/redactor.ts";
import { createProgressBars, type ProgressBars } from "./progress.ts";

/** A writable text stream (process.stdout, or a test's buffer). */
export interface TextStream {
  write(text: string): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
}

/**
 * Everything the CLI prints goes through here: results on stdout, notes,
 * warnings, errors and progress on stderr, every byte through the redactor.
 */
export interface Output {
  /** `--json`: results are one JSON document on stdout. */
  readonly json: boolean;
  /** A line of results (stdout). */
  line(text?: string): void;
  /** Raw text (stdout), for tables. */
  text(text: string): void;
  /** A JSON document (stdout). */
  data(value: unknown): void;
  /** A line of notes (stderr), suppressed with --quiet. */
  note(text: string): void;
  /** A warning (stderr), always shown. */
  warn(text: string): void;
  /** An error (stderr). */
  error(text: string): void;
  /** Progress bars when stderr is a terminal (or --progress), else null. */
  progress(): ProgressBars | null;
}

/** Options of {@link createOutput}. */
export interface OutputOptions {
  stdout: TextStream;
  stderr: TextStream;
  redactor: Redactor;
  json: boolean;
  quiet?: boolean;
  /** true/false forces bars on/off; undefined: on when stderr is a TTY and not --json. */
  progress?: boolean | undefined;
}

/**
 * Creates the CLI's output.
 *
 * @example
 * ```ts
 * const out = createOutput({ stdout: process.stdout, stderr: process.stderr, redactor, json: false });
 * out.line("done");
 * ```
 */
export function createOutput(options: OutputOptions): Output {
  const { stdout, stderr, redactor } = options;
  const r = (text: string) => redactor.redact(text);
  const bars = options.progress ?? (!options.json && stderr.isTTY === true);
  let active: ProgressBars | null = null;
  const toStderr = (text: string) => {
    if (active) active.log(r(text));
    else stderr.write(`${r(text)}\n`);
  };
  return {
    json: options.json,
    line: (text = "") => void stdout.write(`${r(text)}\n`),
    text: (text) => void stdout.write(r(text)),
    data: (value) => void stdout.write(`${r(JSON.stringify(value, null, 2))}\n`),
    note: (text) => {
      if (!options.quiet) toStderr(text);
    },
    warn: (text) => toStderr(`warning: ${text}`),
    error: (text) => toStderr(`error: ${text}`),
    progress: () => {
      if (!bars) return null;
      const display = createProgressBars({ write: (t) => stderr.write(r(t)), columns: stderr.columns });
      active = display;
      return {
        bar: (label) => display.bar(label),
        log: (text) => display.log(r(text)),
        stop: () => {
          display.stop();
          if (active === display) active = null;
        },
      };
    },
  };
}
