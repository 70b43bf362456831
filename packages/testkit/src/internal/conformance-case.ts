import { describe, it } from "vitest";

/**
 * One test of a conformance suite: a stable key (what `disable` names), a
 * title, an optional gate that says why the test cannot run against this
 * adapter, and the body.
 */
export interface ConformanceCase<Key extends string, Fixture> {
  key: Key;
  title: string;
  /** Returns why this test cannot run against the fixture (a missing capability or probe member), or null. */
  requires?: (fixture: Fixture) => string | null;
  run: (fixture: Fixture) => Promise<void>;
  /** Milliseconds; for property tests. A generous no-hang guard, never a performance assertion. */
  timeout?: number;
}

/** How {@link registerCases} gets and releases a fixture per test. */
export interface CaseRegistration<Key extends string, Fixture> {
  /** Keys the user switched off: these tests are not registered at all. */
  disable: readonly Key[];
  /** All keys of the suite, to refuse unknown `disable` entries early. */
  known: readonly Key[];
  suite: string;
  setup: () => Promise<Fixture>;
  teardown: (fixture: Fixture) => Promise<void>;
}

/**
 * Registers the cases as Vitest tests, grouped by the first segment of their
 * key (`getUser.unknownIsNull` → `describe("getUser")`). Each test gets a
 * fresh fixture and releases it afterwards; a gated test is skipped at run
 * time with the gate's reason as the skip note.
 */
export function registerCases<Key extends string, Fixture>(cases: ReadonlyArray<ConformanceCase<Key, Fixture>>, registration: CaseRegistration<Key, Fixture>): void {
  const known = new Set<string>(registration.known);
  const unknown = registration.disable.filter((k) => !known.has(k));
  if (unknown.length > 0) {
    throw new TypeError(`${registration.suite}: unknown test keys in disable: ${unknown.map((k) => JSON.stringify(k)).join(", ")}. Known keys: ${[...known].join(", ")}`);
  }
  const disabled = new Set<string>(registration.disable);
  const byArea = new Map<string, Array<ConformanceCase<Key, Fixture>>>();
  for (const c of cases) {
    if (disabled.has(c.key)) continue;
    const area = c.key.split(".")[0]!;
    const list = byArea.get(area) ?? [];
    list.push(c);
    byArea.set(area, list);
  }
  for (const [area, list] of byArea) {
    describe(area, () => {
      for (const c of list) {
        it(
          `${c.title} [${c.key}]`,
          async (context) => {
            const fixture = await registration.setup();
            try {
              const reason = c.requires?.(fixture) ?? null;
              if (reason !== null) context.skip(reason);
              await c.run(fixture);
            } finally {
              await registration.teardown(fixture);
            }
          },
          c.timeout,
        );
      }
    });
  }
}

/** Number of runs of a property: `FC_RUNS` from the environment, else the suite's option, else `fallback`. */
export function propertyRuns(option: number | undefined, fallback: number): number {
  const fromEnv = typeof process !== "undefined" ? process.env.FC_RUNS : undefined;
  const value = Number(fromEnv ?? option ?? fallback);
  return Number.isFinite(value) && value >= 1 ? Math.floor(value) : fallback;
}
