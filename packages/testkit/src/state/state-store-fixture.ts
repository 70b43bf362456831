import { newJobRecord, type Escrow, type JobRecord, type Link, type LogEntry, type StateStore } from "@tenantsync/core";

/**
 * The backdoor of a state store. Optional as a whole: a store's own reads are
 * its contract, and the kit checks them against each other. What a probe adds
 * is durability: `reopen` proves that what was written survives.
 *
 * @example
 * ```ts
 * probe: (store) => ({ reopen: async () => { await store.close(); return openSqliteStore({ path }); } })
 * ```
 */
export interface StateStoreProbe {
  /**
   * Closes the store and opens a new one over the same storage (a file, a
   * database), as a restarted process would. The kit then expects everything
   * written before to be there.
   */
  reopen?(): Promise<StateStore>;
}

/**
 * One test's world: a fresh store, its probe, and builders of valid records.
 *
 * @example
 * ```ts
 * const { store, jobId, link } = await kit.fixture();
 * const id = jobId();
 * await store.write(id, { putLinks: [link("s1")] });
 * ```
 */
export interface StateStoreFixture<S extends StateStore = StateStore> {
  store: S;
  probe: StateStoreProbe;
  /** A job id unique within this fixture. */
  jobId(): string;
  /** A valid link for `sourceId`. */
  link(sourceId: string, overrides?: Partial<Link>): Link;
  /** A valid escrow for `sourceId`. */
  escrow(sourceId: string, overrides?: Partial<Escrow>): Escrow;
  /** A valid log entry; entry `n` is stamped `n` seconds after 2026-01-01T00:00:00Z. */
  logEntry(jobId: string, n: number, overrides?: Partial<LogEntry>): LogEntry;
  /** A job record with a watermark. */
  jobRecord(jobId: string, overrides?: Partial<JobRecord>): JobRecord;
  /** Another fresh store from the same factory (released with this one). */
  fresh(): Promise<StateStoreFixture<S>>;
  release(): Promise<void>;
}

/** How fixtures are made. */
export interface StateStoreFixtureSource<S extends StateStore> {
  create: () => S | Promise<S>;
  probe?: ((store: S) => StateStoreProbe | Promise<StateStoreProbe>) | undefined;
  destroy?: ((store: S) => void | Promise<void>) | undefined;
}

/** The ISO time of log entry `n`: `n` seconds after 2026-01-01T00:00:00.000Z. */
export function logTime(n: number): string {
  return new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString();
}

/** Makes a fixture from the factory. */
export async function makeStateStoreFixture<S extends StateStore>(source: StateStoreFixtureSource<S>): Promise<StateStoreFixture<S>> {
  const store = await source.create();
  const children: Array<StateStoreFixture<S>> = [];
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    for (const child of children) await child.release();
    await source.destroy?.(store);
  };
  let jobs = 0;
  try {
    const probe = source.probe ? await source.probe(store) : {};
    const fixture: StateStoreFixture<S> = {
      store,
      probe,
      jobId: () => `kit-job-${++jobs}`,
      link: (sourceId, overrides = {}) => ({
        sourceId,
        targetId: `target-of-${sourceId}`,
        state: "active",
        softDeletedAt: null,
        fingerprint: `fp-${sourceId}`,
        disabledFlowed: false,
        managerSourceId: null,
        ...overrides,
      }),
      escrow: (sourceId, overrides = {}) => ({
        sourceId,
        action: "update",
        attempts: 1,
        firstFailureAt: logTime(0),
        nextAttemptAt: logTime(6 * 3600),
        error: { code: "TRANSIENT", message: `Graph answered 503 for ${sourceId}`, retryable: true },
        ...overrides,
      }),
      logEntry: (jobId, n, overrides = {}) => ({
        id: `${jobId}-log-${n}`,
        time: logTime(n),
        jobId,
        cycleId: "cycle-1",
        changeId: `change-${n}`,
        action: "update",
        status: "success",
        source: { tenantId: "11111111-1111-4111-8111-111111111111", userId: `source-${n}`, displayName: `User ${n}` },
        target: { tenantId: "22222222-2222-4222-8222-222222222222", userId: `target-${n}` },
        steps: [{ name: "action", status: "success", description: "updated", details: { n } }],
        modifiedProperties: [{ name: "jobTitle", oldValue: null, newValue: `Title ${n}` }],
        reason: null,
        error: null,
        durationMs: n,
        ...overrides,
      }),
      jobRecord: (jobId, overrides = {}) => ({
        ...newJobRecord(jobId),
        watermark: `cursor-${jobId}`,
        configFingerprint: "fp-config",
        state: "Active",
        ...overrides,
      }),
      async fresh() {
        const child = await makeStateStoreFixture(source);
        children.push(child);
        return child;
      },
      release,
    };
    return fixture;
  } catch (error) {
    await release();
    throw error;
  }
}
