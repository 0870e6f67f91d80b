// RUN/thresholds.json of a NIfTI run: what evaluation chose on the validation split and how it
// post-processed the residual, so that `neurad detect` scores a scan exactly as eval did. The
// record names post-processing options (src/eval/postprocess/postprocess_stack.ts), not a study's
// mode, so detect imports no protocol. Files written before `median` and `erosionPlanes` existed
// carry only `faithful` and are read through it. The volume threshold says how it was calibrated
// (a healthy false-positive rate over a number of healthy validation volumes); files written
// before that carry the maximum of those volumes and read as such. The component-volume threshold
// (largest lesion component, calibrated the same way) joins the volume score in the verdict;
// files written before it have none, and detect then applies a stated uncalibrated default.

import type { StackPostprocessOptions } from "./postprocess/postprocess_stack.ts";
import type { ResidualKind } from "./scoring/reconstruct.ts";

/** The post-processing eval applied, as stored. */
export interface StoredPostprocess {
  medianFilter: number;
  erode: number;
  residual: ResidualKind;
  median?: StackPostprocessOptions["median"];
  erosionPlanes?: StackPostprocessOptions["erosionPlanes"];
  /** 3D median and sagittal erosion (the first study's code); the only mode field of older files,
   * still written so that older readers apply the same post-processing. */
  faithful?: boolean;
}

/** The volume-score threshold and the healthy validation volumes it came from. */
export interface StoredVolumeScore {
  threshold: number;
  /** "quantile": the (1 − fpr) quantile (numpy linear) of the healthy validation volume scores;
   * absent in older files, whose threshold is their maximum. */
  rule?: "quantile";
  /** Target healthy false-positive rate. */
  fpr?: number;
  /** How many healthy validation volumes calibrated it. */
  calibrationVolumes?: number;
  healthyMean: number;
  healthyStd: number;
  healthyMax: number;
}

/**
 * The component-volume threshold of the verdict (src/eval/component_volume.ts): a scan whose
 * largest lesion component exceeds `thresholdMm3` is anomalous whatever its volume score.
 */
export interface StoredComponentVolume {
  /** The (1 − fpr) quantile (numpy linear) of the healthy validation volumes' largest component
   * (mm³) at `pixelThreshold`. */
  thresholdMm3: number;
  rule: "quantile";
  fpr: number;
  /** How many healthy validation volumes calibrated it. */
  calibrationVolumes: number;
  /** The pixel threshold the components were cut at (detect applies the rule only at it). */
  pixelThreshold: number;
  healthyMaxMm3: number;
  /** How many of those volumes the combined rule (score OR component) calls anomalous. */
  combinedFalsePositives: number;
}

/** Voxel sizes of the scans eval calibrated on (per axis: median, smallest and largest). */
export interface StoredDataSpacing {
  median: [number, number, number];
  min: [number, number, number];
  max: [number, number, number];
  volumes: number;
}

/** Voxel sizes of the scans with these canonical affines (undefined when there are none). */
export function dataSpacingOf(affines: number[][][]): StoredDataSpacing | undefined {
  if (!affines.length) return undefined;
  const per = [0, 1, 2].map((j) =>
    affines.map((a) => Math.hypot(a[0][j], a[1][j], a[2][j])).sort((p, q) => p - q)
  );
  const median = (v: number[]) =>
    v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  const three = (f: (v: number[]) => number) =>
    per.map((v) => +f(v).toPrecision(6)) as [number, number, number];
  return {
    median: three(median),
    min: three((v) => v[0]),
    max: three((v) => v[v.length - 1]),
    volumes: affines.length,
  };
}

