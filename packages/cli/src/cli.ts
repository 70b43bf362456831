#!/usr/bin/env node
// The `tenantsync` binary: runs the CLI on this process's streams. Ctrl-C
// (SIGINT) or SIGTERM asks running cycles to stop at the next user boundary;
// a second Ctrl-C exits at once.
import { runCli } from "./run-cli.ts";

const controller = new AbortController();
let firstAt = 0;
const onSignal = (signal: NodeJS.Signals) => {
  const now = Date.now();
  if (firstAt === 0) {
    firstAt = now;
    controller.abort(new Error(`received ${signal}`));
    return;
  }
  // The terminal signals the whole process group, and launchers (tsx, pnpm)
  // relay the same Ctrl-C: only a later one means "exit now".
  if (now - firstAt < 1000) return;
  process.stderr.write("\ninterrupted again: exiting now\n");
  process.exit(130);
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), signal: controller.signal });
process.exitCode = code;
// Timers of adapters (token refresh, keep-alive sockets) must not keep the process alive.
setTimeout(() => process.exit(code), 200).unref();
