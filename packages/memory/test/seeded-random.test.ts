import { describe, expect, it } from "vitest";
import { createSeededRandom, seedFromString } from "../src/index.ts";

describe("createSeededRandom", () => {
  it("repeats its sequence for a seed and differs across seeds", () => {
    const draw = (seed: number) => {
      const r = createSeededRandom(seed);
      return [r.next(), r.int(1000), r.guid(), r.pick(["a", "b", "c", "d"])];
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
  });

  it("makes version-4 layout GUIDs, all distinct", () => {
    const r = createSeededRandom(99);
    const ids = Array.from({ length: 5000 }, () => r.guid());
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
    // Every hex digit shows up in the random positions.
    expect(new Set(ids.join("").replace(/-/g, "")).size).toBe(16);
  });

  it("keeps int, chance and next in range", () => {
    const r = createSeededRandom(5);
    for (let i = 0; i < 1000; i++) {
      const n = r.next();
      expect(n >= 0 && n < 1).toBe(true);
      const k = r.int(7);
      expect(Number.isInteger(k) && k >= 0 && k < 7).toBe(true);
    }
    expect(Array.from({ length: 100 }, () => r.chance(0)).some(Boolean)).toBe(false);
    expect(Array.from({ length: 100 }, () => r.chance(1)).every(Boolean)).toBe(true);
    expect(() => r.pick([])).toThrow(RangeError);
    expect(() => createSeededRandom(Number.NaN)).toThrow(RangeError);
  });

  it("derives stable 32-bit seeds from strings", () => {
    expect(seedFromString("contoso")).toBe(seedFromString("contoso"));
    expect(seedFromString("contoso")).not.toBe(seedFromString("fabrikam"));
    expect(Number.isInteger(seedFromString("x")) && seedFromString("x") >= 0 && seedFromString("x") < 2 ** 32).toBe(true);
  });
});
