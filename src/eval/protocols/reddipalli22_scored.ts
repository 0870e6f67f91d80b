// One split of the first study's protocol once scored (Reddipalli 2022): its slices, the residual
// post-processed with both filter sizes, the eroded brain, slice errors and reconstructions, and
// the no-model pixel baseline's map post-processed exactly like the residual; plus the index
// helpers every later step shares (which slices belong to whom, in-brain voxels, volume scores).
// Pure host code: the GPU part (reconstruction) ends before `scoredFromResiduals`.

import type { SliceSet } from "../../data/load_slices.ts";
import {
  postprocessStack,
  type StackPostprocessOptions,
} from "../postprocess/postprocess_stack.ts";
import type { Reconstruction, ResidualKind } from "../scoring/reconstruct.ts";
import { intensityBaselineMap } from "../scoring/baselines.ts";

/** A split reconstructed and post-processed with both filter sizes. */
export interface Scored {
  set: SliceSet;
  /** Main-filter map, 0 outside the eroded brain. */
  maps: Float32Array;
  /** Second-filter map, same erosion. */
  maps2: Float32Array;
  /** The pixel baseline (intensity, inverted for dark lesions), post-processed like `maps`. */
  baselineMaps: Float32Array;
  eroded: Uint8Array;
  sliceErrors: Float64Array;
  recon: Float32Array;
  codeCounts?: Float64Array;
  /** Subject id → its pathology dataset ("" = healthy). */
  dataset: Map<string, string>;
}

/** Post-processes a split's reconstruction: residual maps with both filters and the baseline. */
export function scoredFromResiduals(
  set: SliceSet,
  r: Reconstruction,
  o: { main: StackPostprocessOptions; second: StackPostprocessOptions; residual: ResidualKind },
): Scored {
  const { H, W } = set;
  const post = (x: Float32Array, p: StackPostprocessOptions) =>
    postprocessStack(x, set.brainMasks, set.subjectIds, H, W, p);
  const main = post(r.residuals, o.main);
  return {
    set,
    maps: main.maps,
    maps2: post(r.residuals, o.second).maps,
    baselineMaps: post(intensityBaselineMap(set.images, o.residual), o.main).maps,
    eroded: main.eroded,
    sliceErrors: r.sliceErrors,
    recon: r.reconstructions,
    codeCounts: r.codeCounts,
    dataset: new Map(set.subjects.map((x) => [x.id, x.pathological ? x.layout : ""])),
  };
}

/** Indices of the slices of the subjects `keep` accepts. */
export function slicesOf(set: SliceSet, keep: (id: string) => boolean): number[] {
  const out: number[] = [];
  for (let s = 0; s < set.N; s++) if (keep(set.subjectIds[s])) out.push(s);
  return out;
}

/** The given slices of a [N, H, W] array, in order. */
export function gather<T extends Float32Array | Uint8Array>(
  src: T,
  slices: number[],
  plane: number,
): T {
  const out = new (src.constructor as new (n: number) => T)(slices.length * plane);
  slices.forEach((s, k) => out.set(src.subarray(s * plane, (s + 1) * plane), k * plane));
  return out;
}

/** Map values and lesion labels of the given slices, inside the eroded brain. */
export function inBrain(
  sc: Scored,
  slices: number[],
  maps = sc.maps,
): { s: Float32Array; l: Uint8Array } {
  const plane = sc.set.H * sc.set.W;
  let n = 0;
  for (const sl of slices) for (let p = 0; p < plane; p++) n += sc.eroded[sl * plane + p];
  const s = new Float32Array(n), l = new Uint8Array(n);
  let k = 0;
  for (const sl of slices) {
    for (let p = 0; p < plane; p++) {
      const i = sl * plane + p;
      if (!sc.eroded[i]) continue;
      s[k] = maps[i];
      l[k++] = sc.set.lesionMasks[i];
    }
  }
  return { s, l };
}

/** Share of the values above `t` (0 for none). */
export function fractionAbove(values: ArrayLike<number>, t: number): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] > t) n++;
  return values.length ? n / values.length : 0;
}

/** Mean slice error of each subject's volume (the sample-wise score). */
export function volumeScores(sc: Scored, ids: string[]): number[] {
  const sum = new Map<string, number>(), count = new Map<string, number>();
  for (let s = 0; s < sc.set.N; s++) {
    const id = sc.set.subjectIds[s];
    sum.set(id, (sum.get(id) ?? 0) + sc.sliceErrors[s]);
    count.set(id, (count.get(id) ?? 0) + 1);
  }
  return ids.map((id) => (sum.get(id) ?? 0) / Math.max(1, count.get(id) ?? 0));
}

/** Ids of the healthy subjects of a split. */
export const healthyIds = (sc: Scored) =>
  sc.set.subjects.filter((x) => !x.pathological).map((x) => x.id);

/** Ids of the subjects of one pathology dataset (or of every one) in a split. */
export const pathologicalIds = (sc: Scored, dataset?: string) =>
  sc.set.subjects.filter((x) =>
    x.pathological && (dataset === undefined || sc.dataset.get(x.id) === dataset)
  ).map((x) => x.id);

/** The pathology datasets present in a split, in first-seen order. */
export const datasetsOf = (sc: Scored) => [
  ...new Set([...sc.dataset.values()].filter((v) => v)),
];
