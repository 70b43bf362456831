import type { SyncJob } from "@tenantsync/core";
import { EXIT_CODES } from "../exit-codes.ts";
import { COUNT_COLUMNS, formatCount, formatDuration } from "../output/format.ts";
import type { ProgressBar, ProgressBars } from "../output/progress.ts";
import { renderTable } from "../output/table.ts";
import { runSimulation, type RoundChanges, type SimulationResult, type SimulationRound } from "../simulate/simulation.ts";
import type { Command } from "./command.ts";
import { intOption, numberOption } from "./parse-options.ts";

function describeChanges(c: RoundChanges | null): string {
  if (!c) return "initial sync";
  const parts = [
    c.joiners && `${formatCount(c.joiners)} join`,
    c.movers && `${formatCount(c.movers)} move`,
    c.leavers && `${formatCount(c.leavers)} leave`,
    c.disables && `${formatCount(c.disables)} disable`,
    c.returns && `${formatCount(c.returns)} return`,
  ].filter(Boolean);
  return parts.length ? parts.join(" · ") : "no changes";
}

function cycleNote(counts: SimulationRound["counts"]): string {
  const parts = COUNT_COLUMNS.filter((k) => k !== "skipped" && counts[k] > 0).map((k) => `${formatCount(counts[k])} ${k}`);
  return parts.length ? `✓ ${parts.join(", ")}` : "✓ nothing to do";
}

