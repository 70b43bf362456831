import fc from "fast-check";
import { expect } from "vitest";
import type { DirectoryPort, DirectoryUser, UserAttributes } from "@tenantsync/core";
import { userAttributes } from "../../arbitraries/user-arbitraries.ts";
import { propertyRuns } from "../../internal/conformance-case.ts";
import { collect, isExpectedError, type ExpectedErrorName } from "../../internal/expect-error.ts";
import { KIT_SOURCE_DOMAIN, type DirectoryFixture } from "../directory-fixture.ts";
import { expectSameUser, needs, stored, type DirectoryCase } from "./case-helpers.ts";
import { canWrite, expectAttributesStored, writableOnly } from "./target-cases.ts";

type Fx = DirectoryFixture<DirectoryPort>;

/** Options the property cases read from the suite. */
export interface PropertyCaseOptions {
  /** Runs of the round-trip property (FC_RUNS overrides). */
  numRuns?: number | undefined;
  /** Runs of the model-based property, each on a fresh directory (FC_RUNS overrides). */
  modelRuns?: number | undefined;
  /** Most commands per model run. */
  maxCommands?: number | undefined;
}

/** The attributes after `changes` are written over `base` (extension keys merge; a null extension is kept as null = absent). */
function merged(base: UserAttributes, changes: UserAttributes): UserAttributes {
  const out: UserAttributes = { ...base, ...changes };
  if (base.extensions || changes.extensions) out.extensions = { ...base.extensions, ...changes.extensions };
  return out;
}

// ---------------------------------------------------------------- the model

/** The manager reference is unknown after a delete or restore touched either end (backends differ there). */
const UNKNOWN = Symbol("unknown manager");

interface ModelUser {
  id: string;
  synced: boolean;
  deleted: boolean;
  /** Attributes written (synced users) or seeded (internal users), compared as written. */
  attributes: UserAttributes;
  userPrincipalName: string;
  /** The source UPN it was created with (synced users). */
  sourceUserPrincipalName: string | null;
  mail: string | null;
  managerId: string | null | typeof UNKNOWN;
  alternativeSecurityId: { tenantId: string; userId: string } | null;
}

interface Model {
  users: ModelUser[];
}

interface Real {
  fx: Fx;
}

const live = (m: Model) => m.users.filter((u) => !u.deleted);
const synced = (m: Model) => m.users.filter((u) => u.synced);
const liveSynced = (m: Model) => m.users.filter((u) => u.synced && !u.deleted);
const pick = <T>(list: readonly T[], n: number): T => list[n % list.length]!;

/** Runs a call whose outcome the model predicts: success, or one of the named errors. */
async function outcome<T>(call: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return { ok: false, error };
  }
}

function expectError(result: { ok: boolean; error?: unknown }, names: readonly ExpectedErrorName[], what: string): void {
  if (result.ok) throw new Error(`${what}: the model expected ${names.join(" or ")}, but the call succeeded`);
  if (!names.some((n) => isExpectedError(result.error, n))) {
    const e = result.error as Error;
    throw new Error(`${what}: the model expected ${names.join(" or ")}, got ${e?.name}: ${e?.message}`);
  }
}

function expectOk<T>(result: { ok: true; value: T } | { ok: false; error: unknown }, what: string): T {
  if (!result.ok) {
    const e = result.error as Error;
    throw new Error(`${what}: the model expected success, got ${e?.name}: ${e?.message}`);
  }
  return result.value;
}

/** Checks a user read from the adapter or the probe against the model. */
function expectLikeModel(fx: Fx, user: DirectoryUser, m: ModelUser, what: string): void {
  expect(user.id, what).toBe(m.id);
  expect(user.deletedDateTime !== null, `${what}: deleted`).toBe(m.deleted);
  if (!fx.ignoreFields.has("userPrincipalName")) expect(user.userPrincipalName, `${what}: userPrincipalName`).toBe(m.userPrincipalName);
  if (!fx.ignoreFields.has("mail")) expect(user.mail ?? null, `${what}: mail`).toBe(m.mail);
  if (m.managerId !== UNKNOWN && !fx.ignoreFields.has("managerId") && fx.capabilities.manager) expect(user.managerId ?? null, `${what}: managerId`).toBe(m.managerId);
  if (m.synced) {
    expect(user.origin, `${what}: origin`).toBe("external");
    if (!fx.ignoreFields.has("alternativeSecurityId")) expect(user.alternativeSecurityId, `${what}: alternativeSecurityId`).toEqual(m.alternativeSecurityId);
  }
  expectAttributesStored(fx, user, m.attributes, what);
}

