// Reconstruction panels of a NIfTI (first study) evaluation, the study's Fig. 5.2: for the best,
// median and worst test subject of a dataset by Dice, the axial slice with the most lesion voxels
// as input | reconstruction | |x − x̂| | post-processed map | map above the validation threshold |
// ground truth (Reddipalli 2022). Best and worst come first, so two lesioned subjects give both
// (the median is shown when it is a third subject). Slices are enlarged to at least 256 px
// (panel_zoom.ts), carry their orientation (RAS grid: the patient's left at the image's left,
// anterior at the top) and the grey scale of the residual and the map, for the colour bar.

import type { SliceSet } from "../../data/load_slices.ts";
import { greyPngDataUrl, overlayPngDataUrl } from "../../io/png_data_url.ts";
import type { PanelResult } from "../../report/eval_result.ts";
import { nearestUpsample, panelZoom } from "./panel_zoom.ts";

/** Axial slices of the RAS grid as png_data_url draws them (rows flipped: anterior up). */
export const AXIAL_ORIENTATION = { left: "L", right: "R", top: "A", bottom: "P" } as const;

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

/** The six images of one slice, enlarged; the residual and the map share the residual's grey
 * scale [0, hi], returned for the colour bar. */
function panelImages(
  src: PanelSource,
  slice: number,
  threshold: number,
): { images: PanelResult["images"]; hi: number } {
  const { H, W } = src.set, plane = H * W;
  const at = (a: Float32Array | Uint8Array) => a.subarray(slice * plane, (slice + 1) * plane);
  const img = at(src.set.images), rec = at(src.recon), maps = at(src.maps);
  const res = new Float32Array(plane);
  for (let p = 0; p < plane; p++) res[p] = Math.abs(img[p] - rec[p]);
  let hi = 1e-6;
  for (let p = 0; p < plane; p++) hi = Math.max(hi, res[p]);
  const mask = Uint8Array.from(maps, (v) => (v > threshold ? 1 : 0));
  const k = panelZoom(H, W), h = H * k, w = W * k;
  const up = (v: ArrayLike<number>) => nearestUpsample(v, H, W, k);
  const big = up(img);
  return {
    images: {
      input: greyPngDataUrl(big, h, w, 0, 1),
      reconstruction: greyPngDataUrl(up(rec), h, w, 0, 1),
      residual: greyPngDataUrl(up(res), h, w, 0, hi),
      postprocessed: greyPngDataUrl(up(maps), h, w, 0, hi),
      thresholded: overlayPngDataUrl(big, up(mask), h, w, 0, 1),
      groundTruth: overlayPngDataUrl(big, up(at(src.set.lesionMasks)), h, w, 0, 1),
    },
    hi,
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
    ["worst", withLesion[withLesion.length - 1]],
    ["median", withLesion[Math.floor((withLesion.length - 1) / 2)]],
  ];
  const seen = new Set<string>();
  const out: PanelResult[] = [];
  for (const [rank, r] of pick) {
    if (seen.has(r.subject)) continue;
    seen.add(r.subject);
    const slice = mostLesionSlice(src.set, r.subject);
    const { images, hi } = panelImages(src, slice, threshold);
    out.push({
      subject: r.subject,
      dataset,
      rank,
      dice: r.dice,
      slice: src.set.sliceIndex[slice],
      images,
      orientation: AXIAL_ORIENTATION,
      residualScale: { lo: 0, hi, unit: "normalised intensity" },
    });
  }
  const order = ["best", "median", "worst"];
  return out.sort((a, b) => order.indexOf(a.rank) - order.indexOf(b.rank));
}
