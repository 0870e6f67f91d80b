// The first study's protocol after scoring (Reddipalli 2022), as two pure steps on scored splits:
// chooseThresholds (validation split only: the greedy Dice search for both filter sizes and for
// the no-model baseline, pooled over every pathological validation subject or per dataset; pixel
// thresholds at 1/5/10 % healthy FPR; the volume threshold at a healthy false-positive rate over
// the healthy validation volumes) and evaluateDataset (one pathology test dataset: sample-, slice-
// and pixel-wise rankings with their baselines, DICE_T and DICE_S after removing small 3D
// components, a degenerate flag where the threshold marks most of the brain, healthy-FPR rows,
// lesion detection, per-subject rows, panels).

import { UserError } from "../../core/errors.ts";
import { MIN_HEALTHY_PER_SPLIT } from "../../data/splits.ts";
import type {
  DiceResult,
  FprThresholdResult,
  LesionDetectionResult,
  RankingResult,
  SubjectRow,
  ThresholdScope,
} from "../../report/eval_result.ts";
import { quantile } from "../../util/quantile.ts";
import { evaluateSampleWise, evaluateSliceWise, sliceMeans } from "../metrics/evaluate_levels.ts";
import { evaluatePixelWise, type PixelWiseReport } from "../metrics/evaluate_pixel_wise.ts";
import { type RankingSummary, rankingSummary } from "../metrics/ranking_summary.ts";
import { greedyDiceThreshold, thresholdAtFpr } from "../metrics/threshold_search.ts";
import {
  BASELINE_NAMES,
  pixelBaselineName,
  sliceBrainAreas,
  subjectBrainVolumes,
} from "../scoring/baselines.ts";
import type { ResidualKind } from "../scoring/reconstruct.ts";
import { reddipalli22Panels } from "./reddipalli22_panels.ts";
import { evenSample } from "../metrics/even_sample.ts";
import {
  fractionAbove,
  gather,
  healthyIds,
  inBrain,
  pathologicalIds,
  type Scored,
  slicesOf,
  volumeScores,
} from "./reddipalli22_scored.ts";

/** A threshold marking more than this share of the brain gives a degenerate row. */
export const DEGENERATE_MASK_FRACTION = 0.5;

/** The choices the steps need. */
export interface StepSetup {
  dataDir: string;
  faithful: boolean;
  residual: ResidualKind;
  bootstrap: number;
  /** The main filter size and the second one beside it. */
  k: number;
  k2: number;
  scope: ThresholdScope;
  /** Target healthy false-positive rate of the volume threshold. */
  volumeFpr: number;
  /** 3D components under this many voxels are removed before each volume's Dice. */
  minComponentSize: number;
  /** Warnings (one line each). */
  write: (line: string) => void;
}

/** Pixel thresholds chosen on one set of pathological validation subjects. */
export interface PixelThresholds {
  /** Main filter, second filter, no-model baseline. */
  pixel: number;
  pixel2: number;
  baseline: number;
  /** Which subjects chose them, e.g. "4 brats+atlas validation subjects". */
  from: string;
  /** Share of those subjects' in-brain voxels above each threshold. */
  validationMaskFraction: { pixel: number; pixel2: number; baseline: number };
}

/** Everything chosen on the validation split. */
export interface Chosen {
  scope: ThresholdScope;
  /** Over every pathological validation subject (what detect applies). */
  pooled: PixelThresholds;
  /** The thresholds each test dataset is evaluated at (the pooled ones when scope is pooled). */
  byDataset: Map<string, PixelThresholds>;
  fprs: { fpr: number; threshold: number }[];
  /** Volume scores of the healthy validation subjects. */
  healthyVolumes: number[];
  /** The (1 − fpr) quantile (numpy linear) of the healthy validation volume scores. */
  volume: { threshold: number; fpr: number; calibrationVolumes: number };
}

