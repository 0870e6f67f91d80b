/**
 * The first study's 3D pipeline for one scan, in order: brain mask from non-zero voxels →
 * crop/pad to a fixed size centred on the brain → edge-preserving smoothing → clipping at the
 * brain's 1st/99th percentiles → ×0.5 anti-aliased downsampling → normalisation. Also returns the
 * geometry that {@link restoreToScanGeometry} needs to put a map back on the input scan.
 *
 * Smoothing runs after the crop: the crop keeps the whole brain with background around it, so the
 * result is the same as smoothing first, at 40 % less work. Smoothing is confined to the brain
 * (background stays exactly 0 so the mask stays the non-zero set).
 * @module
 */
import type { Affine } from "../nifti/affine.ts";
import { type Orientation, reorientFromCanonical } from "../nifti/orientation.ts";
import type { Volume } from "../nifti/volume.ts";
import { anisotropicDiffusion } from "./anisotropic_diffusion.ts";
import { centredOffset, cropPad, uncropPad } from "./crop_pad.ts";
import { curvatureFlow } from "./curvature_flow.ts";
import { type Grid3, nonzeroMask } from "./grid.ts";
import { clipInPlace, percentiles } from "./percentile.ts";
import { rescaledDims, resizeGrid } from "./rescale.ts";
import { affineSpacing, resampleBack } from "./resample_spacing.ts";

/** Every knob of the 3D pipeline; defaults are the first study's. */
export interface PreprocessOptions {
  /** "curvature-flow" (default), "anisotropic-diffusion" or "none". */
  smoothing?: "curvature-flow" | "anisotropic-diffusion" | "none";
  smoothingIterations?: number;
  smoothingTimeStep?: number;
  /**
   * Grid after crop/pad, in canonical RAS voxel order (x left→right, y posterior→anterior,
   * z inferior→superior): default [158, 190, 140], the first study's "140×190×158 (D×H×W)" box
   * read as (z, y, x). With scale 0.5 that gives 79×95×70: 70 axial slices of 95 rows × 79 columns.
   */
  cropSize?: [number, number, number];
  /** Percentiles clipped inside the brain: default [1, 99]; null to skip. */
  clipPercentiles?: [number, number] | null;
  /** Resampling factor: default 0.5 (→ 79×95×70 in x, y, z). */
  scale?: number;
  /** "minmax" to [0, 1] over the volume (default) or "zscore" inside the brain. */
  normalisation?: "minmax" | "zscore";
  /**
   * A downsampled lesion voxel is 1 where the resampled mask is at least this (default 0.5). The
   * first study's code resized masks with cubic interpolation and kept values above 0.01, which
   * dilates lesions; faithful evaluation passes 0.01.
   */
  lesionMaskThreshold?: number;
}

/** The keys of {@link PreprocessOptions}, for configs to refuse a misspelt one. */
export const PREPROCESS_OPTION_KEYS: readonly (keyof PreprocessOptions)[] = [
  "smoothing",
  "smoothingIterations",
  "smoothingTimeStep",
  "cropSize",
  "clipPercentiles",
  "scale",
  "normalisation",
  "lesionMaskThreshold",
];

/** Defaults of {@link PreprocessOptions}, filled in. */
export function resolvePreprocessOptions(o: PreprocessOptions = {}): Required<PreprocessOptions> {
  return {
    smoothing: o.smoothing ?? "curvature-flow",
    smoothingIterations: o.smoothingIterations ?? 5,
    smoothingTimeStep: o.smoothingTimeStep ??
      ((o.smoothing ?? "curvature-flow") === "curvature-flow" ? 0.0625 : 0.125),
    cropSize: o.cropSize ?? [158, 190, 140],
    clipPercentiles: o.clipPercentiles === undefined ? [1, 99] : o.clipPercentiles,
    scale: o.scale ?? 0.5,
    normalisation: o.normalisation ?? "minmax",
    lesionMaskThreshold: o.lesionMaskThreshold ?? 0.5,
  };
}

/** Where the preprocessed grid sits in the scan: enough to invert crop/pad, resampling, reorientation. */
export interface ScanGeometry {
  /** Canonical (RAS) dims and affine of the scan as read. */
  scanDims: number[];
  scanAffine: Affine;
  /** Output voxel o of the crop reads scan voxel o + cropOffset. */
  cropOffset: number[];
  cropSize: number[];
  scale: number;
  /** Dims of the preprocessed grid in x, y, z (e.g. 79×95×70). */
  outDims: number[];
  /** The scan on disk, when it was not RAS: undo the reorientation with this. */
  stored?: { dims: number[]; affine: Affine; orientation: Orientation };
  /**
   * The scan as read (canonical dims and affine), when it was resampled to the training voxel
   * size before preprocessing (src/data/preprocess/resample_spacing.ts): scanDims/scanAffine are
   * then the resampled grid, and a map goes back through it.
   */
  resampledFrom?: { dims: number[]; affine: Affine };
  /** The scan's sform/qform codes, so a map declares the same space (MNI, aligned, scanner). */
  sformCode?: number;
  qformCode?: number;
}

/** Result of {@link preprocessVolume}: x = left→right, y = posterior→anterior, z = inferior→superior. */
export interface PreprocessedVolume {
  image: Grid3;
  brainMask: Uint8Array;
  /** 1 where the lesion mask (any label > 0) covers at least half the downsampled voxel. */
  lesionMask: Uint8Array | null;
  geometry: ScanGeometry;
}

