// The first study's evaluation protocol on NIfTI runs: reconstruct every axial slice of the
// validation and test subjects, residual, brain mask eroded (cross, 5 iterations), median filter
// (9×9, and 5×5 beside it), then thresholds chosen on the VALIDATION split only (the study's greedy
// Dice search; healthy-FPR 1/5/10 %), and test metrics per pathology dataset: sample-wise (mean
// slice error per volume, healthy test volumes pooled with the dataset), slice-wise (mean
// post-processed residual per slice), pixel-wise AUROC/AUPRC, DICE_T and DICE_S ± std with
// bootstrap intervals, the test-set-optimised "DICE_T" reported as an oracle, lesion detection by
// size, per-subject rows and Fig. 5.2-style panels.
// Modes: corrected = the 2D protocol as written (absolute residual, 2D median per slice, 2D cross
// erosion per axial slice, lesion masks resampled and kept at ≥ 0.5); faithful = what the study's
// code did: a 3D size³ median over each subject's slice stack, the brain mask eroded in the wrong
// planes (sagittal (z, y) instead of axial (y, x)), lesion masks kept above 0.01 after resampling
// (dilated). In both, DICE_T re-optimised on test data is labelled oracle, never the result.
import { loadSlices, type SliceSet } from "../../data/load_slices.ts";
import type { OpenedRun } from "../../train/open_run.ts";
import { binaryErosion2d } from "../postprocess/binary_erosion.ts";
import { evaluateSampleWise, evaluateSliceWise, sliceMeans } from "../metrics/evaluate_levels.ts";
import { evaluatePixelWise } from "../metrics/evaluate_pixel_wise.ts";
import { medianFilter2d, medianFilter3d } from "../postprocess/median_filter.ts";
import { greedyDiceThreshold, thresholdAtFpr } from "../metrics/threshold_search.ts";
import type { EvalResult, PanelResult, RankingResult } from "../../report/eval_result.ts";
import { reconstructStack, type ResidualKind } from "../scoring/reconstruct.ts";
import { ProgressBar } from "../../util/progress.ts";
import { greyPngDataUrl, overlayPngDataUrl } from "../../io/png_data_url.ts";
import type { RankingSummary } from "../metrics/ranking_summary.ts";

export interface Reddipalli22Options {
  dataDir?: string;
  medianFilter?: number;
  residual?: ResidualKind;
  bootstrap?: number;
  quiet?: boolean;
  /** Reproduce the study code's post-processing (default: the run's mode). */
  faithful?: boolean;
}

/** What `neurad detect` needs to score a scan like eval did (RUN/thresholds.json). */
export interface StoredThresholds {
  protocol: "reddipalli22";
  threshold: number;
  volumeScore: { threshold: number; healthyMean: number; healthyStd: number; healthyMax: number };
  postprocess: {
    medianFilter: number;
    erode: number;
    residual: ResidualKind;
    /** Faithful runs: 3D median and sagittal erosion (detect applies the same). */
    faithful?: boolean;
  };
  createdBy: string;
  checkpoint: string;
}

interface Scored {
  set: SliceSet;
  maps: Float32Array; // post-processed residual, 0 outside the eroded brain
  eroded: Uint8Array;
  sliceErrors: Float64Array;
  recon: Float32Array;
  residuals: Float32Array;
  codeCounts?: Float64Array;
}

const ERODE = 5;

/** Post-processing of one stack of slices: the map (0 outside the eroded brain) and the mask. */
export function postprocess(
  residuals: Float32Array,
  brainMasks: Uint8Array,
  subjectIds: readonly string[],
  H: number,
  W: number,
  k: number,
  faithful: boolean,
): { maps: Float32Array; eroded: Uint8Array } {
  const plane = H * W;
  if (!faithful) {
    const eroded = binaryErosion2d(brainMasks, H, W, { iterations: ERODE });
    const maps = medianFilter2d(residuals, H, W, k);
    for (let i = 0; i < maps.length; i++) if (!eroded[i]) maps[i] = 0;
    return { maps, eroded };
  }
  // Faithful: per subject (its consecutive slices form the volume), 3D median and an erosion in
  // the sagittal planes: the stack [Z, H, W] is viewed as W planes of Z×H and eroded in 2D.
  const maps = new Float32Array(residuals.length), eroded = new Uint8Array(brainMasks.length);
  let start = 0;
  while (start < subjectIds.length) {
    let end = start + 1;
    while (end < subjectIds.length && subjectIds[end] === subjectIds[start]) end++;
    const Z = end - start, off = start * plane;
    maps.set(medianFilter3d(residuals.subarray(off, end * plane), Z, H, W, k), off);
    const sag = new Uint8Array(Z * plane);
    for (let z = 0; z < Z; z++) {
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          sag[(x * Z + z) * H + y] = brainMasks[off + z * plane + y * W + x];
        }
      }
    }
    const er = binaryErosion2d(sag, Z, H, { iterations: ERODE });
    for (let z = 0; z < Z; z++) {
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) eroded[off + z * plane + y * W + x] = er[(x * Z + z) * H + y];
      }
    }
    start = end;
  }
  for (let i = 0; i < maps.length; i++) if (!eroded[i]) maps[i] = 0;
  return { maps, eroded };
}

