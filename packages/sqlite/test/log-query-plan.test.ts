import type { LogQuery } from "@tenantsync/core/port";
import { describe, expect, it } from "vitest";
import { buildLogQuery } from "../src/log-query.ts";
import { openStore, rawDb, tempDbPath } from "./helpers.ts";

/** SQLite's plan for a log query, as one line per step. */
function planOf(path: string, query: LogQuery, jobKey: number | null): string[] {
  const { sql, params } = buildLogQuery(query, jobKey, 100);
  return (rawDb(path).prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail);
}

describe("log query plans", () => {
  const cases: Array<[string, LogQuery, number | null, RegExp]> = [
    ["job", { jobId: "j" }, 1, /^SEARCH logs USING INDEX logs_job_time \(job_key=\?\)$/],
    ["job since", { jobId: "j", since: "2026" }, 1, /^SEARCH logs USING INDEX logs_job_time \(job_key=\? AND time>\?\)$/],
    ["job and cycle", { jobId: "j", cycleId: "c" }, 1, /^SEARCH logs USING INDEX logs_cycle_time \(cycle_id=\?\)$/],
    ["cycle", { cycleId: "c" }, null, /^SEARCH logs USING INDEX logs_cycle_time \(cycle_id=\?\)$/],
    ["job and status", { jobId: "j", status: "failure" }, 1, /^SEARCH logs USING INDEX logs_job_status_time \(job_key=\? AND status=\?\)$/],
    ["job, status and action", { jobId: "j", status: "failure", action: "create" }, 1, /^SEARCH logs USING INDEX logs_job_status_time \(job_key=\? AND status=\?\)$/],
    ["job and action", { jobId: "j", action: "delete", since: "2026" }, 1, /^SEARCH logs USING INDEX logs_job_action_time \(job_key=\? AND action=\? AND time>\?\)$/],
    ["since, across jobs", { since: "2026" }, null, /^SEARCH logs USING INDEX logs_time \(time>\?\)$/],
  ];

  it.each(cases)("%s: one index search that yields rows newest first (no sort, no table scan)", (_name, query, jobKey, expected) => {
    const path = tempDbPath();
    openStore({ path });
    const plan = planOf(path, query, jobKey);
    expect(plan).toHaveLength(1);
    expect(plan[0]).toMatch(expected);
  });

  it("a user's entries come from the source-user and target-user indexes, then rowid lookups", () => {
    const path = tempDbPath();
    openStore({ path });
    for (const query of [{ userId: "u" }, { jobId: "j", userId: "00000000-0000-4000-8000-000000000001", cycleId: "c", status: "failure" as const }]) {
      const plan = planOf(path, query, query.jobId ? 1 : null).join(" | ");
      expect(plan).toContain("SEARCH logs USING INTEGER PRIMARY KEY (rowid=?)");
      expect(plan).toContain("SEARCH logs USING COVERING INDEX logs_source_user_time (source_user_id=?)");
      expect(plan).toContain("SEARCH logs USING COVERING INDEX logs_target_user_time (target_user_id=?)");
      expect(plan).not.toMatch(/SCAN logs(?! USING)/);
    }
  });

  it("the whole log, across jobs, is a walk of the time index", () => {
    const path = tempDbPath();
    openStore({ path });
    expect(planOf(path, {}, null)).toEqual(["SCAN logs USING INDEX logs_time"]);
  });
});
