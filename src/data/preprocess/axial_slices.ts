/**
 * Axial 2D slices of a preprocessed volume. Axial = the last (z, inferior→superior) axis after
 * RAS reorientation; each slice is H×W = ny×nx with rows running posterior→anterior (y) and
 * columns left→right (x), i.e. the x-fastest memory of one z-plane, so no transpose is needed.
 * @module
 */
import type { PreprocessedVolume } from "./preprocess_volume.ts";

/** Slices of one volume, stacked: images [N, H, W] and their masks. */
export interface SliceStack {
  images: Float32Array;
  brainMasks: Uint8Array;
  lesionMasks: Uint8Array;
  /** z index of each slice in the preprocessed volume. */
  sliceIndex: number[];
  H: number;
  W: number;
}

/**
 * Extracts axial slices, skipping those whose brain covers less than `minBrainFraction` of the
 * slice (default 0.01: empty and nearly-empty end slices carry no anatomy to learn).
 */
export function axialSlices(vol: PreprocessedVolume, minBrainFraction = 0.01): SliceStack {
  const [nx, ny, nz] = vol.image.dims;
  const area = nx * ny;
  const keep: number[] = [];
  for (let z = 0; z < nz; z++) {
    let count = 0;
    for (let i = z * area; i < (z + 1) * area; i++) count += vol.brainMask[i];
    if (count > 0 && count >= minBrainFraction * area) keep.push(z);
  }
  const images = new Float32Array(keep.length * area);
  const brainMasks = new Uint8Array(keep.length * area);
  const lesionMasks = new Uint8Array(keep.length * area);
  keep.forEach((z, s) => {
    images.set(vol.image.data.subarray(z * area, (z + 1) * area), s * area);
    brainMasks.set(vol.brainMask.subarray(z * area, (z + 1) * area), s * area);
    if (vol.lesionMask) {
      lesionMasks.set(vol.lesionMask.subarray(z * area, (z + 1) * area), s * area);
    }
  });
  return { images, brainMasks, lesionMasks, sliceIndex: keep, H: ny, W: nx };
}
