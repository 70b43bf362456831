import type { z } from "zod";
import { ConfigError, type ConfigIssue } from "../errors/errors.ts";

/** Converts zod issues into {@link ConfigIssue}s (path + message). */
export function zodIssuesToConfigIssues(issues: readonly z.core.$ZodIssue[], prefix: ReadonlyArray<string | number> = []): ConfigIssue[] {
  return issues.map((issue) => ({
    path: [...prefix, ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))],
    message: issue.message,
  }));
}

/**
 * Parses `input` with `schema`; on failure throws one {@link ConfigError}
 * listing every issue with its JSON path.
 */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ConfigError(zodIssuesToConfigIssues(result.error.issues), what);
  return result.data;
}