/** Runs the pipeline on a canonical (RAS) skull-stripped scan and its optional lesion labels. */
export function preprocessVolume(
  scan: Volume,
  lesion: Volume | null = null,
  options: PreprocessOptions = {},
): PreprocessedVolume {
  const o = resolvePreprocessOptions(options);
  const dims = scan.dims.slice(0, 3) as [number, number, number];
  const n3 = dims[0] * dims[1] * dims[2];
  const raw: Grid3 = { data: scan.data.subarray(0, n3), dims }; // first frame of a 4D scan
  const mask0 = nonzeroMask(raw.data);
  const offset = centredOffset(mask0, dims, o.cropSize);
  let img = cropPad(raw, o.cropSize, offset);
  const mask = nonzeroMask(img.data);
  if (o.smoothing !== "none") {
    const opts = { iterations: o.smoothingIterations, timeStep: o.smoothingTimeStep };
    img = o.smoothing === "curvature-flow"
      ? curvatureFlow(img, opts)
      : anisotropicDiffusion(img, opts);
    for (let i = 0; i < mask.length; i++) if (!mask[i]) img.data[i] = 0;
  }
  if (o.clipPercentiles) {
    const [lo, hi] = percentiles(img.data, o.clipPercentiles, mask);
    clipInPlace(img.data, lo, hi, mask);
  }
  const outDims = rescaledDims(o.cropSize, o.scale);
  const shrink = o.scale < 1;
  img = o.scale === 1 ? img : resizeGrid(img, outDims, shrink);
  const brainMask = _resampleMask(mask, o.cropSize, outDims, shrink);
  for (let i = 0; i < brainMask.length; i++) if (!brainMask[i]) img.data[i] = 0;
  _normalise(img.data, brainMask, o.normalisation);
  let lesionMask: Uint8Array | null = null;
  if (lesion) {
    const lab = lesion.data.subarray(0, n3);
    const bin = new Uint8Array(n3);
    for (let i = 0; i < n3; i++) bin[i] = lab[i] > 0 ? 1 : 0;
    const cropped = cropPad({ data: Float32Array.from(bin), dims }, o.cropSize, offset);
    lesionMask = _resampleMask(cropped.data, o.cropSize, outDims, shrink, o.lesionMaskThreshold);
  }
  return {
    image: img,
    brainMask,
    lesionMask,
    geometry: {
      scanDims: dims,
      scanAffine: scan.affine,
      cropOffset: offset,
      cropSize: o.cropSize,
      scale: o.scale,
      outDims,
      stored: scan.stored,
      sformCode: scan.sformCode,
      qformCode: scan.qformCode,
    },
  };
}

function _resampleMask(
  mask: ArrayLike<number>,
  from: readonly number[],
  to: readonly number[],
  antiAlias: boolean,
  threshold = 0.5,
): Uint8Array {
  const same = from.every((d, i) => d === to[i]);
  const g = same ? { data: Float32Array.from(mask) } : resizeGrid(
    { data: Float32Array.from(mask), dims: from as [number, number, number] },
    to,
    antiAlias,
  );
  const out = new Uint8Array(g.data.length);
  for (let i = 0; i < out.length; i++) out[i] = g.data[i] >= threshold ? 1 : 0;
  return out;
}

function _normalise(data: Float32Array, mask: Uint8Array, mode: "minmax" | "zscore"): void {
  if (mode === "minmax") {
    let lo = Infinity, hi = -Infinity;
    for (const v of data) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const s = hi > lo ? 1 / (hi - lo) : 0;
    for (let i = 0; i < data.length; i++) data[i] = (data[i] - lo) * s;
    return;
  }
  let n = 0, sum = 0, sq = 0;
  for (let i = 0; i < data.length; i++) {
    if (!mask[i]) continue;
    n++;
    sum += data[i];
    sq += data[i] * data[i];
  }
  const mean = n ? sum / n : 0;
  const std = n ? Math.sqrt(Math.max(0, sq / n - mean * mean)) || 1 : 1;
  for (let i = 0; i < data.length; i++) data[i] = mask[i] ? (data[i] - mean) / std : 0;
}

/**
 * Puts a map computed on the preprocessed grid (e.g. an anomaly map, outDims) back on the input
 * scan: trilinear upsampling to the crop size, un-crop into the scan grid (0 outside), back to the
 * scan's own voxels if it was resampled to the training voxel size, and undo the RAS reorientation. The result has the scan file's own dims, affine and sform/qform codes,
 * ready for writeNifti.
 */
export function restoreToScanGeometry(map: Float32Array, g: ScanGeometry): Volume {
  const n = g.outDims[0] * g.outDims[1] * g.outDims[2];
  if (map.length !== n) {
    throw new Error(
      `restoreToScanGeometry: map has ${map.length} voxels, expected ${g.outDims.join("×")}`,
    );
  }
  const grid: Grid3 = { data: map, dims: g.outDims as [number, number, number] };
  const up = g.scale === 1 ? grid : resizeGrid(grid, g.cropSize, false);
  const scan = uncropPad(up, g.scanDims, g.cropOffset);
  // Resampled to the training voxel size first: back onto the scan's own voxels.
  const from = g.resampledFrom;
  const dims = (from ? from.dims : g.scanDims).slice(0, 3);
  const affine = from ? from.affine : g.scanAffine;
  if (from) scan.data = resampleBack(scan.data, g.scanDims, from.dims);
  const pixdim = affineSpacing(affine);
  const codes = { sformCode: g.sformCode, qformCode: g.qformCode };
  if (!g.stored) return { data: scan.data, dims, pixdim, affine, ...codes };
  const data = reorientFromCanonical(scan.data, g.stored.dims, g.stored.orientation);
  const sp = g.stored.affine;
  return {
    data,
    dims: g.stored.dims.slice(0, 3),
    pixdim: [0, 1, 2].map((j) => Math.hypot(sp[0][j], sp[1][j], sp[2][j])),
    affine: sp,
    ...codes,
  };
}
