import fc from "fast-check";
import type { CycleReport, DirectoryUser } from "@tenantsync/core";
import { SOURCE_ID } from "../support.ts";
import { ASSIGNED_GROUPS, LifecycleModel, MODEL_DAY, type GroupName, type ModelUser } from "./lifecycle-model.ts";
import { WORLD_START, createPropertyWorld, setTrustFlag, type PropertyWorld, type PropertyWorldOptions } from "./property-world.ts";

/** A command of the lifecycle model run. */
export type LifecycleCommand = fc.AsyncCommand<LifecycleModel, PropertyWorld>;

export const DISPLAY_NAMES = ["Adele Vance", "Alex Wilber", "Megan Bowen", "Nestor Wilke"] as const;
export const JOB_TITLES = ["Engineer", "Lead", "Analyst"] as const;
export const DEPARTMENTS = ["Sales", "Research", "Legal"] as const;
const PARTNER_ID = "44444444-4444-4444-8444-444444444444";
const HOUR = 3_600_000;
/** Clock steps: minutes to 40 days (R16's 30-day window sits in between). */
export const CLOCK_STEPS = [60_000, 40 * 60_000, 6 * HOUR, MODEL_DAY, 10 * MODEL_DAY, 29 * MODEL_DAY, 31 * MODEL_DAY, 40 * MODEL_DAY] as const;

/** A user to create: what the generator decides up front (the key and ids are given at run time). */
export interface NewUserSpec {
  kind: ModelUser["kind"];
  accountEnabled: boolean;
  displayName: string;
  department: string;
  jobTitle: string;
  groups: GroupName[];
  /** Index of the manager among the live users, or null. */
  manager: number | null;
  /** For initial users: what happens to them after the first cycle (then a second cycle runs). */
  afterwards?: "nothing" | "disable" | "leave scope";
}

/** Arbitrary of {@link NewUserSpec}: mostly enabled members, in a group, outside Legal. */
export const newUserArb: fc.Arbitrary<NewUserSpec> = fc.record({
  kind: fc.constantFrom<ModelUser["kind"]>("member", "member", "member", "member", "member", "member", "member", "member", "guest", "external"),
  accountEnabled: fc.constantFrom(true, true, true, true, false),
  displayName: fc.constantFrom(...DISPLAY_NAMES),
  department: fc.constantFrom("Sales", "Sales", "Research", "Research", "Legal"),
  jobTitle: fc.constantFrom(...JOB_TITLES),
  groups: fc.constantFrom<GroupName[]>(["G1"], ["G1"], ["G2"], ["G1", "G2"], []),
  manager: fc.option(fc.nat(), { nil: null }),
});

function pick<T>(list: readonly T[], index: number): T | undefined {
  return list.length === 0 ? undefined : list[index % list.length];
}

const live = (m: LifecycleModel) => m.users.filter((u) => u.state === "live");
const withLiveAccount = (m: LifecycleModel) => m.users.filter((u) => u.account?.state === "live");

/** Adds a user to the source (and to the model). */
export function addSourceUser(m: LifecycleModel, w: PropertyWorld, spec: NewUserSpec): ModelUser {
  const n = m.users.length + 1;
  const key = `u${n}`;
  const managerUser = spec.manager === null ? undefined : pick(live(m), spec.manager);
  const base = {
    displayName: spec.displayName,
    department: spec.department,
    jobTitle: spec.jobTitle,
    accountEnabled: spec.accountEnabled,
    managerId: managerUser?.id ?? null,
    givenName: spec.displayName.split(" ")[0] ?? null,
  };
  const created =
    spec.kind === "external"
      ? w.source.admin.addUser({ ...base, userPrincipalName: `${key}_partner.com#EXT#@contoso.com`, mail: `${key}@partner.com`, mailNickname: `${key}_partner.com#EXT#`, origin: "external", homeTenantId: PARTNER_ID })
      : w.source.admin.addUser({ ...base, userPrincipalName: `${key}@contoso.com`, mail: `${key}@contoso.com`, mailNickname: key, userType: spec.kind === "guest" ? "Guest" : "Member" });
  for (const g of spec.groups) w.source.admin.addMember(w.groups[g], created.id);
  const u = m.addUser({ key, id: created.id, kind: spec.kind, accountEnabled: spec.accountEnabled, displayName: spec.displayName, department: spec.department, jobTitle: spec.jobTitle, managerKey: managerUser?.key ?? null, groups: spec.groups });
  w.trace.push(`create ${key} (${spec.kind}, ${spec.accountEnabled ? "enabled" : "disabled"}, ${spec.department}, groups [${spec.groups.join(",")}], manager ${managerUser?.key ?? "none"})`);
  return u;
}

