// Sample-wise and slice-wise evaluation (the first study's volume and slice levels): reduce
// anomaly maps to one score per volume or per slice, then rank them against their labels.

import { _checkLabels, _checkScores, _sliceCount, type Labels, type Scores } from "../_validate.ts";
import { type RankingOptions, type RankingSummary, rankingSummary } from "./ranking_summary.ts";

/** Mean of each [height, width] slice of a [slices, height, width] array. */
export function sliceMeans(values: Scores, height: number, width: number): Float64Array {
  const slices = _sliceCount("sliceMeans()", values.length, height, width), plane = height * width;
  _checkScores("sliceMeans()", values);
  const out = new Float64Array(slices);
  for (let s = 0; s < slices; s++) {
    let sum = 0;
    for (let i = s * plane; i < (s + 1) * plane; i++) sum += values[i];
    out[s] = sum / plane;
  }
  return out;
}

/**
 * Sample-wise: each volume's score is the mean of its slices' reconstruction errors; volumes with
 * label 1 (lesioned) are ranked against held-out healthy volumes (label 0).
 */
export function evaluateSampleWise(
  { sliceErrors, labels }: { sliceErrors: ArrayLike<number>[]; labels: Labels },
  opts: RankingOptions = {},
): RankingSummary & { level: "sample"; volumeScores: number[] } {
  const fn = "evaluateSampleWise()";
  if (sliceErrors.length !== labels.length) {
    throw new Error(`${fn}: ${sliceErrors.length} volumes but ${labels.length} labels`);
  }
  _checkLabels(fn, labels);
  const volumeScores = sliceErrors.map((e, v) => {
    if (e.length === 0) throw new Error(`${fn}: volume ${v} has no slice errors`);
    _checkScores(fn, e);
    let s = 0;
    for (let i = 0; i < e.length; i++) s += e[i];
    return s / e.length;
  });
  return { level: "sample", volumeScores, ...rankingSummary(volumeScores, labels, opts) };
}

/**
 * Slice-wise: a slice is positive when its lesion mask has any lesion pixel; `sliceScores` (one
 * per slice, e.g. sliceMeans of the anomaly map) are ranked against those labels.
 */
export function evaluateSliceWise(
  { sliceScores, lesionMasks, height, width }: {
    sliceScores: Scores;
    lesionMasks: Labels;
    height: number;
    width: number;
  },
  opts: RankingOptions = {},
): RankingSummary & { level: "slice"; slices: number; lesionSlices: number } {
  const fn = "evaluateSliceWise()";
  const slices = _sliceCount(fn, lesionMasks.length, height, width), plane = height * width;
  if (sliceScores.length !== slices) {
    throw new Error(
      `${fn}: ${sliceScores.length} slice scores but lesionMasks holds ${slices} slices`,
    );
  }
  _checkLabels(fn, lesionMasks, "lesionMasks");
  const sliceLabels = new Uint8Array(slices);
  for (let s = 0; s < slices; s++) {
    for (let i = s * plane; i < (s + 1) * plane; i++) {
      if (lesionMasks[i] === 1) {
        sliceLabels[s] = 1;
        break;
      }
    }
  }
  const summary = rankingSummary(sliceScores, sliceLabels, opts);
  return { level: "slice", slices, lesionSlices: summary.positives, ...summary };
}
