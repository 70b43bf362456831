import { AbortedError } from "@tenantsync/core";
import { describe, expect, it } from "vitest";
import { createTickQueue, type TickEntry } from "../src/transport/tick-queue.ts";

describe("tick queue (shared by the $batch coalescer and the lookups before creating)", () => {
  it("flushes the items enqueued in one tick together, and later ones in a flush of their own", async () => {
    const flushes: string[][] = [];
    const queue = createTickQueue<string, number>((entries) => {
      flushes.push(entries.map((e) => e.item));
      for (const e of entries) e.resolve(e.item.length);
    });
    expect(await Promise.all([queue.enqueue("one"), queue.enqueue("three"), queue.enqueue("five!")])).toEqual([3, 5, 5]);
    expect(await queue.enqueue("again")).toBe(5);
    expect(flushes).toEqual([["one", "three", "five!"], ["again"]]);
  });

  it("leaves out a caller that aborted before the flush and answers the others; one aborting after stops only its own wait", async () => {
    let pending: TickEntry<string, string>[] = [];
    const flushed: string[] = [];
    const queue = createTickQueue<string, string>((entries) => {
      flushed.push(...entries.map((e) => e.item));
      pending = entries;
    });
    const early = new AbortController();
    const late = new AbortController();
    const aborted = queue.enqueue("early", early.signal);
    const waiting = queue.enqueue("late", late.signal);
    const other = queue.enqueue("other");
    early.abort();
    await expect(aborted).rejects.toBeInstanceOf(AbortedError);
    await new Promise((r) => setImmediate(r));
    expect(flushed).toEqual(["late", "other"]);
    late.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortedError);
    for (const e of pending) e.resolve(`answer to ${e.item}`);
    expect(await other).toBe("answer to other");
    const already = AbortSignal.abort();
    await expect(queue.enqueue("never", already)).rejects.toBeInstanceOf(AbortedError);
  });
});