/** Arbitrary of initial users: {@link newUserArb} plus what happens to them after the first cycle. */
export const initialUserArb: fc.Arbitrary<NewUserSpec> = fc
  .tuple(newUserArb, fc.constantFrom("nothing" as const, "nothing" as const, "disable" as const, "leave scope" as const))
  .map(([spec, afterwards]) => ({ ...spec, afterwards }));

/** A fresh model and world with the given users (no cycle run yet). */
export function setupLifecycle(initial: readonly NewUserSpec[], options: PropertyWorldOptions = {}): { model: LifecycleModel; real: PropertyWorld } {
  const real = createPropertyWorld(options);
  const model = new LifecycleModel(new Date(WORLD_START).getTime());
  for (const spec of initial) addSourceUser(model, real, spec);
  return { model, real };
}

/**
 * {@link setupLifecycle}, then the first (full) cycle; then each initial
 * user's `afterwards` step (disable it, or take it out of scope) and a
 * second cycle, so that commands start from accounts in every state.
 * Both cycles are checked against the model.
 */
export async function setupLifecycleAfterFirstCycle(initial: readonly NewUserSpec[], options: PropertyWorldOptions = {}, runner: CycleRunner = runOneCycle): Promise<{ model: LifecycleModel; real: PropertyWorld }> {
  const { model, real } = setupLifecycle(initial, options);
  await new RunCycle(runner).run(model, real);
  let changed = false;
  initial.forEach((spec, i) => {
    const u = model.users[i]!;
    if (spec.afterwards === "disable" && u.accountEnabled) {
      real.source.admin.disableUser(u.id);
      model.setEnabled(u.key, false);
      real.trace.push(`source: disable ${u.key}`);
      changed = true;
    } else if (spec.afterwards === "leave scope" && model.inScope(u)) {
      for (const g of [...u.groups]) sourceMembership(model, real, u, g, false);
      changed = true;
    }
  });
  if (changed) await new RunCycle(runner).run(model, real);
  return { model, real };
}

// ---------------------------------------------------------------- comparison

/** The model's source view against the real source: catches model mistakes before they look like engine defects. */
export function sourceViewProblems(m: LifecycleModel, w: PropertyWorld): string[] {
  const problems: string[] = [];
  const snap = w.source.admin.snapshot();
  const byId = new Map<string, DirectoryUser>([...snap.users, ...snap.bin].map((u) => [u.id, u]));
  const members = new Map(snap.groups.map((g) => [g.id, new Set(g.members)]));
  for (const u of m.users) {
    const s = byId.get(u.id);
    const state = !s ? "purged" : s.deletedDateTime ? "deleted" : "live";
    if (state !== u.state) problems.push(`source ${u.key}: model says ${u.state}, source says ${state}`);
    if (!s) continue;
    const managerKey = s.managerId === null ? null : (m.users.find((x) => x.id === s.managerId)?.key ?? `?${s.managerId}`);
    const seen = { accountEnabled: s.accountEnabled, displayName: s.displayName, department: s.department, jobTitle: s.jobTitle, managerKey };
    const want = { accountEnabled: u.accountEnabled, displayName: u.displayName, department: u.department, jobTitle: u.jobTitle, managerKey: u.managerKey };
    if (JSON.stringify(seen) !== JSON.stringify(want)) problems.push(`source ${u.key}: model ${JSON.stringify(want)}, source ${JSON.stringify(seen)}`);
    for (const g of ASSIGNED_GROUPS) {
      if (members.get(w.groups[g])?.has(u.id) !== u.groups.has(g)) problems.push(`source ${u.key}: membership of ${g} differs`);
    }
  }
  return problems;
}

/**
 * Compares the target with what the model says, for everything the rules
 * determine: existence, bin state and time, identity of the account (same
 * after a restore, new after a purge), accountEnabled, displayName,
 * department, jobTitle, userType, manager (when determined), no duplicates,
 * no account for a user never in scope. Learns the target ids of new accounts.
 */
