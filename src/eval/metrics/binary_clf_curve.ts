// scikit-learn's `_binary_clf_curve`: true and false positive counts at every distinct score,
// thresholds in decreasing order, a sample being predicted positive when score >= threshold.
// Ties are one step of the curve, as in scikit-learn.

import type { Labels, Scores } from "../_validate.ts";
import { type ScoresByClass, sortScoresByClass } from "./sorted_scores.ts";

/** Counts at each distinct threshold (decreasing), as returned by sklearn's `_binary_clf_curve`. */
export interface BinaryClfCurve {
  /** False positives among samples with score >= thresholds[k]. */
  fps: Float64Array;
  /** True positives among samples with score >= thresholds[k]. */
  tps: Float64Array;
  /** Distinct scores, decreasing. */
  thresholds: Float64Array;
}

/**
 * Calls `visit(threshold, tp, fp)` for each distinct score in decreasing order with the cumulative
 * counts of samples scoring >= threshold. Streaming: nothing of size n is allocated.
 */
export function _scanThresholds(
  sorted: ScoresByClass,
  visit: (threshold: number, tp: number, fp: number) => void,
): void {
  const pos = sorted.positives, neg = sorted.negatives;
  let i = pos.length - 1, j = neg.length - 1; // walk both ascending arrays from the top
  let tp = 0, fp = 0;
  while (i >= 0 || j >= 0) {
    const t = i < 0 ? neg[j] : j < 0 ? pos[i] : Math.max(pos[i], neg[j]);
    while (i >= 0 && pos[i] === t) {
      tp++;
      i--;
    }
    while (j >= 0 && neg[j] === t) {
      fp++;
      j--;
    }
    visit(t, tp, fp);
  }
}

/** Number of distinct scores in the two sorted classes (the curve's length). */
export function _distinctCount(sorted: ScoresByClass): number {
  let k = 0;
  _scanThresholds(sorted, () => k++);
  return k;
}

/** sklearn `_binary_clf_curve(y_true, y_score)`: fps, tps and thresholds (decreasing). */
export function binaryClfCurve(scores: Scores, labels: Labels): BinaryClfCurve {
  const sorted = sortScoresByClass(scores, labels, "binaryClfCurve()");
  return _curveFromSorted(sorted);
}

/** Materialises the curve of already split-and-sorted scores. */
export function _curveFromSorted(sorted: ScoresByClass): BinaryClfCurve {
  const m = _distinctCount(sorted);
  const out = {
    fps: new Float64Array(m),
    tps: new Float64Array(m),
    thresholds: new Float64Array(m),
  };
  let k = 0;
  _scanThresholds(sorted, (t, tp, fp) => {
    out.thresholds[k] = t;
    out.tps[k] = tp;
    out.fps[k++] = fp;
  });
  return out;
}
