import fc from "fast-check";
import { WRITE_ACTION_KINDS, createMemoryStateStore, createSyncJob, type DirectoryPort, type SyncJob, type SyncJobConfigInput, type Tenant } from "@tenantsync/core";
import { directory, type GeneratedDirectory } from "../arbitraries/directory-state-arbitrary.ts";
import { jobConfig, type JobConfigArbitraryOptions } from "../arbitraries/job-config-arbitrary.ts";
import { operations, type SourceOperation } from "../arbitraries/source-operations.ts";
import { backendState, needs, type DirectoryCase } from "../directory/cases/case-helpers.ts";
import { KIT_SOURCE_DOMAIN, KIT_SOURCE_TENANT_ID, type DirectoryFixture } from "../directory/directory-fixture.ts";
import { propertyRuns } from "../internal/conformance-case.ts";
import { createScenarioSource } from "./scenario-source.ts";

type Fx = DirectoryFixture<DirectoryPort>;

/** Options the convergence cases read from the suite. */
export interface ConvergenceCaseOptions {
  /** Runs of each convergence property (FC_RUNS overrides). Default 10. */
  convergenceRuns?: number | undefined;
}

/** The home tenant of the source's own external users (never synced, R2). */
const ELSEWHERE = "e15e0000-0000-4000-8000-0000000e15e0";
const PLACEHOLDER_TARGET = "7a7a7a7a-0000-4000-8000-000000000000";

interface Scenario {
  source: GeneratedDirectory;
  config: SyncJobConfigInput;
  ops: SourceOperation[];
}

function configOptions(fx: Fx, source: GeneratedDirectory): JobConfigArbitraryOptions {
  return {
    sourceTenantId: KIT_SOURCE_TENANT_ID,
    targetTenantId: PLACEHOLDER_TARGET,
    groupIds: source.groups.map((g) => g.id),
    userIds: source.users.map((u) => u.id),
    writableAttributes: fx.capabilities.writableAttributes,
  };
}

function scenarios(fx: Fx): fc.Arbitrary<Scenario> {
  return directory({ domain: KIT_SOURCE_DOMAIN, maxUsers: 8, maxGroups: 3, externalHomeTenantId: fc.constant(ELSEWHERE) }).chain((source) =>
    fc.record({
      source: fc.constant(source),
      // Mostly "all users" scope, so most scenarios put users in scope and give the adapter work.
      config: fc.oneof(
        { arbitrary: jobConfig({ ...configOptions(fx, source), scopeModes: ["all"] }), weight: 2 },
        { arbitrary: jobConfig({ ...configOptions(fx, source), scopeModes: ["assigned"] }), weight: 1 },
      ),
      ops: operations({ directory: source, domain: KIT_SOURCE_DOMAIN, maxLength: 8 }),
    }),
  );
}

/** Runs a cycle, requires that it succeeded, that a plan afterwards has nothing to write, and that a second cycle changes nothing. */
async function cycleToSteadyState(job: SyncJob, run: Fx, when: string): Promise<void> {
  const report = await job.runCycle();
  if (report.stopped !== null || report.summary.state !== "succeeded") {
    const failures = await job.logs({ cycleId: report.cycleId, status: "failure" });
    const lines = failures.slice(0, 5).map((e) => `  ${e.action} ${e.source.userId}: ${e.error?.code ?? ""} ${e.error?.message ?? e.reason ?? ""}`);
    throw new Error(
      `${when}: the cycle did not succeed (state ${report.summary.state}, stopped ${String(report.stopped)}${report.summary.error ? `, ${report.summary.error.code}: ${report.summary.error.message}` : ""})` +
        (lines.length > 0 ? `; failed actions:\n${lines.join("\n")}` : ""),
    );
  }
  const plan = await job.plan();
  const writes = plan.actions.filter((a) => WRITE_ACTION_KINDS.has(a.kind));
  if (plan.blocked !== null || writes.length > 0) {
    const lines = writes.slice(0, 5).map((a) => `  ${a.kind} ${a.sourceId}: ${a.reason}${"changes" in a ? ` ${JSON.stringify(a.changes)}` : ""}`);
    throw new Error(
      `${when}: after a successful cycle, plan() still has ${writes.length} write action(s)${plan.blocked ? ` (blocked: ${plan.blocked.message})` : ""}. The adapter's reads (getUser, findUsers) do not show what its writes stored:\n${lines.join("\n")}`,
    );
  }
  const before = await backendState(run);
  const again = await job.runCycle();
  if (again.summary.counts.exported !== 0) throw new Error(`${when}: the same cycle run again wrote ${again.summary.counts.exported} time(s); a converged target must need no writes`);
  const after = await backendState(run);
  if (JSON.stringify(after) !== JSON.stringify(before)) throw new Error(`${when}: the same cycle run again changed the backend`);
}

async function withScenario(fx: Fx, scenario: Scenario, body: (job: SyncJob, run: Fx, apply: (ops: readonly SourceOperation[]) => void) => Promise<void>): Promise<void> {
  const run = await fx.fresh();
  try {
    const tenant: Tenant = { id: KIT_SOURCE_TENANT_ID, displayName: "Kit Source", cloud: run.tenant.cloud, verifiedDomains: [KIT_SOURCE_DOMAIN] };
    const source = createScenarioSource(tenant, scenario.source, run.tenant.id);
    const job = createSyncJob({ source, target: run.directory, config: { ...scenario.config, targetTenantId: run.tenant.id }, clock: run.context.clock, store: createMemoryStateStore() });
    await body(job, run, (ops) => {
      run.context.clock.advance(3_600_000);
      source.apply(ops, run.context.clock.now().toISOString());
    });
  } finally {
    await run.release();
  }
}

/** Convergence through the engine: the adapter as a job's target, a kit-made source. */
export function convergenceCases(options: ConvergenceCaseOptions = {}): DirectoryCase[] {
  return [
    {
      key: "convergence.fromScratch",
      title: "for random source tenants and job configs, one cycle leaves nothing to plan, and the same cycle again changes nothing",
      requires: needs(["target"]),
      timeout: 300_000,
      async run(fx) {
        await fc.assert(
          fc.asyncProperty(scenarios(fx), (scenario) => withScenario(fx, scenario, (job, run) => cycleToSteadyState(job, run, "first cycle"))),
          { numRuns: propertyRuns(options.convergenceRuns, 10) },
        );
      },
    },
    {
      key: "convergence.afterSourceChanges",
      title: "after random source changes (updates, disables, deletes, restores, managers, memberships) the next cycle converges again",
      requires: needs(["target"]),
      timeout: 300_000,
      async run(fx) {
        await fc.assert(
          fc.asyncProperty(scenarios(fx), (scenario) =>
            withScenario(fx, scenario, async (job, run, apply) => {
              await cycleToSteadyState(job, run, "first cycle");
              apply(scenario.ops);
              await cycleToSteadyState(job, run, "cycle after source changes");
            }),
          ),
          { numRuns: propertyRuns(options.convergenceRuns, 10) },
        );
      },
    },
  ];
}
