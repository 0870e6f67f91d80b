// numpy.histogram with equal-width bins, reproduced to the bin: edges from numpy.linspace and
// numpy's edge corrections, so score histograms match the Python plots of the field.

import { _checkScores, type Scores } from "../_validate.ts";

/** `counts[k]` values fall in [edges[k], edges[k+1]) (the last bin is closed). */
export interface Histogram {
  edges: number[];
  counts: number[];
}

/**
 * numpy.histogram(values, bins, range): `range` defaults to [min, max] (widened by ±0.5 when all
 * values are equal, as numpy does); values outside `range` are not counted.
 */
export function histogram(values: Scores, bins = 10, range?: [number, number]): Histogram {
  const fn = "histogram()";
  _checkScores(fn, values);
  if (!Number.isInteger(bins) || bins < 1) {
    throw new Error(`${fn}: bins ${bins} must be a positive integer`);
  }
  let [lo, hi] = range ?? [Infinity, -Infinity];
  if (!range) {
    for (let i = 0; i < values.length; i++) {
      lo = Math.min(lo, values[i]);
      hi = Math.max(hi, values[i]);
    }
    if (values.length === 0) [lo, hi] = [0, 1];
  }
  if (!(lo <= hi)) throw new Error(`${fn}: range [${lo}, ${hi}] is reversed`);
  if (lo === hi) [lo, hi] = [lo - 0.5, hi + 0.5];
  const step = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, k) => k * step + lo);
  edges[bins] = hi;
  const counts = new Array<number>(bins).fill(0);
  const norm = bins / (hi - lo);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < lo || v > hi) continue;
    let k = Math.floor((v - lo) * norm);
    if (k === bins) k--;
    // numpy's corrections for rounding of (v - lo) * norm near an edge
    if (v < edges[k]) k--;
    else if (k !== bins - 1 && v >= edges[k + 1]) k++;
    counts[k]++;
  }
  return { edges, counts };
}
