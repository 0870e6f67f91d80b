// The first study's evaluation protocol on NIfTI runs (Reddipalli 2022): reconstruct every axial
// slice of the validation and test subjects, residual, brain mask eroded (cross, 5 iterations),
// median filter (9×9, and 5×5 beside it), then thresholds chosen on the VALIDATION split only (the
// study's greedy Dice search; healthy-FPR 1/5/10 %), and test metrics per pathology dataset:
// sample-wise (mean slice error per volume, healthy test volumes pooled with the dataset),
// slice-wise (mean post-processed residual per slice), pixel-wise AUROC/AUPRC, DICE_T and
// DICE_S ± std with bootstrap intervals, the test-set-optimised "DICE_T" reported as an oracle,
// lesion detection by size, per-subject rows and Fig. 5.2-style panels.
// Modes: corrected = the 2D protocol as written (absolute residual, 2D median per slice, 2D cross
// erosion per axial slice, lesion masks resampled and kept at ≥ 0.5); faithful = what the study's
// code did: a 3D size³ median over each subject's slice stack, the brain mask eroded in the wrong
// planes (sagittal (z, y) instead of axial (y, x)), lesion masks kept above 0.01 after resampling
// (dilated). In both, DICE_T re-optimised on test data is labelled oracle, never the result.
// The protocol runs as named steps: scoreSplit (val, test) → chooseThresholds (validation only)
// → evaluateDataset per test dataset → healthySubjectRows, protocolSettings, storedThresholds.

import { loadSlices, type SliceSet } from "../../data/load_slices.ts";
import type { OpenedRun } from "../../train/open_run.ts";
import { evaluateSampleWise, evaluateSliceWise, sliceMeans } from "../metrics/evaluate_levels.ts";
import { evaluatePixelWise, type PixelWiseReport } from "../metrics/evaluate_pixel_wise.ts";
import {
  type PostprocessedStack,
  postprocessStack,
  type StackPostprocessOptions,
} from "../postprocess/postprocess_stack.ts";
import { greedyDiceThreshold, thresholdAtFpr } from "../metrics/threshold_search.ts";
import type {
  DiceResult,
  EvalResult,
  FprThresholdResult,
  LesionDetectionResult,
  RankingResult,
  SubjectRow,
} from "../../report/eval_result.ts";
import { reconstructStack, type ResidualKind } from "../scoring/reconstruct.ts";
import { ProgressBar } from "../../util/progress.ts";
import type { RankingSummary } from "../metrics/ranking_summary.ts";
import { type StoredThresholds, toStoredPostprocess } from "../stored_thresholds.ts";
import { reddipalli22Panels } from "./reddipalli22_panels.ts";

export type { StoredThresholds } from "../stored_thresholds.ts";

export interface Reddipalli22Options {
  dataDir?: string;
  medianFilter?: number;
  residual?: ResidualKind;
  bootstrap?: number;
  quiet?: boolean;
  /** Reproduce the study code's post-processing (default: the run's mode). */
  faithful?: boolean;
}

/** Cross erosions of the brain mask, in both modes. */
const ERODE = 5;

/** The post-processing of the protocol's mode: faithful = 3D median and sagittal erosion. */
export function reddipalli22Postprocessing(
  medianFilter: number,
  faithful: boolean,
): StackPostprocessOptions {
  return {
    medianFilter,
    median: faithful ? "3d" : "2d",
    erode: ERODE,
    erosionPlanes: faithful ? "sagittal" : "axial",
  };
}

/** Post-processing of one stack of slices in the protocol's mode (the map and the eroded mask). */
export function postprocess(
  residuals: Float32Array,
  brainMasks: Uint8Array,
  subjectIds: readonly string[],
  H: number,
  W: number,
  k: number,
  faithful: boolean,
): PostprocessedStack {
  const o = reddipalli22Postprocessing(k, faithful);
  return postprocessStack(residuals, brainMasks, subjectIds, H, W, o);
}

/** One evaluation's choices, resolved once from the run and the options. */
interface Setup {
  run: OpenedRun;
  dataDir: string;
  residual: ResidualKind;
  faithful: boolean;
  bootstrap: number;
  quiet?: boolean;
  /** The main filter size and the study's second one beside it (5×5 beside 9×9). */
  k: number;
  k2: number;
  main: StackPostprocessOptions;
  second: StackPostprocessOptions;
}

/** A split reconstructed and post-processed with both filter sizes. */
interface Scored {
  set: SliceSet;
  /** Main-filter map, 0 outside the eroded brain. */
  maps: Float32Array;
  /** Second-filter map, same erosion. */
  maps2: Float32Array;
  eroded: Uint8Array;
  sliceErrors: Float64Array;
  recon: Float32Array;
  codeCounts?: Float64Array;
  /** Subject id → its pathology dataset ("" = healthy). */
  dataset: Map<string, string>;
}

