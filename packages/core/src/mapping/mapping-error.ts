import { TenantSyncError } from "../errors/errors.ts";

/**
 * A mapping failed for one user: its expression raised an error (for
 * example `Error("…")`, or `IIF` on an empty attribute), or its value does
 * not fit the target attribute (`accountEnabled` must be True or False).
 * Code `MAPPING_FAILED`; not retryable — the user stays in error until its
 * source data or the mapping changes. The engine records it for that user
 * and goes on with the cycle.
 *
 * @example
 * ```ts
 * try { compiled.evaluate(user); }
 * catch (e) { if (e instanceof MappingError) console.log(e.userId, e.targetAttributeName, e.mappingIndex); }
 * ```
 */
export class MappingError extends TenantSyncError {
  /** The source user whose mapping failed. */
  readonly userId: string;
  /** The target attribute of the failing mapping. */
  readonly targetAttributeName: string;
  /** Index of the failing mapping in the job's `attributeMappings` (or in the default set). */
  readonly mappingIndex: number;
  /** The mapping's source expression, as text. */
  readonly expression: string;

  constructor(message: string, details: { userId: string; targetAttributeName: string; mappingIndex: number; expression: string; cause?: unknown }) {
    super("MAPPING_FAILED", message, { retryable: false, cause: details.cause });
    this.userId = details.userId;
    this.targetAttributeName = details.targetAttributeName;
    this.mappingIndex = details.mappingIndex;
    this.expression = details.expression;
  }
}
