import { isTenantSyncError, type CycleReport, type SyncJob, type SyncJobStatus } from "@tenantsync/core";
import { EXIT_CODES, worstExitCode, type ExitCode } from "../exit-codes.ts";
import { COUNT_COLUMNS, formatCount } from "../output/format.ts";
import type { Output } from "../output/output.ts";
import type { ProgressBar } from "../output/progress.ts";
import { renderTable } from "../output/table.ts";
import type { Workspace } from "../workspace.ts";
import type { Command, CommandContext } from "./command.ts";
import { withWorkspace } from "./workspace-command.ts";

interface JobOutcome {
  job: SyncJob;
  report: CycleReport | null;
  error: unknown;
  status: SyncJobStatus;
}

/** The exit code one job's cycle deserves. */
export function cycleExitCode(outcome: { report: CycleReport | null; error: unknown; status: Pick<SyncJobStatus, "quarantine" | "state"> }): ExitCode {
  if (outcome.error) return EXIT_CODES.failure;
  const r = outcome.report!;
  if (r.stopped === "Aborted") return EXIT_CODES.interrupted;
  if (r.heldDeletions > 0 || r.stopped === "TrustSettingsMissing" || r.stopped === "CredentialsRejected" || outcome.status.quarantine !== null || outcome.status.state === "Disabled") return EXIT_CODES.blocked;
  if (r.summary.state === "failed") return EXIT_CODES.failure;
  if (r.summary.counts.errors > 0 || r.summary.counts.escrowed > 0) return EXIT_CODES.partial;
  return EXIT_CODES.ok;
}

function noteFor(o: JobOutcome): string {
  if (o.error) return `failed: ${isTenantSyncError(o.error) ? `${o.error.code}: ` : ""}${(o.error as Error).message ?? String(o.error)}`;
  const r = o.report!;
  const parts: string[] = [];
  if (r.stopped === "Aborted") parts.push("interrupted at a user boundary; the watermark did not move");
  else if (r.stopped) parts.push(`stopped: ${r.stopped}`);
  if (r.heldDeletions > 0) parts.push(`${formatCount(r.heldDeletions)} deletions held by the guard (restart --force-deletes)`);
  if (o.status.quarantine) parts.push(`quarantined: ${o.status.quarantine.reason} — ${o.status.quarantine.message}`);
  if (r.summary.error && !o.status.quarantine) parts.push(`${r.summary.error.code}: ${r.summary.error.message}`);
  if (parts.length === 0) parts.push(r.committed ? "committed" : "not committed");
  return parts.join("; ");
}

async function runOnce(context: CommandContext, ws: Workspace, output: Output): Promise<ExitCode> {
  const bars = output.progress();
  const barOf = new Map<string, ProgressBar>();
  // A full cycle learns its total as it reads: start from the last full cycle's count.
  const hint = new Map<string, number>();
  for (const job of ws.jobs) {
    const s = await job.status();
    const lastFull = [s.lastExecution, s.lastSuccessfulExecution].find((e) => e?.kind === "full");
    hint.set(job.id, lastFull?.counts.imported ?? 0);
  }
  for (const job of ws.jobs) {
    job.on("cycleStarted", (e) => {
      if (e.kind !== "full") hint.set(job.id, 0);
      if (bars) barOf.set(job.id, bars.bar(`${ws.jobLabel(job)} (${e.kind})`));
      else if (!output.json) output.note(`${ws.jobLabel(job)}: ${e.kind} cycle started (${e.cycleId})`);
    });
    job.on("cycleProgress", (e) => barOf.get(job.id)?.update(e.done, Math.max(e.total, hint.get(job.id) ?? 0), e.phase));
    job.on("quarantined", (e) => {
      if (!bars) output.warn(`${ws.jobLabel(job)}: quarantined — ${e.quarantine.reason}: ${e.quarantine.message}`);
    });
  }
  const outcomes: JobOutcome[] = [];
  const queue = [...ws.jobs];
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      let report: CycleReport | null = null;
      let error: unknown = null;
      try {
        report = await job.runCycle({ signal: context.signal });
      } catch (e) {
        error = e;
      }
      const status = await job.status();
      const outcome = { job, report, error, status };
      const counts = report?.summary.counts;
      barOf.get(job.id)?.finish(error ? "✗ failed" : counts ? `${cycleExitCode(outcome) === EXIT_CODES.ok ? "✓" : "!"} ${formatCount(counts.exported)} writes, ${formatCount(counts.errors)} errors` : "");
      outcomes.push(outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, ws.jobs.length) }, worker));
  bars?.stop();
  outcomes.sort((a, b) => ws.jobs.indexOf(a.job) - ws.jobs.indexOf(b.job));
  const codes = outcomes.map(cycleExitCode);
  const code = context.signal.aborted ? EXIT_CODES.interrupted : worstExitCode(codes);
  if (output.json) {
    output.data({
      ok: code === EXIT_CODES.ok,
      jobs: outcomes.map((o, i) => ({
        id: o.job.id,
        label: ws.jobLabel(o.job),
        exitCode: codes[i],
        report: o.report,
        error: o.error ? (isTenantSyncError(o.error) ? o.error.toJSON() : { code: "ERROR", message: String((o.error as Error).message ?? o.error) }) : null,
        status: o.status,
      })),
    });
    return code;
  }
  if (ws.jobs.length === 0) {
    output.line("No jobs in the config.");
    return EXIT_CODES.ok;
  }
  output.text(
    renderTable(
      [{ header: "JOB" }, { header: "CYCLE" }, { header: "RESULT" }, ...COUNT_COLUMNS.map((c) => ({ header: c.toUpperCase(), align: "right" as const })), { header: "NOTE", max: 80 }],
      outcomes.map((o) => [
        ws.jobLabel(o.job),
        o.report?.kind ?? "—",
        o.error ? "failed" : o.report!.summary.state,
        ...COUNT_COLUMNS.map((c) => (o.report ? formatCount(o.report.summary.counts[c]) : "—")),
        noteFor(o),
      ]),
    ),
  );
  if (code === EXIT_CODES.interrupted) output.line("Interrupted: the cycles stopped at a user boundary; what was done is recorded and the next run continues.");
  return code;
}