async function score(
  run: OpenedRun,
  set: SliceSet,
  k: number,
  residual: ResidualKind,
  faithful: boolean,
  label: string,
  quiet?: boolean,
) {
  const { N, H, W } = set;
  const progress = new ProgressBar(`reconstruct ${label}`, N, { quiet });
  const r = await reconstructStack(run.model, set.images, [N, 1, H, W], { residual, progress });
  const { maps, eroded } = postprocess(
    r.residuals,
    set.brainMasks,
    set.subjectIds,
    H,
    W,
    k,
    faithful,
  );
  return {
    set,
    maps,
    eroded,
    sliceErrors: r.sliceErrors,
    recon: r.reconstructions,
    residuals: r.residuals,
    codeCounts: r.codeCounts,
  } as Scored;
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

/** Runs the protocol; returns the result body and the thresholds for detect. */
export async function evaluateReddipalli22(
  run: OpenedRun,
  o: Reddipalli22Options = {},
): Promise<{ body: Partial<EvalResult>; thresholds: StoredThresholds }> {
  const d = run.config.data;
  const k = o.medianFilter ?? 9;
  const residual = o.residual ?? "absolute";
  const faithful = o.faithful ?? run.config.mode === "faithful";
  const load = (split: "val" | "test") =>
    loadSlices(o.dataDir ?? d.dir, {
      split,
      seed: d.splitSeed,
      preprocess: faithful ? { ...d.preprocess, lesionMaskThreshold: 0.01 } : d.preprocess,
      cacheDir: d.cacheDir || undefined,
      quiet: o.quiet,
    });
  const val = await score(run, await load("val"), k, residual, faithful, "val", o.quiet);
  const test = await score(run, await load("test"), k, residual, faithful, "test", o.quiet);
  const { H, W } = val.set, plane = H * W;
  const pathological = (set: SliceSet) =>
    new Map(set.subjects.map((s) => [s.id, s.pathological ? s.layout : ""]));
  const valKind = pathological(val.set), testKind = pathological(test.set);

  // Thresholds from validation data only.
  const valPath = slicesOf(val.set, (id) => valKind.get(id) !== "");
  const valHealthy = slicesOf(val.set, (id) => valKind.get(id) === "");
  const inBrain = (sc: Scored, slices: number[]) => {
    const s: number[] = [], l: number[] = [];
    for (const sl of slices) {
      for (let p = 0; p < plane; p++) {
        const i = sl * plane + p;
        if (!sc.eroded[i]) continue;
        s.push(sc.maps[i]);
        l.push(sc.set.lesionMasks[i]);
      }
    }
    return { s, l };
  };
  const vp = inBrain(val, valPath);
  if (!vp.l.some((v) => v)) {
    throw new Error(
      `${o.dataDir ?? d.dir}: the validation split has no lesion voxels; thresholds need ` +
        "pathological validation subjects",
    );
  }
  const chosen = greedyDiceThreshold(vp.s, vp.l);
  // The study's second filter size beside the main one (5×5 beside 9×9), its own validation
  // threshold, reported as a DICE row.
  const k2 = k === 5 ? 9 : 5;
  const alt = (sc: Scored): Scored => ({
    ...sc,
    maps: postprocess(sc.residuals, sc.set.brainMasks, sc.set.subjectIds, H, W, k2, faithful)
      .maps,
  });
  const val2 = alt(val), test2 = alt(test);
  const vp2 = inBrain(val2, valPath);
  const chosen2 = greedyDiceThreshold(vp2.s, vp2.l);
  const healthyPix = inBrain(val, valHealthy.length ? valHealthy : valPath).s;
  const fprs = [0.01, 0.05, 0.1].map((f) => ({
    fpr: f,
    threshold: thresholdAtFpr(healthyPix, f).threshold,
  }));

  // Volume scores of healthy validation subjects (detect's reference range).
  const volScores = (sc: Scored, ids: string[]) =>
    ids.map((id) => {
      const sl = slicesOf(sc.set, (x) => x === id);
      return sl.reduce((a, s) => a + sc.sliceErrors[s], 0) / Math.max(1, sl.length);
    });
  const healthyValIds = val.set.subjects.filter((s) => !s.pathological).map((s) => s.id);
  const hv = volScores(val, healthyValIds.length ? healthyValIds : [val.set.subjects[0].id]);
  const hMean = hv.reduce((a, b) => a + b, 0) / hv.length;
  const hStd = Math.sqrt(hv.reduce((a, b) => a + (b - hMean) ** 2, 0) / hv.length);

  const body: Partial<EvalResult> = {
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
  const healthyTest = test.set.subjects.filter((s) => !s.pathological).map((s) => s.id);
  const datasets = [...new Set([...testKind.values()].filter((v) => v))];
  for (const ds of datasets) {
    const ids = test.set.subjects.filter((s) => testKind.get(s.id) === ds).map((s) => s.id);
    // Sample-wise: mean slice error per volume; healthy test volumes pooled in.
    const vols = [...healthyTest, ...ids];
    const sliceErr = vols.map((id) =>
      slicesOf(test.set, (x) => x === id).map((s) => test.sliceErrors[s])
    );
    const labels = vols.map((id) => (ids.includes(id) ? 1 : 0));
    const sw = evaluateSampleWise({ sliceErrors: sliceErr, labels });
    body.rankings!.push(ranking("sample", ds, sw, sw.volumeScores, labels));
    // Slice-wise over the same volumes: mean post-processed residual per slice.
    const sl = slicesOf(test.set, (id) => vols.includes(id));
    const maps = gather(test.maps, sl, plane), lesions = gather(test.set.lesionMasks, sl, plane);
    const sliceScores = sliceMeans(maps, H, W);
    const slw = evaluateSliceWise({ sliceScores, lesionMasks: lesions, height: H, width: W });
    const sliceLabels = sl.map((
      _,
      j,
    ) => (lesions.subarray(j * plane, (j + 1) * plane).some((v) => v) ? 1 : 0));
    body.rankings!.push(ranking("slice", ds, slw, sliceScores, sliceLabels));
    // Pixel-wise on the dataset's subjects, inside the eroded brain.
    const ps = slicesOf(test.set, (id) => ids.includes(id));
    // Pixel-wise metrics of one post-processing (maps) at its validation threshold.
    const pixelWise = (maps: Float32Array, threshold: number) =>
      evaluatePixelWise({
        scores: gather(maps, ps, plane),
        labels: gather(test.set.lesionMasks, ps, plane),
        brainMasks: gather(test.eroded, ps, plane),
        height: H,
        width: W,
        subjects: ps.map((s) => test.set.subjectIds[s]),
        threshold,
        bootstrap: { iterations: o.bootstrap ?? 1000 },
      });
    const diceRow = (size: number, threshold: number, r: ReturnType<typeof pixelWise>) => ({
      dataset: ds,
      filter: faithful ? `median ${size}×${size}×${size}` : `median ${size}×${size}`,
      threshold,
      diceT: r.diceT,
      diceS: {
        mean: r.diceS.mean,
        std: r.diceS.std,
        ci: [r.diceS.ci.lower, r.diceS.ci.upper] as [number, number],
      },
      oracle: r.oracle ? { threshold: r.oracle.threshold, diceT: r.oracle.dice } : undefined,
    });
    const pw = pixelWise(test.maps, chosen.threshold);
    const pix = inBrain(test, ps);
    body.rankings!.push(ranking("pixel", ds, pw.ranking, pix.s, pix.l, chosen.threshold));
    body.dice!.push(diceRow(k, chosen.threshold, pw));
    body.dice!.push(diceRow(k2, chosen2.threshold, pixelWise(test2.maps, chosen2.threshold)));
    for (const f of fprs) {
      let tp = 0, fn = 0, fpH = 0, nH = 0;
      for (let i = 0; i < pix.s.length; i++) {
        if (pix.l[i]) pix.s[i] > f.threshold ? tp++ : fn++;
      }
      for (const v of inBrain(test, slicesOf(test.set, (id) => healthyTest.includes(id))).s) {
        nH++;
        if (v > f.threshold) fpH++;
      }
      body.fprThresholds!.push({
        dataset: ds,
        fpr: f.fpr,
        threshold: f.threshold,
        testFpr: nH ? fpH / nH : NaN,
        tpr: tp + fn ? tp / (tp + fn) : NaN,
      });
    }
    const det = pw.lesions;
    body.lesionDetection!.push({
      dataset: ds,
      stratum: "all",
      lesions: det.count,
      detected: det.detected,
      sensitivity: det.sensitivity ?? NaN,
      falsePositivesPerVolume: det.falsePositiveComponents / Math.max(1, ids.length),
    });
    const by = det.bySize;
    for (
      const [name, st] of by
        ? Object.entries({ small: by.small, medium: by.medium, large: by.large })
        : []
    ) {
      body.lesionDetection!.push({
        dataset: ds,
        stratum: name,
        lesions: st.count,
        detected: st.detected,
        sensitivity: st.detectionRate ?? NaN,
        falsePositivesPerVolume: NaN,
      });
    }
    const volScore = new Map(vols.map((id, i) => [id, sw.volumeScores[i]]));
    for (const r of pw.perSubject) {
      body.perSubject!.push({
        subject: r.subject,
        dataset: ds,
        label: 1,
        score: volScore.get(r.subject) ?? NaN,
        dice: r.dice,
        lesionVoxels: r.lesionPixels,
        lesions: r.lesions,
        detectedLesions: r.detectedLesions,
      });
    }
    body.panels!.push(...panels(test, pw.perSubject, ds, chosen.threshold));
  }
  for (const id of healthyTest) {
    body.perSubject!.push({
      subject: id,
      dataset: "healthy",
      label: 0,
      score: volScores(test, [id])[0],
    });
  }
  const thresholds: StoredThresholds = {
    protocol: "reddipalli22",
    threshold: chosen.threshold,
    volumeScore: {
      threshold: Math.max(...hv),
      healthyMean: hMean,
      healthyStd: hStd,
      healthyMax: Math.max(...hv),
    },
    postprocess: { medianFilter: k, erode: ERODE, residual, faithful },
    createdBy: "neurad eval",
    checkpoint: run.checkpointPath,
  };
  body.settings = {
    evaluationMode: faithful
      ? "faithful (the study's code)"
      : "corrected (the protocol as written)",
    residual,
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
  return { body, thresholds };
}

/** Fig. 5.2-style panels for the best, median and worst subject by Dice. */
function panels(
  sc: Scored,
  rows: { subject: string; dice: number; lesionPixels: number }[],
  dataset: string,
  threshold: number,
): PanelResult[] {
  const withLesion = rows.filter((r) => r.lesionPixels > 0).sort((a, b) => b.dice - a.dice);
  if (!withLesion.length) return [];
  const pick: [PanelResult["rank"], typeof withLesion[0]][] = [
    ["best", withLesion[0]],
    ["median", withLesion[Math.floor(withLesion.length / 2)]],
    ["worst", withLesion[withLesion.length - 1]],
  ];
  const { H, W } = sc.set, plane = H * W;
  const seen = new Set<string>();
  const out: PanelResult[] = [];
  for (const [rank, r] of pick) {
    if (seen.has(r.subject)) continue;
    seen.add(r.subject);
    // The subject's slice with the most lesion voxels.
    let best = -1, most = -1;
    for (let s = 0; s < sc.set.N; s++) {
      if (sc.set.subjectIds[s] !== r.subject) continue;
      let n = 0;
      for (let p = 0; p < plane; p++) n += sc.set.lesionMasks[s * plane + p];
      if (n > most) [best, most] = [s, n];
    }
    const at = (a: Float32Array | Uint8Array) => a.subarray(best * plane, (best + 1) * plane);
    const img = at(sc.set.images);
    const res = new Float32Array(plane);
    const rec = at(sc.recon);
    for (let p = 0; p < plane; p++) res[p] = Math.abs(img[p] - rec[p]);
    const maps = at(sc.maps);
    let hi = 1e-6;
    for (let p = 0; p < plane; p++) hi = Math.max(hi, res[p]);
    const mask = Uint8Array.from(maps, (v) => (v > threshold ? 1 : 0));
    out.push({
      subject: r.subject,
      dataset,
      rank,
      dice: r.dice,
      slice: sc.set.sliceIndex[best],
      images: {
        input: greyPngDataUrl(img, H, W, 0, 1),
        reconstruction: greyPngDataUrl(rec, H, W, 0, 1),
        residual: greyPngDataUrl(res, H, W, 0, hi),
        postprocessed: greyPngDataUrl(maps, H, W, 0, hi),
        thresholded: overlayPngDataUrl(img, mask, H, W, 0, 1),
        groundTruth: overlayPngDataUrl(img, at(sc.set.lesionMasks), H, W, 0, 1),
      },
    });
  }
  return out;
}
