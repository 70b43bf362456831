import { jobIdOf } from "@tenantsync/core";
import { EXIT_CODES } from "../exit-codes.ts";
import { renderTable } from "../output/table.ts";
import type { Command } from "./command.ts";

/** `tenantsync validate`: checks the config file only (no tenant is contacted). */
export const validateCommand: Command = {
  name: "validate",
  summary: "check the config file (schema, ${ENV} variables, references between tenants and jobs)",
  usage: "validate [--config tenantsync.json] [--json]",
  description:
    "Reads the config file, replaces ${ENV} references, and validates it against the schema: every problem is reported with its JSON path ($.jobs[0].scope.mode). Contacts no tenant and opens no state. Exit code 0 when valid, 2 when not.",
  options: {},
  optionHelp: {},
  positionals: null,
  usesConfig: true,
  async run({ loadConfig, output }) {
    const loaded = await loadConfig();
    const { config } = loaded;
    if (output.json) {
      output.data({ ok: true, path: loaded.path, warnings: loaded.warnings, config: loaded.redactedView() });
      return EXIT_CODES.ok;
    }
    const adapters = new Map<string, number>();
    for (const t of config.tenants) adapters.set(t.adapter.type, (adapters.get(t.adapter.type) ?? 0) + 1);
    const name = (id: string) => config.tenants.find((t) => t.id.toLowerCase() === id.toLowerCase())?.name ?? id;
    output.line(`✓ ${loaded.path} is valid`);
    output.line(
      `  state: ${config.state.type === "sqlite" ? `sqlite ${loaded.resolvePath(config.state.path)}` : "memory (lost at exit)"}; ${config.tenants.length} tenant${config.tenants.length === 1 ? "" : "s"} (${[...adapters].map(([k, v]) => `${v} ${k}`).join(", ")}); ${config.jobs.length} job${config.jobs.length === 1 ? "" : "s"}`,
    );
    if (config.jobs.length > 0) {
      output.text(
        renderTable(
          [{ header: "JOB" }, { header: "SOURCE" }, { header: "TARGET" }, { header: "SCOPE" }, { header: "SCHEDULE" }],
          config.jobs.map((j) => [
            jobIdOf(j),
            name(j.sourceTenantId),
            name(j.targetTenantId),
            j.scope.mode === "all" ? "all users" : `${j.scope.users.length} users, ${j.scope.groups.length} groups`,
            `${j.schedule.interval}${j.schedule.trigger === "changes" ? " + on changes" : ""}`,
          ]),
        ),
      );
    }
    return EXIT_CODES.ok;
  },
};
