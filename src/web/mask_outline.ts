// The outline of a binary mask for the viewer: the mask voxels with at least one of their six face
// neighbours outside the mask (or outside the grid). Drawn over the anomaly map it shows where
// detect's mask ends without hiding the map inside it. Voxel order is the NIfTI file's (x fastest).

/** 1 on the boundary voxels of `mask` (non-zero = inside), 0 elsewhere. */
export function maskOutline(
  mask: ArrayLike<number>,
  nx: number,
  ny: number,
  nz: number,
): Uint8Array {
  const out = new Uint8Array(nx * ny * nz);
  const inside = (x: number, y: number, z: number) =>
    x >= 0 && y >= 0 && z >= 0 && x < nx && y < ny && z < nz && mask[(z * ny + y) * nx + x] !== 0;
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        if (mask[i] === 0) continue;
        if (
          !inside(x - 1, y, z) || !inside(x + 1, y, z) || !inside(x, y - 1, z) ||
          !inside(x, y + 1, z) || !inside(x, y, z - 1) || !inside(x, y, z + 1)
        ) out[i] = 1;
      }
    }
  }
  return out;
}
