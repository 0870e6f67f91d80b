// No-model baselines: scores computed from the data alone, ranked by the same metric code as the
// model's scores, so that every table can say whether a model beats what anatomy or intensity
// gives for free. Sample-wise: a subject's brain volume (brain-mask voxels over its kept slices;
// larger brains have room for larger lesions). Slice-wise: a slice's brain area (central slices hold
// more lesion voxels). Pixel-wise: the intensity itself, inverted where lesions are darker than
// tissue (T1: 1 − x, with the absolute residual) or as is for hyperintense lesions (the positive
// residual). Image-level (the second study): an image's mean intensity.

import type { ResidualKind } from "./reconstruct.ts";

/** What each baseline scores, as the tables name it. */
export const BASELINE_NAMES = {
  sample: "brain volume",
  slice: "brain area of the slice",
  pixelDark: "inverted intensity (1 − x)",
  pixelBright: "intensity (x)",
  image: "mean intensity of the image",
} as const;

/** The pixel baseline's name for a residual kind. */
export function pixelBaselineName(residual: ResidualKind): string {
  return residual === "positive" ? BASELINE_NAMES.pixelBright : BASELINE_NAMES.pixelDark;
}

/** Brain pixels of each [plane]-sized slice of a stack of 0/1 masks. */
export function sliceBrainAreas(brainMasks: Uint8Array, plane: number): Float64Array {
  if (plane <= 0 || brainMasks.length % plane !== 0) {
    throw new Error(`sliceBrainAreas(): ${brainMasks.length} values are not whole ${plane}-slices`);
  }
  const n = brainMasks.length / plane, out = new Float64Array(n);
  for (let s = 0; s < n; s++) {
    let a = 0;
    for (let i = s * plane; i < (s + 1) * plane; i++) a += brainMasks[i];
    out[s] = a;
  }
  return out;
}

/** Brain voxels of each subject: the brain areas of its slices summed. */
export function subjectBrainVolumes(
  brainMasks: Uint8Array,
  subjectIds: readonly string[],
  plane: number,
): Map<string, number> {
  const areas = sliceBrainAreas(brainMasks, plane);
  if (areas.length !== subjectIds.length) {
    throw new Error(`subjectBrainVolumes(): ${subjectIds.length} ids for ${areas.length} slices`);
  }
  const out = new Map<string, number>();
  subjectIds.forEach((id, s) => out.set(id, (out.get(id) ?? 0) + areas[s]));
  return out;
}

/** The pixel baseline's raw map: 1 − x (lesions darker, absolute residual) or x (positive). */
export function intensityBaselineMap(images: Float32Array, residual: ResidualKind): Float32Array {
  return residual === "positive" ? images.slice() : Float32Array.from(images, (v) => 1 - v);
}

/** Mean of each `perImage`-sized image of a stack. */
export function imageMeans(images: Float32Array, perImage: number): Float64Array {
  if (perImage <= 0 || images.length % perImage !== 0) {
    throw new Error(`imageMeans(): ${images.length} values are not whole ${perImage}-images`);
  }
  const n = images.length / perImage, out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let i = k * perImage; i < (k + 1) * perImage; i++) s += images[i];
    out[k] = s / perImage;
  }
  return out;
}
