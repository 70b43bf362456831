import type { JobPlan, PlannedAction } from "@tenantsync/core";
import { EXIT_CODES, worstExitCode, type ExitCode } from "../exit-codes.ts";
import { formatCount, formatValue } from "../output/format.ts";
import { renderTable } from "../output/table.ts";
import type { Command } from "./command.ts";
import { intOption } from "./parse-options.ts";
import { withWorkspace } from "./workspace-command.ts";

function changes(props: ReadonlyArray<{ name: string; oldValue: unknown; newValue: unknown }>): string {
  return props.map((p) => `${p.name}: ${formatValue(p.oldValue)} → ${formatValue(p.newValue)}`).join("; ");
}

/** One line of detail per planned action, for the diff table. */
export function describeAction(a: PlannedAction): string {
  switch (a.kind) {
    case "create": {
      const first = ["userPrincipalName", "mail", "department", "jobTitle"];
      const props = a.modifiedProperties
        .filter((p) => p.newValue !== null && p.newValue !== undefined)
        .sort((x, y) => (first.indexOf(x.name) + 1 || 99) - (first.indexOf(y.name) + 1 || 99));
      return `${a.userType}: ${props.map((p) => `${p.name}=${formatValue(p.newValue)}`).join(", ")}`;
    }
    case "link":
      return `adopt (matched by ${a.matchedBy}); ${changes(a.modifiedProperties) || "no changes"}`;
    case "update":
      return `${a.disables ? "disable; " : ""}${changes(a.modifiedProperties)}`;
    case "restore":
      return `restore from the bin; ${changes(a.modifiedProperties) || "no changes"}`;
    case "softDelete":
      return a.reason;
    case "setManager":
      return `manager → ${a.managerTargetId ?? `the account of source user ${a.managerSourceId}`}`;
    case "skip":
      return a.reason;
    case "error":
      return `${a.error.code}: ${a.error.message}`;
  }
}

/** `tenantsync plan`: the dry run. */
export const planCommand: Command = {
  name: "plan",
  summary: "dry run: what the next cycle of each job would do, as a diff table",
  usage: "plan [--job <id>…] [--limit 50] [--json]",
  description:
    "Runs the next cycle of each job without writing anything — not to the tenants, not to the state — and shows the actions it would take: creates with their attributes, updates with each attribute's old → new value, disables, soft deletes, restores, manager references, skips and per-user errors; and whether the accidental-deletion guard would hold the deletions. The plan is the one a run executes (R28). Exit code 3 when a job is blocked (trust settings, clouds) or the guard would hold deletions.",
  options: { limit: { type: "string" } },
  optionHelp: { limit: "rows per job in the table (default 50; 0 = all); --json always has every action" },
  positionals: null,
  usesConfig: true,
  async run(context) {
    const limit = intOption(context.values, "limit", 50, 0, 10_000_000);
    return withWorkspace(context, { writes: false }, async (ws, output) => {
      const plans: Array<{ id: string; label: string; plan: JobPlan }> = [];
      const codes: ExitCode[] = [];
      for (const job of ws.jobs) {
        if (!output.json) output.note(`planning ${ws.jobLabel(job)}…`);
        const plan = await job.plan({ signal: context.signal });
        plans.push({ id: job.id, label: ws.jobLabel(job), plan });
        codes.push(plan.blocked || plan.guard.wouldHold ? EXIT_CODES.blocked : EXIT_CODES.ok);
      }
      if (context.signal.aborted) return EXIT_CODES.interrupted;
      if (output.json) {
        output.data({ ok: codes.every((c) => c === EXIT_CODES.ok), jobs: plans });
        return worstExitCode(codes);
      }
      for (const { id, label, plan } of plans) {
        output.line("");
        output.line(`${label} (${id}) — ${plan.kind} cycle`);
        if (plan.blocked) {
          output.line(`  ✗ blocked, nothing would be written: ${plan.blocked.code}: ${plan.blocked.message}`);
          continue;
        }
        const byKind = new Map<string, number>();
        for (const a of plan.actions) {
          const key = a.kind === "update" && a.disables ? "disable" : a.kind;
          byKind.set(key, (byKind.get(key) ?? 0) + 1);
        }
        if (plan.actions.length === 0) output.line("  nothing to do");
        else {
          const shown = limit === 0 ? plan.actions : plan.actions.slice(0, limit);
          output.text(
            renderTable(
              [{ header: "ACTION" }, { header: "USER", max: 36 }, { header: "SOURCE ID", max: 36 }, { header: "TARGET ID", max: 36 }, { header: "CHANGES", max: 90 }],
              shown.map((a) => [a.kind === "update" && a.disables ? "disable" : a.kind, a.displayName ?? "—", a.sourceId, ("targetId" in a ? a.targetId : null) ?? "(new)", describeAction(a)]),
            ),
          );
          if (shown.length < plan.actions.length) output.line(`  … and ${formatCount(plan.actions.length - shown.length)} more (--limit 0 shows all, --json lists them with every attribute)`);
          output.line(`  ${[...byKind].map(([k, v]) => `${k} ${formatCount(v)}`).join(" · ")}${plan.bookkeeping.length ? ` · ${formatCount(plan.bookkeeping.length)} link updates without writes` : ""}`);
        }
        output.line(
          `  accidental-deletion guard: ${formatCount(plan.guard.deletions)} deletions and disables, threshold ${formatCount(plan.guard.threshold)}${plan.guard.wouldHold ? " — WOULD HOLD them and quarantine the job (restart --force-deletes to allow)" : ""}`,
        );
        for (const w of plan.warnings) output.line(`  warning: ${w}`);
      }
      return worstExitCode(codes);
    });
  },
};
