import {
  DirectoryUser as DirectoryUserSchema,
  Tenant as TenantSchema,
  createManualClock,
  type CreateExternalUserInput,
  type DirectoryCapabilities,
  type DirectoryPort,
  type DirectoryUser,
  type Tenant,
  type UserAttributes,
  type WriteOptions,
} from "@tenantsync/core";
import type { DirectoryFactoryContext, DirectoryProbe, SeedUserInput } from "./directory-probe.ts";

/** The fixed tenants of the kit's factory context. */
export const KIT_SOURCE_TENANT_ID = "5ca1ab1e-0000-4000-8000-00000000c0de";
export const KIT_UNTRUSTED_TENANT_ID = "badc0ffe-0000-4000-8000-00000000dead";
/** The domain of the source users the kit writes (their UPNs before the target derives its own). */
export const KIT_SOURCE_DOMAIN = "source.example.com";

/** How a fixture is made: the user's factory, probe and options. */
export interface DirectoryFixtureSource<T extends DirectoryPort> {
  create: (context: DirectoryFactoryContext) => T | Promise<T>;
  probe: (directory: T, context: DirectoryFactoryContext) => DirectoryProbe | Promise<DirectoryProbe>;
  destroy?: ((directory: T, context: DirectoryFactoryContext) => void | Promise<void>) | undefined;
  capabilities?: Partial<DirectoryCapabilities> | undefined;
  ignoreFields?: ReadonlyArray<keyof DirectoryUser> | undefined;
}

/**
 * One test's world: a fresh directory, its probe, the factory context, the
 * capabilities the kit holds the adapter to, and helpers that seed and write
 * users with unique names. Your `additionalTests` get one from `kit.fixture()`.
 *
 * @example
 * ```ts
 * const fx = await kit.fixture();
 * const user = await fx.directory.createExternalUser(fx.externalInput(), fx.write);
 * expect((await fx.probe.getUser(user.id))?.origin).toBe("external");
 * ```
 */
export interface DirectoryFixture<T extends DirectoryPort = DirectoryPort> {
  directory: T;
  probe: DirectoryProbe;
  context: DirectoryFactoryContext;
  capabilities: DirectoryCapabilities;
  /** What describe() said (read once when the fixture was made). */
  tenant: Tenant;
  /** Write options on behalf of the trusted source tenant. */
  write: WriteOptions;
  /** Fields left out of user comparisons (the suite's `ignoreFields`). */
  ignoreFields: ReadonlySet<string>;
  /** A fresh number, for unique names within this fixture. */
  next(): number;
  /** Seeds an internal member through the probe (unique UPN and mail in the tenant's domain). */
  seedMember(overrides?: Partial<SeedUserInput>): Promise<DirectoryUser>;
  /** Seeds, through the probe, an external user that sync from the source tenant made earlier. */
  seedSynced(overrides?: Partial<SeedUserInput>): Promise<DirectoryUser>;
  /** The input createExternalUser gets for a new source user (unique source UPN and alternativeSecurityId). */
  externalInput(attributes?: UserAttributes, userType?: "Member" | "Guest"): CreateExternalUserInput;
  /** Creates an external user through the adapter. */
  createExternal(attributes?: UserAttributes, userType?: "Member" | "Guest"): Promise<DirectoryUser>;
  /** Another fresh fixture from the same factory (released with this one). */
  fresh(): Promise<DirectoryFixture<T>>;
  /** Releases this fixture (and the fresh ones it made). */
  release(): Promise<void>;
}

