/**
 * Percentiles inside a mask and intensity clipping — the pipeline clips at the brain's 1st/99th
 * percentiles to tame scanner outliers and bright vessels. The interpolation is numpy's linear
 * quantile, shared with eval (src/util/quantile.ts); this file only selects the masked voxels.
 * @module
 */
import { quantileSorted } from "../../util/quantile.ts";

/** q-th percentiles (0–100) of `data` where mask ≠ 0 (all voxels without a mask), numpy-style. */
export function percentiles(data: Float32Array, qs: number[], mask?: Uint8Array): number[] {
  let n = 0;
  for (let i = 0; i < data.length; i++) if (!mask || mask[i]) n++;
  if (n === 0) return qs.map(() => 0);
  const vals = new Float32Array(n);
  for (let i = 0, j = 0; i < data.length; i++) if (!mask || mask[i]) vals[j++] = data[i];
  vals.sort();
  return qs.map((q) => quantileSorted(vals, q / 100));
}

/** Clamps every voxel of `data` in place to [lo, hi] where mask ≠ 0; background is left alone. */
export function clipInPlace(data: Float32Array, lo: number, hi: number, mask?: Uint8Array): void {
  for (let i = 0; i < data.length; i++) {
    if (mask && !mask[i]) continue;
    if (data[i] < lo) data[i] = lo;
    else if (data[i] > hi) data[i] = hi;
  }
}
