import { describe, onTestFinished } from "vitest";
import type { DirectoryCapabilities, DirectoryPort, DirectoryUser } from "@tenantsync/core";
import { registerCases } from "../internal/conformance-case.ts";
import { abortCases } from "./cases/abort-cases.ts";
import type { DirectoryCase } from "./cases/case-helpers.ts";
import { changeFeedCases } from "./cases/change-feed-cases.ts";
import { propertyCases } from "./cases/property-cases.ts";
import { describeCases, groupCases, readCases } from "./cases/source-cases.ts";
import { createCases, deleteCases, findCases, managerCases, trustCases, updateCases } from "./cases/target-cases.ts";
import { convergenceCases } from "../convergence/convergence-cases.ts";
import { makeDirectoryFixture, type DirectoryFixture } from "./directory-fixture.ts";
import type { DirectoryFactoryContext, DirectoryProbe } from "./directory-probe.ts";
import { DIRECTORY_CONFORMANCE_TESTS, type DirectoryConformanceTest } from "./directory-test-keys.ts";

/**
 * Options of {@link runDirectoryConformance}.
 *
 * @example
 * ```ts
 * const options: DirectoryConformanceOptions<MemoryDirectory> = {
 *   name: "memory",
 *   create: ({ clock }) => createMemoryDirectory({ tenant, clock }),
 *   probe: (directory) => memoryProbe(directory),
 * };
 * ```
 */
export interface DirectoryConformanceOptions<T extends DirectoryPort = DirectoryPort> {
  /** Names the suite: `<name> DirectoryPort conformance`. */
  name: string;
  /**
   * Makes a fresh directory for one test (see {@link DirectoryFactoryContext}
   * for what it must trust). Called once per test, and once per run of the
   * model-based property.
   */
  create: (context: DirectoryFactoryContext) => T | Promise<T>;
  /** The backdoor into the directory's backend (see {@link DirectoryProbe}). */
  probe: (directory: T, context: DirectoryFactoryContext) => DirectoryProbe | Promise<DirectoryProbe>;
  /** Releases what `create` made (close servers, delete files). Called after every test. */
  destroy?: (directory: T, context: DirectoryFactoryContext) => void | Promise<void>;
  /**
   * Overrides of the capabilities the kit holds the adapter to (default: the
   * adapter's own `capabilities`). Use it to test less than the adapter
   * claims while a feature is being built; the `capabilities.honest` test
   * still checks what the adapter itself declares.
   */
  capabilities?: Partial<DirectoryCapabilities>;
  /**
   * User fields your adapter cannot read back faithfully (for example
   * `createdDateTime` stamped by a remote server): left out of every
   * comparison of users.
   */
  ignoreFields?: ReadonlyArray<keyof DirectoryUser>;
  /** Tests to switch off, by key (type-checked; each title ends with its key). */
  disable?: readonly DirectoryConformanceTest[];
  /** Property runs (round trip); `FC_RUNS` in the environment overrides. Default 25. */
  numRuns?: number;
  /** Runs of the model-based property, each on a fresh directory; `FC_RUNS` overrides. Default 25. */
  modelRuns?: number;
  /** Runs of each convergence property (engine cycles against a fresh directory); `FC_RUNS` overrides. Default 10. */
  convergenceRuns?: number;
  /**
   * Your own tests, registered inside the suite's `describe`. `fixture()`
   * gives a fresh directory and probe (released after the test), exactly as
   * the kit's tests get them.
   */
  additionalTests?: (kit: DirectoryKit<T>) => void;
}

/**
 * What {@link DirectoryConformanceOptions.additionalTests} gets.
 *
 * @example
 * ```ts
 * additionalTests: (kit) => it("survives a restart", async () => { const { directory } = await kit.fixture(); … }),
 * ```
 */
export interface DirectoryKit<T extends DirectoryPort = DirectoryPort> {
  /** A fresh directory, probe and helpers; released when the current test finishes. */
  fixture(): Promise<DirectoryFixture<T>>;
}

/** Every case, in registration order. */
export function directoryCases(options: Pick<DirectoryConformanceOptions, "numRuns" | "modelRuns" | "convergenceRuns"> = {}): DirectoryCase[] {
  return [
    ...describeCases,
    ...readCases,
    ...groupCases,
    ...changeFeedCases,
    ...findCases,
    ...createCases,
    ...updateCases,
    ...managerCases,
    ...deleteCases,
    ...trustCases,
    ...abortCases,
    ...propertyCases({ numRuns: options.numRuns, modelRuns: options.modelRuns }),
    ...convergenceCases({ convergenceRuns: options.convergenceRuns }),
  ];
}

/**
 * Registers the `DirectoryPort` conformance suite with Vitest: every port
 * method and error contract (source reads and paging, groups, the change
 * feed with cursors and replay, matching, create/update/manager/soft
 * delete/restore with their conflicts and not-found errors, trust refusal,
 * abort signals), a random round trip of attribute writes, a model-based
 * run of random operation sequences, and convergence through the engine
 * (the adapter as a job's target: after a cycle, `plan()` is empty and the
 * same cycle again changes nothing). Each test gets a fresh
 * directory from `create` and checks results through `probe`, never through
 * the adapter's own reads alone. Tests the adapter's capabilities or probe
 * cannot support are skipped with a note saying why.
 *
 * Call it at the top level of a test file.
 *
 * @example
 * ```ts
 * import { runDirectoryConformance } from "@tenantsync/testkit";
 *
 * runDirectoryConformance({
 *   name: "json-file",
 *   create: ({ sourceTenantId }) => createJsonFileDirectory({ path: tempFile(), tenant, trust: [sourceTenantId] }),
 *   probe: (directory) => jsonFileProbe(directory.path),
 *   destroy: (directory) => rm(directory.path),
 *   disable: ["changes.membership"],
 * });
 * ```
 */
export function runDirectoryConformance<T extends DirectoryPort>(options: DirectoryConformanceOptions<T>): void {
  if (!options || typeof options.create !== "function" || typeof options.probe !== "function") {
    throw new TypeError("runDirectoryConformance: options.create and options.probe must be functions");
  }
  const source = { create: options.create, probe: options.probe, destroy: options.destroy, capabilities: options.capabilities, ignoreFields: options.ignoreFields };
  describe(`${options.name} DirectoryPort conformance`, () => {
    registerCases<DirectoryConformanceTest, DirectoryFixture<DirectoryPort>>(directoryCases(options), {
      suite: `runDirectoryConformance(${options.name})`,
      known: DIRECTORY_CONFORMANCE_TESTS,
      disable: options.disable ?? [],
      setup: () => makeDirectoryFixture(source),
      teardown: (fixture) => fixture.release(),
    });
    if (options.additionalTests) {
      options.additionalTests({
        async fixture() {
          const fixture = await makeDirectoryFixture(source);
          onTestFinished(() => fixture.release());
          return fixture;
        },
      });
    }
  });
}
