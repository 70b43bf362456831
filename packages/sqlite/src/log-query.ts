import type { LogQuery } from "@tenantsync/core/port";
import { packId, type PackedId } from "./id-codec.ts";

/** A log query as SQL: the statement text (a cache key) and its parameters. */
export interface LogQuerySql {
  sql: string;
  params: Array<string | number | PackedId>;
}

/**
 * Builds the SQL of {@link StateStore.queryLogs}. The index is chosen here,
 * not left to the planner, so that every query shape has a known, cheap
 * plan whatever the data looks like (`INDEXED BY` makes SQLite refuse the
 * statement rather than fall back to a scan):
 *
 * - a user: the entries of that user through the source-user and target-user
 *   indexes (a user has few entries), then the other filters on those rows;
 * - a cycle: `(cycle_id, time)`;
 * - a job and a status: `(job_key, status, time)`; a job and an action:
 *   `(job_key, action, time)`; a job: `(job_key, time)`;
 * - no job: `(time)`.
 *
 * Every index ends in `time` (and implicitly `seq`), so "newest first" is a
 * backwards walk of the index and `LIMIT` stops it early; `since` is a range
 * on the same column.
 *
 * `jobKey` is the job's integer key (the caller resolves `query.jobId`).
 * `limit` must be a positive integer or -1 (no limit).
 */
export function buildLogQuery(query: LogQuery, jobKey: number | null, limit: number): LogQuerySql {
  const where: string[] = [];
  const params: Array<string | number | PackedId> = [];
  let from: string;
  if (query.userId) {
    const id = packId(query.userId);
    from =
      "logs NOT INDEXED WHERE seq IN (SELECT seq FROM logs INDEXED BY logs_source_user_time WHERE source_user_id = ? " +
      "UNION ALL SELECT seq FROM logs INDEXED BY logs_target_user_time WHERE target_user_id = ?)";
    params.push(id, id);
  } else if (query.cycleId) {
    from = "logs INDEXED BY logs_cycle_time WHERE cycle_id = ?";
    params.push(query.cycleId);
  } else if (jobKey !== null && query.status) {
    from = "logs INDEXED BY logs_job_status_time WHERE job_key = ? AND status = ?";
    params.push(jobKey, query.status);
  } else if (jobKey !== null && query.action) {
    from = "logs INDEXED BY logs_job_action_time WHERE job_key = ? AND action = ?";
    params.push(jobKey, query.action);
  } else if (jobKey !== null) {
    from = "logs INDEXED BY logs_job_time WHERE job_key = ?";
    params.push(jobKey);
  } else {
    from = "logs INDEXED BY logs_time WHERE 1";
  }
  // The remaining filters; repeating one the index already applies is harmless.
  if (jobKey !== null) {
    where.push("job_key = ?");
    params.push(jobKey);
  }
  if (query.userId && query.cycleId) {
    where.push("cycle_id = ?");
    params.push(query.cycleId);
  }
  if (query.action) {
    where.push("action = ?");
    params.push(query.action);
  }
  if (query.status) {
    where.push("status = ?");
    params.push(query.status);
  }
  if (query.since) {
    where.push("time >= ?");
    params.push(query.since);
  }
  params.push(limit);
  const sql = `SELECT entry FROM ${from}${where.map((w) => ` AND ${w}`).join("")} ORDER BY time DESC, seq DESC LIMIT ?`;
  return { sql, params };
}
