// Post-processing of a stack of residual slices into an anomaly map, shared by evaluation and
// `neurad detect` so that both turn a residual into the same map: the brain mask is eroded
// (cross, n iterations) and the residual median-filtered, and the map is 0 outside the eroded
// brain. Which filter and which erosion planes are options, not a study's mode: the first study's
// protocol as written is the 2D median per slice with axial erosion; its code ran a 3D median
// over each subject's stack and eroded sagittal planes (Reddipalli 2022).

import { binaryErosion2d } from "./binary_erosion.ts";
import { medianFilter2d, medianFilter3d } from "./median_filter.ts";

export interface StackPostprocessOptions {
  /** Median filter size (odd): size×size per slice, or size³ over each subject's stack. */
  medianFilter: number;
  /** "2d": per axial slice; "3d": over each subject's consecutive slices (never across). */
  median: "2d" | "3d";
  /** Cross erosions of the brain mask (scipy `iterations`). */
  erode: number;
  /** "axial": each slice's (y, x) plane; "sagittal": each subject's (z, y) planes, one per x. */
  erosionPlanes: "axial" | "sagittal";
}

export interface PostprocessedStack {
  /** Median-filtered residual, 0 outside the eroded brain; [slices, H, W]. */
  maps: Float32Array;
  /** The eroded brain mask; [slices, H, W]. */
  eroded: Uint8Array;
}

/** [start, end) slice ranges of the runs of equal consecutive subject ids. */
export function subjectRuns(subjectIds: readonly string[]): [number, number][] {
  const runs: [number, number][] = [];
  let start = 0;
  while (start < subjectIds.length) {
    let end = start + 1;
    while (end < subjectIds.length && subjectIds[end] === subjectIds[start]) end++;
    runs.push([start, end]);
    start = end;
  }
  return runs;
}

function checkOptions(
  n: number,
  brain: number,
  ids: number,
  H: number,
  W: number,
  o: StackPostprocessOptions,
) {
  const fn = "postprocessStack()";
  if (n !== brain) throw new Error(`${fn}: ${n} residual values but ${brain} brain-mask values`);
  if (n !== ids * H * W) {
    throw new Error(`${fn}: ${n} values != ${ids} subject ids × ${H} × ${W}`);
  }
  if (!Number.isInteger(o.medianFilter) || o.medianFilter < 1 || o.medianFilter % 2 === 0) {
    throw new Error(`${fn}: median filter size ${o.medianFilter} must be a positive odd integer`);
  }
  if (!Number.isInteger(o.erode) || o.erode < 1) {
    throw new Error(`${fn}: erode ${o.erode} must be a positive integer`);
  }
  if (o.median !== "2d" && o.median !== "3d") {
    throw new Error(`${fn}: median "${o.median}" must be "2d" or "3d"`);
  }
  if (o.erosionPlanes !== "axial" && o.erosionPlanes !== "sagittal") {
    throw new Error(`${fn}: erosionPlanes "${o.erosionPlanes}" must be "axial" or "sagittal"`);
  }
}

/**
 * The median-filtered residual stack: per slice (2d) or per subject's volume (3d), computed only
 * inside the eroded brain (`where`): the map is 0 elsewhere, so the rest would be discarded.
 */
function medianStack(
  residuals: Float32Array,
  runs: [number, number][],
  H: number,
  W: number,
  o: StackPostprocessOptions,
  where: Uint8Array,
): Float32Array {
  if (o.median === "2d") return medianFilter2d(residuals, H, W, o.medianFilter, { where });
  const plane = H * W, out = new Float32Array(residuals.length);
  for (const [start, end] of runs) {
    const sub = residuals.subarray(start * plane, end * plane);
    const w = where.subarray(start * plane, end * plane);
    out.set(medianFilter3d(sub, end - start, H, W, o.medianFilter, { where: w }), start * plane);
  }
  return out;
}

/** The brain mask eroded in axial planes, or per subject in its sagittal (z, y) planes. */
function erodeStack(
  brainMasks: Uint8Array,
  runs: [number, number][],
  H: number,
  W: number,
  o: StackPostprocessOptions,
): Uint8Array {
  if (o.erosionPlanes === "axial") {
    return binaryErosion2d(brainMasks, H, W, { iterations: o.erode });
  }
  // The subject's stack [Z, H, W] viewed as W planes of Z×H, eroded in 2D and put back.
  const plane = H * W, out = new Uint8Array(brainMasks.length);
  for (const [start, end] of runs) {
    const Z = end - start, off = start * plane;
    const sag = new Uint8Array(Z * plane);
    for (let z = 0; z < Z; z++) {
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          sag[(x * Z + z) * H + y] = brainMasks[off + z * plane + y * W + x];
        }
      }
    }
    const er = binaryErosion2d(sag, Z, H, { iterations: o.erode });
    for (let z = 0; z < Z; z++) {
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) out[off + z * plane + y * W + x] = er[(x * Z + z) * H + y];
      }
    }
  }
  return out;
}

/**
 * Post-processes a stack of residual slices [slices, H, W]: the brain mask eroded, the residual
 * median-filtered, the map zeroed outside the eroded brain. A subject's slices are consecutive
 * (`subjectIds` per slice); 3D filtering and sagittal erosion never cross subjects.
 */
export function postprocessStack(
  residuals: Float32Array,
  brainMasks: Uint8Array,
  subjectIds: readonly string[],
  H: number,
  W: number,
  o: StackPostprocessOptions,
): PostprocessedStack {
  checkOptions(residuals.length, brainMasks.length, subjectIds.length, H, W, o);
  const runs = subjectRuns(subjectIds);
  const eroded = erodeStack(brainMasks, runs, H, W, o);
  // Median only inside the eroded brain: the map is 0 everywhere else.
  const maps = medianStack(residuals, runs, H, W, o, eroded);
  return { maps, eroded };
}
