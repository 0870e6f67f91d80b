/**
 * Grid3: a 3D float32 grid (x fastest) with its dims — the unit every preprocessing step takes and
 * returns — plus the voxel-index helpers they share.
 * @module
 */

/** A 3D scalar grid, x fastest: data[x + nx·(y + ny·z)]. */
export interface Grid3 {
  data: Float32Array;
  dims: [number, number, number];
}

/** Inclusive bounding box [lo, hi] per axis of voxels where mask ≠ 0; null if the mask is empty. */
export function boundingBox(
  mask: ArrayLike<number>,
  dims: readonly number[],
): { lo: number[]; hi: number[] } | null {
  const [nx, ny, nz] = dims;
  const lo = [nx, ny, nz];
  const hi = [-1, -1, -1];
  let i = 0;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        if (mask[i] === 0) continue;
        if (x < lo[0]) lo[0] = x;
        if (x > hi[0]) hi[0] = x;
        if (y < lo[1]) lo[1] = y;
        if (y > hi[1]) hi[1] = y;
        if (z < lo[2]) lo[2] = z;
        if (z > hi[2]) hi[2] = z;
      }
    }
  }
  return hi[0] < 0 ? null : { lo, hi };
}

/** Brain mask of a skull-stripped scan: 1 where the voxel is non-zero. */
export function nonzeroMask(data: Float32Array): Uint8Array {
  const m = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) m[i] = data[i] !== 0 ? 1 : 0;
  return m;
}
