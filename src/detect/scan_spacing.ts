// What detect does with a scan's voxel size. The preprocessing pipeline counts its sizes (crop
// box, downsampling) in voxels, so the model only sees anatomy at the scale it learnt when a scan
// has the training scans' voxel size: RUN/config.json's data.preprocess.spacing (mm, x y z), else
// the median voxel size of the validation scans eval measured (RUN/thresholds.json dataSpacing,
// the training data's dataset), else the first study's 1 mm isotropic data (its crop box of
// 158×190×140 voxels is a 1 mm MNI brain; the demo cohort and the datasets it names are 1 mm).
// A scan within 5 % of it on every axis is taken as it is; one further off is resampled to it
// (src/data/preprocess/resample_spacing.ts) and its maps go back onto its own grid; one whose
// voxels are far coarser than the model's input voxels (more than 1.5×: the detail the model
// looks for is not in the scan) or implausibly fine (under ⅛ of the training voxel: a header
// with wrong voxel sizes) is refused with the reason.

import { resolvePreprocessOptions } from "../data/preprocess/preprocess_volume.ts";
import type { StoredDataSpacing } from "../eval/stored_thresholds.ts";

/** Relative difference per axis up to which a scan is taken at its own voxel size. */
export const SPACING_TOLERANCE = 0.05;
/** Coarsest scan voxel accepted, as a multiple of the model's input voxel (training × 1/scale). */
export const MAX_COARSER_THAN_MODEL = 1.5;
/** Finest scan voxel accepted, as a fraction of the training voxel size. */
export const MIN_FRACTION_OF_TRAINING = 1 / 8;

/** The voxel size (mm) of a run's training scans and where that figure comes from. */
export function trainingSpacing(
  preprocess: Record<string, unknown>,
  data?: StoredDataSpacing,
): { spacing: [number, number, number]; source: SpacingSource } {
  const s = preprocess.spacing;
  if (s === undefined || s === null) {
    return data
      ? { spacing: data.median, source: "validation scans" }
      : { spacing: [1, 1, 1], source: "first-study default" };
  }
  const ok = Array.isArray(s) && s.length === 3 &&
    s.every((v) => typeof v === "number" && Number.isFinite(v) && v > 0);
  if (!ok) {
    throw new Error(
      `config.json: data.preprocess.spacing must be three voxel sizes in mm, got ${
        JSON.stringify(s)
      }`,
    );
  }
  return { spacing: s as [number, number, number], source: "config" };
}

/** Where the training voxel size comes from: the run's config, the validation scans eval
 * measured (RUN/thresholds.json `dataSpacing`: the training data's dataset), or the default. */
export type SpacingSource = "config" | "validation scans" | "first-study default";

/** The voxel-size record of one scan in NAME.json. */
export interface SpacingPlan {
  /** The scan's voxel size (mm, canonical x y z). */
  scan: number[];
  /** The training scans' voxel size the model learnt, and where that figure comes from. */
  training: number[];
  trainingSource: SpacingSource;
  /** "as is", "resampled" (to `training`, maps back on the scan's grid) or "refused". */
  action: "as is" | "resampled" | "refused";
  /** Why it was refused. */
  reason?: string;
}

const mm = (v: readonly number[]) => v.map((x) => +x.toFixed(3)).join("×") + " mm";

/** What to do with a scan of voxel size `scan` (mm) for a run preprocessed with `preprocess`. */
export function planSpacing(
  scan: readonly number[],
  preprocess: Record<string, unknown>,
  data?: StoredDataSpacing,
): SpacingPlan {
  const { spacing, source } = trainingSpacing(preprocess, data);
  const scale = resolvePreprocessOptions(preprocess).scale;
  const model = spacing.map((t) => t / scale);
  const plan: SpacingPlan = {
    scan: scan.map((x) => +x.toFixed(4)),
    training: spacing,
    trainingSource: source,
    action: "as is",
  };
  const coarse = scan.findIndex((s, a) => s > MAX_COARSER_THAN_MODEL * model[a] * (1 + 1e-6));
  const fine = scan.findIndex((s, a) => s < MIN_FRACTION_OF_TRAINING * spacing[a]);
  if (coarse >= 0) {
    plan.action = "refused";
    plan.reason =
      `voxels of ${mm(scan)} are far coarser than the ${mm(model)} the model looks at (trained on ${
        mm(spacing)
      } scans${
        source === "config" ? "" : ", the first study's"
      }, at most ${MAX_COARSER_THAN_MODEL}× its input voxel): the detail it looks for is not in ` +
      "this scan";
  } else if (fine >= 0) {
    plan.action = "refused";
    plan.reason = `voxels of ${mm(scan)} are implausibly fine for an MRI scan (the model was ` +
      `trained on ${mm(spacing)}): wrong voxel sizes in the header?`;
  } else if (scan.some((s, a) => Math.abs(s / spacing[a] - 1) > SPACING_TOLERANCE)) {
    plan.action = "resampled";
  }
  return plan;
}
