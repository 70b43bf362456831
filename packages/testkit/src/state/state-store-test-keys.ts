/**
 * Every test of {@link runStateStoreConformance}, by key. Pass keys to
 * `disable` to switch tests off (type-checked); each title ends with its key.
 *
 * @example
 * ```ts
 * runStateStoreConformance({ name: "memory", create: () => createMemoryStateStore(), disable: ["durability.reopen"] });
 * ```
 */
export const STATE_STORE_CONFORMANCE_TESTS = [
  "jobs.unknownIsNull",
  "jobs.roundTrip",
  "jobs.copies",
  "jobs.isolated",
  "jobs.delete",
  "links.roundTrip",
  "links.overwrite",
  "links.delete",
  "links.listAll",
  "escrows.roundTrip",
  "escrows.delete",
  "logs.newestFirst",
  "logs.filters",
  "logs.limit",
  "logs.acrossJobs",
  "logs.prune",
  "write.partial",
  "write.atomic",
  "abort.everyCall",
  "durability.reopen",
  "properties.model",
] as const;

/**
 * The key of one test of the state store conformance suite. @see {@link STATE_STORE_CONFORMANCE_TESTS}
 *
 * @example
 * ```ts
 * const off: StateStoreConformanceTest[] = ["durability.reopen"];
 * ```
 */
export type StateStoreConformanceTest = (typeof STATE_STORE_CONFORMANCE_TESTS)[number];