function pixelThresholds(s: StepSetup, val: Scored, ids: string[], what: string): PixelThresholds {
  const keep = new Set(ids);
  const sl = slicesOf(val.set, (id) => keep.has(id));
  const m = inBrain(val, sl), m2 = inBrain(val, sl, val.maps2);
  const b = inBrain(val, sl, val.baselineMaps);
  if (!m.l.some((v) => v)) {
    throw new UserError(
      `${s.dataDir}: the validation split has no lesion voxels in ${what}; thresholds need ` +
        "pathological validation subjects" +
        (s.scope === "per-dataset" ? " of every test dataset (or --threshold-scope pooled)" : ""),
    );
  }
  const pixel = greedyDiceThreshold(m.s, m.l).threshold;
  const pixel2 = greedyDiceThreshold(m2.s, m2.l).threshold;
  const baseline = greedyDiceThreshold(b.s, b.l).threshold;
  return {
    pixel,
    pixel2,
    baseline,
    from: `${ids.length} ${what} validation subject${ids.length === 1 ? "" : "s"}`,
    validationMaskFraction: {
      pixel: fractionAbove(m.s, pixel),
      pixel2: fractionAbove(m2.s, pixel2),
      baseline: fractionAbove(b.s, baseline),
    },
  };
}

/** Thresholds from the validation split only: pixel (pooled and, per scope, per dataset),
 * healthy-FPR pixel thresholds, and the volume threshold at `volumeFpr` over the healthy
 * validation volumes. Refuses a validation split without healthy subjects; warns below
 * MIN_HEALTHY_PER_SPLIT.val of them. */
export function chooseThresholds(s: StepSetup, val: Scored, datasets: string[]): Chosen {
  const healthy = healthyIds(val);
  if (healthy.length === 0) {
    throw new UserError(
      `${s.dataDir}: the validation split has no healthy subject; the healthy-FPR and volume ` +
        "thresholds need some (neurad's splits give 3 when the data has 7 healthy subjects)",
    );
  }
  if (healthy.length < MIN_HEALTHY_PER_SPLIT.val) {
    s.write(
      `warning: ${healthy.length} healthy validation subject${
        healthy.length === 1 ? " calibrates" : "s calibrate"
      } the healthy-FPR and volume thresholds (fewer than ${MIN_HEALTHY_PER_SPLIT.val}: ` +
        "a split made before the minimum, or too few healthy subjects)\n",
    );
  }
  const sick = pathologicalIds(val);
  const names = [...new Set(sick.map((id) => val.dataset.get(id)!))];
  const pooled = pixelThresholds(s, val, sick, names.join("+") || "pathological");
  const byDataset = new Map<string, PixelThresholds>();
  for (const ds of datasets) {
    byDataset.set(
      ds,
      s.scope === "pooled" ? pooled : pixelThresholds(s, val, pathologicalIds(val, ds), ds),
    );
  }
  const healthyPix = inBrain(val, slicesOf(val.set, (id) => val.dataset.get(id) === "")).s;
  const healthyVolumes = volumeScores(val, healthy);
  return {
    scope: s.scope,
    pooled,
    byDataset,
    fprs: [0.01, 0.05, 0.1].map((f) => ({
      fpr: f,
      threshold: thresholdAtFpr(healthyPix, f).threshold,
    })),
    healthyVolumes,
    volume: {
      threshold: quantile(healthyVolumes, 1 - s.volumeFpr),
      fpr: s.volumeFpr,
      calibrationVolumes: healthyVolumes.length,
    },
  };
}

const sub = (xs: ArrayLike<number>, n = 500): number[] => evenSample(xs, n);

