/**
 * Resampling a scan to a voxel size: the preprocessing pipeline's sizes (crop box, downsampling)
 * are counted in voxels, so a scan whose voxels differ from the training data's reaches the model
 * at another scale unless it is first brought to the training voxel size. {@link resampleToSpacing}
 * does that on a canonical (RAS) scan, keeping its field of view and orientation (trilinear,
 * anti-aliased where it shrinks, as the pipeline's own downsampling; skull-stripped stays
 * skull-stripped: the brain is the resampled non-zero mask at ½). {@link resampleBack} takes a
 * map on the resampled grid back to the scan's own grid, voxel centres aligned both ways.
 * @module
 */
import type { Affine } from "../nifti/affine.ts";
import type { Volume } from "../nifti/volume.ts";
import type { Grid3 } from "./grid.ts";
import { resizeGrid } from "./rescale.ts";

/** Voxel size (mm) along each voxel axis of an affine: the norms of its first three columns. */
export function affineSpacing(a: Affine): [number, number, number] {
  return [0, 1, 2].map((j) => Math.hypot(a[0][j], a[1][j], a[2][j])) as [number, number, number];
}

/** Grid size that covers `dims` voxels of `from` mm with voxels of about `to` mm (at least 1). */
export function spacingDims(
  dims: readonly number[],
  from: readonly number[],
  to: readonly number[],
): [number, number, number] {
  return [0, 1, 2].map((a) => Math.max(1, Math.round((dims[a] * from[a]) / to[a]))) as [
    number,
    number,
    number,
  ];
}

/**
 * The affine of a grid resized from `from` to `to` voxels over the same field of view: new
 * voxel o sits at old voxel (o + ½)·f − ½ with f = from/to per axis (resizeGrid's convention).
 */
export function resizedAffine(a: Affine, from: readonly number[], to: readonly number[]): Affine {
  const f = [0, 1, 2].map((j) => from[j] / to[j]);
  return a.map((row, r) => {
    if (r === 3) return [...row];
    const out = [row[0] * f[0], row[1] * f[1], row[2] * f[2], row[3]];
    for (let j = 0; j < 3; j++) out[3] += row[j] * (0.5 * f[j] - 0.5);
    return out;
  });
}

/**
 * `scan` (3D or the first frame of 4D, canonical) resampled to voxels of `spacing` mm over the
 * same field of view. The result's affine says where its voxels are; its sform/qform codes and
 * `stored` (the on-disk orientation) are the scan's.
 */
export function resampleToSpacing(scan: Volume, spacing: readonly number[]): Volume {
  const dims = scan.dims.slice(0, 3) as [number, number, number];
  const n3 = dims[0] * dims[1] * dims[2];
  const from = affineSpacing(scan.affine);
  const to = spacingDims(dims, from, spacing);
  const src: Grid3 = { data: scan.data.subarray(0, n3), dims };
  const img = resizeGrid(src, to, true);
  const nonzero = new Float32Array(n3);
  for (let i = 0; i < n3; i++) nonzero[i] = src.data[i] !== 0 ? 1 : 0;
  const brain = resizeGrid(
    { data: nonzero, dims },
    to,
    true,
  );
  for (let i = 0; i < img.data.length; i++) if (brain.data[i] < 0.5) img.data[i] = 0;
  const affine = resizedAffine(scan.affine, dims, to);
  return {
    ...scan,
    data: img.data,
    dims: to,
    pixdim: affineSpacing(affine),
    affine,
  };
}

/** A map on a grid of `dims` voxels back onto the `scanDims` grid it was resampled from. */
export function resampleBack(
  map: Float32Array,
  dims: readonly number[],
  scanDims: readonly number[],
): Float32Array {
  const same = [0, 1, 2].every((a) => dims[a] === scanDims[a]);
  if (same) return map;
  return resizeGrid(
    { data: map, dims: dims.slice(0, 3) as [number, number, number] },
    scanDims,
    true,
  )
    .data;
}
