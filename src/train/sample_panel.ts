// samples/epoch-NNNN.png: one row per validation image, input | reconstruction | |residual|,
// 8-bit grey (first channel), written atomically with fast-png. Intensities in [lo, hi] map to
// 0..255 ([0, 1] for NIfTI slices, [−1, 1] for 2D images); the residual uses the same scale.

import { encode } from "fast-png";
import { writeFileAtomic } from "../util/atomic_write.ts";

/**
 * Builds the panel's pixels: `x` and `r` are [n, C, H, W] host arrays; returns an 8-bit grey
 * image of (n·H) × (3·W + 2·gap).
 */
export function panelPixels(
  x: Float32Array,
  r: Float32Array,
  shape: readonly number[],
  range: [number, number],
  gap = 2,
): { data: Uint8Array; width: number; height: number } {
  const [n, C, H, W] = shape;
  const width = 3 * W + 2 * gap, height = n * H;
  const data = new Uint8Array(width * height).fill(255);
  const [lo, hi] = range;
  const to8 = (v: number) => Math.round(255 * Math.min(1, Math.max(0, v)));
  for (let i = 0; i < n; i++) {
    const base = i * C * H * W; // first channel
    for (let y = 0; y < H; y++) {
      const row = (i * H + y) * width;
      for (let xx = 0; xx < W; xx++) {
        const a = x[base + y * W + xx], b = r[base + y * W + xx];
        data[row + xx] = to8((a - lo) / (hi - lo));
        data[row + W + gap + xx] = to8((b - lo) / (hi - lo));
        data[row + 2 * (W + gap) + xx] = to8(Math.abs(a - b) / (hi - lo));
      }
    }
  }
  return { data, width, height };
}

/** Writes the panel PNG atomically. */
export async function writePanel(
  path: string,
  x: Float32Array,
  r: Float32Array,
  shape: readonly number[],
  range: [number, number],
): Promise<void> {
  const { data, width, height } = panelPixels(x, r, shape, range);
  await writeFileAtomic(path, encode({ width, height, data, channels: 1, depth: 8 }));
}
