// The emulator's user index and its `in` / `or` limits. The property compares every answer of an
// emulator that plans lookups on its index with one that scans every user (indexedLookups: false),
// over the same memory directory, while users change through the admin API and through Graph.
import { createManualClock, type DirectoryUser } from "@tenantsync/core";
import { createMemoryDirectory, type MemoryDirectory } from "@tenantsync/memory";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { createEmulatorToken, parseFilter, startGraphEmulator, type GraphEmulator } from "../src/emulator.ts";

const TENANT = "22222222-2222-4222-8222-222222222222";
const SOURCE = "11111111-1111-4111-8111-111111111111";
const ANCHOR = "extension_b7d8e648520f41d3b9c0fdeb91768a0a_tenantSyncAnchor";
const COST = "extension_b7d8e648520f41d3b9c0fdeb91768a0a_costCenter";
const numRuns = Number(process.env.FC_RUNS ?? 25);

const clock = createManualClock();
const token = () => createEmulatorToken({ tenantId: TENANT, expiresOnTimestamp: clock.now().getTime() + 3_600_000 });
const emulators: GraphEmulator[] = [];
afterEach(async () => {
  await Promise.all(emulators.splice(0).map((e) => e.close()));
});

async function call(e: GraphEmulator, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${e.url}/v1.0${path}`, {
    method,
    headers: { authorization: `Bearer ${token()}`, ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

function newDirectory(): MemoryDirectory {
  return createMemoryDirectory({ tenant: { id: TENANT, displayName: "Fabrikam", verifiedDomains: ["fabrikam.com"] }, clock });
}

async function pair(directory: MemoryDirectory): Promise<{ indexed: GraphEmulator; scanned: GraphEmulator }> {
  const indexed = await startGraphEmulator({ directories: [directory], clock, anchorAttribute: ANCHOR });
  const scanned = await startGraphEmulator({ directories: [directory], clock, anchorAttribute: ANCHOR, indexedLookups: false });
  emulators.push(indexed, scanned);
  return { indexed, scanned };
}

/** What a list answer says: its status and error code, or the ids and the selected names of its users. */
function outcome(answer: { status: number; body: Record<string, unknown> }): unknown {
  if (answer.status !== 200) return { status: answer.status, code: (answer.body["error"] as { code?: string } | undefined)?.code };
  return (answer.body["value"] as Array<Record<string, unknown>>).map((u) => [u["id"], u["userPrincipalName"], u["mail"], u[ANCHOR] ?? null, u[COST] ?? null]);
}

// ---- arbitraries: a small tenant whose values collide on purpose (case, shared values, anchors from alternativeSecurityId)

const alias = fc.constantFrom("ada", "bob", "cy", "dee", "O'Neil", "eve");
const anchorValue = fc.constantFrom(`${SOURCE}:u1`, `${SOURCE}:U1`, `${SOURCE}:u2`, `${SOURCE}:u3`, "not-an-anchor");
const userSpec = fc.record({
  alias,
  n: fc.nat(3),
  mailAlias: fc.option(alias, { nil: null }),
  anchor: fc.option(anchorValue, { nil: undefined }),
  asid: fc.option(fc.constantFrom("u1", "u2", "U2", "u4"), { nil: undefined }),
  cost: fc.option(fc.constantFrom("CC-1", "cc-1", "CC-2"), { nil: undefined }),
  deleted: fc.boolean(),
});

/** Values a filter may ask for: most of them held by someone (in another case), some held by nobody. */
function valuesOf(users: readonly DirectoryUser[], pick: (u: DirectoryUser) => unknown): string[] {
  const held = users.map(pick).filter((v): v is string => typeof v === "string");
  return [...held, ...held.map((v) => v.toUpperCase()), "nobody@nowhere.example"];
}

const quote = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** A random filter over the users' values: eq / in / or / and / not on indexed and non-indexed properties. */
function filterArbitrary(users: readonly DirectoryUser[]): fc.Arbitrary<string> {
  const ids = users.map((u) => u.id);
  const upns = valuesOf(users, (u) => u.userPrincipalName);
  const mails = valuesOf(users, (u) => u.mail);
  const anchors = [`${SOURCE}:u1`, `${SOURCE}:U2`, `${SOURCE}:u3`, "not-an-anchor", `${SOURCE}:u4`];
  const costs = ["CC-1", "cc-2", "CC-9"];
  const property = fc.constantFrom<[string, string[]]>(["id", ids.length > 0 ? ids : ["x"]], ["userPrincipalName", upns], ["mail", mails], [ANCHOR, anchors], [COST, costs], ["MAIL", mails], ["displayName", ["Person ada", "PERSON BOB", "x"]]);
  const leaf = property.chain(([name, values]) =>
    fc.oneof(
      fc.constantFrom(...values).map((v) => `${name} eq ${quote(v)}`),
      fc.subarray(values, { minLength: 1, maxLength: Math.min(4, values.length) }).map((vs) => `${name} in (${vs.map(quote).join(",")})`),
      fc.constant(`${name} eq null`),
      fc.constantFrom(...values).map((v) => `startsWith(${name},${quote(v.slice(0, 2))})`),
    ),
  );
  const { expr } = fc.letrec<{ expr: string }>((tie) => ({
    expr: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      leaf,
      fc.tuple(tie("expr"), fc.constantFrom("or", "and"), tie("expr")).map(([a, op, b]) => `(${a}) ${op} (${b})`),
      tie("expr").map((a) => `not (${a})`),
    ),
  }));
  return expr;
}

describe("emulator user index", () => {
  it("answers every filter exactly like a full scan, in the same order, while users change through admin and Graph", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(userSpec, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { minLength: 4, maxLength: 4 }), fc.context(), async (specs, seeds, ctx) => {
        const directory = newDirectory();
        const { indexed, scanned } = await pair(directory);
        const admin = directory.admin;
        const added: DirectoryUser[] = [];
        specs.forEach((spec, i) => {
          try {
            const user = admin.addUser({
              userPrincipalName: `${spec.alias}${spec.n}.${i}@fabrikam.com`,
              mail: spec.mailAlias === null ? null : `${spec.mailAlias}.${i}@contoso.com`,
              displayName: `Person ${spec.alias}`,
              origin: spec.asid !== undefined || spec.anchor !== undefined ? "external" : "internal",
              alternativeSecurityId: spec.asid !== undefined ? { tenantId: SOURCE, userId: spec.asid } : null,
              extensions: { ...(spec.anchor !== undefined ? { [ANCHOR]: spec.anchor } : {}), ...(spec.cost !== undefined ? { [COST]: spec.cost } : {}) },
            });
            added.push(user);
          } catch {
            // a value collided with an earlier user's: that user is simply not added
          }
        });
        // Answers of both emulators to the same lists, live and binned.
        const compare = async (filter: string) => {
          ctx.log(filter);
          const query = `$filter=${encodeURIComponent(filter)}&$select=id,userPrincipalName,mail,${ANCHOR},${COST}&$top=999`;
          for (const path of [`/users?${query}`, `/directory/deletedItems/microsoft.graph.user?${query}`]) {
            expect(outcome(await call(indexed, "GET", path)), `${path}`).toEqual(outcome(await call(scanned, "GET", path)));
          }
        };
        const filters = (seed: number) => fc.sample(filterArbitrary(added), { numRuns: 6, seed });
        for (const filter of filters(seeds[0]!)) await compare(filter);
        // Direct admin changes: soft deletes, new values, a restore.
        specs.forEach((spec, i) => {
          const user = added[i];
          if (user && spec.deleted) admin.deleteUser(user.id);
        });
        const first = added[0];
        if (first && first.deletedDateTime === null && admin.getUser(first.id)?.deletedDateTime === null) {
          admin.updateUser(first.id, { mail: "moved@contoso.com", extensions: { [ANCHOR]: `${SOURCE}:u3` } });
        }
        admin.addUser({ userPrincipalName: "late@fabrikam.com", mail: "late@contoso.com", displayName: "Late", extensions: { [ANCHOR]: `${SOURCE}:u1` } });
        for (const filter of filters(seeds[1]!)) await compare(filter);
        await compare(`mail eq 'moved@contoso.com' or ${ANCHOR} in ('${SOURCE}:u3','${SOURCE}:U1') or userPrincipalName eq 'LATE@fabrikam.com'`);
        // Changes through Graph (the index follows the emulator's own writes at once).
        for (const user of added) {
          const now = admin.getUser(user.id);
          if (now?.deletedDateTime === null) await call(indexed, "PATCH", `/users/${user.id}`, { [COST]: "CC-2", mail: `patched.${user.id.slice(0, 4)}@contoso.com` }, {});
          else if (now) await call(indexed, "POST", `/directory/deletedItems/${user.id}/restore`);
        }
        await call(indexed, "POST", "/invitations", { invitedUserEmailAddress: "new.guest@contoso.com", inviteRedirectUrl: "https://myapps.microsoft.com" });
        for (const filter of filters(seeds[2]!)) await compare(filter);
        await compare(`mail in ('new.guest@contoso.com','NEW.GUEST@contoso.com')`);
        await indexed.close();
        await scanned.close();
      }),
      { numRuns },
    );
  }, 60_000);

  it("answers id / userPrincipalName / mail / extension lookups from the index, and anything else by scanning", async () => {
    const directory = newDirectory();
    const { indexed } = await pair(directory);
    const a = directory.admin.addUser({ userPrincipalName: "a@fabrikam.com", mail: "a@contoso.com", displayName: "A", extensions: { [ANCHOR]: `${SOURCE}:a` } });
    directory.admin.addUser({ userPrincipalName: "b@fabrikam.com", mail: "b@contoso.com", displayName: "B" });
    const found = await call(indexed, "GET", `/users?$filter=${encodeURIComponent(`${ANCHOR} eq '${SOURCE}:a' or mail in ('A@CONTOSO.COM','x@contoso.com')`)}`);
    expect((found.body["value"] as Array<{ id: string }>).map((u) => u.id)).toEqual([a.id]);
    expect(indexed.stats()).toMatchObject({ indexedQueries: 1, scannedQueries: 0 });
    await call(indexed, "GET", `/users?$filter=${encodeURIComponent("displayName eq 'B'")}`);
    expect(indexed.stats()).toMatchObject({ indexedQueries: 1, scannedQueries: 1 });
    // By UPN in the path, and an invitation of a known address, also use it.
    expect((await call(indexed, "GET", `/users/${encodeURIComponent("A@fabrikam.com")}`)).body["id"]).toBe(a.id);
  });
});

describe("emulator $filter limits and the in operator", () => {
  it("refuses more than 15 expressions in a filter with in or or (outside advanced queries) with Request_UnsupportedQuery", async () => {
    const { indexed } = await pair(newDirectory());
    const values = (n: number) => Array.from({ length: n }, (_, i) => `'u${i}@contoso.com'`).join(",");
    expect((await call(indexed, "GET", `/users?$filter=${encodeURIComponent(`mail in (${values(15)})`)}`)).status).toBe(200);
    const tooMany = await call(indexed, "GET", `/users?$filter=${encodeURIComponent(`mail in (${values(16)})`)}`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toMatchObject({ error: { code: "Request_UnsupportedQuery", message: expect.stringMatching(/Too many child clauses.*16\. Max allowed: 15\./) } });
    // in-values and or-ed clauses count together.
    const mixed = `mail in (${values(10)}) or ${Array.from({ length: 6 }, (_, i) => `id eq 'x${i}'`).join(" or ")}`;
    expect((await call(indexed, "GET", `/directory/deletedItems/microsoft.graph.user?$filter=${encodeURIComponent(mixed)}`)).status).toBe(400);
    // A filter without alternatives is not counted.
    expect((await call(indexed, "GET", `/users?$filter=${encodeURIComponent("mail eq 'a@contoso.com'")}`)).status).toBe(200);
  });

  it("holds advanced queries to a 2,048-character URL instead", async () => {
    const { indexed } = await pair(newDirectory());
    const many = Array.from({ length: 20 }, (_, i) => `'${SOURCE}:u${i}'`).join(",");
    const advanced = { ConsistencyLevel: "eventual" };
    const short = await call(indexed, "GET", `/users?$count=true&$filter=${encodeURIComponent(`onPremisesExtensionAttributes/extensionAttribute13 in (${many})`)}`, undefined, advanced);
    expect(short.status).toBe(200);
    const longer = Array.from({ length: 60 }, (_, i) => `'${SOURCE}:u${i}'`).join(",");
    const long = await call(indexed, "GET", `/users?$count=true&$filter=${encodeURIComponent(`onPremisesExtensionAttributes/extensionAttribute13 in (${longer})`)}`, undefined, advanced);
    expect(long.status).toBe(400);
    expect(long.body).toMatchObject({ error: { code: "Request_UnsupportedQuery", message: expect.stringMatching(/2048/) } });
  });

  it("answers a malformed in list with 400 and says how to write it", async () => {
    const { indexed } = await pair(newDirectory());
    for (const filter of ["mail in 'a@contoso.com'", "mail in ()", "mail in ('a@contoso.com',)", "mail in ('a@contoso.com' 'b@contoso.com')"]) {
      const answer = await call(indexed, "GET", `/users?$filter=${encodeURIComponent(filter)}`);
      expect(answer.status, filter).toBe(400);
      expect((answer.body["error"] as { code: string; message: string }).message, filter).toMatch(/Invalid filter clause: the in operator takes a parenthesised list of values, for example mail in \('a','b'\)/);
    }
    expect(parseFilter("mail in ('a', 'b')")).toEqual({ kind: "in", path: ["mail"], values: ["a", "b"] });
  });
});
