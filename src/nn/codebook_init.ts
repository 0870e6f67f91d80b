// Codebook initialisation from data: k-means++ seeding (Arthur & Vassilvitskii 2007) on the
// host, for the vector quantiser's first batch. Host-side because the D²-sampling picks one
// code at a time from a running distance sum (K dependent steps, each a GPU readback if run
// there); a seeded Prng makes it reproducible.

import { Prng } from "../core/prng.ts";

/**
 * Picks K rows of x [N, D] (row-major) by k-means++: the first uniformly, each next one with
 * probability proportional to its squared distance to the nearest code already picked. Uses at
 * most `maxRows` rows (every ⌈N / maxRows⌉-th) to bound the O(K·N·D) host work. When every
 * remaining row coincides with a picked code, further codes are uniform picks (duplicates).
 */
export function kmeansPlusPlus(
  x: Float32Array,
  D: number,
  K: number,
  seed = 0,
  maxRows = 8192,
): Float32Array {
  const total = x.length / D;
  if (!Number.isInteger(total) || total < 1) {
    throw new Error(`neurad: k-means++ needs at least one row of ${D} values`);
  }
  const stride = Math.ceil(total / maxRows);
  const N = Math.ceil(total / stride);
  const row = (i: number) => i * stride * D;
  const rng = new Prng(seed);
  const codes = new Float32Array(K * D);
  const minDist = new Float64Array(N).fill(Infinity);
  let pick = Math.floor(rng.next() * N);
  for (let k = 0; k < K; k++) {
    const p = row(pick);
    codes.set(x.subarray(p, p + D), k * D);
    let sum = 0;
    for (let i = 0; i < N; i++) {
      const r = row(i);
      let d2 = 0;
      for (let d = 0; d < D; d++) d2 += (x[r + d] - x[p + d]) ** 2;
      if (d2 < minDist[i]) minDist[i] = d2;
      sum += minDist[i];
    }
    if (!(sum > 0)) {
      pick = Math.floor(rng.next() * N);
      continue;
    }
    let target = rng.next() * sum;
    pick = N - 1;
    for (let i = 0; i < N; i++) {
      target -= minDist[i];
      if (target < 0 && minDist[i] > 0) {
        pick = i;
        break;
      }
    }
  }
  return codes;
}
