// Percentile-bootstrap confidence interval of AUROC, stratified: each resample draws the
// positives and the negatives with replacement within their own class (so every resample has
// both classes and the class sizes of the data), with the counter-based hash PRNG of bootstrap.ts
// (draw j of resample b: positives use u = hashUniform(seed, b·n + j), negatives
// hashUniform(seed, b·n + P + j)).

import { hashUniform } from "../../core/prng.ts";
import { quantileSorted } from "../../util/quantile.ts";
import { auroc } from "./roc.ts";
import type { ConfidenceInterval } from "./bootstrap.ts";
import type { Labels, Scores } from "../_validate.ts";

/** AUROC with its stratified bootstrap interval (default 1000 resamples, 95 %). */
export function bootstrapAurocCI(
  scores: Scores,
  labels: Labels,
  { iterations = 1000, confidence = 0.95, seed = 0 } = {},
): ConfidenceInterval {
  const estimate = auroc(scores, labels); // validates, and throws when a class is missing
  const pos: number[] = [], neg: number[] = [];
  for (let i = 0; i < scores.length; i++) (labels[i] === 1 ? pos : neg).push(scores[i]);
  const P = pos.length, N = neg.length, n = P + N;
  const s = new Float64Array(n), l = new Uint8Array(n).fill(1, 0, P);
  const stats = new Float64Array(iterations);
  for (let b = 0; b < iterations; b++) {
    for (let j = 0; j < P; j++) s[j] = pos[Math.floor(hashUniform(seed, b * n + j) * P)];
    for (let j = 0; j < N; j++) s[P + j] = neg[Math.floor(hashUniform(seed, b * n + P + j) * N)];
    stats[b] = auroc(s, l);
  }
  stats.sort();
  return {
    estimate,
    lower: quantileSorted(stats, (1 - confidence) / 2),
    upper: quantileSorted(stats, (1 + confidence) / 2),
    confidence,
    iterations,
  };
}