export function targetProblems(m: LifecycleModel, w: PropertyWorld): string[] {
  m.purge();
  const problems: string[] = [];
  const synced = w.syncedBySource();
  const known = new Set(m.users.map((u) => u.id));
  for (const sourceId of synced.keys()) if (!known.has(sourceId)) problems.push(`target holds a synced user for unknown source user ${sourceId}`);
  const idOf = (key: string, gen: number) => m.users.find((u) => u.key === key)?.targetIds.get(gen);
  const keyOfTarget = (targetId: string) => m.users.find((u) => [...u.targetIds.values()].includes(targetId))?.key ?? `?${targetId}`;
  // First learn the ids of new accounts (a manager may be checked before its own account is).
  for (const u of m.users) {
    const found = synced.get(u.id) ?? [];
    const a = u.account;
    if (a === null || a.state === "purged" || found.length !== 1 || u.targetIds.has(a.gen)) continue;
    if ([...u.targetIds.values()].includes(found[0]!.id)) problems.push(`${u.key}: expected a new account (gen ${a.gen}), found the old one ${found[0]!.id}`);
    else u.targetIds.set(a.gen, found[0]!.id);
  }
  for (const u of m.users) {
    const found = synced.get(u.id) ?? [];
    const a = u.account;
    const present = a !== null && a.state !== "purged";
    if (!present) {
      if (found.length > 0) problems.push(`${u.key}: expected no target account (${a ? `gen ${a.gen} purged` : "never created"}), found ${found.map(describe).join("; ")}`);
      continue;
    }
    if (found.length !== 1) {
      problems.push(`${u.key}: expected exactly one target account (${a.state}), found ${found.length}${found.length ? `: ${found.map(describe).join("; ")}` : ""}`);
      continue;
    }
    const t = found[0]!;
    const knownId = u.targetIds.get(a.gen);
    if (knownId !== undefined && knownId !== t.id) problems.push(`${u.key}: expected the same account ${knownId} (gen ${a.gen}), found ${t.id}`);
    if (t.origin !== "external" || t.homeTenantId !== SOURCE_ID || t.userType !== "Member") problems.push(`${u.key}: not an external Member from the source: ${describe(t)}`);
    if (a.state === "bin") {
      const since = new Date(a.binSince!).toISOString();
      if (t.deletedDateTime !== since) problems.push(`${u.key}: expected in the bin since ${since}, found deletedDateTime ${t.deletedDateTime}`);
      continue;
    }
    if (t.deletedDateTime !== null) {
      problems.push(`${u.key}: expected live, found in the bin since ${t.deletedDateTime}`);
      continue;
    }
    const want = { accountEnabled: a.accountEnabled, displayName: a.displayName, department: a.department, jobTitle: a.jobTitle };
    const seen = { accountEnabled: t.accountEnabled, displayName: t.displayName, department: t.department, jobTitle: t.jobTitle };
    if (JSON.stringify(want) !== JSON.stringify(seen)) problems.push(`${u.key}: expected ${JSON.stringify(want)}, found ${JSON.stringify(seen)}`);
    if (a.manager.kind === "none" && t.managerId !== null) problems.push(`${u.key}: expected no manager, found ${keyOfTarget(t.managerId)}`);
    if (a.manager.kind === "account") {
      const expected = idOf(a.manager.key, a.manager.gen);
      if (expected === undefined || t.managerId !== expected) {
        problems.push(`${u.key}: expected manager ${a.manager.key} (gen ${a.manager.gen}, ${expected ?? "id unknown"}), found ${t.managerId === null ? "none" : keyOfTarget(t.managerId)}`);
      }
    }
  }
  return problems;
}

function describe(t: DirectoryUser): string {
  return `${t.id} ${t.deletedDateTime ? `in bin since ${t.deletedDateTime}` : "live"} enabled=${t.accountEnabled} ${t.displayName}/${t.department}/${t.jobTitle}`;
}

/** Throws with the problems and the trace of what was done. */
export function assertNoProblems(problems: readonly string[], w: PropertyWorld, what: string): void {
  if (problems.length === 0) return;
  throw new Error(`${what}:\n  ${problems.join("\n  ")}\nsteps:\n  ${w.trace.join("\n  ")}`);
}

// ---------------------------------------------------------------- source operations (model and source together)

