// 2D median filter of a stack of axial slices, matching scipy.ndimage.median_filter with a
// (1, size, size) footprint: each slice [height, width] is filtered on its own, never across slices
// (the field's reference code once shipped a "2D" filter that was 3D).

import { selectRank } from "../../util/select_rank.ts";
import { _checkScores, _sliceCount, type Scores } from "../_validate.ts";

/** scipy.ndimage boundary modes; "reflect" (d c b a | a b c d | d c b a) is scipy's default. */
export type BorderMode = "reflect" | "mirror" | "nearest" | "wrap" | "constant";

/** Options of the median filters. */
export interface MedianOptions {
  /** scipy's boundary mode ("reflect" by default). */
  mode?: BorderMode;
  /** The value outside the image in "constant" mode. */
  cval?: number;
  /** Compute only where this is non-zero (same length as the input); 0 elsewhere. */
  where?: ArrayLike<number>;
}

function _checkWhere(fn: string, where: ArrayLike<number> | undefined, n: number) {
  if (where && where.length !== n) {
    throw new Error(`${fn}: where has ${where.length} values, the input ${n}`);
  }
}

/** Maps an out-of-range index of an axis of length n into [0, n) per the mode (not "constant"). */
function _borderIndex(i: number, n: number, mode: BorderMode): number {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case "nearest":
      return i < 0 ? 0 : n - 1;
    case "wrap":
      return ((i % n) + n) % n;
    case "reflect": { // half-sample symmetric, period 2n
      const j = ((i % (2 * n)) + 2 * n) % (2 * n);
      return j < n ? j : 2 * n - 1 - j;
    }
    case "mirror": { // whole-sample symmetric, period 2n - 2
      if (n === 1) return 0;
      const p = 2 * n - 2, j = ((i % p) + p) % p;
      return j < n ? j : p - j;
    }
    default:
      throw new Error(`medianFilter2d(): unknown mode "${mode}"`);
  }
}

/**
 * Median of each size×size window of each [height, width] slice of `img` (row-major, width
 * fastest; `img` may hold a stack [slices, height, width]). Equals
 * `scipy.ndimage.median_filter(img, size=(1, size, size), mode=mode, cval=cval)`: the window spans
 * offsets -floor(size/2) .. size-1-floor(size/2) on both axes, and the result is the element of
 * rank floor(size²/2) (the upper median for even size²). The field uses size 5 and 9.
 * With `where` (one flag per value), only flagged outputs are computed and the rest are 0 — for
 * maps zeroed outside the brain anyway, which skips most of the work.
 */
export function medianFilter2d(
  img: Scores,
  height: number,
  width: number,
  size: number,
  { mode = "reflect", cval = 0, where }: MedianOptions = {},
): Float32Array {
  const fn = "medianFilter2d()";
  const slices = _sliceCount(fn, img.length, height, width);
  if (!Number.isInteger(size) || size < 1) {
    throw new Error(`${fn}: size ${size} must be a positive integer`);
  }
  _checkScores(fn, img);
  _checkWhere(fn, where, img.length);
  const r = Math.floor(size / 2), H = height + size - 1, W = width + size - 1;
  // Each slice is padded once, so the inner loop gathers windows without boundary tests.
  const padded = new Float64Array(H * W);
  const window = new Float64Array(size * size);
  const rank = Math.floor((size * size) / 2);
  const rowIdx = Array.from({ length: H }, (_, y) => y - r < 0 || y - r >= height ? -1 : y - r);
  const colIdx = Array.from({ length: W }, (_, x) => x - r < 0 || x - r >= width ? -1 : x - r);
  if (mode !== "constant") {
    for (let y = 0; y < H; y++) rowIdx[y] = _borderIndex(y - r, height, mode);
    for (let x = 0; x < W; x++) colIdx[x] = _borderIndex(x - r, width, mode);
  }
  const out = new Float32Array(img.length);
  for (let s = 0; s < slices; s++) {
    const base = s * height * width;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const sy = rowIdx[y], sx = colIdx[x];
        padded[y * W + x] = sy < 0 || sx < 0 ? cval : img[base + sy * width + sx];
      }
    }
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (where && !where[base + y * width + x]) continue;
        let k = 0;
        for (let dy = 0; dy < size; dy++) {
          const row = (y + dy) * W + x;
          for (let dx = 0; dx < size; dx++) window[k++] = padded[row + dx];
        }
        out[base + y * width + x] = selectRank(window, rank, 0, k - 1);
      }
    }
  }
  return out;
}

/**
 * Median of each size³ window of a [depth, height, width] volume: scipy.ndimage.median_filter(vol,
 * size=size, mode=mode) (window offsets -floor(size/2) .. size-1-floor(size/2) on every axis, rank
 * floor(size³/2)). This is what the first study's code ran in place of its "2D 9×9" filter; neurad
 * uses it only in faithful evaluation. `where` as in medianFilter2d.
 */
export function medianFilter3d(
  vol: Scores,
  depth: number,
  height: number,
  width: number,
  size: number,
  { mode = "reflect", cval = 0, where }: MedianOptions = {},
): Float32Array {
  const fn = "medianFilter3d()";
  if (vol.length !== depth * height * width) {
    throw new Error(
      `${fn}: length ${vol.length} != depth*height*width = ${depth * height * width}`,
    );
  }
  if (!Number.isInteger(size) || size < 1) {
    throw new Error(`${fn}: size ${size} must be a positive integer`);
  }
  _checkScores(fn, vol);
  _checkWhere(fn, where, vol.length);
  const r = Math.floor(size / 2);
  const D = depth + size - 1, H = height + size - 1, W = width + size - 1;
  const idx = (n: number, len: number) =>
    Array.from(
      { length: n },
      (_, i) =>
        mode === "constant"
          ? (i - r < 0 || i - r >= len ? -1 : i - r)
          : _borderIndex(i - r, len, mode),
    );
  const zi = idx(D, depth), yi = idx(H, height), xi = idx(W, width);
  // The volume is padded once, so windows gather without boundary tests.
  const padded = new Float64Array(D * H * W);
  for (let z = 0; z < D; z++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const sz = zi[z], sy = yi[y], sx = xi[x];
        padded[(z * H + y) * W + x] = sz < 0 || sy < 0 || sx < 0
          ? cval
          : vol[(sz * height + sy) * width + sx];
      }
    }
  }
  const window = new Float64Array(size * size * size);
  const rank = Math.floor(window.length / 2);
  const out = new Float32Array(vol.length);
  for (let z = 0; z < depth; z++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (where && !where[(z * height + y) * width + x]) continue;
        let k = 0;
        for (let dz = 0; dz < size; dz++) {
          for (let dy = 0; dy < size; dy++) {
            const row = ((z + dz) * H + y + dy) * W + x;
            for (let dx = 0; dx < size; dx++) window[k++] = padded[row + dx];
          }
        }
        out[(z * height + y) * width + x] = selectRank(window, rank, 0, k - 1);
      }
    }
  }
  return out;
}
