// Bounded-memory AUROC and AP for pixel-level evaluation beyond what an exact sort can hold
// (~10^8 scores and up): scores are counted per class into equal-width bins, and each result comes
// with a rigorous bound on its distance to the exact (sort-based, sklearn) value.

import {
  _checkLabels,
  _checkSameLength,
  _checkScores,
  type Labels,
  type Scores,
} from "../_validate.ts";

/** A histogram-based metric with a guaranteed bound: |value - exact| <= errorBound. */
export interface BoundedMetric {
  value: number;
  errorBound: number;
}

/**
 * Per-class score histogram over [lo, hi] with `bins` equal bins; scores outside the range are
 * clamped into the end bins, which keeps the ordering between bins and so keeps the bounds valid.
 * Scores sharing a bin are treated as tied; the only error comes from pairs inside one bin.
 */
export class ScoreHistogram {
  readonly positives: Float64Array;
  readonly negatives: Float64Array;
  readonly #scale: number;

  constructor(readonly lo: number, readonly hi: number, readonly bins = 1 << 20) {
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && hi > lo)) {
      throw new Error(`ScoreHistogram: range [${lo}, ${hi}] must be finite with hi > lo`);
    }
    if (!Number.isInteger(bins) || bins < 1) {
      throw new Error(`ScoreHistogram: bins ${bins} must be a positive integer`);
    }
    this.positives = new Float64Array(bins);
    this.negatives = new Float64Array(bins);
    this.#scale = bins / (hi - lo);
  }

  /** Adds scores with their labels; with `mask`, only samples where mask is 1 are counted. */
  add(scores: Scores, labels: Labels, mask?: Labels): this {
    const fn = "ScoreHistogram.add()";
    _checkSameLength(fn, scores, labels);
    _checkScores(fn, scores);
    _checkLabels(fn, labels);
    if (mask) {
      _checkSameLength(fn, scores, mask, ["scores", "mask"]);
      _checkLabels(fn, mask, "mask");
    }
    const top = this.bins - 1;
    for (let i = 0; i < scores.length; i++) {
      if (mask && mask[i] === 0) continue;
      const b = Math.min(top, Math.max(0, Math.floor((scores[i] - this.lo) * this.#scale)));
      if (labels[i] === 1) this.positives[b]++;
      else this.negatives[b]++;
    }
    return this;
  }

  #totals(fn: string): [number, number] {
    let P = 0, N = 0;
    for (let b = 0; b < this.bins; b++) {
      P += this.positives[b];
      N += this.negatives[b];
    }
    if (P === 0) throw new Error(`${fn}: histogram holds no positive sample`);
    return [P, N];
  }

  /**
   * AUROC with bins as tied groups. Bound: pairs inside one bin score 1/2 here and 0, 1/2 or 1
   * exactly, so |error| <= sum_b pos_b * neg_b / (2 P N).
   */
  auroc(): BoundedMetric {
    const [P, N] = this.#totals("ScoreHistogram.auroc()");
    if (N === 0) throw new Error("ScoreHistogram.auroc(): histogram holds no negative sample");
    let twiceArea = 0, tp = 0, within = 0;
    for (let b = this.bins - 1; b >= 0; b--) {
      const p = this.positives[b], n = this.negatives[b];
      twiceArea += n * (2 * tp + p);
      within += p * n;
      tp += p;
    }
    return { value: twiceArea / (2 * P * N), errorBound: within / (2 * P * N) };
  }

  /**
   * Step-wise AP with bins as tied groups. A positive in bin b has exact precision tp/(tp+fp) with
   * tp in [TA+1, TA+pos_b] and fp in [FA, FA+neg_b] (TA, FA: counts in higher bins); the bound sums
   * each positive's largest possible deviation from the binned precision, divided by P.
   */
  averagePrecision(): BoundedMetric {
    const [P] = this.#totals("ScoreHistogram.averagePrecision()");
    let sum = 0, bound = 0, TA = 0, FA = 0;
    for (let b = this.bins - 1; b >= 0; b--) {
      const p = this.positives[b], n = this.negatives[b];
      if (p > 0) {
        const q = (TA + p) / (TA + p + FA + n);
        const lo = (TA + 1) / (TA + 1 + FA + n), hi = (TA + p) / (TA + p + FA);
        sum += p * q;
        bound += p * Math.max(q - lo, hi - q);
      }
      TA += p;
      FA += n;
    }
    return { value: sum / P, errorBound: bound / P };
  }
}

/** Histogram AUROC and AP of in-memory scores over their own [min, max] range. */
export function histogramRankingMetrics(
  scores: Scores,
  labels: Labels,
  bins = 1 << 20,
): { auroc: BoundedMetric; averagePrecision: BoundedMetric } {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < scores.length; i++) {
    lo = Math.min(lo, scores[i]);
    hi = Math.max(hi, scores[i]);
  }
  if (scores.length > 0 && hi === lo) hi = lo + 1; // all tied: one bin holds everything, exactly
  const h = new ScoreHistogram(Number.isFinite(lo) ? lo : 0, Number.isFinite(hi) ? hi : 1, bins);
  h.add(scores, labels);
  return { auroc: h.auroc(), averagePrecision: h.averagePrecision() };
}