function ranking(
  level: RankingResult["level"],
  dataset: string,
  s: RankingSummary,
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  baseline: { name: string; summary: RankingSummary },
  threshold?: number,
): RankingResult {
  const healthy: number[] = [], anomalous: number[] = [];
  for (let i = 0; i < labels.length; i++) (labels[i] ? anomalous : healthy).push(scores[i]);
  return {
    level,
    dataset,
    auroc: s.auroc ?? NaN,
    auprc: s.averagePrecision ?? NaN,
    roc: { fpr: sub(s.rocCurve?.x ?? []), tpr: sub(s.rocCurve?.y ?? []) },
    pr: { recall: sub(s.prCurve?.x ?? []), precision: sub(s.prCurve?.y ?? []) },
    scores: { healthy: sub(healthy, 5000), anomalous: sub(anomalous, 5000) },
    threshold,
    positives: s.positives,
    negatives: s.n - s.positives,
    baseline: {
      name: baseline.name,
      auroc: baseline.summary.auroc ?? NaN,
      auprc: baseline.summary.averagePrecision ?? NaN,
    },
  };
}

/** Sample-wise (mean slice error per volume) and slice-wise (mean map per slice) rankings of the
 * dataset's volumes pooled with the healthy test volumes, each beside its baseline (brain volume,
 * brain area of the slice); also each volume's score and brain volume. */
function volumeAndSliceRankings(
  test: Scored,
  ds: string,
  ids: string[],
  healthy: string[],
): { rankings: RankingResult[]; volumeScore: Map<string, number>; brain: Map<string, number> } {
  const { H, W } = test.set, plane = H * W;
  const vols = [...healthy, ...ids], isSick = new Set(ids), inVols = new Set(vols);
  const sliceErrors = vols.map((id) =>
    slicesOf(test.set, (x) => x === id).map((s) => test.sliceErrors[s])
  );
  const labels = vols.map((id) => (isSick.has(id) ? 1 : 0));
  const sw = evaluateSampleWise({ sliceErrors, labels });
  const brain = subjectBrainVolumes(test.set.brainMasks, test.set.subjectIds, plane);
  const swBase = rankingSummary(vols.map((id) => brain.get(id) ?? 0), labels);
  const sl = slicesOf(test.set, (id) => inVols.has(id));
  const maps = gather(test.maps, sl, plane), lesions = gather(test.set.lesionMasks, sl, plane);
  const sliceScores = sliceMeans(maps, H, W);
  const slw = evaluateSliceWise({ sliceScores, lesionMasks: lesions, height: H, width: W });
  const areas = sliceBrainAreas(gather(test.set.brainMasks, sl, plane), plane);
  const slBase = evaluateSliceWise({
    sliceScores: areas,
    lesionMasks: lesions,
    height: H,
    width: W,
  });
  const sliceLabels = sl.map((_, j) =>
    lesions.subarray(j * plane, (j + 1) * plane).some((v) => v) ? 1 : 0
  );
  return {
    rankings: [
      ranking("sample", ds, sw, sw.volumeScores, labels, {
        name: BASELINE_NAMES.sample,
        summary: swBase,
      }),
      ranking("slice", ds, slw, sliceScores, sliceLabels, {
        name: BASELINE_NAMES.slice,
        summary: slBase,
      }),
    ],
    volumeScore: new Map(vols.map((id, i) => [id, sw.volumeScores[i]])),
    brain,
  };
}

/** Pixel-wise metrics of one map on the given slices at a validation threshold. */
function pixelWise(
  s: StepSetup,
  test: Scored,
  slices: number[],
  maps: Float32Array,
  threshold: number,
): PixelWiseReport {
  const { H, W } = test.set, plane = H * W;
  return evaluatePixelWise({
    scores: gather(maps, slices, plane),
    labels: gather(test.set.lesionMasks, slices, plane),
    brainMasks: gather(test.eroded, slices, plane),
    height: H,
    width: W,
    subjects: slices.map((x) => test.set.subjectIds[x]),
    threshold,
    minComponentSize: s.minComponentSize,
    bootstrap: { iterations: s.bootstrap },
  });
}

const pctText = (v: number) => `${(100 * v).toFixed(1)} %`;

