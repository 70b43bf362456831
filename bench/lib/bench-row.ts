/** One line of bench/results.json. */
export interface BenchRow {
  /** The scenario (`full-100k`, …) or `environment`. */
  name: string;
  metric: string;
  value: number;
  unit: string;
}

/**
 * A scenario of `pnpm bench`: a function that builds what it needs, measures,
 * and returns its rows. Scenarios that share an expensive fixture (the
 * million-user tenant) get it from {@link ScenarioContext.shared}, so running
 * them in one process builds it once, and each still runs alone.
 */
export interface Scenario {
  name: string;
  /** One line for the console. */
  description: string;
  run(context: ScenarioContext): Promise<BenchRow[]>;
}

/** What the runner gives every scenario. */
export interface ScenarioContext {
  /** Fixtures shared by the scenarios of one process (built on first use). */
  shared: Map<string, unknown>;
  /** Progress lines (stderr, so stdout stays machine-readable). */
  log(message: string): void;
}

/**
 * Builds a row, rounding the value to a sensible number of digits.
 *
 * @example
 * ```ts
 * row("full-100k", "usersPerSecond", 61234.5, "users/s");
 * ```
 */
export function row(name: string, metric: string, value: number, unit: string): BenchRow {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 1 ? 2 : 4;
  const f = 10 ** digits;
  return { name, metric, value: Math.round(value * f) / f, unit };
}