function sourceSetAttribute(m: LifecycleModel, w: PropertyWorld, u: ModelUser, attribute: "displayName" | "jobTitle" | "department", value: string): void {
  w.source.admin.updateUser(u.id, { [attribute]: value });
  m.setAttribute(u.key, attribute, value);
  w.trace.push(`source: ${u.key}.${attribute} = ${value}`);
}

function sourceDelete(m: LifecycleModel, w: PropertyWorld, u: ModelUser): void {
  w.source.admin.deleteUser(u.id);
  m.deleteInSource(u.key);
  w.trace.push(`source: delete ${u.key}`);
}

function sourceRestore(m: LifecycleModel, w: PropertyWorld, u: ModelUser): void {
  w.source.admin.restoreUser(u.id);
  m.restoreInSource(u.key);
  w.trace.push(`source: restore ${u.key}`);
}

function sourceMembership(m: LifecycleModel, w: PropertyWorld, u: ModelUser, group: GroupName, member: boolean): void {
  if (member) w.source.admin.addMember(w.groups[group], u.id);
  else w.source.admin.removeMember(w.groups[group], u.id);
  m.setMembership(u.key, group, member);
  w.trace.push(`source: ${member ? "add" : "remove"} ${u.key} ${member ? "to" : "from"} ${group}`);
}

function directAssignment(m: LifecycleModel, w: PropertyWorld, u: ModelUser, assigned: boolean): void {
  if (assigned) w.direct.add(u.id);
  else w.direct.delete(u.id);
  w.rebuildJob(); // the job's scope changed: a new job object over the same store
  m.setDirect(u.key, assigned);
  w.trace.push(`config: ${assigned ? "assign" : "unassign"} ${u.key} directly`);
}

/** Not deletable in the source: its account is parked by R14 (see the model's notes). */
const parked = (u: ModelUser) => u.account?.state === "live" && u.account.parked;
const restorable = (u: ModelUser) => u.state === "deleted";

// ---------------------------------------------------------------- commands

abstract class UserCommand implements LifecycleCommand {
  constructor(readonly index: number) {}
  abstract candidates(m: Readonly<LifecycleModel>): ModelUser[];
  check(m: Readonly<LifecycleModel>): boolean {
    return this.candidates(m).length > 0;
  }
  protected target(m: LifecycleModel): ModelUser {
    return pick(this.candidates(m), this.index)!;
  }
  abstract run(m: LifecycleModel, w: PropertyWorld): Promise<void>;
  abstract toString(): string;
}

class CreateUser implements LifecycleCommand {
  constructor(readonly spec: NewUserSpec) {}
  check(m: Readonly<LifecycleModel>): boolean {
    return m.users.length < 7; // keep tenants small
  }
  async run(m: LifecycleModel, w: PropertyWorld): Promise<void> {
    addSourceUser(m, w, this.spec);
  }
  toString(): string {
    return `CreateUser(${JSON.stringify(this.spec)})`;
  }
}

class SetAttribute extends UserCommand {
  constructor(index: number, readonly attribute: "displayName" | "jobTitle" | "department", readonly value: string) {
    super(index);
  }
  candidates(m: Readonly<LifecycleModel>): ModelUser[] {
    // Only real changes: a write of the same value is no source change.
    return live(m as LifecycleModel).filter((u) => u[this.attribute] !== this.value);
  }
  async run(m: LifecycleModel, w: PropertyWorld): Promise<void> {
    sourceSetAttribute(m, w, this.target(m), this.attribute, this.value);
  }
  toString(): string {
    return `SetAttribute(${this.index}, ${this.attribute}, ${this.value})`;
  }
}

class SetEnabled extends UserCommand {
  constructor(index: number, readonly enabled: boolean) {
    super(index);
  }
  candidates(m: Readonly<LifecycleModel>): ModelUser[] {
    return live(m as LifecycleModel).filter((u) => u.accountEnabled !== this.enabled);
  }
  async run(m: LifecycleModel, w: PropertyWorld): Promise<void> {
    const u = this.target(m);
    if (this.enabled) w.source.admin.enableUser(u.id);
    else w.source.admin.disableUser(u.id);
    m.setEnabled(u.key, this.enabled);
    w.trace.push(`source: ${this.enabled ? "enable" : "disable"} ${u.key}`);
  }
  toString(): string {
    return `SetEnabled(${this.index}, ${this.enabled})`;
  }
}