/** Why a threshold's mask is not a result, or undefined when it is one. */
export function degenerateReason(
  dataset: string,
  testFraction: number,
  validationFraction: number,
): string | undefined {
  const parts: string[] = [];
  if (testFraction > DEGENERATE_MASK_FRACTION) {
    parts.push(`${pctText(testFraction)} of the ${dataset} test brain`);
  }
  if (validationFraction > DEGENERATE_MASK_FRACTION) {
    parts.push(`${pctText(validationFraction)} of the validation brain it was chosen on`);
  }
  return parts.length
    ? `the threshold marks ${parts.join(" and ")} as anomalous (over ${
      pctText(DEGENERATE_MASK_FRACTION)
    }): not a segmentation`
    : undefined;
}

function diceRow(
  s: StepSetup,
  dataset: string,
  size: number,
  threshold: number,
  validationFraction: number,
  from: string,
  r: PixelWiseReport,
): DiceResult {
  const maskFraction = r.pixels
    ? r.perSubject.reduce((a, x) => a + x.predictedPixels, 0) /
      r.pixels
    : 0;
  const degenerate = degenerateReason(dataset, maskFraction, validationFraction);
  return {
    dataset,
    filter: s.faithful ? `median ${size}×${size}×${size}` : `median ${size}×${size}`,
    threshold,
    diceT: r.diceT,
    diceS: {
      mean: r.diceS.mean,
      std: r.diceS.std,
      ...(r.diceS.ci ? { ci: [r.diceS.ci.lower, r.diceS.ci.upper] as [number, number] } : {}),
    },
    oracle: r.oracle ? { threshold: r.oracle.threshold, diceT: r.oracle.dice } : undefined,
    thresholdScope: s.scope,
    thresholdFrom: from,
    maskFraction,
    validationMaskFraction: validationFraction,
    ...(degenerate ? { degenerate } : {}),
    minComponentSize: s.minComponentSize,
  };
}

/** The healthy-FPR thresholds applied to test data: healthy test FPR and the dataset's TPR. */
function fprRows(
  dataset: string,
  fprs: Chosen["fprs"],
  pix: { s: Float32Array; l: Uint8Array },
  healthyPix: Float32Array,
): FprThresholdResult[] {
  return fprs.map((f) => {
    let tp = 0, fn = 0, fpH = 0;
    for (let i = 0; i < pix.s.length; i++) {
      if (pix.l[i]) pix.s[i] > f.threshold ? tp++ : fn++;
    }
    for (const v of healthyPix) if (v > f.threshold) fpH++;
    const nH = healthyPix.length;
    return {
      dataset,
      fpr: f.fpr,
      threshold: f.threshold,
      testFpr: nH ? fpH / nH : NaN,
      tpr: tp + fn ? tp / (tp + fn) : NaN,
    };
  });
}

/** Lesion-level detection overall and by size stratum. */
function lesionRows(
  dataset: string,
  det: PixelWiseReport["lesions"],
  volumes: number,
  degenerate: string | undefined,
): LesionDetectionResult[] {
  const flag = degenerate ? { degenerate } : {};
  const rows: LesionDetectionResult[] = [{
    dataset,
    stratum: "all",
    lesions: det.count,
    detected: det.detected,
    sensitivity: det.sensitivity ?? NaN,
    falsePositivesPerVolume: det.falsePositiveComponents / Math.max(1, volumes),
    ...flag,
  }];
  const by = det.bySize;
  if (!by) return rows;
  for (
    const [stratum, st] of Object.entries({ small: by.small, medium: by.medium, large: by.large })
  ) {
    rows.push({
      dataset,
      stratum,
      lesions: st.count,
      detected: st.detected,
      sensitivity: st.detectionRate ?? NaN,
      falsePositivesPerVolume: NaN,
      ...flag,
    });
  }
  return rows;
}

