import type { ConfigIssue } from "@tenantsync/core";

/**
 * What {@link interpolateEnv} produced.
 *
 * @example
 * ```ts
 * const { value, issues } = interpolateEnv(JSON.parse(text), process.env);
 * ```
 */
export interface InterpolatedConfig {
  /** The value with every `${NAME}` replaced. */
  value: unknown;
  /** Problems (unset variables, bad references), each with its JSON path. */
  issues: ConfigIssue[];
  /** The values substituted from variables, with the variable name and the JSON path they landed at. */
  substitutions: Array<{ name: string; path: Array<string | number>; value: string }>;
}

const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Replaces `${NAME}` in every string of a parsed JSON value with the
 * environment variable `NAME`; `${NAME:-fallback}` uses `fallback` when the
 * variable is unset or empty; `$${` is a literal `${`. An unset variable
 * without a fallback is an issue at the string's JSON path (the value is
 * never echoed).
 *
 * @example
 * ```ts
 * interpolateEnv({ secret: "${GRAPH_SECRET}" }, { GRAPH_SECRET: "s3cr3t" }).value; // { secret: "s3cr3t" }
 * ```
 */
export function interpolateEnv(input: unknown, env: Readonly<Record<string, string | undefined>>): InterpolatedConfig {
  const issues: ConfigIssue[] = [];
  const substitutions: InterpolatedConfig["substitutions"] = [];
  const walk = (value: unknown, path: Array<string | number>): unknown => {
    if (typeof value === "string") {
      if (!value.includes("${")) return value;
      return value.replace(REFERENCE, (match, body: string | undefined) => {
        if (match === "$${") return "${";
        const text = body ?? "";
        const sep = text.indexOf(":-");
        const name = sep >= 0 ? text.slice(0, sep) : text;
        if (!NAME.test(name)) {
          issues.push({ path, message: `\${${name}} is not a valid environment variable reference (use \${NAME} or \${NAME:-default}; write $\${ for a literal \${)` });
          return match;
        }
        const found = env[name];
        if (found === undefined || (sep >= 0 && found === "")) {
          if (sep >= 0) return text.slice(sep + 2);
          issues.push({ path, message: `environment variable ${name} is not set` });
          return "";
        }
        substitutions.push({ name, path, value: found });
        return found;
      });
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, i]));
    if (value !== null && typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = walk(v, [...path, k]);
      return out;
    }
    return value;
  };
  const value = walk(input, []);
  return { value, issues, substitutions };
}
