// Threshold metrics of binary predictions: sklearn's precision/recall/F1/accuracy (same argument
// order and zero_division semantics) and the Dice coefficient of segmentation masks.

import type { Labels } from "../_validate.ts";
import { type ConfusionMatrix, confusionMatrix } from "./confusion_matrix.ts";

/** Value returned where a ratio is 0/0; sklearn's default ("warn") yields 0. */
export interface ZeroDivision {
  zeroDivision?: number;
}

function _ratio(num: number, den: number, zeroDivision: number): number {
  return den === 0 ? zeroDivision : num / den;
}

/** Threshold metrics from confusion counts (sklearn zero_division semantics, default 0). */
export function scoresFromConfusion(c: ConfusionMatrix, { zeroDivision = 0 }: ZeroDivision = {}) {
  return {
    accuracy: _ratio(c.tp + c.tn, c.tp + c.tn + c.fp + c.fn, zeroDivision),
    precision: _ratio(c.tp, c.tp + c.fp, zeroDivision),
    recall: _ratio(c.tp, c.tp + c.fn, zeroDivision),
    specificity: _ratio(c.tn, c.tn + c.fp, zeroDivision),
    f1: _ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn, zeroDivision),
  };
}

/** sklearn `precision_score(yTrue, yPred, zero_division)`: tp / (tp + fp). */
export function precisionScore(yTrue: Labels, yPred: Labels, opts: ZeroDivision = {}): number {
  return scoresFromConfusion(confusionMatrix(yTrue, yPred), opts).precision;
}

/** sklearn `recall_score(yTrue, yPred, zero_division)`: tp / (tp + fn). */
export function recallScore(yTrue: Labels, yPred: Labels, opts: ZeroDivision = {}): number {
  return scoresFromConfusion(confusionMatrix(yTrue, yPred), opts).recall;
}

/** sklearn `f1_score(yTrue, yPred, zero_division)`: 2tp / (2tp + fp + fn); 0 for two empty masks. */
export function f1Score(yTrue: Labels, yPred: Labels, opts: ZeroDivision = {}): number {
  return scoresFromConfusion(confusionMatrix(yTrue, yPred), opts).f1;
}

/** sklearn `accuracy_score(yTrue, yPred)`. Throws on empty input. */
export function accuracyScore(yTrue: Labels, yPred: Labels): number {
  if (yTrue.length === 0) throw new Error("accuracyScore(): yTrue and yPred are empty");
  return scoresFromConfusion(confusionMatrix(yTrue, yPred)).accuracy;
}

/**
 * Dice = 2|pred ∩ gt| / (|pred| + |gt|) of two 0/1 masks of any shape (order irrelevant).
 * Two empty masks agree perfectly, so their Dice is `empty` (default 1) — unlike f1Score(), which
 * follows sklearn and gives 0 there.
 */
export function dice(pred: Labels, gt: Labels, { empty = 1 }: { empty?: number } = {}): number {
  const c = confusionMatrix(gt, pred);
  return _ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn, empty);
}
