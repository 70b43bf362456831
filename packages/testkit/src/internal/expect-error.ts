import {
  AbortedError,
  CapabilityError,
  ConflictError,
  CursorExpiredError,
  InvalidValueError,
  NotFoundError,
  PolicyError,
  isTenantSyncError,
  type TenantSyncError,
} from "@tenantsync/core";

/** The typed errors of core the kit expects by name. */
export const EXPECTED_ERRORS = {
  NotFoundError: { type: NotFoundError, code: "NOT_FOUND" },
  ConflictError: { type: ConflictError, code: "CONFLICT" },
  InvalidValueError: { type: InvalidValueError, code: "INVALID_VALUE" },
  CursorExpiredError: { type: CursorExpiredError, code: "CURSOR_EXPIRED" },
  AbortedError: { type: AbortedError, code: "ABORTED" },
  CapabilityError: { type: CapabilityError, code: "CAPABILITY_MISSING" },
  PolicyError: { type: PolicyError, code: null },
} as const;

/** Name of an error the kit can expect. */
export type ExpectedErrorName = keyof typeof EXPECTED_ERRORS;

/**
 * True when `error` is the named core error: an instance of it, or (when the
 * adapter was built against another copy of core) a TenantSyncError with its
 * code (PolicyError: its name, since its codes vary).
 */
export function isExpectedError(error: unknown, name: ExpectedErrorName): error is TenantSyncError {
  const expected = EXPECTED_ERRORS[name];
  if (error instanceof expected.type) return true;
  if (!isTenantSyncError(error)) return false;
  return expected.code === null ? error.name === name : error.code === expected.code;
}

function describeValue(value: unknown): string {
  if (value instanceof Error) return `${value.name}${isTenantSyncError(value) ? ` (code ${value.code})` : ""}: ${value.message}`;
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.length > 300 ? `${text.slice(0, 300)}…` : text;
  } catch {
    return String(value);
  }
}

/**
 * Runs `action` and returns the error it rejects with, failing (with what
 * happened instead) unless that error is the named core error.
 */
export async function expectRejects(action: () => Promise<unknown>, name: ExpectedErrorName, what: string): Promise<TenantSyncError> {
  let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await action() };
  } catch (error) {
    outcome = { ok: false, error };
  }
  if (outcome.ok) throw new Error(`${what}: expected a rejection with ${name}, but it resolved with ${describeValue(outcome.value)}`);
  if (!isExpectedError(outcome.error, name)) {
    const error = new Error(`${what}: expected ${name}${EXPECTED_ERRORS[name].code ? ` (code ${EXPECTED_ERRORS[name].code})` : ""}, got ${describeValue(outcome.error)}`);
    (error as { cause?: unknown }).cause = outcome.error;
    throw error;
  }
  if (typeof outcome.error.message !== "string" || outcome.error.message.trim().length === 0) {
    throw new Error(`${what}: the ${name} has an empty message; say what failed and where`);
  }
  return outcome.error;
}

/** Every value of an async iterable, in order. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}
