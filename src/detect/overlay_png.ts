// detect's NAME_overlay.png: axial slices of the preprocessed scan through the lesions, so a
// reader sees at a glance what the map found. Each panel is the slice through the centroid of one
// of the (up to three) largest components of the mask, largest first, with the component's
// outline in cyan and a cross at its centroid; without a mask or components, the slices holding
// the most anomaly. The anomaly map is drawn over the grey scan in the "hot" colour map (opacity
// rising with the value), each panel upscaled to at least 256 pixels a side (nearest voxel),
// with orientation letters (L and R at the patient's left and right, A anterior at the top, P
// posterior; neurological convention: the patient's left on the image's left), the slice's z and
// a colour bar giving the map values. Before, a fixed grid of 12 slices of 79×95 pixels, mostly
// empty, without orientation or scale.

import { encode } from "fast-png";
import { labelComponents3d } from "../eval/postprocess/connected_components.ts";
import { drawText, GLYPH_H, textWidth } from "./bitmap_font.ts";

/** Smallest side of a panel, in pixels. */
export const MIN_PANEL_PX = 256;
/** Panels in the overlay at most. */
export const MAX_PANELS = 3;

/** One panel's slice and why it was chosen. */
export interface OverlaySlice {
  z: number;
  /** The component's centroid (x, y, z voxels of the preprocessed grid), or null (no lesion). */
  centroid: [number, number, number] | null;
  voxels: number;
}

/** The slices to draw: through the centroids of the largest components of `mask` (distinct
 * slices), else the slices with the largest sum of `map`, at least 5 slices apart (those with
 * any anomaly; one slice at least). */
export function overlaySlices(
  map: Float32Array,
  mask: Uint8Array | null,
  W: number,
  H: number,
  Z: number,
  n = MAX_PANELS,
): OverlaySlice[] {
  const plane = W * H, out: OverlaySlice[] = [];
  if (mask) {
    const { labels, count } = labelComponents3d(mask, Z, H, W, 26);
    const acc = Array.from({ length: count + 1 }, () => [0, 0, 0, 0]);
    for (let i = 0; i < labels.length; i++) {
      const l = labels[i];
      if (l <= 0) continue;
      const a = acc[l];
      a[0]++;
      a[1] += i % W;
      a[2] += Math.floor(i / W) % H;
      a[3] += Math.floor(i / plane);
    }
    const comps = acc.slice(1).filter((a) => a[0] > 0).sort((p, q) => q[0] - p[0]);
    for (const [v, sx, sy, sz] of comps) {
      const c: [number, number, number] = [sx / v, sy / v, sz / v];
      const z = Math.round(c[2]);
      if (out.some((s) => s.z === z)) continue;
      out.push({ z, centroid: c, voxels: v });
      if (out.length === n) break;
    }
  }
  if (out.length === 0) {
    const mass = Array.from({ length: Z }, (_, z) => {
      let s = 0;
      for (let p = 0; p < plane; p++) s += map[z * plane + p];
      return { z, s };
    }).sort((a, b) => b.s - a.s || a.z - b.z);
    for (const { z, s: sum } of mass) {
      if (out.length && !(sum > 0)) break; // slices without anomaly: nothing to show
      if (out.some((s) => Math.abs(s.z - z) < 5)) continue;
      out.push({ z, centroid: null, voxels: 0 });
      if (out.length === n) break;
    }
  }
  return out;
}

/** The "hot" colour map at t in [0, 1]: black → red → yellow → white. */
export function hot(t: number): [number, number, number] {
  const c = (x: number) => Math.round(255 * Math.min(1, Math.max(0, x)));
  return [c(3 * t), c(3 * t - 1), c(3 * t - 2)];
}

export const MARKER_COLOUR = [255, 255, 255] as const;
export const OUTLINE_COLOUR = [0, 255, 255] as const;
const CROSS_COLOUR = [0, 255, 0] as const;
const MARK_SCALE = 3, LABEL_SCALE = 2, GAP = 8, HEADER = GLYPH_H * LABEL_SCALE + 2 * GAP;
const BAR_W = 24;

/** Pixel geometry of an overlay, for drawing and for tests. */
export function overlayLayout(W: number, H: number, panels: number) {
  const f = Math.max(1, Math.ceil(MIN_PANEL_PX / Math.min(W, H)));
  const pw = W * f, ph = H * f;
  const barX = GAP + panels * (pw + GAP) + 2 * GAP;
  const width = barX + BAR_W + GAP + textWidth("0.000e-00", LABEL_SCALE) + GAP;
  const height = HEADER + ph + GAP;
  const panelX = (k: number) => GAP + k * (pw + GAP);
  return { f, pw, ph, width, height, panelX, panelY: HEADER, barX, barY: HEADER, barH: ph };
}

