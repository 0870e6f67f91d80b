// Lesion-level evaluation: each connected ground-truth lesion is hit (any overlap with the
// prediction) or missed; predicted components touching no lesion are false-positive components.
// Lesions are then stratified by size at the 25th and 75th percentiles of the lesion sizes.

import { _checkSameLength, type Labels } from "../_validate.ts";
import {
  type ComponentLabels,
  labelComponents2d,
  labelComponents3d,
} from "../postprocess/connected_components.ts";
import { quantile } from "../../util/quantile.ts";

/** One ground-truth lesion. */
export interface LesionRecord {
  /** Voxels (pixels) in the lesion. */
  size: number;
  /** Lesion voxels also predicted positive. */
  hitVoxels: number;
  detected: boolean;
}

export interface LesionDetection {
  lesions: LesionRecord[];
  lesionCount: number;
  detected: number;
  missed: number;
  /** detected / lesionCount (null without lesions). */
  sensitivity: number | null;
  predictedComponents: number;
  falsePositiveComponents: number;
}

/**
 * Lesion detection of a [depth, height, width] volume (`depth` 1 for a single slice). Components
 * use `connectivity` 26/18/6 (3D) or 8/4 (each slice on its own). A lesion counts as detected when
 * at least `minOverlap` of its voxels (default 1) are predicted.
 */
export function lesionDetection(
  pred: Labels,
  gt: Labels,
  shape: { depth: number; height: number; width: number },
  { connectivity = 26, minOverlap = 1 }: { connectivity?: number; minOverlap?: number } = {},
): LesionDetection {
  _checkSameLength("lesionDetection()", pred, gt, ["pred", "gt"]);
  const { depth, height, width } = shape;
  const label = (m: Labels): ComponentLabels =>
    connectivity === 4 || connectivity === 8
      ? labelComponents2d(m, height, width, connectivity)
      : labelComponents3d(m, depth, height, width, connectivity);
  const truth = label(gt), predicted = label(pred);
  const hits = new Int32Array(truth.count + 1);
  const predTouches = new Uint8Array(predicted.count + 1);
  for (let i = 0; i < gt.length; i++) {
    if (pred[i] === 1 && gt[i] === 1) {
      hits[truth.labels[i]]++;
      predTouches[predicted.labels[i]] = 1;
    }
  }
  const lesions: LesionRecord[] = [];
  for (let l = 1; l <= truth.count; l++) {
    lesions.push({ size: truth.sizes[l], hitVoxels: hits[l], detected: hits[l] >= minOverlap });
  }
  const detected = lesions.filter((r) => r.detected).length;
  let fpComponents = 0;
  for (let l = 1; l <= predicted.count; l++) fpComponents += 1 - predTouches[l];
  return {
    lesions,
    lesionCount: truth.count,
    detected,
    missed: truth.count - detected,
    sensitivity: truth.count > 0 ? detected / truth.count : null,
    predictedComponents: predicted.count,
    falsePositiveComponents: fpComponents,
  };
}

/** Detection summary of one size stratum. */
export interface SizeStratum {
  count: number;
  detected: number;
  /** detected / count (null when empty). */
  detectionRate: number | null;
  /** Mean over lesions of hitVoxels / size (null when empty). */
  meanVoxelRecall: number | null;
}

/**
 * Stratifies lesions (pooled over subjects) by size: small < p25, medium p25..p75 (inclusive),
 * large > p75, with p25/p75 numpy's linear percentiles of the lesion sizes.
 */
export function stratifyLesionsBySize(lesions: LesionRecord[]): {
  p25: number;
  p75: number;
  small: SizeStratum;
  medium: SizeStratum;
  large: SizeStratum;
} {
  if (lesions.length === 0) throw new Error("stratifyLesionsBySize(): no lesions");
  const sizes = lesions.map((l) => l.size);
  const p25 = quantile(sizes, 0.25), p75 = quantile(sizes, 0.75);
  const summarize = (group: LesionRecord[]): SizeStratum => {
    const detected = group.filter((l) => l.detected).length;
    return {
      count: group.length,
      detected,
      detectionRate: group.length ? detected / group.length : null,
      meanVoxelRecall: group.length
        ? group.reduce((s, l) => s + l.hitVoxels / l.size, 0) / group.length
        : null,
    };
  };
  return {
    p25,
    p75,
    small: summarize(lesions.filter((l) => l.size < p25)),
    medium: summarize(lesions.filter((l) => l.size >= p25 && l.size <= p75)),
    large: summarize(lesions.filter((l) => l.size > p75)),
  };
}
