import { CliUsageError } from "../cli-error.ts";
import type { OptionValues } from "./command.ts";

/** An integer option (`--users 200`), checked against bounds. */
export function intOption(values: OptionValues, name: string, fallback: number, min: number, max: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const text = String(raw);
  if (!/^-?\d+$/.test(text)) throw new CliUsageError(`--${name} must be an integer, not '${text}'`);
  const n = Number(text);
  if (n < min || n > max) throw new CliUsageError(`--${name} must be between ${min} and ${max}, not ${n}`);
  return n;
}

/** A decimal option (`--churn 0.02`), checked against bounds. */
export function numberOption(values: OptionValues, name: string, fallback: number, min: number, max: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (String(raw).trim() === "" || !Number.isFinite(n)) throw new CliUsageError(`--${name} must be a number, not '${String(raw)}'`);
  if (n < min || n > max) throw new CliUsageError(`--${name} must be between ${min} and ${max}, not ${n}`);
  return n;
}

/** A repeatable string option as an array. */
export function listOption(values: OptionValues, name: string): string[] {
  const raw = values[name];
  if (raw === undefined) return [];
  return (Array.isArray(raw) ? raw : [String(raw)]).flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v.length > 0);
}

/** A string option, or undefined. */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const raw = values[name];
  if (raw === undefined || typeof raw === "boolean") return undefined;
  return Array.isArray(raw) ? raw[raw.length - 1] : raw;
}

/** One of a closed set of values. */
export function choiceOption<T extends string>(values: OptionValues, name: string, choices: readonly T[]): T | undefined {
  const v = stringOption(values, name);
  if (v === undefined) return undefined;
  if (!(choices as readonly string[]).includes(v)) throw new CliUsageError(`--${name} must be one of ${choices.join(", ")}, not '${v}'`);
  return v as T;
}

/**
 * A point in time: an ISO date/time, or a duration back from `now`
 * (`30m`, `2h`, `7d`, `1w`).
 */
export function sinceOption(values: OptionValues, name: string, now: Date): string | undefined {
  const v = stringOption(values, name);
  if (v === undefined) return undefined;
  const rel = /^(\d+)\s*(s|m|h|d|w)$/.exec(v.trim());
  if (rel) {
    const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[rel[2] as "s" | "m" | "h" | "d" | "w"];
    return new Date(now.getTime() - Number(rel[1]) * unit).toISOString();
  }
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new CliUsageError(`--${name} must be an ISO date/time (2026-01-31T08:00:00Z) or a duration back from now (30m, 2h, 7d), not '${v}'`);
  return new Date(t).toISOString();
}