async function watch(context: CommandContext, ws: Workspace, output: Output): Promise<ExitCode> {
  let saving = Promise.resolve();
  const stamp = () => new Date().toISOString().replace("T", " ").slice(0, 19);
  for (const job of ws.jobs) {
    const label = ws.jobLabel(job);
    job.on("cycleStarted", (e) => {
      if (output.json) output.line(JSON.stringify({ event: "cycleStarted", time: new Date().toISOString(), jobId: job.id, cycleId: e.cycleId, kind: e.kind }));
      else output.note(`${stamp()}  ${label}: ${e.kind} cycle started`);
    });
    job.on("cycleCompleted", (e) => {
      const c = e.summary.counts;
      if (output.json) output.line(JSON.stringify({ event: "cycleCompleted", time: new Date().toISOString(), jobId: job.id, summary: e.summary }));
      else {
        const done = COUNT_COLUMNS.filter((k) => c[k] > 0).map((k) => `${formatCount(c[k])} ${k}`);
        output.line(`${stamp()}  ${label}: ${e.summary.kind} cycle ${e.summary.state}${done.length ? ` — ${done.join(", ")}` : " — nothing to do"}${e.summary.error ? ` (${e.summary.error.code}: ${e.summary.error.message})` : ""}`);
      }
      saving = saving.then(() => ws.save()).catch((error) => output.warn(`could not save memory tenants: ${(error as Error).message}`));
    });
    job.on("quarantined", (e) => {
      if (output.json) output.line(JSON.stringify({ event: "quarantined", time: new Date().toISOString(), jobId: job.id, quarantine: e.quarantine }));
      else output.warn(`${label}: quarantined — ${e.quarantine.reason}: ${e.quarantine.message} (next attempt ${e.quarantine.nextAttemptAt})`);
    });
  }
  if (output.json) output.line(JSON.stringify({ event: "watching", time: new Date().toISOString(), jobs: ws.jobs.map((j) => ({ id: j.id, interval: j.config.schedule.interval, trigger: j.config.schedule.trigger })) }));
  else {
    output.note(`watching ${ws.jobs.length} job${ws.jobs.length === 1 ? "" : "s"}: ${ws.jobs.map((j) => `${ws.jobLabel(j)} every ${j.config.schedule.interval}${j.config.schedule.trigger === "changes" ? " and on source changes" : ""}`).join("; ")}`);
    output.note("press Ctrl-C to stop (a running cycle stops at the next user boundary; its state is kept)");
  }
  for (const job of ws.jobs) job.start();
  await new Promise<void>((resolve) => {
    if (context.signal.aborted) return resolve();
    context.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  if (!output.json) output.note("stopping…");
  await Promise.all(ws.jobs.map((j) => j.stop()));
  await saving;
  if (!output.json) output.note("stopped; the state is saved");
  return EXIT_CODES.ok;
}

/** `tenantsync run`: one cycle of each job, or `--watch` to keep running them. */
export const runCommand: Command = {
  name: "run",
  summary: "run one cycle of each job now, or --watch to keep running them on their schedule",
  usage: "run [--job <id>…] [--watch] [--json]",
  description:
    "Runs one cycle of each selected job (full the first time or after a restart, incremental from the watermark after that), with a progress bar per job and a summary table. With --watch, keeps running cycles on each job's schedule (schedule.interval; with schedule.trigger \"changes\" also as soon as the source changes) until Ctrl-C or SIGTERM; with --json it prints one JSON object per line per event. Ctrl-C stops a running cycle at the next user boundary; what was done is recorded and the next run continues from there.",
  options: { watch: { type: "boolean", short: "w" } },
  optionHelp: { watch: "keep running cycles on the schedule until Ctrl-C (exit code 0 on a clean stop)" },
  positionals: null,
  usesConfig: true,
  async run(context) {
    return withWorkspace(context, { writes: true }, (ws, output) => (context.values["watch"] === true ? watch(context, ws, output) : runOnce(context, ws, output)));
  },
};
