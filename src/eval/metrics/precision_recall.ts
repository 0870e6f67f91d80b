// Precision-recall curve and average precision with scikit-learn's semantics
// (`precision_recall_curve`, `average_precision_score`): the step-wise AUPRC, not the trapezoid.

import type { Labels, Scores } from "../_validate.ts";
import { _curveFromSorted, _scanThresholds } from "./binary_clf_curve.ts";
import { type ScoresByClass, sortScoresByClass } from "./sorted_scores.ts";

/** Points of the PR curve, as sklearn `precision_recall_curve` returns them. */
export interface PrCurve {
  /** Precision at each threshold (increasing thresholds), then a final 1. */
  precision: Float64Array;
  /** Recall at each threshold (decreasing), then a final 0. */
  recall: Float64Array;
  /** Distinct scores, increasing (one fewer than precision/recall). */
  thresholds: Float64Array;
}

function _requirePositive(fn: string, sorted: ScoresByClass): void {
  if (sorted.positives.length === 0) {
    throw new Error(`${fn}: labels contain no positive sample; precision-recall is undefined`);
  }
}

/**
 * sklearn `precision_recall_curve(labels, scores)`: all distinct thresholds, none cropped.
 * Throws if no label is positive (sklearn sets recall to 1 with a warning there).
 */
export function prCurve(scores: Scores, labels: Labels): PrCurve {
  const sorted = sortScoresByClass(scores, labels, "prCurve()");
  _requirePositive("prCurve()", sorted);
  return _prFromSorted(sorted);
}

/** PR points of split-and-sorted scores (at least one positive). */
export function _prFromSorted(sorted: ScoresByClass): PrCurve {
  const c = _curveFromSorted(sorted);
  const m = c.thresholds.length, P = c.tps[m - 1];
  const out = {
    precision: new Float64Array(m + 1),
    recall: new Float64Array(m + 1),
    thresholds: new Float64Array(m),
  };
  for (let k = 0; k < m; k++) {
    const r = m - 1 - k; // sklearn reverses so that thresholds increase
    out.precision[r] = c.tps[k] / (c.tps[k] + c.fps[k]);
    out.recall[r] = c.tps[k] / P;
    out.thresholds[r] = c.thresholds[k];
  }
  out.precision[m] = 1;
  out.recall[m] = 0;
  return out;
}

/**
 * sklearn `average_precision_score(labels, scores)`: AP = sum_k (R_k - R_{k-1}) P_k over distinct
 * thresholds, ties forming one step. All-positive labels give 1. Throws if no label is positive
 * (sklearn returns 0 with a warning; AP is undefined there).
 */
export function averagePrecision(scores: Scores, labels: Labels): number {
  const sorted = sortScoresByClass(scores, labels, "averagePrecision()");
  _requirePositive("averagePrecision()", sorted);
  return _apFromSorted(sorted);
}

/** AP of split-and-sorted scores (at least one positive). */
export function _apFromSorted(sorted: ScoresByClass): number {
  let sum = 0, tpPrev = 0;
  _scanThresholds(sorted, (_t, tp, fp) => {
    if (tp !== tpPrev) sum += (tp - tpPrev) * (tp / (tp + fp));
    tpPrev = tp;
  });
  return sum / tpPrev;
}
