/**
 * Percentiles inside a mask and intensity clipping — the pipeline clips at the brain's 1st/99th
 * percentiles to tame scanner outliers and bright vessels. The interpolation is numpy's linear
 * quantile, shared with eval (src/util/quantile.ts); this file only selects the masked voxels.
 * @module
 */
import { quantileLerp, quantileRanks, quantileSorted } from "../../util/quantile.ts";
import { selectRank } from "../../util/select_rank.ts";

/** q-th percentiles (0–100) of `data` where mask ≠ 0 (all voxels without a mask), numpy-style. */
export function percentiles(data: Float32Array, qs: number[], mask?: Uint8Array): number[] {
  let n = 0;
  for (let i = 0; i < data.length; i++) if (!mask || mask[i]) n++;
  if (n === 0) return qs.map(() => 0);
  const vals = new Float32Array(n);
  let nan = false;
  for (let i = 0, j = 0; i < data.length; i++) {
    if (!mask || mask[i]) nan ||= Number.isNaN(vals[j++] = data[i]);
  }
  if (nan) {
    vals.sort();
    return qs.map((q) => quantileSorted(vals, q / 100));
  }
  // The two ranks each quantile interpolates, by selection (a full sort was most of the time):
  // rank `prev` by quickselect, then rank prev + 1 is the smallest value right of it.
  return qs.map((q) => {
    const { prev, next, gamma } = quantileRanks(n, q / 100);
    const a = selectRank(vals, prev);
    let b = a;
    if (next !== prev) {
      b = Infinity;
      for (let i = prev + 1; i < n; i++) if (vals[i] < b) b = vals[i];
    }
    return quantileLerp(a, b, gamma);
  });
}

/** Clamps every voxel of `data` in place to [lo, hi] where mask ≠ 0; background is left alone. */
export function clipInPlace(data: Float32Array, lo: number, hi: number, mask?: Uint8Array): void {
  for (let i = 0; i < data.length; i++) {
    if (mask && !mask[i]) continue;
    if (data[i] < lo) data[i] = lo;
    else if (data[i] > hi) data[i] = hi;
  }
}