/** Where each orientation letter's top-left corner sits in panel k. */
export function markerPositions(W: number, H: number, panels: number, k: number) {
  const L = overlayLayout(W, H, panels), x0 = L.panelX(k), y0 = L.panelY;
  const gw = textWidth("A", MARK_SCALE), gh = GLYPH_H * MARK_SCALE, m = 6;
  return {
    L: [x0 + m, y0 + (L.ph - gh) / 2 | 0],
    R: [x0 + L.pw - gw - m, y0 + (L.ph - gh) / 2 | 0],
    A: [x0 + (L.pw - gw) / 2 | 0, y0 + m],
    P: [x0 + (L.pw - gw) / 2 | 0, y0 + L.ph - gh - m],
    scale: MARK_SCALE,
  } as const;
}

const fmt = (
  v: number,
) => (v === 0 ? "0" : v >= 0.01 && v < 1000 ? v.toPrecision(3) : v.toExponential(1));

/**
 * The overlay PNG of a preprocessed scan `img` (x fastest, then y posterior→anterior, then z),
 * its anomaly map and optional mask, all W×H×Z.
 */
export function overlayPng(
  img: Float32Array,
  map: Float32Array,
  mask: Uint8Array | null,
  W: number,
  H: number,
  Z: number,
): Uint8Array {
  const slices = overlaySlices(map, mask, W, H, Z);
  const L = overlayLayout(W, H, slices.length);
  const { f, pw, ph, width, height } = L;
  const rgb = new Uint8Array(width * height * 3);
  let hi = 0;
  for (const v of map) if (v > hi) hi = v;
  const plane = W * H;
  slices.forEach((s, k) => {
    const x0 = L.panelX(k), y0 = L.panelY, base = s.z * plane;
    const maskAt = (x: number, y: number) =>
      mask !== null && x >= 0 && y >= 0 && x < W && y < H && mask[base + y * W + x] === 1;
    for (let py = 0; py < ph; py++) {
      const y = H - 1 - Math.floor(py / f); // anterior at the top
      for (let px = 0; px < pw; px++) {
        const x = Math.floor(px / f), i = base + y * W + x;
        const g = 255 * Math.min(1, Math.max(0, img[i]));
        const t = hi > 0 ? Math.min(1, Math.max(0, map[i] / hi)) : 0;
        const c = hot(t);
        const o = 3 * ((y0 + py) * width + x0 + px);
        for (let ch = 0; ch < 3; ch++) rgb[o + ch] = Math.round(g * (1 - t) + c[ch] * t);
        // The mask's outline: a voxel of the mask next to one outside it, on its outer pixels.
        if (maskAt(x, y)) {
          const edgeX = px % f === 0
            ? !maskAt(x - 1, y)
            : px % f === f - 1
            ? !maskAt(x + 1, y)
            : false;
          const edgeY = py % f === 0
            ? !maskAt(x, y + 1)
            : py % f === f - 1
            ? !maskAt(x, y - 1)
            : false;
          if (edgeX || edgeY) rgb.set(OUTLINE_COLOUR, o);
        }
      }
    }
    if (s.centroid) {
      const cx = x0 + Math.round((s.centroid[0] + 0.5) * f);
      const cy = y0 + Math.round((H - 1 - s.centroid[1] + 0.5) * f);
      for (let d = -8; d <= 8; d++) {
        if (Math.abs(d) < 3) continue;
        for (const [px, py] of [[cx + d, cy], [cx, cy + d]]) {
          if (px >= x0 && px < x0 + pw && py >= y0 && py < y0 + ph) {
            rgb.set(CROSS_COLOUR, 3 * (py * width + px));
          }
        }
      }
    }
    const m = markerPositions(W, H, slices.length, k);
    for (const letter of ["L", "R", "A", "P"] as const) {
      const [mx, my] = m[letter];
      drawText(rgb, width, mx, my, letter, MARK_SCALE, MARKER_COLOUR);
    }
    drawText(rgb, width, x0, GAP, `z=${s.z}`, LABEL_SCALE, MARKER_COLOUR);
  });
  // Colour bar: the map's values, 0 at the bottom, its maximum at the top.
  for (let r = 0; r < L.barH; r++) {
    const c = hot(1 - r / Math.max(1, L.barH - 1));
    for (let b = 0; b < BAR_W; b++) rgb.set(c, 3 * ((L.barY + r) * width + L.barX + b));
  }
  const tx = L.barX + BAR_W + GAP, th = GLYPH_H * LABEL_SCALE;
  drawText(rgb, width, tx, L.barY, fmt(hi), LABEL_SCALE, MARKER_COLOUR);
  drawText(rgb, width, tx, L.barY + (L.barH - th) / 2 | 0, fmt(hi / 2), LABEL_SCALE, MARKER_COLOUR);
  drawText(rgb, width, tx, L.barY + L.barH - th, "0", LABEL_SCALE, MARKER_COLOUR);
  return encode({ width, height, data: rgb, channels: 3 });
}