class DeleteInSource extends UserCommand {
  candidates(m: Readonly<LifecycleModel>): ModelUser[] {
    // Not for a user whose account is parked by R14 (see the model's notes).
    return live(m as LifecycleModel).filter((u) => !parked(u));
  }
  async run(m: LifecycleModel, w: PropertyWorld): Promise<void> {
    sourceDelete(m, w, this.target(m));
  }
  toString(): string {
    return `DeleteInSource(${this.index})`;
  }
}

class RestoreInSource extends UserCommand {
  candidates(m: Readonly<LifecycleModel>): ModelUser[] {
    return m.users.filter(restorable);
  }
  async run(m: LifecycleModel, w: PropertyWorld): Promise<void> {
    sourceRestore(m, w, this.target(m));
  }
  toString(): string {
    return `RestoreInSource(${this.index})`;
  }
}

class SetMembership extends UserCommand {
  constructor(index: number, readonly group: GroupName, readonly member: boolean) {
    super(index);
  }
  candidates(m: Readonly<LifecycleModel>): ModelUser[] {
    return live(m as LifecycleModel).filter((u) => u.groups.has(this.group) !== this.member);
  }
  async run(m: LifecycleModel, w: PropertyWorld): Promise<void> {
    sourceMembership(m, w, this.target(m), this.group, this.member);
  }
  toString(): string {
    return `SetMembership(${this.index}, ${this.group}, ${this.member})`;
  }
}

class SetDirectAssignment extends UserCommand {
  constructor(index: number, readonly assigned: boolean) {
    super(index);
  }
  candidates(m: Readonly<LifecycleModel>): ModelUser[] {
    return m.users.filter((u) => u.state !== "purged" && m.direct.has(u.key) !== this.assigned);
  }
  async run(m: LifecycleModel, w: PropertyWorld): Promise<void> {
    directAssignment(m, w, this.target(m), this.assigned);
  }
  toString(): string {
    return `SetDirectAssignment(${this.index}, ${this.assigned})`;
  }
}

/** An in-scope user leaves scope one way or another (R13, R14): unassigned, filtered out, or deleted. */
class LeaveScope extends UserCommand {
  constructor(index: number, readonly how: "unassign" | "filter" | "delete") {
    super(index);
  }
  candidates(m: Readonly<LifecycleModel>): ModelUser[] {
    // Users whose disable reached the target first (R14 is the interesting case).
    const disabledFlowed = (u: ModelUser) => (u.lastWritten?.accountEnabled === false && u.account?.state === "live" ? 0 : 1);
    return m.users.filter((u) => (m as LifecycleModel).inScope(u)).sort((a, b) => disabledFlowed(a) - disabledFlowed(b));
  }
  async run(m: LifecycleModel, w: PropertyWorld): Promise<void> {
    const u = this.target(m);
    if (this.how === "delete" && !parked(u)) return sourceDelete(m, w, u);
    if (this.how === "filter") return sourceSetAttribute(m, w, u, "department", "Legal");
    for (const g of [...u.groups]) sourceMembership(m, w, u, g, false);
    if (m.direct.has(u.key)) directAssignment(m, w, u, false);
  }
  toString(): string {
    return `LeaveScope(${this.index}, ${this.how})`;
  }
}

/** An out-of-scope member comes back: restored, reassigned, passing the filter again (R15). */
class ReturnToScope extends UserCommand {
  constructor(index: number, readonly group: GroupName, readonly department: "Sales" | "Research") {
    super(index);
  }
  candidates(m: Readonly<LifecycleModel>): ModelUser[] {
    // Users with an account parked, in the bin or purged first (R14, R15, R16).
    const rank = (u: ModelUser) => (u.account && (u.account.state !== "live" || u.account.parked) ? 0 : 1);
    return m.users.filter((u) => u.kind === "member" && !(m as LifecycleModel).inScope(u) && (u.state === "live" || restorable(u))).sort((a, b) => rank(a) - rank(b));
  }
  async run(m: LifecycleModel, w: PropertyWorld): Promise<void> {
    const u = this.target(m);
    if (u.state === "deleted") sourceRestore(m, w, u);
    if (!m.assigned(u)) sourceMembership(m, w, u, this.group, true);
    if (!m.passesFilter(u)) sourceSetAttribute(m, w, u, "department", this.department);
  }
  toString(): string {
    return `ReturnToScope(${this.index}, ${this.group}, ${this.department})`;
  }
}