/** The rows one test dataset adds to the result. */
export interface DatasetRows {
  rankings: RankingResult[];
  dice: DiceResult[];
  fprThresholds: FprThresholdResult[];
  lesionDetection: LesionDetectionResult[];
  perSubject: SubjectRow[];
  panels: ReturnType<typeof reddipalli22Panels>;
}

/** Every metric of one pathology test dataset (its subjects, healthy test subjects pooled in for
 * the rankings and the FPR), at the thresholds chosen on validation data, each beside its no-model
 * baseline. */
export function evaluateDataset(
  s: StepSetup,
  test: Scored,
  chosen: Chosen,
  ds: string,
): DatasetRows {
  const t = chosen.byDataset.get(ds);
  if (!t) throw new Error(`evaluateDataset(): no thresholds chosen for dataset ${ds}`);
  const ids = pathologicalIds(test, ds), idSet = new Set(ids);
  const healthy = healthyIds(test), healthySet = new Set(healthy);
  const { rankings, volumeScore, brain } = volumeAndSliceRankings(test, ds, ids, healthy);
  // Pixel-wise on the dataset's subjects, inside the eroded brain.
  const ps = slicesOf(test.set, (id) => idSet.has(id));
  const pw = pixelWise(s, test, ps, test.maps, t.pixel);
  const pw2 = pixelWise(s, test, ps, test.maps2, t.pixel2);
  const base = pixelWise(s, test, ps, test.baselineMaps, t.baseline);
  const pix = inBrain(test, ps);
  const baseName = pixelBaselineName(s.residual);
  rankings.push(
    ranking(
      "pixel",
      ds,
      pw.ranking,
      pix.s,
      pix.l,
      { name: baseName, summary: base.ranking },
      t.pixel,
    ),
  );
  const healthyPix = inBrain(test, slicesOf(test.set, (id) => healthySet.has(id))).s;
  const main = diceRow(s, ds, s.k, t.pixel, t.validationMaskFraction.pixel, t.from, pw);
  const baseFraction = base.pixels
    ? base.perSubject.reduce((a, x) => a + x.predictedPixels, 0) / base.pixels
    : 0;
  const baseDegenerate = degenerateReason(ds, baseFraction, t.validationMaskFraction.baseline);
  main.baseline = {
    name: `${baseName}, post-processed like the residual (median ${s.k}, eroded brain)`,
    threshold: t.baseline,
    diceT: base.diceT,
    diceS: { mean: base.diceS.mean, std: base.diceS.std },
    maskFraction: baseFraction,
    ...(baseDegenerate ? { degenerate: baseDegenerate } : {}),
  };
  const perSubject: SubjectRow[] = pw.perSubject.map((r) => ({
    subject: r.subject,
    dataset: ds,
    label: 1,
    score: volumeScore.get(r.subject) ?? NaN,
    dice: r.dice,
    lesionVoxels: r.lesionPixels,
    lesions: r.lesions,
    detectedLesions: r.detectedLesions,
    removedVoxels: r.removedPixels,
    brainVoxels: brain.get(r.subject),
  }));
  return {
    rankings,
    dice: [main, diceRow(s, ds, s.k2, t.pixel2, t.validationMaskFraction.pixel2, t.from, pw2)],
    fprThresholds: fprRows(ds, chosen.fprs, pix, healthyPix),
    lesionDetection: lesionRows(ds, pw.lesions, ids.length, main.degenerate),
    perSubject,
    panels: reddipalli22Panels(test, pw.perSubject, ds, t.pixel),
  };
}

/** One row per healthy test subject: its volume score and brain volume. */
export function healthySubjectRows(test: Scored): SubjectRow[] {
  const { H, W } = test.set;
  const brain = subjectBrainVolumes(test.set.brainMasks, test.set.subjectIds, H * W);
  const ids = healthyIds(test), scores = volumeScores(test, ids);
  return ids.map((id, i) => ({
    subject: id,
    dataset: "healthy",
    label: 0,
    score: scores[i],
    brainVoxels: brain.get(id),
  }));
}
