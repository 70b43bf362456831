import fc from "fast-check";
import type { DirectoryUser } from "@tenantsync/core";
import { SOURCE_ID } from "../support.ts";
import { ASSIGNED_GROUPS, MODEL_DAY, type GroupName } from "./lifecycle-model.ts";
import type { PropertyWorld } from "./property-world.ts";

/**
 * Operations on a {@link PropertyWorld} given as plain data, so that the same
 * sequence can be applied to several worlds (an interrupted one and an
 * uninterrupted one, a faulty one and a fault-free one). Users are named by
 * index into the source's users sorted by UPN, resolved when applied; an
 * operation that does not apply (no such user, already a member…) is skipped
 * the same way in every world.
 */
export type WorldOperation =
  | { kind: "create"; enabled: boolean; department: string; groups: GroupName[]; manager: number | null }
  | { kind: "set"; user: number; attribute: "displayName" | "jobTitle" | "department"; value: string }
  | { kind: "enable" | "disable" | "delete" | "restore"; user: number }
  | { kind: "member"; user: number; group: GroupName; add: boolean }
  | { kind: "manager"; user: number; manager: number | null }
  | { kind: "adminEdit" | "adminBlock" | "adminDelete"; user: number }
  | { kind: "advance"; ms: number };

const user = fc.nat({ max: 15 });

/** Source operations (and a clock step). */
export const sourceOperationArb: fc.Arbitrary<WorldOperation> = fc.oneof(
  fc.record({ kind: fc.constant("create" as const), enabled: fc.constantFrom(true, true, true, false), department: fc.constantFrom("Sales", "Research", "Legal"), groups: fc.subarray([...ASSIGNED_GROUPS]), manager: fc.option(user, { nil: null }) }),
  fc.record({ kind: fc.constant("set" as const), user, attribute: fc.constantFrom("displayName" as const, "jobTitle" as const, "department" as const), value: fc.constantFrom("Sales", "Research", "Legal", "Lead", "Adele Vance") }),
  fc.record({ kind: fc.constantFrom("enable" as const, "disable" as const, "delete" as const, "restore" as const), user }),
  fc.record({ kind: fc.constant("member" as const), user, group: fc.constantFrom(...ASSIGNED_GROUPS), add: fc.boolean() }),
  fc.record({ kind: fc.constant("manager" as const), user, manager: fc.option(user, { nil: null }) }),
  fc.record({ kind: fc.constant("advance" as const), ms: fc.constantFrom(60_000, 6 * 3_600_000, MODEL_DAY, 31 * MODEL_DAY) }),
);

/** Target-administrator operations on synced users. */
export const adminOperationArb: fc.Arbitrary<WorldOperation> = fc.record({ kind: fc.constantFrom("adminEdit" as const, "adminBlock" as const, "adminDelete" as const), user });

/** Initial users: created before the first cycle. */
export const initialOperationsArb: fc.Arbitrary<WorldOperation[]> = fc.array(
  fc.record({ kind: fc.constant("create" as const), enabled: fc.constantFrom(true, true, true, false), department: fc.constantFrom("Sales", "Sales", "Research", "Legal"), groups: fc.constantFrom<GroupName[]>(["G1"], ["G2"], ["G1", "G2"], []), manager: fc.option(user, { nil: null }) }),
  { minLength: 3, maxLength: 6 },
);

function sourceUsers(w: PropertyWorld): DirectoryUser[] {
  const snap = w.source.admin.snapshot();
  return [...snap.users, ...snap.bin].sort((a, b) => a.userPrincipalName.localeCompare(b.userPrincipalName));
}

const created = new WeakMap<PropertyWorld, number>();

