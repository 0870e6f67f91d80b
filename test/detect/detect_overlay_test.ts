// The overlay PNG is readable: its panels are slices through the lesions (the largest
// components' centroids, else the slices holding the most anomaly), each at least 256 pixels a
// side, with L/R/A/P letters where the layout says, the component outline and centroid cross, and
// a colour bar from the map's maximum (top) to 0 (bottom). Checked by decoding the PNG. Before,
// a fixed grid of 12 slices of 79×95 pixels, mostly empty, without orientation or scale.

import { deepStrictEqual, ok as assert } from "node:assert";
import { decode } from "fast-png";
import { encodeNifti } from "../../src/data/nifti/write_nifti.ts";
import { GLYPH_H, GLYPH_W, glyphPixel } from "../../src/detect/bitmap_font.ts";
import { detectVolume } from "../../src/detect/detect_volume.ts";
import {
  hot,
  MARKER_COLOUR,
  markerPositions,
  MIN_PANEL_PX,
  OUTLINE_COLOUR,
  overlayLayout,
  overlayPng,
  overlaySlices,
} from "../../src/detect/overlay_png.ts";
import { setup } from "../helpers.ts";
import { colinScan, storedThresholds, tinyRun } from "./_tiny_run.ts";

const W = 20, H = 24, Z = 12, plane = W * H;

/** A brain-ish image, a map with a blob, and a mask with a big box and a small one. */
function scene() {
  const img = new Float32Array(W * H * Z).fill(0.5);
  const map = new Float32Array(W * H * Z);
  const mask = new Uint8Array(W * H * Z);
  const box = (x0: number, x1: number, y0: number, y1: number, z0: number, z1: number) => {
    for (let z = z0; z <= z1; z++) {
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++) {
          [mask[z * plane + y * W + x], map[z * plane + y * W + x]] = [1, 2];
        }
      }
    }
  };
  box(3, 8, 14, 19, 6, 8); // largest: centroid (5.5, 16.5, 7)
  box(14, 15, 3, 4, 0, 0); // small: centroid z 0
  return { img, map, mask };
}

/** RGB of pixel (x, y) of a decoded PNG. */
const px = (
  p: ReturnType<typeof decode>,
  x: number,
  y: number,
) => [...p.data.subarray(3 * (y * p.width + x), 3 * (y * p.width + x) + 3)];

Deno.test("overlaySlices: through the largest components' centroids, else the most anomaly", () => {
  const { map, mask } = scene();
  const s = overlaySlices(map, mask, W, H, Z);
  deepStrictEqual(s.map((x) => [x.z, x.voxels]), [[7, 108], [0, 4]]);
  deepStrictEqual(s[0].centroid, [5.5, 16.5, 7]);
  // No mask: the slices with the largest map sums, at least 5 apart, none without anomaly.
  const none = overlaySlices(map, null, W, H, Z);
  deepStrictEqual(none.map((x) => x.z), [6, 0]);
  deepStrictEqual(overlaySlices(new Float32Array(W * H * Z), null, W, H, Z).map((x) => x.z), [0]);
});

Deno.test("overlayPng: ≥ 256 px panels through the lesion, markers, outline and colour bar", () => {
  const { img, map, mask } = scene();
  const png = decode(overlayPng(img, map, mask, W, H, Z));
  const L = overlayLayout(W, H, 2);
  deepStrictEqual([png.width, png.height, png.channels], [L.width, L.height, 3]);
  assert(L.pw >= MIN_PANEL_PX && L.ph >= MIN_PANEL_PX, `${L.pw}×${L.ph}`);
  // Panel 0 is slice 7: the big box's outline is drawn there, around its centroid.
  const { f } = L;
  const left = L.panelX(0) + 3 * f, top = L.panelY + (H - 1 - 19) * f; // voxel (3, 19)'s corner
  deepStrictEqual(px(png, left, top + f), [...OUTLINE_COLOUR]);
  deepStrictEqual(px(png, left + f, top), [...OUTLINE_COLOUR]);
  // Inside the box, the map at its maximum: hot(1) (white) at full opacity.
  deepStrictEqual(px(png, left + 2 * f + 1, top + 2 * f + 1), hot(1));
  // Outside the box the scan's grey shows.
  deepStrictEqual(px(png, L.panelX(0) + 12 * f + 1, L.panelY + 2 * f + 1), [128, 128, 128]);
  // The orientation letters, pixel for pixel.
  for (let k = 0; k < 2; k++) {
    const m = markerPositions(W, H, 2, k);
    for (const letter of ["L", "R", "A", "P"] as const) {
      const [x0, y0] = m[letter];
      for (let r = 0; r < GLYPH_H; r++) {
        for (let c = 0; c < GLYPH_W; c++) {
          if (!glyphPixel(letter, c, r)) continue;
          const got = px(png, x0 + c * m.scale + 1, y0 + r * m.scale + 1);
          deepStrictEqual(got, [...MARKER_COLOUR], `${letter} in panel ${k} at (${c}, ${r})`);
        }
      }
    }
  }
  // The colour bar: the map's maximum at the top, 0 at the bottom.
  deepStrictEqual(px(png, L.barX + 5, L.barY), hot(1));
  deepStrictEqual(px(png, L.barX + 5, L.barY + L.barH - 1), hot(0));
  const mid = Math.floor(L.barH / 2);
  deepStrictEqual(px(png, L.barX + 5, L.barY + mid), hot(1 - mid / (L.barH - 1)));
});

Deno.test("detect's overlay: panels of at least 256 px with the orientation letters", async () => {
  await setup();
  const run = tinyRun();
  try {
    const bytes = encodeNifti(await colinScan(2));
    const out = await detectVolume(run, bytes, "colin.nii", storedThresholds(1.48, 1e6));
    const png = decode(out.overlayPng!);
    const L = overlayLayout(79, 95, 3);
    deepStrictEqual([png.width, png.height], [L.width, L.height]);
    assert(L.pw >= 256 && L.ph >= 256);
    const [x0, y0] = markerPositions(79, 95, 3, 0).L;
    deepStrictEqual(px(png, x0 + 1, y0 + 1), [...MARKER_COLOUR]); // L's top-left pixel
  } finally {
    run.model.dispose();
  }
});
