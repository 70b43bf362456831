import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { packId, unpackId } from "../src/id-codec.ts";

const runs = Number(process.env.FC_RUNS ?? 500);

describe("id codec", () => {
  it("packs exactly the canonical lowercase GUIDs into 16 bytes and returns every id unchanged", () => {
    const canonical = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    const hexChar = fc.constantFrom(..."0123456789abcdefABCDEFg-{} ".split(""));
    const guidLike = fc.array(hexChar, { minLength: 36, maxLength: 36 }).map((cs) => cs.map((c, i) => ([8, 13, 18, 23].includes(i) && c !== "g" ? "-" : c)).join(""));
    const id = fc.oneof(fc.uuid().map((u) => u.toLowerCase()), fc.uuid(), guidLike, fc.string({ minLength: 1, maxLength: 40 }), fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }));
    fc.assert(
      fc.property(id, (value) => {
        const packed = packId(value);
        expect(typeof packed === "string" ? packed : packed.length).toBe(canonical.test(value) ? 16 : value);
        expect(unpackId(packed)).toBe(value);
      }),
      { numRuns: runs },
    );
  });

  it("refuses a stored blob of the wrong length as a damaged value", () => {
    expect(() => unpackId(Buffer.alloc(3))).toThrow(/3-byte blob/);
    expect(() => unpackId(42)).toThrow(/number/);
  });
});
