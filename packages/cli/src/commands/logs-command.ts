import { jobIdOf, type LogAction, type LogEntry, type LogStatus } from "@tenantsync/core";
import { EXIT_CODES } from "../exit-codes.ts";
import { formatValue } from "../output/format.ts";
import { renderTable } from "../output/table.ts";
import { openStateStore, selectJobConfigs } from "../workspace.ts";
import type { Command } from "./command.ts";
import { choiceOption, intOption, listOption, sinceOption, stringOption } from "./parse-options.ts";

const ACTIONS: readonly LogAction[] = ["create", "update", "delete", "disable", "restore", "stagedDelete", "skip", "other"];
const STATUSES: readonly LogStatus[] = ["success", "warning", "failure", "skipped"];

/** `tenantsync logs`: the provisioning log, filtered. */
export const logsCommand: Command = {
  name: "logs",
  summary: "read the provisioning log (filter by job, cycle, user, action, status, time)",
  usage: "logs [--job <id>…] [--cycle <id>] [--user <id>] [--action create|update|delete|disable|restore|stagedDelete|skip|other] [--status success|warning|failure|skipped] [--since 2h] [--limit 50] [--details] [--json]",
  description:
    "Reads the provisioning log from the state store, newest first: one entry per action on one user, with its status, the source and target user, the reason or the error, and the modified properties (old → new; [Redact] for redacted values). Contacts no tenant.",
  options: {
    cycle: { type: "string" },
    user: { type: "string" },
    action: { type: "string" },
    status: { type: "string" },
    since: { type: "string" },
    limit: { type: "string" },
    details: { type: "boolean" },
  },
  optionHelp: {
    cycle: "only this cycle",
    user: "only this user (source or target id)",
    action: `only this action: ${ACTIONS.join(", ")}`,
    status: `only this status: ${STATUSES.join(", ")}`,
    since: "only entries at or after this time: ISO (2026-01-31T08:00:00Z) or a duration back from now (30m, 2h, 7d)",
    limit: "at most this many entries (default 50)",
    details: "also print each entry's modified properties and steps",
  },
  positionals: null,
  usesConfig: true,
  async run({ values, output, loadConfig }) {
    const loaded = await loadConfig();
    const jobs = selectJobConfigs(loaded, listOption(values, "job")).map(jobIdOf);
    const filterByJob = listOption(values, "job").length > 0;
    const query = {
      cycleId: stringOption(values, "cycle"),
      userId: stringOption(values, "user"),
      action: choiceOption(values, "action", ACTIONS),
      status: choiceOption(values, "status", STATUSES),
      since: sinceOption(values, "since", new Date()),
      limit: intOption(values, "limit", 50, 1, 100_000),
    };
    if (loaded.config.state.type === "memory") output.warn('the state is in memory ("state": { "type": "memory" }): no log is kept between commands');
    const state = await openStateStore(loaded);
    let entries: LogEntry[];
    try {
      if (filterByJob) {
        entries = [];
        for (const jobId of jobs) entries.push(...(await state.store.queryLogs({ ...query, jobId })));
        entries.sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0));
        entries = entries.slice(0, query.limit);
      } else {
        entries = await state.store.queryLogs(query);
      }
    } finally {
      await state.close();
    }
    if (output.json) {
      output.data({ ok: true, entries });
      return EXIT_CODES.ok;
    }
    if (entries.length === 0) {
      output.line("No log entries match.");
      return EXIT_CODES.ok;
    }
    output.text(
      renderTable(
        [{ header: "TIME" }, { header: "JOB", max: 30 }, { header: "ACTION" }, { header: "STATUS" }, { header: "USER", max: 40 }, { header: "TARGET", max: 38 }, { header: "DETAIL", max: 70 }],
        entries.map((e) => [
          e.time.replace("T", " ").slice(0, 19),
          e.jobId,
          e.action,
          e.status,
          e.source.displayName ? `${e.source.displayName} (${e.source.userId})` : e.source.userId,
          e.target.userId ?? "—",
          e.error ? `${e.error.code}: ${e.error.message}` : [e.reason, e.modifiedProperties.length ? `${e.modifiedProperties.length} propert${e.modifiedProperties.length === 1 ? "y" : "ies"}` : null].filter(Boolean).join(" · "),
        ]),
      ),
    );
    if (values["details"] === true) {
      for (const e of entries) {
        output.line(`${e.time} ${e.action} ${e.status} ${e.source.displayName ?? ""} (${e.source.userId}) → ${e.target.userId ?? "—"}  [job ${e.jobId}, cycle ${e.cycleId}]`);
        if (e.reason) output.line(`  reason: ${e.reason}`);
        if (e.error) output.line(`  error: ${e.error.code} ${e.error.message}${e.error.retryable ? " (retryable)" : ""}`);
        for (const p of e.modifiedProperties) output.line(`  ${p.name}: ${formatValue(p.oldValue)} → ${formatValue(p.newValue)}`);
        for (const s of e.steps) output.line(`  step ${s.name}: ${s.status} — ${s.description}`);
      }
    }
    output.line(`${entries.length} entr${entries.length === 1 ? "y" : "ies"}, newest first${entries.length === query.limit ? ` (--limit ${query.limit}; there may be more)` : ""}`);
    return EXIT_CODES.ok;
  },
};