/** What `neurad detect` needs to score a scan like eval did (RUN/thresholds.json). */
export interface StoredThresholds {
  /** The protocol that chose the thresholds, e.g. "reddipalli22". */
  protocol: string;
  /** Pixel threshold on the post-processed map: pooled over every pathological validation
   * subject (a scan of unknown pathology gets it). */
  threshold: number;
  thresholdScope?: "pooled";
  /** The per-dataset thresholds, when eval chose per dataset (for reference; detect applies
   * `threshold`). */
  perDataset?: Record<string, number>;
  volumeScore: StoredVolumeScore;
  /** Absent in files written before the verdict looked at the components. */
  componentVolume?: StoredComponentVolume;
  /** Voxel size (mm, canonical x y z) of the validation scans, drawn from the training data's
   * dataset: detect's training voxel size when the run's config does not state one. */
  dataSpacing?: StoredDataSpacing;
  postprocess: StoredPostprocess;
  createdBy: string;
  checkpoint: string;
}

/** How a stored volume threshold was calibrated, as detect reports it. */
export interface VolumeThresholdInfo {
  value: number;
  rule: "healthy-fpr-quantile" | "healthy-maximum";
  fpr: number | null;
  calibrationVolumes: number | null;
  note: string;
}

/** The calibration of a stored volume threshold (any version of the file). */
export function volumeThresholdInfo(v: StoredVolumeScore): VolumeThresholdInfo {
  if (v.rule === "quantile" && v.fpr !== undefined) {
    const n = v.calibrationVolumes ?? null;
    return {
      value: v.threshold,
      rule: "healthy-fpr-quantile",
      fpr: v.fpr,
      calibrationVolumes: n,
      note: `the ${+(100 * (1 - v.fpr)).toFixed(2)} % quantile of the volume scores of ${
        n ?? "an unknown number of"
      } healthy validation volume${n === 1 ? "" : "s"}: about ${+(100 * v.fpr).toFixed(
        2,
      )} % of healthy scans are called anomalous`,
    };
  }
  return {
    value: v.threshold,
    rule: "healthy-maximum",
    fpr: null,
    calibrationVolumes: v.calibrationVolumes ?? null,
    note: "the maximum of the healthy validation volume scores (thresholds.json from an older " +
      "neurad eval: how many volumes, and so the false-positive rate, is not recorded; " +
      "re-run neurad eval)",
  };
}

/** Post-processing without thresholds (no eval yet): 9×9 median per slice, 5 axial erosions. */
export const DEFAULT_STACK_POSTPROCESS: Readonly<StackPostprocessOptions> = {
  medianFilter: 9,
  median: "2d",
  erode: 5,
  erosionPlanes: "axial",
};

/** The stored record of `stack` post-processing on a `residual` (with `faithful` for old readers). */
export function toStoredPostprocess(
  stack: StackPostprocessOptions,
  residual: ResidualKind,
): StoredPostprocess {
  return {
    medianFilter: stack.medianFilter,
    erode: stack.erode,
    residual,
    median: stack.median,
    erosionPlanes: stack.erosionPlanes,
    faithful: stack.median === "3d" && stack.erosionPlanes === "sagittal",
  };
}

/** The residual kind and stack options a stored record (any version, or none) stands for. */
export function fromStoredPostprocess(
  p: Partial<StoredPostprocess> | undefined,
): { residual: ResidualKind; stack: StackPostprocessOptions } {
  const d = DEFAULT_STACK_POSTPROCESS, faithful = p?.faithful === true;
  return {
    residual: p?.residual ?? "absolute",
    stack: {
      medianFilter: p?.medianFilter ?? d.medianFilter,
      median: p?.median ?? (faithful ? "3d" : d.median),
      erode: p?.erode ?? d.erode,
      erosionPlanes: p?.erosionPlanes ?? (faithful ? "sagittal" : d.erosionPlanes),
    },
  };
}

/** "best" or "last": the checkpoint a stored record was calibrated on (undefined if unnamed). */
export function storedCheckpointName(
  t: Pick<StoredThresholds, "checkpoint">,
): "best" | "last" | undefined {
  const m = /(?:^|[\\/])(best|last)\.safetensors$/.exec(t.checkpoint ?? "");
  return m ? (m[1] as "best" | "last") : undefined;
}
