import { describe, expect, it } from "vitest";
import { InvalidValueError } from "@tenantsync/core";
import { SOURCE, externalInput, fromSource, makeTarget, rejection } from "./helpers.ts";

const EXT = "extension_0123456789abcdef0123456789abcdef_employeeNumber";

async function populated() {
  const fx = makeTarget();
  const { dir } = fx;
  const internal = dir.admin.addUser({ userPrincipalName: "boss@fabrikam.com", mail: "boss@fabrikam.com", displayName: "Boss", department: "Sales", employeeId: "E1" });
  const adele = await dir.createExternalUser(externalInput("s1", "adele", { department: "Sales", employeeId: "E2", extensions: { [EXT]: "007" }, businessPhones: ["+1 555 0100"] }), fromSource);
  const megan = await dir.createExternalUser(externalInput("s2", "megan", { department: "sales", employeeId: "E3" }), fromSource);
  return { ...fx, internal, adele, megan };
}

const ids = (users: Array<{ id: string }>) => users.map((u) => u.id).sort();

describe("findUsers", () => {
  it("finds by alternative security id (tenant id case-insensitive), live or with includeDeleted", async () => {
    const { dir, adele } = await populated();
    expect(ids(await dir.findUsers({ alternativeSecurityId: { tenantId: SOURCE.toUpperCase(), userId: "s1" } }))).toEqual([adele.id]);
    expect(await dir.findUsers({ alternativeSecurityId: { tenantId: SOURCE, userId: "nobody" } })).toEqual([]);
    await dir.softDeleteUser(adele.id, fromSource);
    expect(await dir.findUsers({ alternativeSecurityId: { tenantId: SOURCE, userId: "s1" } })).toEqual([]);
    const binned = await dir.findUsers({ alternativeSecurityId: { tenantId: SOURCE, userId: "s1" }, includeDeleted: true });
    expect(binned.map((u) => [u.id, u.deletedDateTime !== null])).toEqual([[adele.id, true]]);
  });

  it("finds by the indexed unique attributes, case-insensitively", async () => {
    const { dir, internal, adele } = await populated();
    expect(ids(await dir.findUsers({ attribute: "userPrincipalName", value: "ADELE_contoso.com#EXT#@fabrikam.com" }))).toEqual([adele.id]);
    expect(ids(await dir.findUsers({ attribute: "mail", value: "Boss@Fabrikam.com" }))).toEqual([internal.id]);
    expect(ids(await dir.findUsers({ attribute: "mailNickname", value: "adele_contoso.com#ext#" }))).toEqual([adele.id]);
    expect(ids(await dir.findUsers({ attribute: "id", value: adele.id }))).toEqual([adele.id]);
  });

  it("finds by any other attribute, including extensions and phones, and keeps that index current on writes", async () => {
    const { dir, internal, adele, megan } = await populated();
    expect(ids(await dir.findUsers({ attribute: "department", value: "SALES" }))).toEqual(ids([internal, adele, megan]));
    expect(ids(await dir.findUsers({ attribute: "employeeId", value: "E2" }))).toEqual([adele.id]);
    expect(ids(await dir.findUsers({ attribute: EXT, value: "007" }))).toEqual([adele.id]);
    expect(ids(await dir.findUsers({ attribute: "businessPhones", value: "+1 555 0100" }))).toEqual([adele.id]);
    expect(ids(await dir.findUsers({ attribute: "origin", value: "external" }))).toEqual(ids([adele, megan]));
    // The index built by the queries above follows later writes.
    await dir.updateUser(megan.id, { employeeId: "E2", department: "Legal" }, fromSource);
    dir.admin.hardDeleteUser(internal.id);
    const added = dir.admin.addUser({ userPrincipalName: "new@fabrikam.com", displayName: "New", department: "Sales" });
    expect(ids(await dir.findUsers({ attribute: "employeeId", value: "E2" }))).toEqual(ids([adele, megan]));
    expect(ids(await dir.findUsers({ attribute: "department", value: "sales" }))).toEqual(ids([adele, added]));
    await dir.updateUser(adele.id, { extensions: { [EXT]: null } }, fromSource);
    expect(await dir.findUsers({ attribute: EXT, value: "007" })).toEqual([]);
  });

  it("finds soft-deleted users by attribute only with includeDeleted", async () => {
    const { dir, megan } = await populated();
    await dir.findUsers({ attribute: "employeeId", value: "E3" });
    await dir.softDeleteUser(megan.id, fromSource);
    expect(await dir.findUsers({ attribute: "employeeId", value: "E3" })).toEqual([]);
    expect(ids(await dir.findUsers({ attribute: "employeeId", value: "E3", includeDeleted: true }))).toEqual([megan.id]);
  });

  it("accepts Graph names in any case and refuses unknown attributes", async () => {
    const { dir, adele } = await populated();
    expect(ids(await dir.findUsers({ attribute: "EmployeeID", value: "E2" }))).toEqual([adele.id]);
    const e = await rejection(dir.findUsers({ attribute: "shoeSize", value: "42" }));
    expect(e).toBeInstanceOf(InvalidValueError);
    expect(e).toMatchObject({ property: "shoeSize" });
    expect(await rejection(dir.findUsers({} as never))).toBeInstanceOf(InvalidValueError);
  });
});