/** The thresholds chosen on the validation split. */
interface Chosen {
  pixel: number;
  pixel2: number;
  fprs: { fpr: number; threshold: number }[];
  /** Volume scores of the healthy validation subjects (detect's reference range). */
  healthyVolumes: number[];
}

/** The rows one test dataset adds to the result. */
type DatasetRows = Pick<
  EvalResult,
  "rankings" | "dice" | "fprThresholds" | "lesionDetection" | "perSubject" | "panels"
>;

function resolveSetup(run: OpenedRun, o: Reddipalli22Options): Setup {
  const k = o.medianFilter ?? 9, k2 = k === 5 ? 9 : 5;
  const faithful = o.faithful ?? run.config.mode === "faithful";
  return {
    run,
    dataDir: o.dataDir ?? run.config.data.dir,
    residual: o.residual ?? "absolute",
    faithful,
    bootstrap: o.bootstrap ?? 1000,
    quiet: o.quiet,
    k,
    k2,
    main: reddipalli22Postprocessing(k, faithful),
    second: reddipalli22Postprocessing(k2, faithful),
  };
}

/** Loads, reconstructs and post-processes one split. */
async function scoreSplit(s: Setup, split: "val" | "test"): Promise<Scored> {
  const d = s.run.config.data;
  const set = await loadSlices(s.dataDir, {
    split,
    seed: d.splitSeed,
    preprocess: s.faithful ? { ...d.preprocess, lesionMaskThreshold: 0.01 } : d.preprocess,
    cacheDir: d.cacheDir || undefined,
    quiet: s.quiet,
  });
  const { N, H, W } = set;
  const progress = new ProgressBar(`reconstruct ${split}`, N, { quiet: s.quiet });
  const r = await reconstructStack(s.run.model, set.images, [N, 1, H, W], {
    residual: s.residual,
    progress,
  });
  const post = (o: StackPostprocessOptions) =>
    postprocessStack(r.residuals, set.brainMasks, set.subjectIds, H, W, o);
  const main = post(s.main);
  return {
    set,
    maps: main.maps,
    maps2: post(s.second).maps,
    eroded: main.eroded,
    sliceErrors: r.sliceErrors,
    recon: r.reconstructions,
    codeCounts: r.codeCounts,
    dataset: new Map(set.subjects.map((x) => [x.id, x.pathological ? x.layout : ""])),
  };
}

/** Indices of the slices of the subjects `keep` accepts. */
function slicesOf(set: SliceSet, keep: (id: string) => boolean): number[] {
  const out: number[] = [];
  for (let s = 0; s < set.N; s++) if (keep(set.subjectIds[s])) out.push(s);
  return out;
}

function gather<T extends Float32Array | Uint8Array>(src: T, slices: number[], plane: number): T {
  const out = new (src.constructor as new (n: number) => T)(slices.length * plane);
  slices.forEach((s, k) => out.set(src.subarray(s * plane, (s + 1) * plane), k * plane));
  return out;
}

/** Map values and lesion labels of the given slices, inside the eroded brain. */
function inBrain(sc: Scored, slices: number[], maps = sc.maps): { s: number[]; l: number[] } {
  const plane = sc.set.H * sc.set.W, s: number[] = [], l: number[] = [];
  for (const sl of slices) {
    for (let p = 0; p < plane; p++) {
      const i = sl * plane + p;
      if (!sc.eroded[i]) continue;
      s.push(maps[i]);
      l.push(sc.set.lesionMasks[i]);
    }
  }
  return { s, l };
}

/** Mean slice error of each subject's volume. */
function volumeScores(sc: Scored, ids: string[]): number[] {
  return ids.map((id) => {
    const sl = slicesOf(sc.set, (x) => x === id);
    return sl.reduce((a, s) => a + sc.sliceErrors[s], 0) / Math.max(1, sl.length);
  });
}

const healthyIds = (sc: Scored) => sc.set.subjects.filter((x) => !x.pathological).map((x) => x.id);

/** Pixel thresholds (greedy Dice, both filters), healthy-FPR thresholds and the healthy volume
 * range, from the validation split only. */
function chooseThresholds(s: Setup, val: Scored): Chosen {
  const valPath = slicesOf(val.set, (id) => val.dataset.get(id) !== "");
  const valHealthy = slicesOf(val.set, (id) => val.dataset.get(id) === "");
  const vp = inBrain(val, valPath);
  if (!vp.l.some((v) => v)) {
    throw new Error(
      `${s.dataDir}: the validation split has no lesion voxels; thresholds need ` +
        "pathological validation subjects",
    );
  }
  const vp2 = inBrain(val, valPath, val.maps2);
  const healthyPix = inBrain(val, valHealthy.length ? valHealthy : valPath).s;
  const ids = healthyIds(val);
  return {
    pixel: greedyDiceThreshold(vp.s, vp.l).threshold,
    pixel2: greedyDiceThreshold(vp2.s, vp2.l).threshold,
    fprs: [0.01, 0.05, 0.1].map((f) => ({
      fpr: f,
      threshold: thresholdAtFpr(healthyPix, f).threshold,
    })),
    healthyVolumes: volumeScores(val, ids.length ? ids : [val.set.subjects[0].id]),
  };
}

