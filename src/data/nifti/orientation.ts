/**
 * Voxel-axis orientation: which world axis (R, A, S) each voxel axis points along, and the
 * flip/transpose that brings a volume to RAS+ — nibabel's `io_orientation`, `aff2axcodes` and
 * `as_closest_canonical`, including the affine update.
 * @module
 */
import { type Affine, matmul4, orthogonalize3 } from "./affine.ts";

/** For each voxel axis: the world axis it maps to (0 = x/R, 1 = y/A, 2 = z/S) and ±1 direction. */
export type Orientation = { axis: number; sign: 1 | -1 }[];

/** nibabel's `io_orientation`: greedy assignment on the closest orthogonal direction matrix. */
export function ioOrientation(affine: Affine): Orientation {
  const rzs = [0, 1, 2].map((i) => [affine[i][0], affine[i][1], affine[i][2]]);
  const zooms = [0, 1, 2].map((j) => Math.hypot(rzs[0][j], rzs[1][j], rzs[2][j]) || 1);
  const r = orthogonalize3(rzs.map((row) => row.map((v, j) => v / zooms[j])));
  const out: Orientation = [];
  for (let inAx = 0; inAx < 3; inAx++) {
    let best = 0;
    for (let o = 1; o < 3; o++) if (Math.abs(r[o][inAx]) > Math.abs(r[best][inAx])) best = o;
    out.push({ axis: best, sign: r[best][inAx] < 0 ? -1 : 1 });
    // A world axis can be claimed once: zero its row so later voxel axes pick another.
    r[best] = [0, 0, 0];
  }
  return out;
}

/** Orientation code such as "RAS", "LAS" or "LPI" (nibabel's `aff2axcodes`). */
export function orientationCode(affine: Affine): string {
  const labels = [["L", "R"], ["P", "A"], ["I", "S"]];
  return ioOrientation(affine).map((o) => labels[o.axis][o.sign > 0 ? 1 : 0]).join("");
}

/** True when the orientation is already RAS+ (no flip, no transpose). */
export function isCanonical(ornt: Orientation): boolean {
  return ornt.every((o, i) => o.axis === i && o.sign === 1);
}

/**
 * Reorients the first three axes of `data` (x fastest, trailing 4th-dim frames kept) so voxel
 * axes run R, A, S; returns the new dims and the affine with the flip/transpose folded in.
 */
export function reorientToCanonical(
  data: Float32Array,
  dims: number[],
  affine: Affine,
  ornt: Orientation = ioOrientation(affine),
): { data: Float32Array; dims: number[]; affine: Affine } {
  const [nx, ny, nz] = dims;
  const frames = dims.slice(3).reduce((a, b) => a * b, 1);
  const newDims = dims.slice();
  for (let i = 0; i < 3; i++) newDims[ornt[i].axis] = dims[i];
  const [mx, my] = newDims;
  // Stride in the output for a step along each input axis, and the offset of input index 0.
  const outStride = [1, mx, mx * my];
  const step = [0, 1, 2].map((i) => ornt[i].sign * outStride[ornt[i].axis]);
  const base = [0, 1, 2].reduce(
    (s, i) => s + (ornt[i].sign < 0 ? (dims[i] - 1) * outStride[ornt[i].axis] : 0),
    0,
  );
  const n3 = nx * ny * nz;
  const out = new Float32Array(data.length);
  for (let f = 0; f < frames; f++) {
    const off = f * n3;
    let src = off;
    for (let k = 0; k < nz; k++) {
      for (let j = 0; j < ny; j++) {
        let dst = off + base + k * step[2] + j * step[1];
        for (let i = 0; i < nx; i++, src++, dst += step[0]) out[dst] = data[src];
      }
    }
  }
  // T maps new voxel coordinates to old ones: old[i] = sign>0 ? new[axis] : n_i - 1 - new[axis].
  const t: Affine = [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 1]];
  for (let i = 0; i < 3; i++) {
    t[i][ornt[i].axis] = ornt[i].sign;
    t[i][3] = ornt[i].sign < 0 ? dims[i] - 1 : 0;
  }
  return { data: out, dims: newDims, affine: matmul4(affine, t) };
}

/**
 * Inverse of {@link reorientToCanonical} for a 3D volume: takes a RAS+ volume back to the stored
 * orientation `ornt` with the original dims `origDims` (used to put anomaly maps back in scan space).
 */
export function reorientFromCanonical(
  data: Float32Array,
  origDims: number[],
  ornt: Orientation,
): Float32Array {
  const [nx, ny, nz] = origDims;
  const canDims = [0, 0, 0];
  for (let i = 0; i < 3; i++) canDims[ornt[i].axis] = origDims[i];
  const outStride = [1, canDims[0], canDims[0] * canDims[1]];
  const step = [0, 1, 2].map((i) => ornt[i].sign * outStride[ornt[i].axis]);
  const base = [0, 1, 2].reduce(
    (s, i) => s + (ornt[i].sign < 0 ? (origDims[i] - 1) * outStride[ornt[i].axis] : 0),
    0,
  );
  const out = new Float32Array(nx * ny * nz);
  let dst = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      let src = base + k * step[2] + j * step[1];
      for (let i = 0; i < nx; i++, dst++, src += step[0]) out[dst] = data[src];
    }
  }
  return out;
}
