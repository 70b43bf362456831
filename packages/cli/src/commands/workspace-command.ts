import type { Output } from "../output/output.ts";
import { openWorkspace, type Workspace } from "../workspace.ts";
import type { CommandContext } from "./command.ts";
import { listOption } from "./parse-options.ts";

/** Loads the config, opens the selected jobs, runs `fn`, and always closes (saving memory snapshots when the command writes). */
export async function withWorkspace<T>(context: CommandContext, options: { writes: boolean }, fn: (workspace: Workspace, output: Output) => Promise<T>): Promise<T> {
  const loaded = await context.loadConfig();
  const workspace = await openWorkspace(loaded, {
    jobIds: listOption(context.values, "job"),
    writes: options.writes,
    output: context.output,
    verbose: context.values["verbose"] === true,
  });
  try {
    return await fn(workspace, context.output);
  } finally {
    await workspace.close();
  }
}
