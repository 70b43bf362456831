import { TenantSyncError } from "@tenantsync/core";

/**
 * A mistake on the command line (unknown command or option, bad value,
 * missing argument) or an unusable config file path. Exit code 2.
 *
 * @example
 * ```ts
 * throw new CliUsageError("--limit must be a positive integer, not 'ten'");
 * ```
 */
export class CliUsageError extends TenantSyncError {
  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(options.code ?? "CLI_USAGE", message, { cause: options.cause });
  }
}
