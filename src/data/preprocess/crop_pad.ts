/**
 * Crop/pad to a fixed grid size centred on the brain, and its exact inverse (for putting an
 * anomaly map back where it came from). Voxels outside the input become `fill` (0).
 * @module
 */
import { boundingBox, type Grid3 } from "./grid.ts";

/**
 * Offset per axis such that output voxel o reads input voxel o + offset (negative = padding),
 * placing the centre of the mask's bounding box at the centre of a `size` grid.
 */
export function centredOffset(
  mask: ArrayLike<number>,
  dims: readonly number[],
  size: readonly number[],
): number[] {
  const box = boundingBox(mask, dims) ?? { lo: [0, 0, 0], hi: dims.map((d) => d - 1) };
  // Integer offsets keep the crop a pure copy (no interpolation).
  return [0, 1, 2].map((a) =>
    Math.floor((box.lo[a] + box.hi[a] + 1) / 2) - Math.floor(size[a] / 2)
  );
}

/** Copies the `size` window starting at `offset` (may reach outside; filled with `fill`). */
export function cropPad(
  src: Grid3,
  size: readonly number[],
  offset: readonly number[],
  fill = 0,
): Grid3 {
  const [nx, ny, nz] = src.dims;
  const [mx, my, mz] = size;
  const out = new Float32Array(mx * my * mz).fill(fill);
  // Only the overlap of the window and the input is copied, row by row.
  const x0 = Math.max(0, -offset[0]);
  const x1 = Math.min(mx, nx - offset[0]);
  for (let z = 0; z < mz; z++) {
    const sz = z + offset[2];
    if (sz < 0 || sz >= nz) continue;
    for (let y = 0; y < my; y++) {
      const sy = y + offset[1];
      if (sy < 0 || sy >= ny || x1 <= x0) continue;
      const srcRow = nx * (sy + ny * sz) + offset[0];
      out.set(src.data.subarray(srcRow + x0, srcRow + x1), mx * (y + my * z) + x0);
    }
  }
  return { data: out, dims: [mx, my, mz] };
}

/** Inverse of {@link cropPad}: places `win` back into a grid of `dims` at `offset`. */
export function uncropPad(win: Grid3, dims: readonly number[], offset: readonly number[]): Grid3 {
  return cropPad(win, dims, offset.map((o) => -o));
}
