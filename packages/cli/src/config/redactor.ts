/**
 * The text that replaces a secret in output.
 *
 * @example
 * ```ts
 * redactor.redact(text).includes(REDACTED_SECRET);
 * ```
 */
export const REDACTED_SECRET = "[redacted]";

/**
 * Replaces known secret values in any text before it is printed. The CLI
 * registers every value of a secret field (client secrets, certificate
 * passwords, static tokens) and every environment variable substituted into
 * the config whose name looks secret (`*SECRET*`, `*TOKEN*`, `*PASSWORD*`,
 * `*KEY*`), and passes all its output, including errors, through it.
 *
 * @example
 * ```ts
 * const redactor = createRedactor();
 * redactor.add("s3cr3t-value");
 * redactor.redact("token s3cr3t-value rejected"); // "token [redacted] rejected"
 * ```
 */
export interface Redactor {
  /** Registers a secret. Values shorter than 3 characters are ignored (they would mangle all output). */
  add(secret: string): void;
  /** `text` with every registered secret replaced by `[redacted]`. */
  redact(text: string): string;
  /** How many secrets are registered. */
  readonly size: number;
}

/**
 * Creates an empty {@link Redactor}.
 *
 * @example
 * ```ts
 * const redactor = createRedactor();
 * ```
 */
export function createRedactor(): Redactor {
  const secrets = new Set<string>();
  let sorted: string[] = [];
  return {
    add(secret) {
      if (typeof secret !== "string" || secret.length < 3 || secrets.has(secret)) return;
      secrets.add(secret);
      // Longest first, so a secret that contains another is replaced whole.
      sorted = [...secrets].sort((a, b) => b.length - a.length);
      // JSON output escapes some characters: register the escaped form too.
      const escaped = JSON.stringify(secret).slice(1, -1);
      if (escaped !== secret && !secrets.has(escaped)) {
        secrets.add(escaped);
        sorted = [...secrets].sort((a, b) => b.length - a.length);
      }
    },
    redact(text) {
      let out = text;
      for (const s of sorted) if (out.includes(s)) out = out.split(s).join(REDACTED_SECRET);
      return out;
    },
    get size() {
      return secrets.size;
    },
  };
}

/** Environment variable names whose values are treated as secrets wherever they are used. */
export const SECRET_ENV_NAME: RegExp = /SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|KEY/i;
