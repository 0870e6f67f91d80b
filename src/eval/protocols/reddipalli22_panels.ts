// Reconstruction panels of a NIfTI (first study) evaluation, the study's Fig. 5.2: for the best,
// median and worst test subject of a dataset by Dice, the axial slice with the most lesion voxels
// as input | reconstruction | |x − x̂| | post-processed map | map above the validation threshold |
// ground truth (Reddipalli 2022).

import type { SliceSet } from "../../data/load_slices.ts";
import { greyPngDataUrl, overlayPngDataUrl } from "../../io/png_data_url.ts";
import type { PanelResult } from "../../report/eval_result.ts";

/** One test split's slices with their reconstructions and post-processed maps. */
export interface PanelSource {
  set: SliceSet;
  /** Reconstructions [N, H, W]. */
  recon: Float32Array;
  /** Post-processed residual maps [N, H, W]. */
  maps: Float32Array;
}

/** The subject's slice with the most lesion voxels (the first on ties). */
function mostLesionSlice(set: SliceSet, subject: string): number {
  const plane = set.H * set.W;
  let best = -1, most = -1;
  for (let s = 0; s < set.N; s++) {
    if (set.subjectIds[s] !== subject) continue;
    let n = 0;
    for (let p = 0; p < plane; p++) n += set.lesionMasks[s * plane + p];
    if (n > most) [best, most] = [s, n];
  }
  return best;
}

/** The six images of one slice; the residual and the map share the residual's grey scale. */
function panelImages(src: PanelSource, slice: number, threshold: number): PanelResult["images"] {
  const { H, W } = src.set, plane = H * W;
  const at = (a: Float32Array | Uint8Array) => a.subarray(slice * plane, (slice + 1) * plane);
  const img = at(src.set.images), rec = at(src.recon), maps = at(src.maps);
  const res = new Float32Array(plane);
  for (let p = 0; p < plane; p++) res[p] = Math.abs(img[p] - rec[p]);
  let hi = 1e-6;
  for (let p = 0; p < plane; p++) hi = Math.max(hi, res[p]);
  const mask = Uint8Array.from(maps, (v) => (v > threshold ? 1 : 0));
  return {
    input: greyPngDataUrl(img, H, W, 0, 1),
    reconstruction: greyPngDataUrl(rec, H, W, 0, 1),
    residual: greyPngDataUrl(res, H, W, 0, hi),
    postprocessed: greyPngDataUrl(maps, H, W, 0, hi),
    thresholded: overlayPngDataUrl(img, mask, H, W, 0, 1),
    groundTruth: overlayPngDataUrl(img, at(src.set.lesionMasks), H, W, 0, 1),
  };
}

/** Panels for the best, median and worst subject by Dice (subjects with lesions; no repeats). */
export function reddipalli22Panels(
  src: PanelSource,
  rows: { subject: string; dice: number; lesionPixels: number }[],
  dataset: string,
  threshold: number,
): PanelResult[] {
  const withLesion = rows.filter((r) => r.lesionPixels > 0).sort((a, b) => b.dice - a.dice);
  if (!withLesion.length) return [];
  const pick: [PanelResult["rank"], typeof withLesion[0]][] = [
    ["best", withLesion[0]],
    ["median", withLesion[Math.floor(withLesion.length / 2)]],
    ["worst", withLesion[withLesion.length - 1]],
  ];
  const seen = new Set<string>();
  const out: PanelResult[] = [];
  for (const [rank, r] of pick) {
    if (seen.has(r.subject)) continue;
    seen.add(r.subject);
    const slice = mostLesionSlice(src.set, r.subject);
    out.push({
      subject: r.subject,
      dataset,
      rank,
      dice: r.dice,
      slice: src.set.sliceIndex[slice],
      images: panelImages(src, slice, threshold),
    });
  }
  return out;
}
