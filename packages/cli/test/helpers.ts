import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { runCli } from "../src/index.ts";

/** The CLI's entry, run from its TypeScript sources (no build needed). */
export const CLI_ENTRY = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

/** The node arguments that run `tenantsync` from source: tsx's loader and the workspace's source condition. */
export function cliNodeArgs(args: readonly string[]): string[] {
  return ["--import", TSX_LOADER, "--conditions=@tenantsync/source", CLI_ENTRY, ...args];
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running `tenantsync` child process. */
export interface CliChild {
  process: ChildProcess;
  /** Resolves when it exits. */
  result: Promise<CliResult>;
  /** What it printed so far. */
  stdout(): string;
  stderr(): string;
  kill(signal: NodeJS.Signals): void;
}

/** Starts `tenantsync <args>` as a child process. */
export function spawnCli(args: readonly string[], options: { cwd: string; env?: Record<string, string | undefined> }): CliChild {
  const child = spawn(process.execPath, cliNodeArgs(args), {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const result = new Promise<CliResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { process: child, result, stdout: () => stdout, stderr: () => stderr, kill: (signal) => void child.kill(signal) };
}

/** Runs `tenantsync <args>` to completion in a child process. */
export function runCliProcess(args: readonly string[], options: { cwd: string; env?: Record<string, string | undefined> }): Promise<CliResult> {
  return spawnCli(args, options).result;
}

/** Runs `tenantsync <args>` in this process (same code path, no process boundary): for the many small error cases. */
export async function runCliInProcess(args: readonly string[], options: { cwd: string; env?: Record<string, string | undefined> }): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    env: { ...options.env },
    cwd: options.cwd,
  });
  return { code, stdout, stderr };
}

/** A fresh temporary folder; remove it with the returned function. */
export async function tempDir(prefix = "tenantsync-cli-"): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes a config file (an object, as JSON) and returns its path. */
export async function writeConfig(dir: string, config: unknown, name = "tenantsync.json"): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof config === "string" ? config : JSON.stringify(config, null, 2), "utf8");
  return path;
}

/** Waits until `predicate()` is true, polling; fails after `timeoutMs` (a generous no-hang guard, not a timing assertion). */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const CONTOSO = "11111111-1111-4111-8111-111111111111";
export const FABRIKAM = "22222222-2222-4222-8222-222222222222";
export const NORTHWIND = "33333333-3333-4333-8333-333333333333";
