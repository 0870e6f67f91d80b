/**
 * Training augmentations for 2D images in [−1, 1]: random rotation (bilinear, background −1),
 * horizontal flip, and contrast jitter about the image mean. Seeded, so an epoch is reproducible.
 * @module
 */
import type { Prng } from "../../core/prng.ts";

/** Augmentation strengths; 0 / false disables one. */
export interface Augment2DOptions {
  /** Max |rotation| in degrees (default 10). */
  rotationDeg?: number;
  /** Flip left–right with probability ½ (default true). */
  flip?: boolean;
  /** Contrast factor drawn from [1 − c, 1 + c] (default 0.1). */
  contrast?: number;
}

/** Returns augmented copies of `images` ([N, H, W]). */
export function augment2D(
  images: Float32Array,
  H: number,
  W: number,
  rng: Prng,
  o: Augment2DOptions = {},
): Float32Array {
  const maxRot = (o.rotationDeg ?? 10) * Math.PI / 180;
  const c = o.contrast ?? 0.1;
  const area = H * W;
  const out = new Float32Array(images.length);
  for (let n = 0; n < images.length / area; n++) {
    const src = images.subarray(n * area, (n + 1) * area);
    const a = rng.uniform(-maxRot, maxRot);
    const flip = (o.flip ?? true) && rng.next() < 0.5;
    const k = rng.uniform(1 - c, 1 + c);
    const cos = Math.cos(a), sin = Math.sin(a);
    const cy = (H - 1) / 2, cx = (W - 1) / 2;
    let mean = 0;
    for (const v of src) mean += v;
    mean /= area;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const xf = flip ? W - 1 - x : x;
        // Inverse rotation: where in the source does this output pixel come from?
        const sx = cos * (xf - cx) + sin * (y - cy) + cx;
        const sy = -sin * (xf - cx) + cos * (y - cy) + cy;
        const v = _bilinear(src, H, W, sx, sy);
        out[n * area + y * W + x] = Math.max(-1, Math.min(1, (v - mean) * k + mean));
      }
    }
  }
  return out;
}

function _bilinear(src: Float32Array, H: number, W: number, x: number, y: number): number {
  if (x < 0 || y < 0 || x > W - 1 || y > H - 1) return -1;
  const x0 = Math.min(W - 2, Math.floor(x)), y0 = Math.min(H - 2, Math.floor(y));
  const fx = x - x0, fy = y - y0;
  const i = y0 * W + x0;
  const top = src[i] + (src[i + 1] - src[i]) * fx;
  const bot = src[i + W] + (src[i + W + 1] - src[i + W]) * fx;
  return top + (bot - top) * fy;
}
