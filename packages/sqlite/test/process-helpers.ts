import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";

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
