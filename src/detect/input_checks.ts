// Whether a scan is what the model learnt: a single skull-stripped 3D T1 brain. Scans that cannot
// be scored at all (2D, empty or constant) are refused; scans that can be scored but are not such
// a brain get the verdict "unreliable" with the reason, never a plain healthy or anomalous:
// - a 4D series (fMRI, DWI): the model learnt single volumes; only the first frame is mapped;
// - a non-zero volume outside 300–3,000 cm³ (not a brain, or wrong voxel sizes in the header);
// - over 90 % of the grid non-zero (not skull-stripped, or not a brain);
// - T1 contrast missing: in a T1 brain the deep tissue (white matter, over 10 mm inside the brain)
//   is brighter than the outer 4 mm (cortex and CSF): on the preprocessed scan, mean core over
//   mean rim is 1.22–1.59 for Colin27, the demo cohort's subjects with tumours or strokes and
//   nibabel's anatomical example, and 0.85 for Colin27 with its contrast inverted (T2-like: CSF
//   bright, white matter dark). Under 1.05 the scan is taken for another contrast (T2, FLAIR, PD)
//   or for something that is not a brain (a phantom's ratio is about 1).

import { voxelVolume } from "../data/nifti/affine.ts";
import type { Volume } from "../data/nifti/volume.ts";
import type { PreprocessedVolume } from "../data/preprocess/preprocess_volume.ts";
import { binaryErosion3d } from "../eval/postprocess/binary_erosion.ts";

/** Core-over-rim intensity ratio under which a scan is not taken for a T1 brain. */
export const MIN_T1_CORE_RIM_RATIO = 1.05;
/** Depth (mm) from the brain's edge beyond which voxels count as deep tissue. */
export const CORE_DEPTH_MM = 10;
/** Depth (mm) from the brain's edge of the outer rim. */
export const RIM_DEPTH_MM = 4;

/** Problems of a scan as read: `fatal` ones stop scoring, `suspect` ones make it unreliable. */
export function inputProblems(v: Volume): { fatal: string[]; suspect: string[] } {
  const fatal: string[] = [], suspect: string[] = [];
  const d = v.dims;
  if (d.length < 3 || d[2] <= 1) fatal.push(`a 2D image (${d.join("×")}), not a 3D brain volume`);
  if (d.length > 3 && d[3] > 1) {
    suspect.push(
      `a 4D series (${d[3]} frames), not a single 3D T1 volume as the model learnt: only the ` +
        "first frame was mapped",
    );
  }
  const n = (d[0] ?? 1) * (d[1] ?? 1) * (d[2] ?? 1);
  let nz = 0, lo = Infinity, hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = v.data[i];
    if (x !== 0) nz++;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  const cm3 = (nz * voxelVolume(v.affine)) / 1000;
  if (nz === 0 || hi === lo) fatal.push("empty or constant image");
  else if (cm3 < 300 || cm3 > 3000) {
    suspect.push(
      `non-zero volume ${cm3.toFixed(0)} cm³ is outside the 300–3,000 cm³ of a skull-stripped ` +
        "adult brain: not a brain T1, or wrong voxel sizes",
    );
  }
  if (nz > 0 && nz / n > 0.9) {
    suspect.push(
      `${
        (100 * nz / n).toFixed(0)
      } % of voxels are non-zero: not skull-stripped (or not a brain); ` +
        "the model was trained on skull-stripped T1 brains",
    );
  }
  return { fatal, suspect };
}

/** Mean intensity over the brain's deep tissue divided by that over its outer rim (NaN if either
 * is empty), on a preprocessed scan whose voxels are `voxelMm` (mm). */
export function coreRimRatio(pre: PreprocessedVolume, voxelMm: readonly number[]): number {
  const [W, H, Z] = pre.image.dims;
  const mask = pre.brainMask, img = pre.image.data;
  const steps = (mm: number) => Math.max(1, Math.round(mm / Math.min(...voxelMm)));
  const core = binaryErosion3d(mask, Z, H, W, { iterations: steps(CORE_DEPTH_MM) });
  const inner = binaryErosion3d(mask, Z, H, W, { iterations: steps(RIM_DEPTH_MM) });
  let c = 0, nc = 0, r = 0, nr = 0;
  for (let i = 0; i < mask.length; i++) {
    if (core[i]) [c, nc] = [c + img[i], nc + 1];
    if (mask[i] && !inner[i]) [r, nr] = [r + img[i], nr + 1];
  }
  return nc && nr ? c / nc / (r / nr) : NaN;
}

/** The contrast problem of a preprocessed scan, or null when it looks like a T1 brain. */
export function contrastProblem(
  pre: PreprocessedVolume,
  voxelMm: readonly number[],
): string | null {
  const ratio = coreRimRatio(pre, voxelMm);
  if (ratio >= MIN_T1_CORE_RIM_RATIO) return null;
  const shown = Number.isFinite(ratio) ? ratio.toFixed(2) : "undefined (no deep tissue)";
  return `deep tissue is not brighter than the brain's outer rim (core/rim intensity ${shown}; ` +
    `T1 brains ${MIN_T1_CORE_RIM_RATIO} and above): a different contrast (T2, FLAIR, PD) or ` +
    "not a brain";
}
