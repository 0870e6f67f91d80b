import { loadSlices, type SliceSet } from "../../data/load_slices.ts";
import type { OpenedRun } from "../../train/open_run.ts";
import type { EvalResult, ThresholdScope } from "../../report/eval_result.ts";
import {
  type PostprocessedStack,
  postprocessStack,
  type StackPostprocessOptions,
} from "../postprocess/postprocess_stack.ts";
import {
  type Reconstruction,
  reconstructStack,
  type ResidualKind,
} from "../scoring/reconstruct.ts";
import { BASELINE_NAMES, pixelBaselineName } from "../scoring/baselines.ts";
import { ProgressBar } from "../../util/progress.ts";
import {
  dataSpacingOf,
  type StoredComponentVolume,
  type StoredDataSpacing,
  type StoredThresholds,
  toStoredPostprocess,
} from "../stored_thresholds.ts";
import { datasetsOf, healthyIds, type Scored, scoredFromResiduals } from "./reddipalli22_scored.ts";
import { calibrateComponentVolume, largestComponentsMm3 } from "../component_volume.ts";
import { vanishedLesionWarnings } from "./vanished_lesions.ts";
import { addLesionVolumes } from "./lesion_volume.ts";
import { preprocessCacheDir } from "../../data/cache_dir.ts";
import {
  chooseThresholds,
  type Chosen,
  type DatasetRows,
  DEGENERATE_MASK_FRACTION,
  evaluateDataset,
  healthySubjectRows,
  type StepSetup,
} from "./reddipalli22_steps.ts";

export type { StoredThresholds } from "../stored_thresholds.ts";

export interface Reddipalli22Options {
  dataDir?: string;
  medianFilter?: number;
  residual?: ResidualKind;
  bootstrap?: number;
  quiet?: boolean;
  /** Reproduce the study's post-processing and threshold scope (default: the run's mode). */
  faithful?: boolean;
  /** Pooled over every pathological validation subject, or per dataset (default: per-dataset
   * when faithful, as the study's text, pooled otherwise). */
  thresholdScope?: ThresholdScope;
  /** Target healthy false-positive rate of the volume threshold (default 0.05). */
  volumeFpr?: number;
  /** Where warnings go (default stderr). */
  write?: (text: string) => void;
}

/** Cross erosions of the brain mask, in both modes. */
const ERODE = 5;
/** Components removed before DICE_S: under 7 voxels (the text: "smaller than seven"); the code
 * removes `filled_area <= 7`, i.e. under 8. */
const MIN_COMPONENT = { corrected: 7, faithful: 8 };
export const DEFAULT_VOLUME_FPR = 0.05;

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
export interface Setup extends StepSetup {
  run: OpenedRun;
  quiet?: boolean;
  main: StackPostprocessOptions;
  second: StackPostprocessOptions;
}

/** The evaluation's choices from the run and the options (the defaults of the mode). */
export function resolveSetup(run: OpenedRun, o: Reddipalli22Options): Setup {
  const k = o.medianFilter ?? 9, k2 = k === 5 ? 9 : 5;
  const faithful = o.faithful ?? run.config.mode === "faithful";
  const volumeFpr = o.volumeFpr ?? DEFAULT_VOLUME_FPR;
  if (!(volumeFpr > 0 && volumeFpr < 1)) {
    throw new Error(`volumeFpr ${volumeFpr} must be in (0, 1)`);
  }
  const enc = new TextEncoder();
  return {
    run,
    dataDir: o.dataDir ?? run.config.data.dir,
    residual: o.residual ?? "absolute",
    faithful,
    bootstrap: o.bootstrap ?? 1000,
    quiet: o.quiet,
    k,
    k2,
    scope: o.thresholdScope ?? (faithful ? "per-dataset" : "pooled"),
    volumeFpr,
    minComponentSize: faithful ? MIN_COMPONENT.faithful : MIN_COMPONENT.corrected,
    write: o.write ?? ((t: string) => void Deno.stderr.writeSync(enc.encode(t))),
    main: reddipalli22Postprocessing(k, faithful),
    second: reddipalli22Postprocessing(k2, faithful),
  };
}

/** Loads, reconstructs and post-processes one split. */
async function scoreSplit(s: Setup, split: "val" | "test"): Promise<Scored> {
  const d = s.run.config.data;
  const set: SliceSet = await loadSlices(s.dataDir, {
    split,
    seed: d.splitSeed,
    preprocess: s.faithful ? { ...d.preprocess, lesionMaskThreshold: 0.01 } : d.preprocess,
    cacheDir: preprocessCacheDir(d.cacheDir),
    masksDir: d.masksDir || undefined,
    quiet: s.quiet,
  });
  const { N, H, W } = set;
  const progress = new ProgressBar(`reconstruct ${split}`, N, { quiet: s.quiet });
  const r: Reconstruction = await reconstructStack(s.run.model, set.images, [N, 1, H, W], {
    residual: s.residual,
    progress,
  });
  return scoredFromResiduals(set, r, s);
}

const pct = (v: number) => `${+(100 * v).toFixed(2)} %`;