const sub = (xs: number[], n = 500) =>
  xs.length <= n ? xs : Array.from({ length: n }, (_, i) => xs[Math.floor((i * xs.length) / n)]);

function ranking(
  level: RankingResult["level"],
  dataset: string,
  s: RankingSummary,
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
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
  };
}

/** Sample-wise (mean slice error per volume) and slice-wise (mean map per slice) rankings of the
 * dataset's volumes pooled with the healthy test volumes; also each volume's score. */
function volumeAndSliceRankings(
  test: Scored,
  ds: string,
  ids: string[],
  healthy: string[],
): { rankings: RankingResult[]; volumeScore: Map<string, number> } {
  const { H, W } = test.set, plane = H * W;
  const vols = [...healthy, ...ids];
  const sliceErrors = vols.map((id) =>
    slicesOf(test.set, (x) => x === id).map((s) => test.sliceErrors[s])
  );
  const labels = vols.map((id) => (ids.includes(id) ? 1 : 0));
  const sw = evaluateSampleWise({ sliceErrors, labels });
  const sl = slicesOf(test.set, (id) => vols.includes(id));
  const maps = gather(test.maps, sl, plane), lesions = gather(test.set.lesionMasks, sl, plane);
  const sliceScores = sliceMeans(maps, H, W);
  const slw = evaluateSliceWise({ sliceScores, lesionMasks: lesions, height: H, width: W });
  const sliceLabels = sl.map((_, j) =>
    lesions.subarray(j * plane, (j + 1) * plane).some((v) => v) ? 1 : 0
  );
  return {
    rankings: [
      ranking("sample", ds, sw, sw.volumeScores, labels),
      ranking("slice", ds, slw, sliceScores, sliceLabels),
    ],
    volumeScore: new Map(vols.map((id, i) => [id, sw.volumeScores[i]])),
  };
}

/** Pixel-wise metrics of one map on the given slices at a validation threshold. */
function pixelWise(
  s: Setup,
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
    bootstrap: { iterations: s.bootstrap },
  });
}

function diceRow(
  s: Setup,
  dataset: string,
  size: number,
  threshold: number,
  r: PixelWiseReport,
): DiceResult {
  return {
    dataset,
    filter: s.faithful ? `median ${size}×${size}×${size}` : `median ${size}×${size}`,
    threshold,
    diceT: r.diceT,
    diceS: {
      mean: r.diceS.mean,
      std: r.diceS.std,
      ci: [r.diceS.ci.lower, r.diceS.ci.upper] as [number, number],
    },
    oracle: r.oracle ? { threshold: r.oracle.threshold, diceT: r.oracle.dice } : undefined,
  };
}

/** The healthy-FPR thresholds applied to test data: healthy test FPR and the dataset's TPR. */
function fprRows(
  dataset: string,
  fprs: Chosen["fprs"],
  pix: { s: number[]; l: number[] },
  healthyPix: number[],
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
): LesionDetectionResult[] {
  const rows: LesionDetectionResult[] = [{
    dataset,
    stratum: "all",
    lesions: det.count,
    detected: det.detected,
    sensitivity: det.sensitivity ?? NaN,
    falsePositivesPerVolume: det.falsePositiveComponents / Math.max(1, volumes),
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
    });
  }
  return rows;
}

/** Every metric of one pathology test dataset (its subjects, healthy test subjects pooled in for
 * the rankings and the FPR), at the thresholds chosen on validation data. */
