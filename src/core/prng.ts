/**
 * The one host PRNG: lowbias32 (C. Wellons), a 32-bit integer hash with good avalanche, used
 * counter-based. `hashU32(seed, i)` is the i-th draw of stream `seed` (random access, no state:
 * the bootstrap and the eval test data use it, and tools/fixtures/eval_fixtures.py mirrors it bit
 * for bit); `Prng` walks the same stream with the draws the data layer needs (uniform, normal,
 * integer, shuffle), so splits, augmentations, the demo cohort and k-means++ are reproducible from
 * a seed on every machine. GPU random numbers are a different generator (Threefry in WGSL).
 * @module
 */

/** lowbias32: a 32-bit integer hash with good avalanche. */
export function lowbias32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** The i-th 32-bit draw of stream `seed` (i, seed: integers in [0, 2^32)). */
export function hashU32(seed: number, i: number): number {
  return lowbias32((lowbias32(seed >>> 0) ^ i) >>> 0);
}

/** The i-th uniform draw in [0, 1) of stream `seed`, a multiple of 2^-24 (exact in float32). */
export function hashUniform(seed: number, i: number): number {
  return (hashU32(seed, i) >>> 8) / 16777216;
}

/** A deterministic random stream: draw i of `new Prng(seed)` is derived from hashU32(seed, i). */
export class Prng {
  #key: number;
  #i = 0;
  #spare: number | null = null;

  constructor(seed: number) {
    // Pre-hash the key so that a stream never equals hashU32's stream of the same seed.
    this.#key = lowbias32((seed ^ 0x9e3779b9) >>> 0);
  }

  /** Uniform in [0, 1) with 32 random bits. */
  next(): number {
    return hashU32(this.#key, this.#i++) / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** Standard normal (Box–Muller, caching the second value). */
  normal(): number {
    if (this.#spare !== null) {
      const v = this.#spare;
      this.#spare = null;
      return v;
    }
    const u = 1 - this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    const t = 2 * Math.PI * this.next();
    this.#spare = r * Math.sin(t);
    return r * Math.cos(t);
  }

  /** Fisher–Yates shuffle of a copy. */
  shuffle<T>(items: readonly T[]): T[] {
    const a = items.slice();
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  }
}
