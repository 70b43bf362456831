import type { RestartOptions } from "@tenantsync/core";
import { CliUsageError } from "../cli-error.ts";
import { EXIT_CODES } from "../exit-codes.ts";
import type { Command } from "./command.ts";
import { listOption } from "./parse-options.ts";
import { withWorkspace } from "./workspace-command.ts";

const FLAGS = { watermark: "watermark", escrows: "escrows", quarantine: "quarantine", "force-deletes": "forceDeletes", full: "full" } as const;

/** `tenantsync restart`: Entra's restart options. */
export const restartCommand: Command = {
  name: "restart",
  summary: "reset parts of a job's state (watermark, escrows, quarantine, held deletions, links)",
  usage: "restart (--job <id>… | --all) [--watermark] [--escrows] [--quarantine] [--force-deletes] [--full] [--json]",
  description:
    "Resets parts of a job's state, as Entra's restart does. Without options: watermark + escrows + quarantine (the next cycle is full and rewrites every in-scope user). --full also forgets the links, so every user is matched again (by alternative security id: no duplicates). Name the jobs with --job, or --all for every job of the config.",
  options: {
    all: { type: "boolean" },
    watermark: { type: "boolean" },
    escrows: { type: "boolean" },
    quarantine: { type: "boolean" },
    "force-deletes": { type: "boolean" },
    full: { type: "boolean" },
  },
  optionHelp: {
    all: "restart every job of the config",
    watermark: "forget the watermark: the next cycle is full and rewrites every in-scope user",
    escrows: "forget recorded per-user failures",
    quarantine: "lift quarantine now",
    "force-deletes": "apply the deletions the accidental-deletion guard held, in the next cycle",
    full: "all of the above, and forget the links (every user is matched again)",
  },
  positionals: null,
  usesConfig: true,
  async run(context) {
    const { values } = context;
    if (listOption(values, "job").length === 0 && values["all"] !== true) {
      throw new CliUsageError("restart changes a job's state: name the jobs with --job <id> (see tenantsync status), or pass --all");
    }
    const chosen = (Object.keys(FLAGS) as Array<keyof typeof FLAGS>).filter((f) => values[f] === true);
    const options: RestartOptions | undefined = chosen.length ? Object.fromEntries(chosen.map((f) => [FLAGS[f], true])) : undefined;
    const described = options ? chosen.join(", ") : "watermark, escrows, quarantine (a plain restart)";
    return withWorkspace(context, { writes: false }, async (ws, output) => {
      const results = [];
      for (const job of ws.jobs) {
        await job.restart(options);
        results.push({ id: job.id, label: ws.jobLabel(job), options: options ?? { watermark: true, escrows: true, quarantine: true }, status: await job.status() });
      }
      if (output.json) output.data({ ok: true, jobs: results });
      else for (const r of results) output.line(`✓ ${r.label} (${r.id}): restarted — ${described}; state ${r.status.state}, next cycle ${r.status.watermark ? "incremental" : "full"}`);
      return EXIT_CODES.ok;
    });
  },
};
