import type { Scenario } from "../lib/bench-row.ts";
import { changeToTargetLatency } from "./change-to-target-latency.ts";
import { expressionsDefaultMappings } from "./expressions-default-mappings.ts";
import { full100k } from "./full-100k.ts";
import { full1m } from "./full-1m.ts";
import { graphEmulatorInitial5k } from "./graph-emulator-initial-5k.ts";
import { incremental1000Changes } from "./incremental-1000-changes.ts";
import { stateBytesPerUser } from "./state-bytes-per-user.ts";

/** Every scenario, in the order `pnpm bench` runs them. */
export const SCENARIOS: readonly Scenario[] = [
  expressionsDefaultMappings,
  full100k,
  full1m,
  incremental1000Changes,
  stateBytesPerUser,
  changeToTargetLatency,
  graphEmulatorInitial5k,
];

/**
 * Scenarios that run in one process (they share the million-user fixture, in
 * this order: state-bytes-per-user drops the job's state, so it comes last).
 * Every other scenario gets a fresh process, so heaps do not mix.
 */
export const PROCESS_GROUPS: readonly (readonly string[])[] = [["full-1m", "incremental-1000-changes", "state-bytes-per-user"]];
