/**
 * Engine defects the properties found and that are not fixed yet. Each entry
 * narrows one property (the model stops checking the one thing the defect
 * breaks) so that the committed tests pass; everything else stays checked.
 * When a defect is fixed, set its entry to false: the property then proves
 * the fix. The minimal reproduction of each is in the helper's report.
 */
export const KNOWN_DEFECTS = {
  /**
   * D2 (R15, R7): the engine's assignment tracker is loaded from the groups'
   * *current* members, which leave out users in the source bin. A user that
   * was deleted when the tracker loaded (any full cycle, or the first cycle of
   * a new job object / process) counts as unassigned after the source restores
   * it — the restore brings no membership change — so its target account
   * stays in the bin. The generator does not restore such users while this is
   * set.
   */
  d2RestoredUserLosesGroupAssignment: false,
  /**
   * D3 (R16): when the target's administrator soft-deleted an account, the
   * user left scope and the bin then purged the account, the user gets no new
   * account when it returns to scope (only a change of its mapped values or a
   * full cycle creates one). The engine does create one when a cycle looked at
   * the user out of scope *after* the purge. While this is set, the model
   * expects a new account on return only in that case.
   */
  d3NoNewAccountOnReturnAfterAdminPurge: false,
  /**
   * D4 (R20 beyond): when a manager's account is purged and the manager later
   * gets a new account (returns to scope, R16), its reports are not wired to
   * it (the engine only rewires reports it recorded as waiting). While this is
   * set, the model stops checking the manager of reports of a purged account
   * until they are next written.
   */
  d4ReportsNotRewiredToNewManagerAccount: false,
  /**
   * D6 (R23, ENGINE.md "transient errors are retried within the cycle
   * first"): reads were not retried within a cycle and a read that still
   * failed failed the whole cycle with an exception. Fixed in e8678a4; while
   * set, the fault storm hits only the target and tolerates cycles that throw
   * transient errors; set to false (now), it storms both tenants.
   */
  d6ReadsNotRetriedWithinCycle: false,
  /**
   * D8 (R20, R23; introduced by the D6 fix e8678a4): when the target read of
   * a user leaving scope fails and that user is escrowed, its link stays
   * active for the rest of the cycle, so a report whose manager it is gets
   * wired to it although the manager is out of scope in the source; the
   * account is soft-deleted at the retry and the report keeps pointing at it
   * ("left as it was"), where a run without the fault leaves the report
   * without a manager. While this is set, the fault storm treats a report
   * pointing at a manager in the bin as having no manager when the
   * fault-free world's report has none.
   */
  d8ReportWiredToManagerWhoseExitIsEscrowed: false,
  /**
   * D7 (R28): the dry run's manager writes differ from the run's when the
   * cycle itself changes the links involved. In plan mode the reference pass
   * reads the links, and the users waiting for a manager, as stored before
   * the cycle; the run's pass sees them after the cycle's actions. The plan
   * shows manager writes the run rightly does not make (the user or its
   * manager soft-deleted, parked by R14 or its link dropped in the same cycle;
   * the user's manager removed in the source in the same cycle) and misses
   * one it does make (a waiting user wired to a parked manager back in
   * scope). While this is set, the dry-run property adjusts for exactly these
   * (see d7Adjusted in dry-run.test.ts).
   */
  d7DryRunPlansManagerLeavingScope: false,
};
