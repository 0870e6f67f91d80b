// ROC curve and area under it with scikit-learn's semantics (`roc_curve`, `roc_auc_score`),
// ties included: tied scores form one diagonal step, i.e. a tied positive/negative pair counts 1/2.

import type { Labels, Scores } from "../_validate.ts";
import { _curveFromSorted, _scanThresholds } from "./binary_clf_curve.ts";
import { type ScoresByClass, sortScoresByClass } from "./sorted_scores.ts";

/** Points of the ROC curve, as sklearn `roc_curve` returns them. */
export interface RocCurve {
  fpr: Float64Array;
  tpr: Float64Array;
  /** Decreasing; thresholds[0] = max(score) + 1 (sklearn 1.2; sklearn >= 1.3 uses +Infinity). */
  thresholds: Float64Array;
}

function _requireBothClasses(fn: string, sorted: ScoresByClass): void {
  if (sorted.positives.length === 0 || sorted.negatives.length === 0) {
    const missing = sorted.positives.length === 0 ? "positive" : "negative";
    throw new Error(`${fn}: labels contain no ${missing} sample; ROC is undefined with one class`);
  }
}

/**
 * sklearn `roc_curve(labels, scores, drop_intermediate=dropIntermediate)`. Throws if only one class
 * is present (sklearn returns NaN with a warning there).
 */
export function rocCurve(scores: Scores, labels: Labels, dropIntermediate = true): RocCurve {
  const sorted = sortScoresByClass(scores, labels, "rocCurve()");
  _requireBothClasses("rocCurve()", sorted);
  return _rocFromSorted(sorted, dropIntermediate);
}

/** ROC points of split-and-sorted scores (both classes present). */
export function _rocFromSorted(sorted: ScoresByClass, dropIntermediate = true): RocCurve {
  const c = _curveFromSorted(sorted);
  const m = c.thresholds.length;
  let keep: number[] = [];
  if (dropIntermediate && m > 2) {
    // sklearn keeps the ends and every point where the second difference of fps or tps is non-zero,
    // i.e. it drops points collinear with both neighbours along an axis-parallel or diagonal run.
    keep.push(0);
    for (let k = 1; k < m - 1; k++) {
      const d2f = c.fps[k + 1] - 2 * c.fps[k] + c.fps[k - 1];
      const d2t = c.tps[k + 1] - 2 * c.tps[k] + c.tps[k - 1];
      if (d2f !== 0 || d2t !== 0) keep.push(k);
    }
    keep.push(m - 1);
  } else {
    keep = Array.from({ length: m }, (_, k) => k);
  }
  const P = c.tps[m - 1], N = c.fps[m - 1];
  const out = {
    fpr: new Float64Array(keep.length + 1),
    tpr: new Float64Array(keep.length + 1),
    thresholds: new Float64Array(keep.length + 1),
  };
  out.thresholds[0] = c.thresholds[keep[0]] + 1;
  keep.forEach((k, r) => {
    out.fpr[r + 1] = c.fps[k] / N;
    out.tpr[r + 1] = c.tps[k] / P;
    out.thresholds[r + 1] = c.thresholds[k];
  });
  return out;
}

/**
 * sklearn `roc_auc_score(labels, scores)` for binary labels: the probability that a random positive
 * outscores a random negative, ties counting 1/2. Computed as an integer sum of trapezoids divided
 * once, so it is exact to one rounding for n <= 1.3e8 (the doubled sum stays below 2^53).
 * Throws if only one class is present (as sklearn does).
 */
export function auroc(scores: Scores, labels: Labels): number {
  const sorted = sortScoresByClass(scores, labels, "auroc()");
  _requireBothClasses("auroc()", sorted);
  return _aurocFromSorted(sorted);
}

/** AUROC of split-and-sorted scores (both classes present). */
export function _aurocFromSorted(sorted: ScoresByClass): number {
  let twiceArea = 0, tpPrev = 0, fpPrev = 0;
  _scanThresholds(sorted, (_t, tp, fp) => {
    twiceArea += (fp - fpPrev) * (tp + tpPrev);
    tpPrev = tp;
    fpPrev = fp;
  });
  return twiceArea / (2 * tpPrev * fpPrev);
}
