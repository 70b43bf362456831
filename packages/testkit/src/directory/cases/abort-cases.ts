import { expect } from "vitest";
import { collect, expectRejects } from "../../internal/expect-error.ts";
import { UNKNOWN_ID, abortedSignal, backendState, needs, type DirectoryCase } from "./case-helpers.ts";

/** AbortSignal handling. */
export const abortCases: DirectoryCase[] = [
  {
    key: "abort.reads",
    title: "every read rejects with AbortedError when its signal is already aborted",
    async run(fx) {
      const d = fx.directory;
      const caps = fx.capabilities;
      const signal = abortedSignal();
      const user = await fx.seedMember();
      await expectRejects(() => d.describe({ signal }), "AbortedError", "describe");
      await expectRejects(() => d.getPartnerSettings(fx.context.sourceTenantId, { signal }), "AbortedError", "getPartnerSettings");
      await expectRejects(() => d.getUser(user.id, { signal }), "AbortedError", "getUser");
      if (caps.source) {
        await expectRejects(() => collect(d.listUsers({ signal })), "AbortedError", "listUsers");
        await expectRejects(() => collect(d.listGroupMembers(UNKNOWN_ID, { signal })), "AbortedError", "listGroupMembers");
      }
      if (caps.source && caps.changeFeed) {
        const cursor = await d.currentCursor();
        await expectRejects(() => d.currentCursor({ signal }), "AbortedError", "currentCursor");
        await expectRejects(() => collect(d.readChanges(cursor, { signal })), "AbortedError", "readChanges");
      }
      if (caps.target) await expectRejects(() => d.findUsers({ attribute: "mail", value: user.mail! }, { signal }), "AbortedError", "findUsers");
    },
  },
  {
    key: "abort.writes",
    title: "every write rejects with AbortedError when its signal is already aborted, and writes nothing",
    requires: needs(["target"]),
    async run(fx) {
      const d = fx.directory;
      const caps = fx.capabilities;
      const live = await fx.createExternal();
      const manager = await fx.createExternal();
      const binned = await fx.createExternal();
      await d.softDeleteUser(binned.id, fx.write);
      const before = await backendState(fx);
      const write = { ...fx.write, signal: abortedSignal() };
      await expectRejects(() => d.createExternalUser(fx.externalInput(), write), "AbortedError", "createExternalUser");
      await expectRejects(() => d.updateUser(live.id, { jobTitle: "Aborted" }, write), "AbortedError", "updateUser");
      await expectRejects(() => d.softDeleteUser(live.id, write), "AbortedError", "softDeleteUser");
      if (caps.manager) await expectRejects(() => d.setManager(live.id, manager.id, write), "AbortedError", "setManager");
      if (caps.restore) await expectRejects(() => d.restoreUser(binned.id, write), "AbortedError", "restoreUser");
      expect(await backendState(fx), "an aborted write changed the backend").toEqual(before);
    },
  },
  {
    key: "abort.betweenPages",
    title: "listUsers stops with AbortedError when the signal aborts between pages",
    requires: needs(["source"]),
    async run(fx) {
      for (let i = 0; i < 3; i++) await fx.seedMember();
      const controller = new AbortController();
      const iterator = fx.directory.listUsers({ pageSize: 1, signal: controller.signal })[Symbol.asyncIterator]();
      const first = await iterator.next();
      expect(first.done, "listUsers yielded no page").toBe(false);
      expect(first.value.length, "pageSize 1 gave a larger page: this test needs pages of one user").toBe(1);
      controller.abort(new Error("aborted by the conformance kit"));
      await expectRejects(() => iterator.next(), "AbortedError", "the next page after abort");
    },
  },
];