class SetManager extends UserCommand {
  constructor(index: number, readonly manager: number | null) {
    super(index);
  }
  candidates(m: Readonly<LifecycleModel>): ModelUser[] {
    return live(m as LifecycleModel);
  }
  override check(m: Readonly<LifecycleModel>): boolean {
    return this.candidates(m).length > (this.manager === null ? 0 : 1);
  }
  async run(m: LifecycleModel, w: PropertyWorld): Promise<void> {
    const u = this.target(m);
    const others = live(m).filter((x) => x.key !== u.key);
    const manager = this.manager === null ? null : pick(others, this.manager)!;
    if ((manager?.key ?? null) === u.managerKey) {
      w.trace.push(`source: manager of ${u.key} unchanged (no-op)`); // the same value is no source change
      return;
    }
    w.source.admin.setManager(u.id, manager?.id ?? null);
    m.setManager(u.key, manager?.key ?? null);
    w.trace.push(`source: manager of ${u.key} = ${manager?.key ?? "none"}`);
  }
  toString(): string {
    return `SetManager(${this.index}, ${this.manager})`;
  }
}

class AdminEdit extends UserCommand {
  constructor(index: number, readonly attribute: "displayName" | "jobTitle" | "department") {
    super(index);
  }
  candidates(m: Readonly<LifecycleModel>): ModelUser[] {
    return withLiveAccount(m as LifecycleModel);
  }
  async run(m: LifecycleModel, w: PropertyWorld): Promise<void> {
    const u = this.target(m);
    const value = `Edited in Fabrikam (${this.attribute})`;
    const t = w.syncedBySource().get(u.id)?.find((x) => x.deletedDateTime === null);
    if (!t) throw new Error(`target admin: no live account for ${u.key} although the model has one\nsteps:\n  ${w.trace.join("\n  ")}`);
    w.target.admin.updateUser(t.id, { [this.attribute]: value });
    m.adminEdit(u.key, this.attribute, value);
    w.trace.push(`target admin: ${u.key}.${this.attribute} = ${value}`);
  }
  toString(): string {
    return `AdminEdit(${this.index}, ${this.attribute})`;
  }
}

class AdminBlockSignIn extends UserCommand {
  candidates(m: Readonly<LifecycleModel>): ModelUser[] {
    return withLiveAccount(m as LifecycleModel);
  }
  async run(m: LifecycleModel, w: PropertyWorld): Promise<void> {
    const u = this.target(m);
    const t = w.syncedBySource().get(u.id)?.find((x) => x.deletedDateTime === null);
    if (!t) throw new Error(`target admin: no live account for ${u.key} although the model has one\nsteps:\n  ${w.trace.join("\n  ")}`);
    w.target.admin.updateUser(t.id, { accountEnabled: false });
    m.adminBlockSignIn(u.key);
    w.trace.push(`target admin: block sign-in of ${u.key}`);
  }
  toString(): string {
    return `AdminBlockSignIn(${this.index})`;
  }
}

class AdminSoftDelete extends UserCommand {
  candidates(m: Readonly<LifecycleModel>): ModelUser[] {
    return withLiveAccount(m as LifecycleModel);
  }
  async run(m: LifecycleModel, w: PropertyWorld): Promise<void> {
    const u = this.target(m);
    const t = w.syncedBySource().get(u.id)?.find((x) => x.deletedDateTime === null);
    if (!t) throw new Error(`target admin: no live account for ${u.key} although the model has one\nsteps:\n  ${w.trace.join("\n  ")}`);
    w.target.admin.deleteUser(t.id);
    m.adminSoftDelete(u.key);
    w.trace.push(`target admin: soft-delete ${u.key}`);
  }
  toString(): string {
    return `AdminSoftDelete(${this.index})`;
  }
}

type TrustFlag = "inboundSync" | "redemptionInbound" | "redemptionOutbound";

/** A tenant withdraws one trust setting (R3, R18). */
class WithdrawTrust implements LifecycleCommand {
  constructor(readonly flag: TrustFlag) {}
  check(m: Readonly<LifecycleModel>): boolean {
    return m.trust[this.flag];
  }
  async run(m: LifecycleModel, w: PropertyWorld): Promise<void> {
    setTrustFlag(w, this.flag, false);
    m.trust = { ...m.trust, [this.flag]: false };
    w.trace.push(`trust: ${this.flag} off`);
  }
  toString(): string {
    return `WithdrawTrust(${this.flag})`;
  }
}