function evaluateDataset(s: Setup, test: Scored, chosen: Chosen, ds: string): DatasetRows {
  const ids = test.set.subjects.filter((x) => test.dataset.get(x.id) === ds).map((x) => x.id);
  const healthy = healthyIds(test);
  const { rankings, volumeScore } = volumeAndSliceRankings(test, ds, ids, healthy);
  // Pixel-wise on the dataset's subjects, inside the eroded brain.
  const ps = slicesOf(test.set, (id) => ids.includes(id));
  const pw = pixelWise(s, test, ps, test.maps, chosen.pixel);
  const pix = inBrain(test, ps);
  rankings.push(ranking("pixel", ds, pw.ranking, pix.s, pix.l, chosen.pixel));
  const healthyPix = inBrain(test, slicesOf(test.set, (id) => healthy.includes(id))).s;
  const perSubject: SubjectRow[] = pw.perSubject.map((r) => ({
    subject: r.subject,
    dataset: ds,
    label: 1,
    score: volumeScore.get(r.subject) ?? NaN,
    dice: r.dice,
    lesionVoxels: r.lesionPixels,
    lesions: r.lesions,
    detectedLesions: r.detectedLesions,
  }));
  return {
    rankings,
    dice: [
      diceRow(s, ds, s.k, chosen.pixel, pw),
      diceRow(s, ds, s.k2, chosen.pixel2, pixelWise(s, test, ps, test.maps2, chosen.pixel2)),
    ],
    fprThresholds: fprRows(ds, chosen.fprs, pix, healthyPix),
    lesionDetection: lesionRows(ds, pw.lesions, ids.length),
    perSubject,
    panels: reddipalli22Panels(test, pw.perSubject, ds, chosen.pixel),
  };
}

/** One row per healthy test subject: its volume score. */
function healthySubjectRows(test: Scored): SubjectRow[] {
  return healthyIds(test).map((id) => ({
    subject: id,
    dataset: "healthy",
    label: 0,
    score: volumeScores(test, [id])[0],
  }));
}

/** The evaluation choices as applied, for the report. */
function protocolSettings(s: Setup, val: Scored, test: Scored): EvalResult["settings"] {
  const { faithful, k, k2 } = s;
  return {
    evaluationMode: faithful
      ? "faithful (the study's code)"
      : "corrected (the protocol as written)",
    residual: s.residual,
    medianFilter: faithful
      ? `${k}×${k}×${k} over each subject's slice stack (3D, as the study's code)`
      : `${k}×${k} per slice (2D)`,
    secondMedianFilter: faithful ? `${k2}×${k2}×${k2} (3D)` : `${k2}×${k2} (2D)`,
    brainMaskErosion: faithful
      ? `cross, ${ERODE} iterations, in sagittal (z, y) planes (the study's code erodes along ` +
        "the wrong axes)"
      : `cross, ${ERODE} iterations, per axial slice`,
    lesionMaskResampling: faithful
      ? "resampled with the image, kept above 0.01 (dilated, as the study's cubic resize > 0.01)"
      : "resampled with the image, kept at ≥ 0.5",
    thresholdSearch: "greedy Dice bisection on the validation split (10 halvings)",
    validationSubjects: val.set.subjects.length,
    testSubjects: test.set.subjects.length,
    oracle: "DICE_T re-optimised on test data, reported as oracle only",
  };
}

/** RUN/thresholds.json: the main threshold, the healthy volume range and the post-processing. */
function storedThresholds(s: Setup, chosen: Chosen): StoredThresholds {
  const hv = chosen.healthyVolumes;
  const mean = hv.reduce((a, b) => a + b, 0) / hv.length;
  const std = Math.sqrt(hv.reduce((a, b) => a + (b - mean) ** 2, 0) / hv.length);
  return {
    protocol: "reddipalli22",
    threshold: chosen.pixel,
    volumeScore: {
      threshold: Math.max(...hv),
      healthyMean: mean,
      healthyStd: std,
      healthyMax: Math.max(...hv),
    },
    postprocess: toStoredPostprocess(s.main, s.residual),
    createdBy: "neurad eval",
    checkpoint: s.run.checkpointPath,
  };
}

/** Runs the protocol; returns the result body and the thresholds for detect. */
export async function evaluateReddipalli22(
  run: OpenedRun,
  o: Reddipalli22Options = {},
): Promise<{ body: Partial<EvalResult>; thresholds: StoredThresholds }> {
  const s = resolveSetup(run, o);
  const val = await scoreSplit(s, "val");
  const test = await scoreSplit(s, "test");
  const chosen = chooseThresholds(s, val);
  const body: DatasetRows & Partial<EvalResult> = {
    rankings: [],
    dice: [],
    fprThresholds: [],
    lesionDetection: [],
    classification: [],
    panels: [],
    perSubject: [],
  };
  if (test.codeCounts) {
    const total = test.codeCounts.reduce((a, b) => a + b, 0);
    body.codebookUsage = Array.from(test.codeCounts, (c) => c / Math.max(1, total));
  }
  const datasets = [...new Set([...test.dataset.values()].filter((v) => v))];
  for (const ds of datasets) {
    const rows = evaluateDataset(s, test, chosen, ds);
    for (const key of Object.keys(rows) as (keyof DatasetRows)[]) {
      (body[key] as unknown[]).push(...rows[key]);
    }
  }
  body.perSubject.push(...healthySubjectRows(test));
  body.settings = protocolSettings(s, val, test);
  return { body, thresholds: storedThresholds(s, chosen) };
}
