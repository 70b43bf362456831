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

let hex16: string[] | null = null;
/** Four-hex-digit strings for every 16-bit value (built on first use, shared). */
function hexTable(): string[] {
  hex16 ??= Array.from({ length: 65536 }, (_, i) => i.toString(16).padStart(4, "0"));
  return hex16;
}

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
  const hex = hexTable();
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new RangeError("SeededRandom.pick: empty array");
      return items[Math.floor(next() * items.length)]!;
    },
    chance: (p) => next() < p,
    guid(): string {
      const w1 = u32();
      const w2 = (u32() & 0xffff0fff) | 0x00004000; // version 4
      const w3 = (u32() & 0x3fffffff) | 0x80000000; // RFC 4122 variant
      const w4 = u32();
      return `${hex[w1 >>> 16]}${hex[w1 & 0xffff]}-${hex[w2 >>> 16]}-${hex[w2 & 0xffff]}-${hex[w3 >>> 16]}-${hex[w3 & 0xffff]}${hex[w4 >>> 16]}${hex[w4 & 0xffff]}`;
    },
  };
}
