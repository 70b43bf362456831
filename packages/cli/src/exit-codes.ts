/**
 * The exit codes of `tenantsync`, for scripts.
 *
 * | code | name | when |
 * | --- | --- | --- |
 * | 0 | `ok` | the command did what was asked |
 * | 1 | `failure` | an error stopped it (a directory unreachable, credentials refused before any cycle, a cycle that failed, `simulate` not converging) |
 * | 2 | `usage` | a bad command line or configuration file (nothing was done) |
 * | 3 | `blocked` | a job is quarantined, or its cycle was blocked (trust settings missing, deletions held by the guard) |
 * | 4 | `partial` | the work ran, but some users failed (escrowed, or an on-demand step failed) |
 * | 130 | `interrupted` | Ctrl-C stopped a cycle at a user boundary; the state is kept and the next run continues |
 *
 * @example
 * ```ts
 * if (code === EXIT_CODES.blocked) alert("a tenantsync job is quarantined");
 * ```
 */
export const EXIT_CODES = Object.freeze({
  ok: 0,
  failure: 1,
  usage: 2,
  blocked: 3,
  partial: 4,
  interrupted: 130,
} as const);

/**
 * One of {@link EXIT_CODES}.
 *
 * @example
 * ```ts
 * const code: ExitCode = await runCli(["status"], io);
 * ```
 */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/**
 * The most severe of several exit codes: interrupted > usage > failure > blocked > partial > ok.
 *
 * @example
 * ```ts
 * worstExitCode([EXIT_CODES.partial, EXIT_CODES.blocked]); // 3
 * ```
 */
export function worstExitCode(codes: readonly ExitCode[]): ExitCode {
  const rank: Record<number, number> = { 0: 0, 4: 1, 3: 2, 1: 3, 2: 4, 130: 5 };
  let worst: ExitCode = EXIT_CODES.ok;
  for (const c of codes) if ((rank[c] ?? 0) > (rank[worst] ?? 0)) worst = c;
  return worst;
}
