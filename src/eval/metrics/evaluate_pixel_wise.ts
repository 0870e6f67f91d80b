// Pixel-wise evaluation of a test set of anomaly maps at a validation-chosen threshold: Dice_T over
// all pixels, Dice_S per subject (mean ± std, bootstrap CI), pixel AUROC/AUPRC, the oracle Dice
// beside them, lesion-level detection with size strata, and a per-subject table.

import { _checkLabels, _checkScores, _sliceCount } from "../_validate.ts";
import {
  bootstrapCI,
  type BootstrapOptions,
  type ConfidenceInterval,
  mean,
  std,
} from "./bootstrap.ts";
import { lesionDetection, type LesionRecord, stratifyLesionsBySize } from "./lesion_detection.ts";
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
  /** Dice_S over subjects with lesion pixels only (default, "lesioned") or over all subjects. */
  diceSubjects?: "lesioned" | "all";
  bootstrap?: BootstrapOptions;
  ranking?: RankingOptions;
}

export interface SubjectRow {
  subject: string;
  slices: number;
  pixels: number;
  lesionPixels: number;
  predictedPixels: number;
  /** Dice at the threshold; two empty masks give 1. */
  dice: number;
  /** null where undefined (no predicted pixel / no lesion pixel). */
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
  /** Per-subject Dice: mean ± population std, with a bootstrap CI of the mean. */
  diceS: { mean: number; std: number; subjects: number; ci: ConfidenceInterval };
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
    rows.push({
      subject,
      slices: ids.length,
      pixels: n,
      lesionPixels: tp + fnCount,
      predictedPixels: tp + fp,
      dice: tp + fp + fnCount === 0 ? 1 : (2 * tp) / (2 * tp + fp + fnCount),
      precision: tp + fp > 0 ? tp / (tp + fp) : null,
      recall: tp + fnCount > 0 ? tp / (tp + fnCount) : null,
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
      ci: bootstrapCI(diceValues, input.bootstrap),
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
