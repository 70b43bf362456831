// findUsersBatch: core's optional batch form of findUsers (one call, one request).
import { describe, expect, it } from "vitest";
import { InvalidValueError, ThrottledError } from "@tenantsync/core";
import { SOURCE, externalInput, fromSource, makeTarget, rejection } from "./helpers.ts";

describe("findUsersBatch", () => {
  it("answers each query as findUsers would, in order, as one call and one request", async () => {
    const { dir } = makeTarget();
    const adele = await dir.createExternalUser(externalInput("s1", "adele"), fromSource);
    const megan = await dir.createExternalUser(externalInput("s2", "megan"), fromSource);
    await dir.softDeleteUser(megan.id, fromSource);
    const queries = [
      { alternativeSecurityId: { tenantId: SOURCE, userId: "s2" }, includeDeleted: true },
      { alternativeSecurityId: { tenantId: SOURCE, userId: "s1" } },
      { alternativeSecurityId: { tenantId: SOURCE, userId: "s2" } },
      { attribute: "mail", value: "ADELE@contoso.com" },
      { alternativeSecurityId: { tenantId: SOURCE, userId: "nobody" } },
    ];
    dir.admin.resetStats();
    const batch = await dir.findUsersBatch(queries);
    const stats = dir.admin.stats();
    expect(stats.calls.findUsers).toBe(1);
    expect(stats.requests).toBe(1);
    const single = [];
    for (const q of queries) single.push(await dir.findUsers(q));
    expect(batch).toEqual(single);
    expect(batch.map((r) => r.map((u) => u.id))).toEqual([[megan.id], [adele.id], [], [adele.id], []]);
    expect(await dir.findUsersBatch([])).toEqual([]);
  });

  it("returns copies: changing a result does not change the directory", async () => {
    const { dir } = makeTarget();
    await dir.createExternalUser(externalInput("s1", "adele"), fromSource);
    const [[found]] = (await dir.findUsersBatch([{ alternativeSecurityId: { tenantId: SOURCE, userId: "s1" } }])) as unknown as [[{ displayName: string }]];
    found.displayName = "Changed";
    const [[again]] = (await dir.findUsersBatch([{ alternativeSecurityId: { tenantId: SOURCE, userId: "s1" } }])) as unknown as [[{ displayName: string }]];
    expect(again.displayName).not.toBe("Changed");
  });

  it("refuses a malformed query with InvalidValueError naming its position, and is faulted as one findUsers request", async () => {
    const { dir } = makeTarget();
    const e = await rejection(dir.findUsersBatch([{ attribute: "mail", value: "a@b.c" }, { attribute: "mail", value: 5 as unknown as string }]));
    expect(e).toBeInstanceOf(InvalidValueError);
    expect((e as InvalidValueError).message).toContain("1.value");
    dir.admin.setFaults({ throttleRate: 1, methods: ["findUsers"] });
    expect(await rejection(dir.findUsersBatch([{ attribute: "mail", value: "a@b.c" }]))).toBeInstanceOf(ThrottledError);
  });
});