/** A v4-shaped GUID made from a number, for deterministic source object ids. */
export function guidOf(n: number, prefix = "0000a11d"): string {
  return `${prefix}-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
}

/**
 * Makes a fixture: calls the factory with a fresh context, then the probe,
 * then describe() once (a tenant the kit can name users in).
 */
export async function makeDirectoryFixture<T extends DirectoryPort>(source: DirectoryFixtureSource<T>): Promise<DirectoryFixture<T>> {
  const context: DirectoryFactoryContext = Object.freeze({
    sourceTenantId: KIT_SOURCE_TENANT_ID,
    untrustedTenantId: KIT_UNTRUSTED_TENANT_ID,
    clock: createManualClock({ start: "2026-01-01T00:00:00Z" }),
  });
  const directory = await source.create(context);
  const children: Array<DirectoryFixture<T>> = [];
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    for (const child of children) await child.release();
    await source.destroy?.(directory, context);
  };
  try {
    const probe = await source.probe(directory, context);
    const described = await directory.describe();
    const parsed = TenantSchema.safeParse(described);
    if (!parsed.success) {
      throw new Error(`describe() returned an invalid tenant: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(tenant)"}: ${i.message}`).join("; ")}`);
    }
    const tenant = parsed.data;
    const domain = tenant.verifiedDomains[0]!;
    const capabilities: DirectoryCapabilities = { ...directory.capabilities, ...source.capabilities };
    const write: WriteOptions = { sourceTenantId: context.sourceTenantId };
    let counter = 0;
    const next = () => ++counter;
    const fixture: DirectoryFixture<T> = {
      directory,
      probe,
      context,
      capabilities,
      tenant,
      write,
      ignoreFields: new Set(source.ignoreFields ?? []),
      next,
      seedMember(overrides = {}) {
        const n = next();
        return probe.seedUser({
          userPrincipalName: `kit.member${n}@${domain}`,
          mail: `kit.member${n}@${domain}`,
          mailNickname: `kit.member${n}`,
          displayName: `Kit Member ${n}`,
          givenName: "Kit",
          surname: `Member ${n}`,
          department: "Sales",
          userType: "Member",
          origin: "internal",
          ...overrides,
        });
      },
      seedSynced(overrides = {}) {
        const n = next();
        return probe.seedUser({
          userPrincipalName: `kit.synced${n}_${KIT_SOURCE_DOMAIN}#EXT#@${domain}`,
          mail: `kit.synced${n}@${KIT_SOURCE_DOMAIN}`,
          mailNickname: `kit.synced${n}_${KIT_SOURCE_DOMAIN}#EXT#`,
          displayName: `Kit Synced ${n}`,
          userType: "Member",
          origin: "external",
          homeTenantId: context.sourceTenantId,
          alternativeSecurityId: { tenantId: context.sourceTenantId, userId: guidOf(n, "5eed0000") },
          ...overrides,
        });
      },
      externalInput(attributes = {}, userType = "Member") {
        const n = next();
        return {
          alternativeSecurityId: { tenantId: context.sourceTenantId, userId: guidOf(n) },
          userType,
          attributes: { userPrincipalName: `kit.external${n}@${KIT_SOURCE_DOMAIN}`, displayName: `Kit External ${n}`, ...attributes },
        };
      },
      createExternal(attributes, userType) {
        return directory.createExternalUser(fixture.externalInput(attributes, userType), write);
      },
      async fresh() {
        const child = await makeDirectoryFixture(source);
        children.push(child);
        return child;
      },
      release,
    };
    return fixture;
  } catch (error) {
    await release();
    throw error;
  }
}

/**
 * A user as the kit compares it: validated by core's schema (a failure names
 * every bad field), tenant ids lower-cased, extension keys with null values
 * dropped, ignored fields removed.
 */
export function comparableUser(user: unknown, ignore: ReadonlySet<string>, what: string): Record<string, unknown> {
  const parsed = DirectoryUserSchema.safeParse(user);
  if (!parsed.success) {
    throw new Error(`${what} is not a valid DirectoryUser: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(user)"}: ${i.message}`).join("; ")}`);
  }
  const u = parsed.data;
  const out: Record<string, unknown> = {
    ...u,
    homeTenantId: u.homeTenantId?.toLowerCase() ?? null,
    alternativeSecurityId: u.alternativeSecurityId ? { tenantId: u.alternativeSecurityId.tenantId.toLowerCase(), userId: u.alternativeSecurityId.userId } : null,
    extensions: Object.fromEntries(
      Object.entries(u.extensions)
        .filter(([, v]) => v !== null)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    ),
  };
  for (const field of ignore) delete out[field];
  return out;
}

/** Validates a user with core's schema (failing with every bad field) and returns it parsed. */
export function validUser(user: unknown, what: string): DirectoryUser {
  const parsed = DirectoryUserSchema.safeParse(user);
  if (!parsed.success) {
    throw new Error(`${what} is not a valid DirectoryUser: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(user)"}: ${i.message}`).join("; ")}`);
  }
  return parsed.data;
}
