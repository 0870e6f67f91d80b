// Percentile-bootstrap confidence intervals over subjects. Resampling uses the counter-based hash
// PRNG, so an interval is reproducible from its seed (and recomputable in Python, see the fixtures).

import { hashUniform } from "../../core/prng.ts";
import { quantileSorted } from "../../util/quantile.ts";

/** A point estimate with its bootstrap confidence interval. */
export interface ConfidenceInterval {
  estimate: number;
  lower: number;
  upper: number;
  confidence: number;
  iterations: number;
}

export interface BootstrapOptions {
  /** Resamples drawn (default 1000). */
  iterations?: number;
  /** Coverage, default 0.95 (percentiles 2.5 and 97.5). */
  confidence?: number;
  /** PRNG stream (default 0). */
  seed?: number;
  /** Statistic of a sample (default: the mean). */
  statistic?: (sample: Float64Array) => number;
}

/** Arithmetic mean. */
export function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s / values.length;
}

/** Population standard deviation (numpy.std, ddof 0), the field's "± std" over subjects. */
export function std(values: ArrayLike<number>): number {
  const m = mean(values);
  let s = 0;
  for (let i = 0; i < values.length; i++) s += (values[i] - m) ** 2;
  return Math.sqrt(s / values.length);
}

/**
 * Percentile bootstrap: `iterations` resamples of the n values with replacement (draw j of resample
 * b picks index floor(u * n), u = hashUniform(seed, b * n + j)); the interval is numpy.quantile
 * (linear) of the resampled statistics at (1 - confidence)/2 and (1 + confidence)/2.
 */
export function bootstrapCI(
  values: ArrayLike<number>,
  opts: BootstrapOptions = {},
): ConfidenceInterval {
  const { iterations = 1000, confidence = 0.95, seed = 0, statistic = mean } = opts;
  const n = values.length, fn = "bootstrapCI()";
  if (n === 0) throw new Error(`${fn}: no values to resample`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(values[i])) throw new Error(`${fn}: values[${i}] is ${values[i]}`);
  }
  if (!(confidence > 0 && confidence < 1)) {
    throw new Error(`${fn}: confidence ${confidence} must be in (0, 1)`);
  }
  if (!Number.isInteger(iterations) || iterations < 1) {
    throw new Error(`${fn}: iterations ${iterations} must be >= 1`);
  }
  const stats = new Float64Array(iterations), sample = new Float64Array(n);
  for (let b = 0; b < iterations; b++) {
    for (let j = 0; j < n; j++) sample[j] = values[Math.floor(hashUniform(seed, b * n + j) * n)];
    stats[b] = statistic(sample);
  }
  stats.sort();
  return {
    estimate: statistic(Float64Array.from(values)),
    lower: quantileSorted(stats, (1 - confidence) / 2),
    upper: quantileSorted(stats, (1 + confidence) / 2),
    confidence,
    iterations,
  };
}
