// Pixel-wise evaluation of a test set of anomaly maps at a validation-chosen threshold: Dice_T over
// all pixels, Dice_S per subject (mean ± std, bootstrap CI; optionally after removing small 3D
// components from each subject's predicted volume, as the first study does), pixel AUROC/AUPRC,
// the oracle Dice beside them, lesion-level detection with size strata, and a per-subject table.

import { _checkLabels, _checkScores, _sliceCount } from "../_validate.ts";
import {
  bootstrapCI,
  type BootstrapOptions,
  type ConfidenceInterval,
  mean,
  std,
} from "./bootstrap.ts";
import { lesionDetection, type LesionRecord, stratifyLesionsBySize } from "./lesion_detection.ts";
import { removeSmallComponents3d } from "../postprocess/connected_components.ts";
import { type RankingOptions, type RankingSummary, rankingSummary } from "./ranking_summary.ts";
import { bestDiceThreshold, type DiceThreshold } from "./threshold_search.ts";

export interface PixelWiseInput {
  /** Anomaly maps [slices, height, width] (width fastest), already post-processed. */
  scores: Float32Array;
  /** Ground-truth lesion masks, same layout, 0/1. */
  labels: Uint8Array;
  height: number;
  width: number;
  /** Subject id of each slice; a subject's slices are taken in order as its volume. */
  subjects: ArrayLike<string | number>;
  /** Optional brain masks, same layout: pixels outside are excluded from every pixel metric. */
  brainMasks?: Uint8Array;
  /** Threshold chosen on validation data; positive where score > threshold. */
  threshold: number;
  /** Lesion connectivity: 26/18/6 (3D per subject, default 26) or 8/4 (per slice). */
  lesionConnectivity?: number;
  /**
   * Before each subject's Dice (Dice_S and the per-subject rows), remove the 3D components of its
   * predicted volume (26-connected) with fewer than this many voxels (default 0: none). Dice_T,
   * the lesion counts and the ranking use the mask as thresholded.
   */
  minComponentSize?: number;
  /** Dice_S over subjects with lesion pixels only (default, "lesioned") or over all subjects. */
  diceSubjects?: "lesioned" | "all";
  /** Bootstrap of the Dice_S mean; false (or 0 iterations) for none. */
  bootstrap?: BootstrapOptions | false;
  ranking?: RankingOptions;
}

export interface SubjectRow {
  subject: string;
  slices: number;
  pixels: number;
  lesionPixels: number;
  predictedPixels: number;
  /** Predicted pixels in components under `minComponentSize` voxels, left out of `dice`. */
  removedPixels: number;
  /** Dice at the threshold after the small-component removal (the Dice_S value); two empty
   * masks give 1. */
  dice: number;
  /** Of the same mask as `dice`; null where undefined (no predicted pixel / no lesion pixel). */
  precision: number | null;
  recall: number | null;
  lesions: number;
  detectedLesions: number;
  falsePositiveComponents: number;
}

export interface PixelWiseReport {
  level: "pixel";
  threshold: number;
  pixels: number;
  lesionPixels: number;
  /** Dice over all pixels of all subjects at the validation threshold. */
  diceT: number;
  /** Per-subject Dice: mean ± population std, with a bootstrap CI of the mean (null without a
   * bootstrap). */
  diceS: { mean: number; std: number; subjects: number; ci: ConfidenceInterval | null };
  /** Best Dice_T over all thresholds of the test scores: an upper bound, never the result. */
  oracle: DiceThreshold | null;
  ranking: RankingSummary;
  lesions: {
    count: number;
    detected: number;
    sensitivity: number | null;
    falsePositiveComponents: number;
    bySize: ReturnType<typeof stratifyLesionsBySize> | null;
  };
  perSubject: SubjectRow[];
}

