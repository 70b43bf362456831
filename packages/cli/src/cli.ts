#!/usr/bin/env node
// The `tenantsync` binary: runs the CLI on this process's streams. Ctrl-C
// (SIGINT) or SIGTERM asks running cycles to stop at the next user boundary;
// a second Ctrl-C exits at once.
import { runCli } from "./run-cli.ts";

const controller = new AbortController();
let interrupts = 0;
const onSignal = (signal: NodeJS.Signals) => {
  interrupts++;
  if (interrupts > 1) {
    process.stderr.write("\ninterrupted again: exiting now\n");
    process.exit(130);
  }
  process.stderr.write(`\n${signal === "SIGINT" ? "Ctrl-C" : signal}: stopping at the next user boundary (press Ctrl-C again to exit now)\n`);
  controller.abort(new Error(`received ${signal}`));
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), signal: controller.signal });
process.exitCode = code;
// Timers of adapters (token refresh, keep-alive sockets) must not keep the process alive.
setTimeout(() => process.exit(code), 200).unref();
