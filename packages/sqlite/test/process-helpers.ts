import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "tsup";
import { afterAll, afterEach } from "vitest";

/** The package folder: children run there so that `@tenantsync/core` and better-sqlite3 resolve. */
export const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));

const children = new Set<ChildProcessWithoutNullStreams>();
afterEach(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  children.clear();
});

/** A child process with its output collected line by line. */
export interface Child {
  proc: ChildProcessWithoutNullStreams;
  lines: string[];
  stderr: () => string;
  /** Resolves with the first output line matching `test` (rejects if the child exits first). */
  waitFor(test: (line: string) => boolean): Promise<string>;
  /** Resolves when the child exits, with its code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  send(line: string): void;
}

/**
 * Starts `node <args>` in the package folder. For a TypeScript script pass
 * `tsArgs(script)`: tsx from the repository root runs it against the
 * sources (`@tenantsync/source` condition).
 */
export function startNode(args: string[]): Child {
  const proc = spawn(process.execPath, args, { cwd: PACKAGE_DIR, stdio: ["pipe", "pipe", "pipe"] });
  children.add(proc);
  const lines: string[] = [];
  let err = "";
  let buffered = "";
  const waiters: Array<{ test: (l: string) => boolean; resolve: (l: string) => void; reject: (e: Error) => void }> = [];
  proc.stdout.setEncoding("utf8");
  proc.stderr.setEncoding("utf8");
  proc.stdout.on("data", (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  proc.stderr.on("data", (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on("exit", (code, signal) => {
      for (const w of waiters.splice(0)) w.reject(new Error(`child exited (code ${code}, signal ${signal}) before the expected line; stderr:\n${err}`));
      resolve({ code, signal });
    });
  });
  return {
    proc,
    lines,
    stderr: () => err,
    exited,
    send: (line) => proc.stdin.write(`${line}\n`),
    waitFor(test) {
      const found = lines.find(test);
      if (found !== undefined) return Promise.resolve(found);
      if (proc.exitCode !== null || proc.signalCode !== null) return Promise.reject(new Error(`child already exited; stderr:\n${err}`));
      return new Promise((resolve, reject) => waiters.push({ test, resolve, reject }));
    },
  };
}

/** Arguments that run a TypeScript file through tsx against the workspace sources. */
export function tsArgs(script: string, ...rest: string[]): string[] {
  return ["--import", "tsx", "--conditions=@tenantsync/source", script, ...rest];
}

const bundleDirs: string[] = [];
afterAll(() => {
  for (const d of bundleDirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/**
 * Bundles TypeScript child scripts (and the workspace sources they import,
 * through the `@tenantsync/source` condition) into plain ESM files, so that
 * each child process starts in a fraction of the time tsx needs. The files go
 * to a fresh folder under this package's node_modules, where better-sqlite3
 * (kept external: it is a native addon) resolves. Returns the path of each
 * bundle by entry name.
 */
export async function bundleScripts<K extends string>(entries: Record<K, string>): Promise<Record<K, string>> {
  const root = join(PACKAGE_DIR, "node_modules", ".cache");
  mkdirSync(root, { recursive: true });
  const outDir = mkdtempSync(join(root, "tenantsync-sqlite-children-"));
  bundleDirs.push(outDir);
  await build({
    entry: Object.fromEntries(Object.entries<string>(entries).map(([name, file]) => [name, join(PACKAGE_DIR, file)])),
    outDir,
    format: ["esm"],
    platform: "node",
    target: "node20",
    config: false,
    silent: true,
    dts: false,
    sourcemap: false,
    clean: false,
    splitting: false,
    external: ["better-sqlite3"],
    noExternal: [/^(?!better-sqlite3$).*/],
    esbuildOptions(options) {
      options.conditions = ["@tenantsync/source"];
    },
  });
  return Object.fromEntries(Object.keys(entries).map((name) => [name, join(outDir, `${name}.js`)])) as Record<K, string>;
}