type Cmd = fc.AsyncCommand<Model, Real, boolean>;

function command(name: string, args: unknown, check: (m: Readonly<Model>) => boolean, run: (m: Model, r: Real) => Promise<void>): Cmd {
  return { check, run, toString: () => `${name}(${JSON.stringify(args)})` };
}

function modelCommands(fx: Fx): Array<fc.Arbitrary<Cmd>> {
  const caps = fx.capabilities;
  const extensions = canWrite(fx, "extensions");
  const writable = caps.writableAttributes;
  const commands: Array<fc.Arbitrary<Cmd>> = [
    // An internal member appears in the backend (the target's own staff).
    fc.constant(null).map(() =>
      command("SeedInternal", null, () => true, async (m, r) => {
        const user = await r.fx.seedMember();
        m.users.push({ id: user.id, synced: false, deleted: false, attributes: {}, userPrincipalName: user.userPrincipalName, sourceUserPrincipalName: null, mail: user.mail, managerId: null, alternativeSecurityId: null });
      }),
    ),
    // Sync creates an external user.
    fc.record({ attributes: userAttributes({ mode: "create", writableAttributes: writable, extensions }), userType: fc.constantFrom<"Member" | "Guest">("Member", "Guest") }).map(({ attributes, userType }) =>
      command("CreateExternal", { attributes, userType }, () => true, async (m, r) => {
        const input = r.fx.externalInput(attributes, userType);
        const created = expectOk(await outcome(() => r.fx.directory.createExternalUser(input, r.fx.write)), "createExternalUser");
        m.users.push({
          id: created.id,
          synced: true,
          deleted: false,
          attributes: { ...attributes, userType },
          userPrincipalName: created.userPrincipalName,
          sourceUserPrincipalName: String(input.attributes.userPrincipalName),
          mail: created.mail ?? null,
          managerId: null,
          alternativeSecurityId: input.alternativeSecurityId,
        });
        expectLikeModel(r.fx, created, m.users.at(-1)!, "createExternalUser's result");
      }),
    ),
    // Sync creates a second user for a live user's source UPN: a conflict.
    fc.nat().map((n) =>
      command("CreateDuplicate", n, (m) => liveSynced(m).length > 0, async (m, r) => {
        const original = pick(liveSynced(m), n);
        const input = r.fx.externalInput();
        const result = await outcome(() => r.fx.directory.createExternalUser({ ...input, attributes: { ...input.attributes, userPrincipalName: original.sourceUserPrincipalName! } }, r.fx.write));
        expectError(result, ["ConflictError"], `creating a duplicate of ${original.id}`);
      }),
    ),
  ];
  // Sync updates attributes (live: written; soft-deleted: NotFoundError). Listed twice: updates are what sync does most.
  const update = fc.record({ n: fc.nat(), changes: userAttributes({ mode: "update", writableAttributes: writable, extensions }) }).map(({ n, changes }) =>
      command("Update", { n, changes }, (m) => synced(m).length > 0, async (m, r) => {
        const u = pick(synced(m), n);
        const result = await outcome(() => r.fx.directory.updateUser(u.id, changes, r.fx.write));
        if (u.deleted) return expectError(result, ["NotFoundError"], `updating soft-deleted ${u.id}`);
        const returned = expectOk(result, `updating ${u.id}`);
        u.attributes = merged(u.attributes, changes);
        expectLikeModel(r.fx, returned, u, "updateUser's result");
      }),
  );
  commands.push(update, update);
  if (canWrite(fx, "mail")) {
    // Sync sets a mail: a fresh one, its own, or one another user holds.
    commands.push(
      fc.record({ n: fc.nat(), holder: fc.option(fc.nat(), { freq: 2 }) }).map(({ n, holder }) =>
        command("UpdateMail", { n, holder }, (m) => liveSynced(m).length > 0, async (m, r) => {
          const u = pick(liveSynced(m), n);
          const holders = m.users.filter((x) => x.mail !== null);
          const mail = holder === null || holders.length === 0 ? `kit.mail${r.fx.next()}@${KIT_SOURCE_DOMAIN}` : pick(holders, holder).mail!;
          const owners = m.users.filter((x) => x.id !== u.id && x.mail?.toLowerCase() === mail.toLowerCase());
          const result = await outcome(() => r.fx.directory.updateUser(u.id, { mail }, r.fx.write));
          if (owners.some((o) => !o.deleted)) return expectError(result, ["ConflictError"], `taking the mail of live user ${owners.find((o) => !o.deleted)!.id}`);
          // Held only by a soft-deleted user: backends differ (the bin may or may not reserve values).
          if (owners.length > 0 && !result.ok) return expectError(result, ["ConflictError"], `taking the mail of soft-deleted user ${owners[0]!.id}`);
          expectOk(result, `setting ${u.id}'s mail`);
          u.mail = mail;
          u.attributes = { ...u.attributes, mail };
        }),
      ),
    );
  }
  commands.push(
    // Sync soft-deletes (live: binned; already binned: NotFoundError).
    fc.nat().map((n) =>
      command("SoftDelete", n, (m) => synced(m).length > 0, async (m, r) => {
        const u = pick(synced(m), n);
        const result = await outcome(() => r.fx.directory.softDeleteUser(u.id, r.fx.write));
        if (u.deleted) return expectError(result, ["NotFoundError"], `soft-deleting soft-deleted ${u.id}`);
        expectOk(result, `soft-deleting ${u.id}`);
        u.deleted = true;
        u.managerId = UNKNOWN;
        for (const x of m.users) if (x.managerId === u.id) x.managerId = UNKNOWN;
      }),
    ),
  );
  if (caps.restore) {
    commands.push(
      fc.nat().map((n) =>
        command("Restore", n, (m) => synced(m).length > 0, async (m, r) => {
          const u = pick(synced(m), n);
          const result = await outcome(() => r.fx.directory.restoreUser(u.id, r.fx.write));
          if (!u.deleted) return expectError(result, ["NotFoundError"], `restoring live ${u.id}`);
          const clash = live(m).find((x) => (u.mail !== null && x.mail?.toLowerCase() === u.mail.toLowerCase()) || x.userPrincipalName.toLowerCase() === u.userPrincipalName.toLowerCase());
          if (clash) return expectError(result, ["ConflictError"], `restoring ${u.id} while live user ${clash.id} holds one of its unique values`);
          const restored = expectOk(result, `restoring ${u.id}`);
          u.deleted = false;
          for (const x of m.users) if (x.managerId === u.id) x.managerId = UNKNOWN;
          expectLikeModel(r.fx, restored, u, "restoreUser's result");
        }),
      ),
    );
  }
  if (caps.manager) {
    commands.push(
      fc.record({ n: fc.nat(), manager: fc.option(fc.nat(), { freq: 4 }) }).map(({ n, manager }) =>
        command("SetManager", { n, manager }, (m) => synced(m).length > 0, async (m, r) => {
          const u = pick(synced(m), n);
          const others = m.users.filter((x) => x.id !== u.id);
          const target = manager === null || others.length === 0 ? null : pick(others, manager);
          const result = await outcome(() => r.fx.directory.setManager(u.id, target?.id ?? null, r.fx.write));
          if (u.deleted) return expectError(result, ["NotFoundError"], `setting the manager of soft-deleted ${u.id}`);
          if (target?.deleted) return expectError(result, ["NotFoundError"], `making soft-deleted ${target.id} a manager`);
          expectOk(result, `setting the manager of ${u.id}`);
          u.managerId = target?.id ?? null;
        }),
      ),
    );
  }
  // Reads: the adapter and the backend agree with the model.
  commands.push(
    fc.nat().map((n) =>
      command("CheckBackend", n, (m) => m.users.length > 0, async (m, r) => {
        const u = pick(m.users, n);
        const user = await r.fx.probe.getUser(u.id);
        expect(user, `the probe lost user ${u.id}`).not.toBeNull();
        expectLikeModel(r.fx, user!, u, `the stored user ${u.id}`);
      }),
    ),
    fc.nat().map((n) =>
      command("CheckFind", n, (m) => synced(m).length > 0, async (m, r) => {
        const u = pick(synced(m), n);
        const found = await r.fx.directory.findUsers({ alternativeSecurityId: u.alternativeSecurityId! });
        expect(found.map((x) => x.id), `findUsers by ${u.id}'s alternativeSecurityId`).toEqual(u.deleted ? [] : [u.id]);
        if (!u.deleted) expectLikeModel(r.fx, found[0]!, u, "the user findUsers found");
        if (caps.restore) {
          const all = await r.fx.directory.findUsers({ alternativeSecurityId: u.alternativeSecurityId!, includeDeleted: true });
          expect(all.map((x) => x.id), `findUsers by ${u.id}'s alternativeSecurityId with includeDeleted`).toEqual([u.id]);
        }
      }),
    ),
  );
  commands.push(
    fc.nat().map((n) =>
      command("CheckGetUser", n, (m) => m.users.length > 0, async (m, r) => {
        const u = pick(m.users, n);
        const read = await r.fx.directory.getUser(u.id);
        if (u.deleted) expect(read, `getUser(${u.id}) of a soft-deleted user`).toBeNull();
        else expectLikeModel(r.fx, read!, u, `getUser(${u.id})`);
        if (caps.restore) {
          const withDeleted = await r.fx.directory.getUser(u.id, { includeDeleted: true });
          expect(withDeleted, `getUser(${u.id}, includeDeleted)`).not.toBeNull();
          expectLikeModel(r.fx, withDeleted!, u, `getUser(${u.id}, includeDeleted)`);
        }
      }),
    ),
  );
  if (caps.source) {
    commands.push(
      fc.constant(null).map(() =>
        command("CheckList", null, () => true, async (m, r) => {
          const ids = new Set((await collect(r.fx.directory.listUsers())).flat().map((u) => u.id));
          for (const u of m.users) expect(ids.has(u.id), `listUsers and user ${u.id} (deleted: ${u.deleted})`).toBe(!u.deleted);
        }),
      ),
    );
  }
  return commands;
}

