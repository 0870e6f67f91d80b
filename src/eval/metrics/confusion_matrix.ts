// Confusion counts of binary predictions, and thresholding of scores into predictions. The
// project-wide convention: a sample (pixel, slice, volume, image) is predicted positive when its
// score is strictly greater than the threshold (as sklearn's `binarize` and the field's code do).

import {
  _checkLabels,
  _checkSameLength,
  _checkScores,
  type Labels,
  type Scores,
} from "../_validate.ts";

/** Counts of a binary confusion matrix; `matrix` is sklearn's layout [[tn, fp], [fn, tp]]. */
export interface ConfusionMatrix {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  matrix: [[number, number], [number, number]];
}

/** sklearn `binarize(scores, threshold)`: 1 where score > threshold, else 0. */
export function binarize(scores: Scores, threshold: number): Uint8Array {
  if (Number.isNaN(threshold)) throw new Error("binarize(): threshold is NaN");
  _checkScores("binarize()", scores);
  const out = new Uint8Array(scores.length);
  for (let i = 0; i < scores.length; i++) out[i] = scores[i] > threshold ? 1 : 0;
  return out;
}

/** sklearn `confusion_matrix(yTrue, yPred)` for 0/1 arrays (argument order as in sklearn). */
export function confusionMatrix(yTrue: Labels, yPred: Labels): ConfusionMatrix {
  const fn = "confusionMatrix()";
  _checkSameLength(fn, yTrue, yPred, ["yTrue", "yPred"]);
  _checkLabels(fn, yTrue, "yTrue");
  _checkLabels(fn, yPred, "yPred");
  let tp = 0, fp = 0, tn = 0, fnCount = 0;
  for (let i = 0; i < yTrue.length; i++) {
    if (yPred[i] === 1) yTrue[i] === 1 ? tp++ : fp++;
    else yTrue[i] === 1 ? fnCount++ : tn++;
  }
  return _confusion(tp, fp, tn, fnCount);
}

/** Confusion counts of `scores > threshold` against labels, without materialising predictions. */
export function confusionAtThreshold(
  scores: Scores,
  labels: Labels,
  threshold: number,
): ConfusionMatrix {
  const fn = "confusionAtThreshold()";
  _checkSameLength(fn, scores, labels);
  _checkScores(fn, scores);
  _checkLabels(fn, labels);
  if (Number.isNaN(threshold)) throw new Error(`${fn}: threshold is NaN`);
  let tp = 0, fp = 0, tn = 0, fnCount = 0;
  for (let i = 0; i < scores.length; i++) {
    if (scores[i] > threshold) labels[i] === 1 ? tp++ : fp++;
    else labels[i] === 1 ? fnCount++ : tn++;
  }
  return _confusion(tp, fp, tn, fnCount);
}

export function _confusion(tp: number, fp: number, tn: number, fn: number): ConfusionMatrix {
  return { tp, fp, tn, fn, matrix: [[tn, fp], [fn, tp]] };
}