/** `tenantsync simulate`: the demo — a hub and spokes in memory, churn, incremental cycles, a check. */
export const simulateCommand: Command = {
  name: "simulate",
  summary: "simulate a mesh of in-memory tenants: an initial sync, rounds of churn, a convergence check",
  usage: "simulate [--tenants 4] [--users 5000] [--rounds 5] [--seed 42] [--churn 0.01] [--json]",
  description:
    "Builds a hub and spokes in memory, filled with generated people (members with managers, departments and groups; a few guests and external users), syncs the hub's All Employees group into every spoke, then changes the hub round after round — joiners, movers, leavers (deleted or removed from the group), disables and returns — with an incremental cycle of every job after each round, and a last quiet round. Ends with a check that every spoke holds exactly the hub's people, current. Needs no config file. Deterministic for a seed.",
  options: {
    tenants: { type: "string" },
    users: { type: "string" },
    rounds: { type: "string" },
    seed: { type: "string" },
    churn: { type: "string" },
  },
  optionHelp: {
    tenants: "tenants in the mesh, the first one the hub (default 4: a hub and three spokes)",
    users: "internal members per tenant (default 5000: about 20,000 users in the default mesh)",
    rounds: "rounds of churn after the initial cycle (default 5)",
    seed: "seed of everything generated (default 42)",
    churn: "share of the hub's members that join per round; twice as many move, half as many leave, get disabled, return (default 0.01)",
  },
  positionals: null,
  usesConfig: false,
  async run({ values, output, signal }) {
    const options = {
      tenants: intOption(values, "tenants", 4, 2, 50),
      users: intOption(values, "users", 5000, 1, 1_000_000),
      rounds: intOption(values, "rounds", 5, 0, 1000),
      seed: intOption(values, "seed", 42, 0, 2 ** 31 - 1),
      churn: numberOption(values, "churn", 0.01, 0, 0.5),
      signal,
    };
    let bars: ProgressBars | null = null;
    const roundBars = new Map<string, ProgressBar>();
    let jobs: Array<{ job: SyncJob; label: string }> = [];
    // A full cycle learns its total as it reads; the hub's size is known up front.
    let expected = 0;
    let hubUsers = 0;
    const result: SimulationResult = await runSimulation(options, {
      ready(info) {
        jobs = info.jobs;
        if (output.json) return;
        const [hub, ...spokes] = info.tenants;
        hubUsers = hub!.users;
        const total = info.tenants.reduce((n, t) => n + t.users, 0);
        output.note(`tenantsync simulate — seed ${options.seed}: ${hub!.name} (hub) → ${spokes.map((s) => s.name).join(", ")}`);
        output.note(`${info.tenants.length} tenants, ${formatCount(total)} users (${formatCount(options.users)} members each, plus guests and external users); the jobs sync the hub's ${info.hubGroup} group\n`);
        for (const { job } of jobs) {
          job.on("cycleProgress", (e) => roundBars.get(job.id)?.update(e.done, Math.max(e.total, expected), e.phase));
        }
      },
      roundStarted(round, label, changes) {
        if (output.json) return;
        expected = round === 0 ? hubUsers : 0;
        output.note(round === 0 ? "initial cycle (full)" : `${label}: ${describeChanges(changes)}`);
        bars = output.progress();
        roundBars.clear();
        if (bars) for (const { job, label: l } of jobs) roundBars.set(job.id, bars.bar(`  ${l}`));
      },
      roundCompleted(round) {
        if (output.json) return;
        for (const { job } of jobs) {
          const counts = round.perJob[job.id];
          roundBars.get(job.id)?.finish(counts ? cycleNote(counts) : "");
        }
        (bars as ProgressBars | null)?.stop();
        bars = null;
        if (roundBars.size === 0) output.note(`  ${round.kind}: ${cycleNote(round.counts).slice(2)} in ${formatDuration(round.durationMs)}`);
      },
    });

    if (output.json) {
      output.data({ ok: result.converged, ...result });
      return result.interrupted ? EXIT_CODES.interrupted : result.converged ? EXIT_CODES.ok : EXIT_CODES.failure;
    }
    output.line("");
    output.line(`Rounds (counts are totals over the ${result.jobs.length} jobs):`);
    output.text(
      renderTable(
        [{ header: "ROUND" }, { header: "HUB CHANGES", max: 64 }, { header: "CYCLE" }, ...COUNT_COLUMNS.filter((c) => c !== "skipped").map((c) => ({ header: c.toUpperCase(), align: "right" as const })), { header: "TIME", align: "right" }],
        result.rounds.map((r) => [
          r.round === 0 ? "initial" : r.changes && Object.values(r.changes).every((v) => v === 0) ? "quiet" : String(r.round),
          describeChanges(r.changes),
          r.interrupted ? `${r.kind} (interrupted)` : r.kind,
          ...COUNT_COLUMNS.filter((c) => c !== "skipped").map((c) => formatCount(r.counts[c])),
          formatDuration(r.durationMs),
        ]),
      ),
    );
    output.line("");
    output.line(`Spokes, checked against the hub:`);
    output.text(
      renderTable(
        [{ header: "JOB" }, { header: "EXPECTED", align: "right" }, { header: "SYNCED", align: "right" }, { header: "ENABLED", align: "right" }, { header: "DISABLED", align: "right" }, { header: "IN BIN", align: "right" }, { header: "CHECK" }],
        result.checks.map((c, i) => [
          jobs[i]?.label ?? c.jobId,
          formatCount(c.expected),
          formatCount(c.synced),
          formatCount(c.enabled),
          formatCount(c.disabled),
          formatCount(c.inBin),
          result.interrupted ? "— interrupted" : c.converged ? "✓ converged" : `✗ ${formatCount(c.problemCount)} problems`,
        ]),
      ),
    );
    output.line("  expected: hub members in scope and enabled, each needing one live, enabled, current copy");
    if (!result.interrupted) for (const c of result.checks) for (const p of c.problems) output.line(`  ${c.target}: ${p}`);
    output.line("");
    if (result.interrupted) {
      output.line(`Interrupted after ${formatDuration(result.durationMs)}: cycles stopped at a user boundary.`);
      return EXIT_CODES.interrupted;
    }
    output.line(
      result.converged
        ? `Converged: every spoke holds exactly the hub's people in scope, current (${formatDuration(result.durationMs)}; replay with --seed ${result.seed}).`
        : `Not converged: see the problems above (replay with --seed ${result.seed}).`,
    );
    return result.converged ? EXIT_CODES.ok : EXIT_CODES.failure;
  },
};
