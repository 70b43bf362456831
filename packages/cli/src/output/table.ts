/**
 * One column of a {@link renderTable} table.
 *
 * @example
 * ```ts
 * const columns: TableColumn[] = [{ header: "JOB" }, { header: "CREATED", align: "right" }];
 * ```
 */
export interface TableColumn {
  header: string;
  /** Default `left`; numbers read better `right`. */
  align?: "left" | "right";
  /** Longer cells are cut with `…`. Default 48. */
  max?: number;
}

function fit(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, Math.max(0, width - 1)).join("")}…`;
}

function pad(text: string, width: number, align: "left" | "right"): string {
  const gap = width - [...text].length;
  if (gap <= 0) return text;
  return align === "right" ? " ".repeat(gap) + text : text + " ".repeat(gap);
}

/**
 * Renders rows as a boxed table (Unicode box-drawing characters), one string
 * with a trailing newline. Cells are single-line; newlines become spaces.
 *
 * @example
 * ```ts
 * process.stdout.write(renderTable([{ header: "JOB" }, { header: "CREATED", align: "right" }], [["hub->spoke", "5,000"]]));
 * ```
 */
export function renderTable(columns: readonly TableColumn[], rows: ReadonlyArray<readonly string[]>): string {
  const cells = rows.map((row) => columns.map((c, i) => fit(String(row[i] ?? "").replace(/\s*\n\s*/g, " "), c.max ?? 48)));
  const widths = columns.map((c, i) => Math.max([...c.header].length, ...cells.map((r) => [...r[i]!].length)));
  const line = (l: string, m: string, r: string) => `${l}${widths.map((w) => "─".repeat(w + 2)).join(m)}${r}\n`;
  const row = (values: readonly string[]) => `│${values.map((v, i) => ` ${pad(v, widths[i]!, columns[i]!.align ?? "left")} `).join("│")}│\n`;
  let out = line("┌", "┬", "┐");
  out += row(columns.map((c) => c.header));
  out += line("├", "┼", "┤");
  for (const r of cells) out += row(r);
  out += line("└", "┴", "┘");
  return out;
}
