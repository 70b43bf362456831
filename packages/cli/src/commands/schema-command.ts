import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { tenantSyncConfigJsonSchema } from "../config/tenantsync-config.ts";
import { EXIT_CODES } from "../exit-codes.ts";
import type { Command } from "./command.ts";
import { stringOption } from "./parse-options.ts";

/**
 * The schema file's text: the JSON Schema, two-space indented, with a final newline.
 *
 * @example
 * ```ts
 * await writeFile("tenantsync.schema.json", configSchemaText());
 * ```
 */
export function configSchemaText(): string {
  return `${JSON.stringify(tenantSyncConfigJsonSchema(), null, 2)}\n`;
}

/** `tenantsync schema`: prints (or writes) the config file's JSON Schema. */
export const schemaCommand: Command = {
  name: "schema",
  summary: "print the JSON Schema of the config file (for editors)",
  usage: "schema [--out tenantsync.schema.json]",
  description:
    'Prints the JSON Schema of the config file. Point "$schema" in your config at a copy (or at node_modules/@tenantsync/cli/schema/tenantsync.schema.json) and editors complete and check it.',
  options: { out: { type: "string", short: "o" } },
  optionHelp: { out: "write the schema to this file instead of printing it" },
  positionals: null,
  usesConfig: false,
  async run({ values, io, output }) {
    const out = stringOption(values, "out");
    if (!out) {
      output.text(configSchemaText());
      return EXIT_CODES.ok;
    }
    const path = resolve(io.cwd, out);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, configSchemaText(), "utf8");
    if (output.json) output.data({ ok: true, path });
    else output.note(`wrote ${path}`);
    return EXIT_CODES.ok;
  },
};
