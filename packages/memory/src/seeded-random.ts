/**
 * A small deterministic pseudo-random generator: the same seed gives the same
 * sequence on every machine. Used for object ids, fault injection and mesh
 * generation, so simulations replay exactly.
 *
 * @example
 * ```ts
 * const random = createSeededRandom(42);
 * random.guid();     // the same GUID on every run with seed 42
 * random.int(6) + 1; // a die roll
 * ```
 */
export interface SeededRandom {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** A random (version 4 layout) GUID in lower-case 8-4-4-4-12 form. */
  guid(): string;
}

const HEX_DIGITS: readonly number[] = Array.from("0123456789abcdef", (c) => c.charCodeAt(0));
/** Where the 32 hex digits of a GUID go in its 36 characters (the rest are hyphens). */
const GUID_DIGIT_POSITIONS: readonly number[] = Array.from({ length: 36 }, (_, i) => i).filter((i) => i !== 8 && i !== 13 && i !== 18 && i !== 23);

/**
 * Hashes a string to a 32-bit seed (FNV-1a), for seeds derived from names.
 *
 * @example
 * ```ts
 * const random = createSeededRandom(seedFromString("contoso"));
 * ```
 */
export function seedFromString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Creates a {@link SeededRandom}. The generator is SFC32 (Chris Doty-Humphrey's
 * "small fast counting" generator from PractRand, 128-bit state), seeded
 * through SplitMix32 so that nearby seeds give unrelated sequences.
 *
 * @example
 * ```ts
 * const a = createSeededRandom(7), b = createSeededRandom(7);
 * a.guid() === b.guid(); // true
 * ```
 */
export function createSeededRandom(seed: number): SeededRandom {
  if (!Number.isFinite(seed)) throw new RangeError(`createSeededRandom: seed must be a finite number, got ${String(seed)}`);
  // SplitMix32 expands the seed into the four state words.
  let s = Math.trunc(seed) | 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) | 0;
    let t = s ^ (s >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
  let a = splitmix() | 0;
  let b = splitmix() | 0;
  let c = splitmix() | 0;
  let d = splitmix() | 0;
  const u32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Warm up: the first outputs of SFC32 are weakly mixed.
  for (let i = 0; i < 12; i++) u32();

  const next = (): number => u32() / 4294967296;
  // GUIDs are built as one flat string from char codes: much cheaper than a
  // concatenation (no intermediate strings to flatten when the id is hashed).
  const codes: number[] = new Array<number>(36).fill(45 /* - */);
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new RangeError("SeededRandom.pick: empty array");
      return items[Math.floor(next() * items.length)]!;
    },
    chance: (p) => next() < p,
    guid(): string {
      let k = 0;
      for (let w = 0; w < 4; w++) {
        let v = u32();
        if (w === 1) v = (v & 0xffff0fff) | 0x00004000; // version 4
        else if (w === 2) v = ((v & 0x3fffffff) | 0x80000000) >>> 0; // RFC 4122 variant
        for (let shift = 28; shift >= 0; shift -= 4) codes[GUID_DIGIT_POSITIONS[k++]!] = HEX_DIGITS[(v >>> shift) & 15]!;
      }
      return String.fromCharCode.apply(null, codes);
    },
  };
}