/** Both tenants grant every trust setting again. */
class RestoreTrust implements LifecycleCommand {
  check(m: Readonly<LifecycleModel>): boolean {
    return !m.trustOk;
  }
  async run(m: LifecycleModel, w: PropertyWorld): Promise<void> {
    for (const flag of ["inboundSync", "redemptionInbound", "redemptionOutbound"] as const) if (!m.trust[flag]) setTrustFlag(w, flag, true);
    m.trust = { inboundSync: true, redemptionInbound: true, redemptionOutbound: true };
    w.trace.push("trust: all on");
  }
  toString(): string {
    return "RestoreTrust";
  }
}

class AdvanceClock implements LifecycleCommand {
  constructor(readonly ms: number) {}
  check(): boolean {
    return true;
  }
  async run(m: LifecycleModel, w: PropertyWorld): Promise<void> {
    w.clock.advance(this.ms);
    m.advance(this.ms);
    w.trace.push(`clock: +${this.ms >= MODEL_DAY ? `${this.ms / MODEL_DAY} d` : `${this.ms / 60_000} min`}`);
    assertNoProblems(sourceViewProblems(m, w), w, "the model's source view differs from the source after the clock moved");
    assertNoProblems(targetProblems(m, w), w, "the target differs from the model after the clock moved (bins purge after 30 days, R16)");
  }
  toString(): string {
    return `AdvanceClock(${this.ms})`;
  }
}

/** How a cycle command runs the engine (the dry-run property plans around it). */
export type CycleRunner = (w: PropertyWorld, m: LifecycleModel) => Promise<CycleReport>;

class RunCycle implements LifecycleCommand {
  constructor(readonly runner: CycleRunner) {}
  check(): boolean {
    return true;
  }
  async run(m: LifecycleModel, w: PropertyWorld): Promise<void> {
    assertNoProblems(sourceViewProblems(m, w), w, "the model's source view differs from the source (a model or harness mistake)");
    const report = await this.runner(w, m);
    const r = m.cycle();
    w.trace.push(`cycle: ${r.ran ? r.full ? "full" : "incremental" : "blocked (R3)"} → engine ${report.kind}, ${report.summary.state}, counts ${JSON.stringify(countsOf(report))}`);
    const problems: string[] = [];
    if (!r.ran) {
      if (report.summary.state !== "failed" || report.summary.counts.exported !== 0) problems.push(`R3: trust is missing, expected a failed cycle with no writes, got ${report.summary.state} with ${report.summary.counts.exported} writes`);
    } else if (report.kind !== (r.full ? "full" : "incremental")) problems.push(`R22: expected a ${r.full ? "full" : "incremental"} cycle, got ${report.kind}`);
    problems.push(...targetProblems(m, w));
    assertNoProblems(problems, w, "the target differs from the model after a cycle");
  }
  toString(): string {
    return "RunCycle";
  }
}

function countsOf(report: CycleReport): Record<string, number> {
  const c = report.summary.counts;
  return Object.fromEntries(Object.entries(c).filter(([k, v]) => v > 0 && k !== "imported" && k !== "inScope"));
}

/** The default cycle runner: one `runCycle()`. */
export const runOneCycle: CycleRunner = (w) => w.job.runCycle();

/** Options of {@link lifecycleCommands}. */
export interface LifecycleCommandsOptions {
  /** How a cycle runs. Default {@link runOneCycle}. */
  runner?: CycleRunner;
  /** Include the target administrator's commands. Default true. */
  targetAdmin?: boolean;
  /**
   * `all` (default): every kind of operation. `deprovisioning`: scope exits
   * and returns, enable/disable, manager changes, the target admin's soft
   * delete, long clock steps and cycles — to meet R13–R16 and R20's waiting
   * manager often.
   */
  mix?: "all" | "deprovisioning";
}

/**
 * The command arbitraries: source operations, target-admin operations,
 * trust changes, clock advances and cycles (cycles weighted up so that
 * changes meet cycles often).
 */
