import type { OnDemandResult } from "@tenantsync/core";
import { EXIT_CODES } from "../exit-codes.ts";
import { formatValue } from "../output/format.ts";
import { renderTable } from "../output/table.ts";
import type { Command } from "./command.ts";
import { withWorkspace } from "./workspace-command.ts";

/** `tenantsync provision <userId…>`: on-demand provisioning with the step report. */
export const provisionCommand: Command = {
  name: "provision",
  summary: "provision source users now, outside the schedule, and report each step",
  usage: "provision <sourceUserId…> [--job <id>…] [--json]",
  description:
    "Runs the whole pipeline now for the given source users (by object id) in each selected job, and reports Entra's steps: import (the attributes read), scope (eligible, assigned and how, active, each filter clause), match (link, no match, one match and by what, several), and action (with each modified property, old → new). It never provisions a user the scheduled cycle would not. Exit code 4 when a step failed for some user.",
  options: {},
  optionHelp: {},
  positionals: { name: "sourceUserId", min: 1 },
  usesConfig: true,
  async run(context) {
    const userIds = context.positionals;
    return withWorkspace(context, { writes: true }, async (ws, output) => {
      const jobs: Array<{ id: string; label: string; results: OnDemandResult[] }> = [];
      for (const job of ws.jobs) jobs.push({ id: job.id, label: ws.jobLabel(job), results: await job.provisionOnDemand(userIds, { signal: context.signal }) });
      const failed = jobs.some((j) => j.results.some((r) => r.status === "failure"));
      if (output.json) {
        output.data({ ok: !failed, jobs });
      } else {
        for (const j of jobs) {
          for (const r of j.results) {
            output.line("");
            output.line(`${j.label} (${j.id}) — source user ${r.sourceId}: ${r.action} → ${r.status}${r.targetId ? ` (target user ${r.targetId})` : ""}`);
            output.text(renderTable([{ header: "STEP" }, { header: "STATUS" }, { header: "DESCRIPTION", max: 100 }], r.steps.map((s) => [s.name, s.status, s.description])));
            const action = r.steps.find((s) => s.name === "action");
            const props = (action?.details["modifiedProperties"] ?? []) as Array<{ name: string; oldValue: unknown; newValue: unknown }>;
            if (props.length) {
              output.text(renderTable([{ header: "PROPERTY" }, { header: "OLD", max: 50 }, { header: "NEW", max: 50 }], props.map((p) => [p.name, formatValue(p.oldValue), formatValue(p.newValue)])));
            }
            const scope = r.steps.find((s) => s.name === "scope");
            const filter = scope?.details["filter"] as Record<string, boolean> | undefined;
            if (filter && Object.keys(filter).length) output.line(`  scoping filter: ${Object.entries(filter).map(([k, v]) => `${k} ${v ? "✓" : "✗"}`).join(", ")}`);
          }
        }
      }
      if (context.signal.aborted) return EXIT_CODES.interrupted;
      return failed ? EXIT_CODES.partial : EXIT_CODES.ok;
    });
  },
};
