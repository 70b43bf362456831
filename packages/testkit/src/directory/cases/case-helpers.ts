import { expect } from "vitest";
import type { DirectoryCapabilities, DirectoryPort, DirectoryUser } from "@tenantsync/core";
import type { ConformanceCase } from "../../internal/conformance-case.ts";
import type { DirectoryProbe } from "../directory-probe.ts";
import { comparableUser, type DirectoryFixture } from "../directory-fixture.ts";
import type { DirectoryConformanceTest } from "../directory-test-keys.ts";

/** A directory conformance test. */
export type DirectoryCase = ConformanceCase<DirectoryConformanceTest, DirectoryFixture<DirectoryPort>>;

type BooleanCapability = Exclude<keyof DirectoryCapabilities, "writableAttributes">;
type OptionalProbeMember = Exclude<keyof DirectoryProbe, "seedUser" | "getUser" | "listUsers">;

/** Gate: the adapter declares these capabilities and the probe has these members. */
export function needs(capabilities: readonly BooleanCapability[], probe: readonly OptionalProbeMember[] = []): (fx: DirectoryFixture<DirectoryPort>) => string | null {
  return (fx) => {
    const reasons: string[] = [];
    const off = capabilities.filter((c) => !fx.capabilities[c]);
    if (off.length > 0) reasons.push(`the adapter declares ${off.map((c) => `capabilities.${c}`).join(", ")} false`);
    const missing = probe.filter((m) => typeof fx.probe[m] !== "function");
    if (missing.length > 0) reasons.push(`the probe has no ${missing.map((m) => `probe.${m}`).join(", ")}`);
    return reasons.length === 0 ? null : `not applicable: ${reasons.join("; ")}`;
  };
}

/** Expects two users to be the same user in the same state (ignored fields aside). */
export function expectSameUser(fx: DirectoryFixture<DirectoryPort>, actual: unknown, expected: unknown, what: string): void {
  expect(comparableUser(actual, fx.ignoreFields, what), what).toEqual(comparableUser(expected, fx.ignoreFields, `${what} (expected)`));
}

/** The stored user, failing when the backend has none. */
export async function stored(fx: DirectoryFixture<DirectoryPort>, id: string): Promise<DirectoryUser> {
  const user = await fx.probe.getUser(id);
  if (user === null) throw new Error(`the probe finds no user ${id} in the backend`);
  return user;
}

/** Ids of the users the backend holds, sorted, with their deleted state, to prove a failed call wrote nothing. */
export async function backendState(fx: DirectoryFixture<DirectoryPort>): Promise<Array<Record<string, unknown>>> {
  const users = await fx.probe.listUsers();
  return users.map((u) => comparableUser(u, fx.ignoreFields, `probe user ${u.id}`)).sort((a, b) => (String(a.id) < String(b.id) ? -1 : 1));
}

/** True when `value` is an ISO 8601 date-time string. */
export function isIsoDateTime(value: unknown): boolean {
  return typeof value === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(value) && Number.isFinite(Date.parse(value));
}

/** A GUID no test ever creates. */
export const UNKNOWN_ID = "0000dead-0000-4000-8000-000000000404";

/** A signal that is already aborted. */
export function abortedSignal(): AbortSignal {
  const controller = new AbortController();
  controller.abort(new Error("aborted by the conformance kit"));
  return controller.signal;
}

/** Sorted copy. */
export function sorted(values: Iterable<string>): string[] {
  return [...values].sort();
}