export function lifecycleCommands(options: LifecycleCommandsOptions = {}): Array<fc.Arbitrary<LifecycleCommand>> {
  const runner = options.runner ?? runOneCycle;
  // Mostly the first candidates, so that successive commands meet the same users.
  const idx = fc.oneof(fc.constant(0), fc.constant(1), fc.nat({ max: 63 }));
  const cycle = fc.constant(null).map(() => new RunCycle(runner));
  const source: Array<fc.Arbitrary<LifecycleCommand>> = [
    newUserArb.map((s) => new CreateUser(s)),
    fc.tuple(idx, fc.constantFrom("displayName" as const, "jobTitle" as const), fc.constantFrom(...DISPLAY_NAMES, ...JOB_TITLES)).map(([i, a, v]) => new SetAttribute(i, a, v)),
    fc.tuple(idx, fc.constantFrom(...DEPARTMENTS)).map(([i, d]) => new SetAttribute(i, "department", d)),
    fc.tuple(idx, fc.boolean()).map(([i, e]) => new SetEnabled(i, e)),
    idx.map((i) => new SetEnabled(i, false)),
    idx.map((i) => new DeleteInSource(i)),
    idx.map((i) => new RestoreInSource(i)),
    fc.tuple(idx, fc.constantFrom(...ASSIGNED_GROUPS), fc.boolean()).map(([i, g, b]) => new SetMembership(i, g, b)),
    fc.tuple(idx, fc.boolean()).map(([i, b]) => new SetDirectAssignment(i, b)),
    fc.tuple(idx, fc.option(idx, { nil: null })).map(([i, mgr]) => new SetManager(i, mgr)),
    fc.tuple(idx, fc.constantFrom("unassign" as const, "filter" as const, "delete" as const)).map(([i, how]) => new LeaveScope(i, how)),
    fc.tuple(idx, fc.constantFrom("unassign" as const, "filter" as const, "delete" as const)).map(([i, how]) => new LeaveScope(i, how)),
    fc.tuple(idx, fc.constantFrom(...ASSIGNED_GROUPS), fc.constantFrom("Sales" as const, "Research" as const)).map(([i, g, d]) => new ReturnToScope(i, g, d)),
    fc.tuple(idx, fc.constantFrom(...ASSIGNED_GROUPS), fc.constantFrom("Sales" as const, "Research" as const)).map(([i, g, d]) => new ReturnToScope(i, g, d)),
  ];
  const admin: Array<fc.Arbitrary<LifecycleCommand>> = [
    fc.tuple(idx, fc.constantFrom("displayName" as const, "jobTitle" as const, "department" as const)).map(([i, a]) => new AdminEdit(i, a)),
    idx.map((i) => new AdminBlockSignIn(i)),
    idx.map((i) => new AdminSoftDelete(i)),
  ];
  const other: Array<fc.Arbitrary<LifecycleCommand>> = [
    fc.constantFrom<TrustFlag>("inboundSync", "redemptionInbound", "redemptionOutbound").map((f) => new WithdrawTrust(f)),
    fc.constant(null).map(() => new RestoreTrust()),
    fc.constant(null).map(() => new RestoreTrust()),
    fc.constantFrom(...CLOCK_STEPS).map((ms) => new AdvanceClock(ms)),
    fc.constantFrom(...CLOCK_STEPS).map((ms) => new AdvanceClock(ms)),
    fc.integer({ min: 60_000, max: 40 * MODEL_DAY }).map((ms) => new AdvanceClock(ms)),
  ];
  if (options.mix === "deprovisioning") {
    const leave = fc.tuple(idx, fc.constantFrom("unassign" as const, "filter" as const, "delete" as const)).map(([i, how]) => new LeaveScope(i, how));
    const back = fc.tuple(idx, fc.constantFrom(...ASSIGNED_GROUPS), fc.constantFrom("Sales" as const, "Research" as const)).map(([i, g, d]) => new ReturnToScope(i, g, d));
    return [
      fc.tuple(idx, fc.boolean()).map(([i, e]) => new SetEnabled(i, e)),
      leave,
      back,
      back,
      fc.tuple(idx, fc.option(idx, { nil: null })).map(([i, mgr]) => new SetManager(i, mgr)),
      ...(options.targetAdmin === false ? [] : [idx.map((i) => new AdminSoftDelete(i))]),
      fc.constantFrom(6 * HOUR, 10 * MODEL_DAY, 29 * MODEL_DAY, 31 * MODEL_DAY).map((ms) => new AdvanceClock(ms)),
      cycle,
      cycle,
      cycle,
    ];
  }
  return [...source, ...(options.targetAdmin === false ? [] : admin), ...other, cycle, cycle, cycle, cycle, cycle, cycle];
}
