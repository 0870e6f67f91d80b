// Choosing the binarisation threshold of anomaly scores on validation data; the chosen threshold is
// then applied unchanged to the test set. Predictions are positive where score > threshold.

import { _scanThresholds } from "./binary_clf_curve.ts";
import { _checkScores, type Labels, type Scores } from "../_validate.ts";
import { quantileSorted } from "../../util/quantile.ts";
import { radixSortFloat32, type ScoresByClass, sortScoresByClass } from "./sorted_scores.ts";

/** A threshold with the Dice it reaches on the data it was chosen on. */
export interface DiceThreshold {
  threshold: number;
  dice: number;
}

/** Number of elements > t in an ascending array (binary search). */
function _countAbove(sorted: ArrayLike<number>, t: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] > t) hi = mid;
    else lo = mid + 1;
  }
  return sorted.length - lo;
}

function _diceAbove(s: ScoresByClass, t: number): number {
  const tp = _countAbove(s.positives, t), fp = _countAbove(s.negatives, t), P = s.positives.length;
  return (2 * tp) / (tp + fp + P);
}

function _sortedWithPositives(fn: string, scores: Scores, labels: Labels): ScoresByClass {
  const s = sortScoresByClass(scores, labels, fn);
  if (s.positives.length === 0) {
    throw new Error(`${fn}: labels contain no positive pixel; Dice cannot guide the search`);
  }
  return s;
}

/**
 * The first study's greedy search (Zimmerer et al.'s `find_best_val`, used by Baur et al. and
 * Reddipalli 2022): over [lo, hi] (default: the score range), evaluate Dice at the lower and upper
 * quartile points, keep the half whose quartile scored better (ties keep the lower half), repeat
 * `iterations` times (default 10). Like the original recursion, which carries `max_val` and
 * `max_point` through its calls, it returns the best quartile point visited in any step (ties
 * between steps go to the later point, the original's `>=`), not the point of the last step.
 */
export function greedyDiceThreshold(
  scores: Scores,
  labels: Labels,
  { iterations = 10, range }: { iterations?: number; range?: [number, number] } = {},
): DiceThreshold {
  const s = _sortedWithPositives("greedyDiceThreshold()", scores, labels);
  let [bottom, top] = range ?? [
    Math.min(s.positives[0], s.negatives[0] ?? Infinity),
    Math.max(s.positives[s.positives.length - 1], s.negatives[s.negatives.length - 1] ?? -Infinity),
  ];
  // The original starts from max_val = 0 at max_point = the range's top; step 1 always replaces it.
  let best: DiceThreshold = { threshold: top, dice: 0 };
  for (let step = 0; step < iterations; step++) {
    const center = bottom + (top - bottom) * 0.5;
    const qBottom = bottom + (top - bottom) * 0.25, qTop = bottom + (top - bottom) * 0.75;
    const dBottom = _diceAbove(s, qBottom), dTop = _diceAbove(s, qTop);
    if (dBottom >= dTop) {
      top = center;
      if (dBottom >= best.dice) best = { threshold: qBottom, dice: dBottom };
    } else {
      bottom = center;
      if (dTop >= best.dice) best = { threshold: qTop, dice: dTop };
    }
  }
  return best;
}

/**
 * Exhaustive search over score quantiles: candidates numpy.quantile(scores, k / count) for
 * k = 0..count (linear method); returns the candidate with the highest Dice (the lowest on ties).
 */
export function quantileDiceThreshold(
  scores: Scores,
  labels: Labels,
  { count = 1000 }: { count?: number } = {},
): DiceThreshold {
  const fn = "quantileDiceThreshold()";
  const s = _sortedWithPositives(fn, scores, labels);
  if (!Number.isInteger(count) || count < 1) {
    throw new Error(`${fn}: count ${count} must be a positive integer`);
  }
  const all = scores instanceof Float32Array
    ? radixSortFloat32(Float32Array.from(scores, (v) => v + 0))
    : Float64Array.from(scores).sort();
  let best: DiceThreshold = { threshold: NaN, dice: -1 };
  for (let k = 0; k <= count; k++) {
    const t = quantileSorted(all, k / count), d = _diceAbove(s, t);
    if (d > best.dice) best = { threshold: t, dice: d };
  }
  return best;
}

/**
 * The oracle: the best Dice over every distinct threshold of these scores (to be reported beside,
 * never instead of, the Dice at a validation-chosen threshold). The returned threshold is the next
 * lower distinct score (max - 1 below the minimum), so `score > threshold` reproduces the Dice.
 */
export function bestDiceThreshold(scores: Scores, labels: Labels): DiceThreshold {
  const s = _sortedWithPositives("bestDiceThreshold()", scores, labels);
  const P = s.positives.length;
  let best = { threshold: NaN, dice: -1 }, pendingDice = -1;
  _scanThresholds(s, (t, tp, fp) => {
    if (pendingDice >= 0) best = { threshold: t, dice: pendingDice }; // previous step's "> t"
    pendingDice = -1;
    const d = (2 * tp) / (tp + fp + P);
    if (d > best.dice) pendingDice = d;
  });
  if (pendingDice >= 0) {
    const min = Math.min(s.positives[0], s.negatives[0] ?? Infinity);
    best = { threshold: min - 1, dice: pendingDice };
  }
  return best;
}

/**
 * Threshold at a fixed false-positive rate on healthy pixels: the smallest threshold t among the
 * scores such that the fraction of healthy scores > t is at most `fpr` (ties can make the achieved
 * rate lower). Used at 1 %, 5 % and 10 %.
 */
export function thresholdAtFpr(
  healthyScores: Scores,
  fpr: number,
): { threshold: number; fpr: number } {
  const fn = "thresholdAtFpr()";
  if (!(fpr >= 0 && fpr < 1)) throw new Error(`${fn}: fpr ${fpr} must be in [0, 1)`);
  if (healthyScores.length === 0) throw new Error(`${fn}: healthyScores is empty`);
  _checkScores(fn, healthyScores);
  const sorted = healthyScores instanceof Float32Array
    ? radixSortFloat32(Float32Array.from(healthyScores, (v) => v + 0))
    : Float64Array.from(healthyScores).sort();
  // the relative nudge keeps e.g. 0.29 * 100 = 28.999999999999996 from flooring to 28
  const n = sorted.length, allowed = Math.floor(fpr * n * (1 + 1e-12));
  const threshold = sorted[n - 1 - Math.min(allowed, n - 1)];
  return { threshold, fpr: _countAbove(sorted, threshold) / n };
}