/** Evaluates anomaly maps pixel-wise; see PixelWiseInput for the conventions. */
export function evaluatePixelWise(input: PixelWiseInput): PixelWiseReport {
  const fn = "evaluatePixelWise()";
  const { scores, labels, height, width, subjects, brainMasks, threshold } = input;
  const slices = _sliceCount(fn, scores.length, height, width), plane = height * width;
  if (labels.length !== scores.length) {
    throw new Error(`${fn}: labels length ${labels.length} != scores length ${scores.length}`);
  }
  if (brainMasks && brainMasks.length !== scores.length) {
    throw new Error(
      `${fn}: brainMasks length ${brainMasks.length} != scores length ${scores.length}`,
    );
  }
  if (subjects.length !== slices) {
    throw new Error(`${fn}: ${subjects.length} subject ids for ${slices} slices`);
  }
  if (!Number.isFinite(threshold)) throw new Error(`${fn}: threshold ${threshold} must be finite`);
  const minSize = input.minComponentSize ?? 0;
  if (!Number.isInteger(minSize) || minSize < 0) {
    throw new Error(`${fn}: minComponentSize ${minSize} must be a non-negative integer`);
  }
  _checkScores(fn, scores);
  _checkLabels(fn, labels);
  if (brainMasks) _checkLabels(fn, brainMasks, "brainMasks");

  // Group slices by subject, keeping their order.
  const groups = new Map<string, number[]>();
  for (let s = 0; s < slices; s++) {
    const id = String(subjects[s]);
    if (!groups.has(id)) groups.set(id, []);
    groups.get(id)!.push(s);
  }
  const inBrain = (i: number) => !brainMasks || brainMasks[i] === 1;
  const rows: SubjectRow[] = [];
  const allLesions: LesionRecord[] = [];
  let tpAll = 0, fpAll = 0, fnAll = 0, pixels = 0;
  for (const [subject, ids] of groups) {
    const pred = new Uint8Array(ids.length * plane), gt = new Uint8Array(ids.length * plane);
    let tp = 0, fp = 0, fnCount = 0, n = 0;
    ids.forEach((s, k) => {
      for (let j = 0; j < plane; j++) {
        const i = s * plane + j;
        if (!inBrain(i)) continue;
        n++;
        const p = scores[i] > threshold ? 1 : 0, g = labels[i];
        pred[k * plane + j] = p;
        gt[k * plane + j] = g;
        if (p && g) tp++;
        else if (p) fp++;
        else if (g) fnCount++;
      }
    });
    const det = lesionDetection(pred, gt, { depth: ids.length, height, width }, {
      connectivity: input.lesionConnectivity ?? 26,
    });
    allLesions.push(...det.lesions);
    // Dice_S's volume: the prediction without its components under minSize voxels.
    let sTp = tp, sFp = fp;
    if (minSize > 1) {
      const kept = removeSmallComponents3d(pred, ids.length, height, width, minSize, 26);
      sTp = sFp = 0;
      for (let j = 0; j < kept.length; j++) if (kept[j]) gt[j] ? sTp++ : sFp++;
    }
    rows.push({
      subject,
      slices: ids.length,
      pixels: n,
      lesionPixels: tp + fnCount,
      predictedPixels: tp + fp,
      removedPixels: tp + fp - sTp - sFp,
      dice: sTp + sFp + (tp + fnCount) === 0 ? 1 : (2 * sTp) / (sTp + sFp + tp + fnCount),
      precision: sTp + sFp > 0 ? sTp / (sTp + sFp) : null,
      recall: tp + fnCount > 0 ? sTp / (tp + fnCount) : null,
      lesions: det.lesionCount,
      detectedLesions: det.detected,
      falsePositiveComponents: det.falsePositiveComponents,
    });
    tpAll += tp;
    fpAll += fp;
    fnAll += fnCount;
    pixels += n;
  }

  const diceRows = input.diceSubjects === "all" ? rows : rows.filter((r) => r.lesionPixels > 0);
  if (diceRows.length === 0) {
    throw new Error(`${fn}: no subject has lesion pixels; Dice_S is undefined`);
  }
  const diceValues = diceRows.map((r) => r.dice);

  // Pixel ranking metrics and the oracle run on the in-brain pixels only.
  let s = scores, l = labels;
  if (brainMasks) {
    s = new Float32Array(pixels);
    l = new Uint8Array(pixels);
    for (let i = 0, k = 0; i < scores.length; i++) {
      if (brainMasks[i] === 1) {
        s[k] = scores[i];
        l[k++] = labels[i];
      }
    }
  }
  const ranking = rankingSummary(s, l, input.ranking);
  const lesionPixels = tpAll + fnAll;
  const detected = allLesions.filter((x) => x.detected).length;
  return {
    level: "pixel",
    threshold,
    pixels,
    lesionPixels,
    diceT: tpAll + fpAll + fnAll === 0 ? 1 : (2 * tpAll) / (2 * tpAll + fpAll + fnAll),
    diceS: {
      mean: mean(diceValues),
      std: std(diceValues),
      subjects: diceValues.length,
      ci: input.bootstrap === false || input.bootstrap?.iterations === 0
        ? null
        : bootstrapCI(diceValues, input.bootstrap),
    },
    oracle: lesionPixels > 0 && ranking.method === "sort" ? bestDiceThreshold(s, l) : null,
    ranking,
    lesions: {
      count: allLesions.length,
      detected,
      sensitivity: allLesions.length ? detected / allLesions.length : null,
      falsePositiveComponents: rows.reduce((a, r) => a + r.falsePositiveComponents, 0),
      bySize: allLesions.length ? stratifyLesionsBySize(allLesions) : null,
    },
    perSubject: rows,
  };
}