/** Applies one operation; returns what it did, or null when it did not apply. */
export function applyOperation(w: PropertyWorld, op: WorldOperation): string | null {
  const admin = w.source.admin;
  if (op.kind === "advance") {
    w.clock.advance(op.ms);
    return `clock +${op.ms} ms`;
  }
  const all = sourceUsers(w);
  const live = all.filter((u) => u.deletedDateTime === null);
  if (op.kind === "create") {
    const n = (created.get(w) ?? 0) + 1; // never reuse a name, even after a purge
    created.set(w, n);
    const manager = op.manager === null || live.length === 0 ? null : live[op.manager % live.length]!;
    const alias = `p${String(n).padStart(2, "0")}`;
    const u = admin.addUser({ userPrincipalName: `${alias}@contoso.com`, mail: `${alias}@contoso.com`, mailNickname: alias, displayName: `Person ${n}`, department: op.department, jobTitle: "Engineer", accountEnabled: op.enabled, managerId: manager?.id ?? null });
    for (const g of op.groups) admin.addMember(w.groups[g], u.id);
    return `create ${alias} (${op.enabled ? "enabled" : "disabled"}, ${op.department}, [${op.groups.join(",")}], manager ${manager?.userPrincipalName ?? "none"})`;
  }
  const pickFrom = (list: DirectoryUser[]) => (list.length === 0 ? undefined : list[op.user % list.length]);
  const name = (u: DirectoryUser) => u.userPrincipalName.split("@")[0];
  switch (op.kind) {
    case "set": {
      const u = pickFrom(live.filter((x) => x[op.attribute] !== op.value));
      if (!u) return null;
      admin.updateUser(u.id, { [op.attribute]: op.value });
      return `${name(u)}.${op.attribute} = ${op.value}`;
    }
    case "enable":
    case "disable": {
      const u = pickFrom(live.filter((x) => x.accountEnabled !== (op.kind === "enable")));
      if (!u) return null;
      if (op.kind === "enable") admin.enableUser(u.id);
      else admin.disableUser(u.id);
      return `${op.kind} ${name(u)}`;
    }
    case "delete": {
      const u = pickFrom(live);
      if (!u) return null;
      admin.deleteUser(u.id);
      return `delete ${name(u)}`;
    }
    case "restore": {
      const u = pickFrom(all.filter((x) => x.deletedDateTime !== null));
      if (!u) return null;
      admin.restoreUser(u.id);
      return `restore ${name(u)}`;
    }
    case "member": {
      const members = new Set(admin.getGroup(w.groups[op.group])!.members);
      const u = pickFrom(live.filter((x) => members.has(x.id) !== op.add));
      if (!u) return null;
      if (op.add) admin.addMember(w.groups[op.group], u.id);
      else admin.removeMember(w.groups[op.group], u.id);
      return `${op.add ? "add" : "remove"} ${name(u)} ${op.add ? "to" : "from"} ${op.group}`;
    }
    case "manager": {
      const u = pickFrom(live);
      if (!u) return null;
      const others = live.filter((x) => x.id !== u.id);
      const m = op.manager === null || others.length === 0 ? null : others[op.manager % others.length]!;
      if ((m?.id ?? null) === u.managerId) return null;
      admin.setManager(u.id, m?.id ?? null);
      return `manager of ${name(u)} = ${m ? name(m) : "none"}`;
    }
    case "adminEdit":
    case "adminBlock":
    case "adminDelete": {
      const synced = w.target.admin
        .snapshot()
        .users.filter((t) => t.alternativeSecurityId?.tenantId === SOURCE_ID)
        .sort((a, b) => a.userPrincipalName.localeCompare(b.userPrincipalName));
      const t = pickFrom(synced);
      if (!t) return null;
      if (op.kind === "adminEdit") w.target.admin.updateUser(t.id, { jobTitle: "Edited in Fabrikam" });
      else if (op.kind === "adminBlock") w.target.admin.updateUser(t.id, { accountEnabled: false });
      else w.target.admin.deleteUser(t.id);
      return `target admin: ${op.kind} ${t.userPrincipalName}`;
    }
  }
}

/** Applies operations in order, recording them in the world's trace. */
export function applyOperations(w: PropertyWorld, ops: readonly WorldOperation[]): void {
  for (const op of ops) {
    const did = applyOperation(w, op);
    if (did) w.trace.push(did);
  }
}

/**
 * The target's users as comparable plain data, modulo generated ids and
 * timestamps: each user keyed by its alternative security id (source user
 * id), its manager likewise, `deletedDateTime` reduced to "in the bin".
 * Throws when a source user has more than one target account (a duplicate).
 */
export function normalizedTarget(w: PropertyWorld): Record<string, unknown> {
  const snap = w.target.admin.snapshot();
  const everyone = [...snap.users, ...snap.bin];
  const keyOf = new Map(everyone.map((u) => [u.id, u.alternativeSecurityId ? `synced:${u.alternativeSecurityId.userId}` : `own:${u.userPrincipalName}`]));
  const out: Record<string, unknown> = {};
  for (const u of everyone) {
    const key = keyOf.get(u.id)!;
    if (key in out) throw new Error(`duplicate target account for ${key}: ${everyone.filter((x) => keyOf.get(x.id) === key).map((x) => x.id).join(", ")}`);
    const { id: _id, createdDateTime: _created, deletedDateTime, managerId, ...rest } = u;
    out[key] = { ...rest, inBin: deletedDateTime !== null, manager: managerId === null ? null : (keyOf.get(managerId) ?? `unknown:${managerId}`) };
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
