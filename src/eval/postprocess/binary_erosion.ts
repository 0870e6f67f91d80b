// Binary erosion of brain masks, 2D per slice or 3D, matching scipy.ndimage.binary_erosion.
// Eroding the brain mask removes the rim where reconstructions of the skull-stripped border are
// poor, which otherwise floods the residual with false positives.

import { _checkLabels, _sliceCount, type Labels } from "../_validate.ts";

export interface ErosionOptions {
  /** Number of erosions applied in sequence (scipy `iterations`, >= 1). Default 1. */
  iterations?: number;
  /**
   * Structuring element as scipy's generate_binary_structure(rank, connectivity): 1 = cross
   * (4-neighbourhood in 2D, 6 in 3D; scipy's default), 2 = 3x3 square in 2D (18-neighbourhood in
   * 3D), 3 = 3x3x3 cube (3D only).
   */
  connectivity?: number;
  /** Value assumed outside the array (scipy `border_value`, default 0: the image edge erodes). */
  borderValue?: 0 | 1;
}

function _erodeOnce(
  src: Uint8Array,
  depth: number,
  height: number,
  width: number,
  offsets: number[][],
  borderValue: number,
): Uint8Array {
  const out = new Uint8Array(src.length), plane = height * width;
  for (let z = 0; z < depth; z++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = z * plane + y * width + x;
        if (src[i] === 0) continue;
        let keep = 1;
        for (const [dz, dy, dx] of offsets) {
          const zz = z + dz, yy = y + dy, xx = x + dx;
          const inside = zz >= 0 && zz < depth && yy >= 0 && yy < height && xx >= 0 && xx < width;
          if ((inside ? src[zz * plane + yy * width + xx] : borderValue) === 0) {
            keep = 0;
            break;
          }
        }
        out[i] = keep;
      }
    }
  }
  return out;
}

function _erode(
  fn: string,
  mask: Labels,
  dims: [number, number, number],
  threeD: boolean,
  { iterations = 1, connectivity = 1, borderValue = 0 }: ErosionOptions,
): Uint8Array {
  _checkLabels(fn, mask, "mask");
  if (!Number.isInteger(iterations) || iterations < 1) {
    throw new Error(`${fn}: iterations ${iterations} must be >= 1`);
  }
  if (![1, 2, ...(threeD ? [3] : [])].includes(connectivity)) {
    throw new Error(`${fn}: connectivity ${connectivity} must be 1 or 2${threeD ? " or 3" : ""}`);
  }
  if (borderValue !== 0 && borderValue !== 1) throw new Error(`${fn}: borderValue must be 0 or 1`);
  const offsets: number[][] = [];
  for (const dz of threeD ? [-1, 0, 1] : [0]) {
    for (const dy of [-1, 0, 1]) {
      for (const dx of [-1, 0, 1]) {
        const r = Math.abs(dz) + Math.abs(dy) + Math.abs(dx);
        if (r > 0 && r <= connectivity) offsets.push([dz, dy, dx]);
      }
    }
  }
  let cur: Uint8Array = Uint8Array.from(mask);
  for (let k = 0; k < iterations; k++) cur = _erodeOnce(cur, ...dims, offsets, borderValue);
  return cur;
}

/**
 * Erodes each [height, width] slice of `mask` (a stack [slices, height, width] is allowed) on its
 * own: scipy.ndimage.binary_erosion with a (1, 3, 3) structure — no erosion across slices.
 */
export function binaryErosion2d(
  mask: Labels,
  height: number,
  width: number,
  opts: ErosionOptions = {},
): Uint8Array {
  const slices = _sliceCount("binaryErosion2d()", mask.length, height, width);
  return _erode("binaryErosion2d()", mask, [slices, height, width], false, opts);
}

/** Erodes a [depth, height, width] volume: scipy.ndimage.binary_erosion with a 3x3x3 structure. */
export function binaryErosion3d(
  mask: Labels,
  depth: number,
  height: number,
  width: number,
  opts: ErosionOptions = {},
): Uint8Array {
  const fn = "binaryErosion3d()";
  if (mask.length !== depth * height * width) {
    throw new Error(
      `${fn}: length ${mask.length} != depth*height*width = ${depth * height * width}`,
    );
  }
  return _erode(fn, mask, [depth, height, width], true, opts);
}