/** The evaluation choices as applied, for the report. */
function protocolSettings(s: Setup, val: Scored, test: Scored, chosen: Chosen) {
  const { faithful, k, k2 } = s;
  const v = chosen.volume;
  const settings: EvalResult["settings"] = {
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
    smallComponents: `3D components (26-connected) under ${s.minComponentSize} voxels removed ` +
      "from each test volume's mask before its Dice (DICE_S); DICE_T, lesion detection and the " +
      "rankings use the mask as thresholded" +
      (faithful ? " (the study's code: filled_area <= 7)" : " (the study's text: under seven)"),
    thresholdSearch: "greedy Dice bisection on the validation split (10 halvings, the best " +
      "quartile point visited)",
    thresholdScope: s.scope === "pooled"
      ? `pooled: one threshold from ${chosen.pooled.from}, applied to every test dataset`
      : "per dataset: each test dataset's threshold from its own validation subjects (the " +
        `study's text); ${
          [...chosen.byDataset].map(([ds, t]) => `${ds}: ${t.from}`).join(", ")
        }; detect applies the pooled one`,
    volumeThreshold:
      `${v.threshold.toPrecision(6)}: the ${
        pct(1 - v.fpr)
      } quantile (numpy linear) of the volume scores of ${v.calibrationVolumes} healthy ` +
      `validation subject${v.calibrationVolumes === 1 ? "" : "s"} (target healthy FPR ${
        pct(v.fpr)
      }); used by neurad detect`,
    degenerate: `a Dice row whose threshold marks over ${
      pct(DEGENERATE_MASK_FRACTION)
    } of the test or validation brain is flagged degenerate, not a result`,
    baselines: `sample-wise: ${BASELINE_NAMES.sample}; slice-wise: ${BASELINE_NAMES.slice}; ` +
      `pixel-wise: ${pixelBaselineName(s.residual)} post-processed like the residual, its ` +
      "Dice threshold chosen the same way on the same validation subjects",
    validationSubjects: val.set.subjects.length,
    healthyValidationSubjects: chosen.healthyVolumes.length,
    testSubjects: test.set.subjects.length,
    oracle: "DICE_T re-optimised on test data, reported as oracle only",
  };
  return settings;
}

/** RUN/thresholds.json: the pooled pixel threshold (and the per-dataset ones when chosen), the
 * volume threshold with how it was calibrated, and the post-processing. */
function storedThresholds(s: Setup, chosen: Chosen, val: Scored): StoredThresholds {
  const hv = chosen.healthyVolumes;
  // The verdict's component rule: the healthy validation volumes' largest lesion components.
  const largest = largestComponentsMm3(val.set, val.maps, healthyIds(val), chosen.pooled.pixel);
  const mean = hv.reduce((a, b) => a + b, 0) / hv.length;
  const std = Math.sqrt(hv.reduce((a, b) => a + (b - mean) ** 2, 0) / hv.length);
  return {
    protocol: "reddipalli22",
    threshold: chosen.pooled.pixel,
    thresholdScope: "pooled",
    ...(chosen.scope === "per-dataset"
      ? { perDataset: Object.fromEntries([...chosen.byDataset].map(([ds, t]) => [ds, t.pixel])) }
      : {}),
    volumeScore: {
      threshold: chosen.volume.threshold,
      rule: "quantile",
      fpr: chosen.volume.fpr,
      calibrationVolumes: chosen.volume.calibrationVolumes,
      healthyMean: mean,
      healthyStd: std,
      healthyMax: Math.max(...hv),
    },
    ...componentRule(calibrateComponentVolume(
      largest,
      chosen.pooled.pixel,
      chosen.volume.fpr,
      hv,
      chosen.volume.threshold,
    )),
    ...spacingRecord(dataSpacingOf(scanAffines(val))),
    postprocess: toStoredPostprocess(s.main, s.residual),
    createdBy: "neurad eval",
    checkpoint: s.run.checkpointPath,
  };
}

const componentRule = (c: StoredComponentVolume | undefined) => (c ? { componentVolume: c } : {});
const scanAffines = (val: Scored): number[][][] =>
  val.set.subjects.map((x) => x.geometry?.scanAffine).filter((a) => a !== undefined);
const spacingRecord = (d: StoredDataSpacing | undefined) => (d ? { dataSpacing: d } : {});

/** Everything after scoring: thresholds from `val`, metrics on `test`, settings and the record
 * detect reads. Pure host code (tests run it on synthetic splits). */
export function evaluateScored(
  s: Setup,
  val: Scored,
  test: Scored,
): { body: Partial<EvalResult>; thresholds: StoredThresholds } {
  const datasets = datasetsOf(test);
  const chosen = chooseThresholds(s, val, datasets);
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
  for (const ds of datasets) {
    const rows = evaluateDataset(s, test, chosen, ds);
    for (const key of Object.keys(rows) as (keyof DatasetRows)[]) {
      (body[key] as unknown[]).push(...rows[key]);
    }
  }
  body.perSubject.push(...healthySubjectRows(test));
  body.warnings = vanishedLesionWarnings(test.set, body.perSubject);
  addLesionVolumes(test.set.subjects, body.perSubject);
  body.settings = protocolSettings(s, val, test, chosen);
  body.thresholdScope = s.scope;
  return { body, thresholds: storedThresholds(s, chosen, val) };
}

/** Runs the protocol; returns the result body and the thresholds for detect. */
export async function evaluateReddipalli22(
  run: OpenedRun,
  o: Reddipalli22Options = {},
): Promise<{ body: Partial<EvalResult>; thresholds: StoredThresholds }> {
  const s = resolveSetup(run, o);
  const val = await scoreSplit(s, "val");
  const test = await scoreSplit(s, "test");
  return evaluateScored(s, val, test);
}
