import { describe, expect, it } from "vitest";
import { ConfigError, ConflictError, NotFoundError } from "@tenantsync/core";
import { DAY, makeTarget, pages, thrown } from "./helpers.ts";

function org() {
  const fx = makeTarget({ pageSize: 2 });
  const add = (alias: string) => fx.dir.admin.addUser({ userPrincipalName: `${alias}@fabrikam.com`, displayName: alias }).id;
  const [a, b, c, d, e] = ["a", "b", "c", "d", "e"].map(add) as [string, string, string, string, string];
  return { ...fx, a, b, c, d, e };
}

const members = async (iterable: AsyncIterable<string[]>) => (await pages(iterable)).flat().sort();

describe("groups and membership", () => {
  it("lists direct user members only, or every nested user with transitive", async () => {
    const { dir, a, b, c, d } = org();
    const inner = dir.admin.addGroup({ displayName: "Inner", members: [c, d] });
    const outer = dir.admin.addGroup({ displayName: "Outer", members: [a, b, inner.id] });
    expect(await members(dir.listGroupMembers(outer.id))).toEqual([a, b].sort());
    expect(await members(dir.listGroupMembers(outer.id, { transitive: true }))).toEqual([a, b, c, d].sort());
    expect(await members(dir.listGroupMembers(inner.id, { transitive: true }))).toEqual([c, d].sort());
  });

  it("pages member ids by the page size", async () => {
    const { dir, a, b, c, d, e } = org();
    const g = dir.admin.addGroup({ displayName: "All", members: [a, b, c, d, e] });
    expect((await pages(dir.listGroupMembers(g.id))).map((p) => p.length)).toEqual([2, 2, 1]);
  });

  it("is cycle-safe and lists each user once", async () => {
    const { dir, a, b, c } = org();
    const x = dir.admin.addGroup({ displayName: "X", members: [a, b] });
    const y = dir.admin.addGroup({ displayName: "Y", members: [b, c, x.id] });
    dir.admin.addMember(x.id, y.id);
    expect(await members(dir.listGroupMembers(x.id, { transitive: true }))).toEqual([a, b, c].sort());
    expect(await members(dir.listGroupMembers(y.id, { transitive: true }))).toEqual([a, b, c].sort());
  });

  it("throws NotFoundError for a missing group", async () => {
    const { dir } = org();
    await expect(pages(dir.listGroupMembers("ghost"))).rejects.toBeInstanceOf(NotFoundError);
    await expect(pages(dir.listGroupMembers("ghost", { transitive: true }))).rejects.toMatchObject({ code: "NOT_FOUND", objectId: "ghost" });
  });

  it("hides soft-deleted members but keeps their membership for a restore; a purge removes it", async () => {
    const { dir, clock, a, b } = org();
    const g = dir.admin.addGroup({ displayName: "G", members: [a, b] });
    dir.admin.deleteUser(a);
    expect(await members(dir.listGroupMembers(g.id))).toEqual([b]);
    expect(dir.admin.getGroup(g.id)?.members).toContain(a);
    dir.admin.restoreUser(a);
    expect(await members(dir.listGroupMembers(g.id))).toEqual([a, b].sort());
    dir.admin.hardDeleteUser(a);
    expect(dir.admin.getGroup(g.id)?.members).toEqual([b]);
    dir.admin.deleteUser(b);
    clock.advance(30 * DAY);
    expect(dir.admin.getGroup(g.id)?.members).toEqual([]);
  });

  it("validates members: existing, live, not itself, not twice; removing a non-member is NotFoundError", () => {
    const { dir, a } = org();
    const g = dir.admin.addGroup({ displayName: "G" });
    expect(thrown(() => dir.admin.addMember(g.id, "ghost"))).toBeInstanceOf(NotFoundError);
    expect(thrown(() => dir.admin.addMember("ghost", a))).toBeInstanceOf(NotFoundError);
    expect(thrown(() => dir.admin.addMember(g.id, g.id))).toBeInstanceOf(ConfigError);
    dir.admin.addMember(g.id, a);
    expect(thrown(() => dir.admin.addMember(g.id, a))).toMatchObject({ property: "members" });
    dir.admin.removeMember(g.id, a);
    expect(thrown(() => dir.admin.removeMember(g.id, a))).toBeInstanceOf(NotFoundError);
    const b = dir.admin.addUser({ userPrincipalName: "gone@fabrikam.com", displayName: "Gone" }).id;
    dir.admin.deleteUser(b);
    expect((thrown(() => dir.admin.addMember(g.id, b)) as Error).message).toContain("soft-deleted");
    expect(thrown(() => dir.admin.addGroup({ displayName: "" }))).toBeInstanceOf(ConfigError);
  });

  it("deleting a group removes it from its parents and retires its id", async () => {
    const { dir, a, b } = org();
    const inner = dir.admin.addGroup({ id: "inner", displayName: "Inner", members: [b] });
    const outer = dir.admin.addGroup({ displayName: "Outer", members: [a, inner.id] });
    dir.admin.deleteGroup(inner.id);
    expect(dir.admin.getGroup(inner.id)).toBeNull();
    expect(dir.admin.getGroup(outer.id)?.members).toEqual([a]);
    expect(await members(dir.listGroupMembers(outer.id, { transitive: true }))).toEqual([a]);
    expect(thrown(() => dir.admin.addGroup({ id: "inner", displayName: "Again" }))).toBeInstanceOf(ConflictError);
    expect(thrown(() => dir.admin.deleteGroup(inner.id))).toBeInstanceOf(NotFoundError);
    expect(thrown(() => dir.admin.addGroup({ id: a, displayName: "Clash with a user id" }))).toBeInstanceOf(ConflictError);
  });
});
