import { describe, onTestFinished } from "vitest";
import type { StateStore } from "@tenantsync/core";
import { registerCases } from "../internal/conformance-case.ts";
import { stateStoreCases, stateStoreModelCase, type StateStoreCase } from "./state-store-cases.ts";
import { makeStateStoreFixture, type StateStoreFixture, type StateStoreProbe } from "./state-store-fixture.ts";
import { STATE_STORE_CONFORMANCE_TESTS, type StateStoreConformanceTest } from "./state-store-test-keys.ts";

/**
 * Options of {@link runStateStoreConformance}.
 *
 * @example
 * ```ts
 * const options: StateStoreConformanceOptions = { name: "memory", create: () => createMemoryStateStore(), disable: ["durability.reopen"] };
 * ```
 */
export interface StateStoreConformanceOptions<S extends StateStore = StateStore> {
  /** Names the suite: `<name> StateStore conformance`. */
  name: string;
  /** Makes a fresh, empty store for one test (and one per model-based run). */
  create: () => S | Promise<S>;
  /** The store's backdoor (optional): `reopen` enables the durability test. */
  probe?: (store: S) => StateStoreProbe | Promise<StateStoreProbe>;
  /** Releases what `create` made (close connections, delete files). */
  destroy?: (store: S) => void | Promise<void>;
  /** Tests to switch off, by key (type-checked; each title ends with its key). */
  disable?: readonly StateStoreConformanceTest[];
  /** Runs of the model-based property, each on a fresh store; `FC_RUNS` overrides. Default 30. */
  numRuns?: number;
  /** Your own tests, registered inside the suite; `fixture()` gives a fresh store released after the test. */
  additionalTests?: (kit: StateStoreKit<S>) => void;
}

/**
 * What {@link StateStoreConformanceOptions.additionalTests} gets.
 *
 * @example
 * ```ts
 * additionalTests: (kit) => it("vacuums", async () => { const { store, jobId } = await kit.fixture(); … }),
 * ```
 */
export interface StateStoreKit<S extends StateStore = StateStore> {
  /** A fresh store and helpers; released when the current test finishes. */
  fixture(): Promise<StateStoreFixture<S>>;
}

/** Every state store case, in registration order. */
export function stateStoreConformanceCases(options: { numRuns?: number | undefined } = {}): StateStoreCase[] {
  return [...stateStoreCases, stateStoreModelCase(options)];
}

/**
 * Registers the `StateStore` conformance suite with Vitest: job records,
 * links, escrows and the provisioning log read back as written (and are
 * copies), jobs are isolated, `deleteJob` and `pruneLogs` forget exactly
 * what they should, log queries filter and order newest first, a refused
 * write applies none of its parts, abort signals are honoured, data
 * survives a reopen (with `probe.reopen`), and random operation sequences
 * agree with a model.
 *
 * @example
 * ```ts
 * import { createMemoryStateStore } from "@tenantsync/core";
 * import { runStateStoreConformance } from "@tenantsync/testkit";
 *
 * runStateStoreConformance({ name: "memory", create: () => createMemoryStateStore(), disable: ["durability.reopen"] });
 * ```
 */
export function runStateStoreConformance<S extends StateStore>(options: StateStoreConformanceOptions<S>): void {
  if (!options || typeof options.create !== "function") throw new TypeError("runStateStoreConformance: options.create must be a function");
  const source = { create: options.create, probe: options.probe, destroy: options.destroy };
  describe(`${options.name} StateStore conformance`, () => {
    registerCases<StateStoreConformanceTest, StateStoreFixture<StateStore>>(stateStoreConformanceCases({ numRuns: options.numRuns }), {
      suite: `runStateStoreConformance(${options.name})`,
      known: STATE_STORE_CONFORMANCE_TESTS,
      disable: options.disable ?? [],
      setup: () => makeStateStoreFixture(source),
      teardown: (fixture) => fixture.release(),
    });
    if (options.additionalTests) {
      options.additionalTests({
        async fixture() {
          const fixture = await makeStateStoreFixture(source);
          onTestFinished(() => fixture.release());
          return fixture;
        },
      });
    }
  });
}
