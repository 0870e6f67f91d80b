// AUROC, AP and plot-ready curves of one score set, choosing the exact sort or, beyond
// `maxSortSize`, the bounded histogram method. The level evaluators all report through this.

import { _apFromSorted, _prFromSorted } from "./precision_recall.ts";
import { _aurocFromSorted, _rocFromSorted } from "./roc.ts";
import { histogramRankingMetrics } from "./score_histogram.ts";
import { sortScoresByClass } from "./sorted_scores.ts";
import type { Labels, Scores } from "../_validate.ts";

/** Curve points for plotting, thinned to at most `maxCurvePoints` (ends kept). */
export interface CurvePoints {
  x: number[];
  y: number[];
  thresholds: number[];
}

export interface RankingSummary {
  n: number;
  positives: number;
  /** null when a class is missing (undefined metric). */
  auroc: number | null;
  /** null without positives. */
  averagePrecision: number | null;
  method: "sort" | "histogram";
  /** Guaranteed |value - exact| bounds (0 for the sort method). */
  aurocErrorBound: number;
  averagePrecisionErrorBound: number;
  /** ROC (x = FPR, y = TPR) and PR (x = recall, y = precision); absent for the histogram method. */
  rocCurve?: CurvePoints;
  prCurve?: CurvePoints;
}

export interface RankingOptions {
  /** Largest n evaluated by exact sort (default 2e8: ~1.6 GB of Float32 scratch at most). */
  maxSortSize?: number;
  /** Bins of the histogram method (default 2^20). */
  bins?: number;
  /** Curve points kept for plots (default 1000). */
  maxCurvePoints?: number;
}

function _thin(x: Float64Array, y: Float64Array, t: ArrayLike<number>, max: number): CurvePoints {
  const m = x.length, step = Math.max(1, (m - 1) / Math.max(1, max - 1));
  const out: CurvePoints = { x: [], y: [], thresholds: [] };
  for (let f = 0; Math.round(f) < m; f += step) {
    const k = Math.round(f);
    out.x.push(x[k]);
    out.y.push(y[k]);
    out.thresholds.push(k < t.length ? t[k] : t[t.length - 1]);
  }
  if (out.x[out.x.length - 1] !== x[m - 1] || out.y[out.y.length - 1] !== y[m - 1]) {
    out.x.push(x[m - 1]);
    out.y.push(y[m - 1]);
    out.thresholds.push(t[t.length - 1]);
  }
  return out;
}

/** AUROC / AP (sklearn semantics) with curve points; undefined metrics are null, not errors. */
export function rankingSummary(
  scores: Scores,
  labels: Labels,
  opts: RankingOptions = {},
): RankingSummary {
  const { maxSortSize = 2e8, bins = 1 << 20, maxCurvePoints = 1000 } = opts;
  if (scores.length > maxSortSize) {
    let positives = 0;
    for (let i = 0; i < labels.length; i++) positives += labels[i];
    const h = positives > 0 ? histogramRankingMetrics(scores, labels, bins) : null;
    const hasBoth = positives > 0 && positives < scores.length;
    return {
      n: scores.length,
      positives,
      auroc: hasBoth ? h!.auroc.value : null,
      averagePrecision: h ? h.averagePrecision.value : null,
      method: "histogram",
      aurocErrorBound: hasBoth ? h!.auroc.errorBound : 0,
      averagePrecisionErrorBound: h ? h.averagePrecision.errorBound : 0,
    };
  }
  const sorted = sortScoresByClass(scores, labels, "rankingSummary()");
  const P = sorted.positives.length, N = sorted.negatives.length;
  const out: RankingSummary = {
    n: P + N,
    positives: P,
    auroc: null,
    averagePrecision: null,
    method: "sort",
    aurocErrorBound: 0,
    averagePrecisionErrorBound: 0,
  };
  if (P > 0 && N > 0) {
    out.auroc = _aurocFromSorted(sorted);
    const r = _rocFromSorted(sorted);
    out.rocCurve = _thin(r.fpr, r.tpr, r.thresholds, maxCurvePoints);
  }
  if (P > 0) {
    out.averagePrecision = _apFromSorted(sorted);
    const p = _prFromSorted(sorted);
    out.prCurve = _thin(p.recall, p.precision, p.thresholds, maxCurvePoints);
  }
  return out;
}
