/**
 * R28 dry-run property: in random states (reached by the lifecycle commands:
 * source changes, target-admin edits and deletes, trust changes, clock
 * advances), `plan()` writes nothing, the `runCycle()` that follows performs
 * exactly the planned writes (the plan's write actions against the "action"
 * events with status success — plus failure: a write the target refuses, such
 * as a manager whose account sits in the administrator's bin, was still
 * taken), and a second `plan()` has no write left. The
 * model of lifecycle-model.ts checks every cycle as well. The deletion guard
 * threshold stays at 500, far above these tenants, so the guard never holds
 * a planned deletion here (R25 has its own scenario test).
 *
 * Replay a failure: fast-check prints the seed and the path; run
 *   FC_SEED=<seed> FC_PATH=<path> npx vitest run --project lifecycle test/properties/dry-run
 */
import fc from "fast-check";
import type { PlannedAction } from "@tenantsync/core";
import { describe, it } from "vitest";
import { writeSignature } from "../support.ts";
import { assertNoProblems, initialUserArb, lifecycleCommands, setupLifecycleAfterFirstCycle, type CycleRunner } from "./lifecycle-commands.ts";

const numRuns = Number(process.env.FC_RUNS ?? 100);
const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;
const path = process.env.FC_PATH;

const describeActions = (actions: readonly PlannedAction[]) => actions.map((a) => `${a.kind}:${a.sourceId}${"reason" in a ? ` (${a.reason})` : ""}`).join("; ") || "none";

/** plan → runCycle → plan, checking R28 on the way. */
const dryRunThenRun: CycleRunner = async (w) => {
  const targetBefore = JSON.stringify(w.target.admin.snapshot());
  const jobBefore = JSON.stringify(await w.store.getJob(w.job.id));
  const plan = await w.job.plan();
  const problems: string[] = [];
  if (JSON.stringify(w.target.admin.snapshot()) !== targetBefore) problems.push("plan() wrote to the target");
  if (JSON.stringify(await w.store.getJob(w.job.id)) !== jobBefore) problems.push("plan() changed the job's state");
  const succeeded: PlannedAction[] = [];
  const failed: PlannedAction[] = [];
  const onAction = ({ action, status }: { action: PlannedAction; status: string }) => {
    if (status === "success") succeeded.push(action);
    if (status === "failure") failed.push(action);
  };
  w.job.on("action", onAction);
  const report = await w.job.runCycle();
  w.job.off("action", onAction);
  const planned = writeSignature(plan.actions);
  // A write the target refuses (a manager whose account sits in the administrator's bin) was
  // still taken: the plan is compared with the writes attempted, successes and failures.
  const done = writeSignature([...succeeded, ...failed]);
  if (JSON.stringify(planned) !== JSON.stringify(done)) {
    problems.push(`the run did not do what the plan said:\n    planned ${planned.join(", ") || "nothing"}\n    done    ${writeSignature(succeeded).join(", ") || "nothing"}\n    failed  ${describeActions(failed)}\n    plan    ${describeActions(plan.actions)}`);
  }
  const again = await w.job.plan();
  if (writeSignature(again.actions).length > 0) problems.push(`a second plan still has writes: ${describeActions(again.actions)}`);
  w.trace.push(`dry run: planned ${planned.length} writes${plan.blocked ? ` (blocked: ${plan.blocked.code})` : ""}`);
  assertNoProblems(problems, w, "R28: the dry run and the run disagree");
  return report;
};

describe("dry run", () => {
  it("R28 dry-run property: plan() writes nothing, the run then does exactly the planned writes, and a second plan is empty", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(initialUserArb, { minLength: 3, maxLength: 5 }),
        fc.commands(lifecycleCommands({ runner: dryRunThenRun }), { maxCommands: 25, size: "max" }),
        async (initial, commands) => {
          await fc.asyncModelRun(() => setupLifecycleAfterFirstCycle(initial, {}, dryRunThenRun), commands);
        },
      ),
      { numRuns, seed, path },
    );
  });
});
