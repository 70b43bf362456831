import { EXIT_CODES } from "../exit-codes.ts";
import { formatCount } from "../output/format.ts";
import { renderTable } from "../output/table.ts";
import type { Command } from "./command.ts";
import { withWorkspace } from "./workspace-command.ts";

/** `tenantsync status`: each job's state, last cycle, quarantine and escrows. */
export const statusCommand: Command = {
  name: "status",
  summary: "show each job's state: last cycle, counts, quarantine, escrowed users",
  usage: "status [--job <id>…] [--json]",
  description:
    "Reads the jobs' status from the state store (no tenant is contacted): state (NotRun, Active, Quarantine, Disabled), the last cycle and the last successful one with their counts, quarantine details, escrowed users and steady state. Exit code 3 when a job is quarantined or disabled.",
  options: {},
  optionHelp: {},
  positionals: null,
  usesConfig: true,
  async run(context) {
    return withWorkspace(context, { writes: false }, async (ws, output) => {
      if (ws.state.kind === "memory") output.warn('the state is in memory ("state": { "type": "memory" }): nothing is kept between commands, so every job looks new');
      const rows = [];
      for (const job of ws.jobs) {
        const status = await job.status();
        const escrows = await ws.state.store.listEscrows(job.id);
        rows.push({ job, status, escrows });
      }
      const blocked = rows.some((r) => r.status.state === "Quarantine" || r.status.state === "Disabled" || r.status.quarantine !== null);
      if (output.json) {
        output.data({
          ok: !blocked,
          jobs: rows.map(({ job, status, escrows }) => ({ id: job.id, source: job.config.sourceTenantId, target: job.config.targetTenantId, label: ws.jobLabel(job), status, escrows })),
        });
      } else {
        output.text(
          renderTable(
            [
              { header: "JOB" },
              { header: "STATE" },
              { header: "LAST CYCLE" },
              { header: "RESULT" },
              { header: "EXPORTED", align: "right" },
              { header: "ERRORS", align: "right" },
              { header: "ESCROWED", align: "right" },
              { header: "QUARANTINE", max: 60 },
            ],
            rows.map(({ job, status, escrows }) => {
              const last = status.lastExecution;
              return [
                ws.jobLabel(job),
                status.state,
                last ? `${last.end.replace("T", " ").slice(0, 19)} (${last.kind})` : "never",
                last ? last.state : "—",
                last ? formatCount(last.counts.exported) : "—",
                last ? formatCount(last.counts.errors) : "—",
                formatCount(escrows.length),
                status.quarantine ? `${status.quarantine.reason}: ${status.quarantine.message} (next attempt ${status.quarantine.nextAttemptAt})` : "—",
              ];
            }),
          ),
        );
        for (const { job, status } of rows) {
          const notes = [
            `job id ${job.id}`,
            status.watermark ? "watermark set (next cycle incremental)" : "no watermark (next cycle full)",
            status.steadyStateLastAchievedAt ? `steady since ${status.steadyStateFirstAchievedAt}` : null,
            status.forceDeletes ? "held deletions will be applied next cycle" : null,
          ].filter(Boolean);
          output.line(`  ${ws.jobLabel(job)}: ${notes.join("; ")}`);
        }
      }
      return blocked ? EXIT_CODES.blocked : EXIT_CODES.ok;
    });
  },
};
