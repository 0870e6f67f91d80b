// Counter-based integer-hash PRNG (lowbias32 by C. Wellons) used by the bootstrap and by the test
// data generators. It is implemented bit-for-bit identically in tools/fixtures/eval_fixtures.py,
// so Python oracles can recompute on the same pseudo-random data without shipping it.

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
