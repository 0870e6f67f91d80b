// The component-volume side of detect's verdict (Reddipalli 2022's maps, thresholded): the volume
// in mm³ of the largest 3D lesion component (26-connected) a mask holds, and its calibration on
// the healthy validation volumes. A scan's verdict is anomalous when its volume score exceeds the
// volume threshold OR its largest component exceeds the component threshold: the (1 − fpr)
// quantile (numpy linear) of the healthy validation volumes' largest components, at the pooled
// pixel threshold and the volume score's false-positive rate. Eval stores it in RUN/thresholds.json
// (src/eval/stored_thresholds.ts) with how many volumes calibrated it; detect applies it.

import type { SliceSet } from "../data/load_slices.ts";
import { voxelVolume } from "../data/nifti/affine.ts";
import { quantile } from "../util/quantile.ts";
import { labelComponents3d } from "./postprocess/connected_components.ts";
import type { StoredComponentVolume } from "./stored_thresholds.ts";

/** Voxel count of the largest 26-connected component of a [Z, H, W] mask (0 when empty). */
export function largestComponentVoxels(mask: Uint8Array, Z: number, H: number, W: number): number {
  const { labels, count } = labelComponents3d(mask, Z, H, W, 26);
  if (count === 0) return 0;
  const size = new Float64Array(count + 1);
  for (let i = 0; i < labels.length; i++) if (labels[i] > 0) size[labels[i]]++;
  let best = 0;
  for (let l = 1; l <= count; l++) if (size[l] > best) best = size[l];
  return best;
}

/**
 * Largest component (mm³) of `maps` > `pixel` for each subject `ids` of `set`: its slices stacked
 * by slice index (slices eval left out, with little brain, count as empty), each voxel the scan's
 * voxel divided by the preprocessing scale on each axis.
 */
export function largestComponentsMm3(
  set: SliceSet,
  maps: Float32Array,
  ids: string[],
  pixel: number,
): number[] {
  const { H, W } = set, plane = H * W;
  return ids.map((id) => {
    const subject = set.subjects.find((s) => s.id === id)!;
    const slices: number[] = [];
    for (let s = 0; s < set.N; s++) if (set.subjectIds[s] === id) slices.push(s);
    if (!slices.length) return 0;
    const zs = slices.map((s) => set.sliceIndex[s]);
    const z0 = Math.min(...zs), Z = Math.max(...zs) - z0 + 1;
    const mask = new Uint8Array(Z * plane);
    slices.forEach((s, k) => {
      const o = (zs[k] - z0) * plane;
      for (let p = 0; p < plane; p++) mask[o + p] = maps[s * plane + p] > pixel ? 1 : 0;
    });
    const g = subject.geometry;
    if (!g?.scanAffine || !g.scale) return NaN; // no scan geometry: volume unknown
    const mm3 = voxelVolume(g.scanAffine) / g.scale ** 3;
    return largestComponentVoxels(mask, Z, H, W) * mm3;
  });
}

/** The component threshold from the healthy validation volumes' largest components (undefined
 * when there are none, or a volume's voxel size is unknown). */
export function calibrateComponentVolume(
  largestMm3: number[],
  pixel: number,
  fpr: number,
  healthyScores: number[],
  volumeThreshold: number,
): StoredComponentVolume | undefined {
  if (!largestMm3.length || largestMm3.some((v) => !Number.isFinite(v))) return undefined;
  const threshold = quantile(largestMm3, 1 - fpr);
  const combined = largestMm3.filter((c, i) => c > threshold || healthyScores[i] > volumeThreshold);
  return {
    thresholdMm3: threshold,
    rule: "quantile",
    fpr,
    calibrationVolumes: largestMm3.length,
    pixelThreshold: pixel,
    healthyMaxMm3: Math.max(0, ...largestMm3),
    combinedFalsePositives: combined.length,
  };
}