/** Property cases: random writes round-trip, and a model-based run of random operation sequences. */
export function propertyCases(options: PropertyCaseOptions = {}): DirectoryCase[] {
  return [
    {
      key: "properties.writeRoundTrip",
      title: "random attribute sets written by createExternalUser and updateUser are stored exactly",
      requires: needs(["target"]),
      timeout: 120_000,
      async run(fx) {
        const writable = fx.capabilities.writableAttributes;
        const extensions = canWrite(fx, "extensions");
        await fc.assert(
          fc.asyncProperty(userAttributes({ mode: "create", writableAttributes: writable, extensions }), userAttributes({ mode: "update", writableAttributes: writable, extensions }), async (created, changes) => {
            const attributes = writableOnly(fx, created);
            const user = await fx.createExternal(attributes);
            const afterCreate = await stored(fx, user.id);
            expectAttributesStored(fx, afterCreate, attributes, "after createExternalUser");
            expectSameUser(fx, user, afterCreate, "createExternalUser's result");
            const returned = await fx.directory.updateUser(user.id, changes, fx.write);
            const afterUpdate = await stored(fx, user.id);
            expectAttributesStored(fx, afterUpdate, merged(attributes, changes), "after updateUser");
            expectSameUser(fx, returned, afterUpdate, "updateUser's result");
          }),
          { numRuns: propertyRuns(options.numRuns, 25) },
        );
      },
    },
    {
      key: "properties.model",
      title: "random sequences of writes and reads agree with a simple model (fresh directory per run)",
      requires: needs(["target"]),
      timeout: 300_000,
      async run(fx) {
        await fc.assert(
          fc.asyncProperty(fc.commands(modelCommands(fx), { maxCommands: options.maxCommands ?? 30, size: "max" }), async (cmds) => {
            const run = await fx.fresh();
            try {
              await fc.asyncModelRun(() => ({ model: { users: [] }, real: { fx: run } }), cmds);
            } finally {
              await run.release();
            }
          }),
          { numRuns: propertyRuns(options.modelRuns, 25) },
        );
      },
    },
  ];
}
