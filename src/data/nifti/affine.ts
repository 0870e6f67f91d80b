/**
 * 4×4 voxel-to-world affines (row-major `number[][]`, as nibabel prints them): products, inverse,
 * and the NIfTI quaternion (qform) encoding in both directions, after nifti1_io.c.
 * @module
 */

/** A 4×4 affine mapping voxel indices (i, j, k, 1) to world millimetres (x, y, z, 1). */
export type Affine = number[][];

/** Identity 4×4. */
export function identityAffine(): Affine {
  return [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
}

/** Matrix product a·b of two 4×4 affines. */
export function matmul4(a: Affine, b: Affine): Affine {
  const out: Affine = [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]];
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += a[i][k] * b[k][j];
      out[i][j] = s;
    }
  }
  return out;
}

/** Inverse of an affine (the last row must be 0 0 0 1). */
export function invertAffine(a: Affine): Affine {
  const m = _invert3([[a[0][0], a[0][1], a[0][2]], [a[1][0], a[1][1], a[1][2]], [
    a[2][0],
    a[2][1],
    a[2][2],
  ]]);
  const t = [0, 1, 2].map((i) => -(m[i][0] * a[0][3] + m[i][1] * a[1][3] + m[i][2] * a[2][3]));
  return [[...m[0], t[0]], [...m[1], t[1]], [...m[2], t[2]], [0, 0, 0, 1]];
}

function _det3(m: number[][]): number {
  return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
    m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
    m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

/** Volume of one voxel in mm³: |det| of the affine's 3×3 part. */
export function voxelVolume(a: Affine): number {
  return Math.abs(_det3(a));
}

function _invert3(m: number[][]): number[][] {
  const d = _det3(m);
  if (d === 0) throw new Error("singular 3×3 matrix");
  const c = (r0: number, c0: number, r1: number, c1: number) =>
    m[r0][c0] * m[r1][c1] - m[r0][c1] * m[r1][c0];
  return [
    [c(1, 1, 2, 2) / d, -c(0, 1, 2, 2) / d, c(0, 1, 1, 2) / d],
    [-c(1, 0, 2, 2) / d, c(0, 0, 2, 2) / d, -c(0, 0, 1, 2) / d],
    [c(1, 0, 2, 1) / d, -c(0, 0, 2, 1) / d, c(0, 0, 1, 1) / d],
  ];
}

/**
 * Closest orthogonal matrix to `m` (the polar factor U·Vᵀ of its SVD), by Newton iteration
 * R ← (R + R⁻ᵀ)/2, which converges quadratically for the near-orthogonal matrices of real scans.
 */
export function orthogonalize3(m: number[][]): number[][] {
  let r = m.map((row) => row.slice());
  for (let it = 0; it < 50; it++) {
    const inv = _invert3(r);
    const next = r.map((row, i) => row.map((v, j) => 0.5 * (v + inv[j][i])));
    let delta = 0;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) delta += Math.abs(next[i][j] - r[i][j]);
    r = next;
    if (delta < 1e-14) break;
  }
  return r;
}

/** Quaternion parameters of the NIfTI qform. */
export interface Quatern {
  b: number;
  c: number;
  d: number;
  x: number;
  y: number;
  z: number;
  /** Voxel sizes (always positive). */
  dx: number;
  dy: number;
  dz: number;
  /** pixdim[0]: −1 flips the third axis (left-handed voxel grids), else 1. */
  qfac: number;
}

/** Affine from qform parameters (nifti_quatern_to_mat44). */
export function quaternToAffine(q: Quatern): Affine {
  let { b, c, d } = q;
  let a = 1 - (b * b + c * c + d * d);
  if (a < 1e-7) {
    // Rounding in the stored floats can make b²+c²+d² exceed 1: renormalise, a = 0 (180° turn).
    const s = 1 / Math.sqrt(b * b + c * c + d * d);
    b *= s;
    c *= s;
    d *= s;
    a = 0;
  } else {
    a = Math.sqrt(a);
  }
  const xd = q.dx > 0 ? q.dx : 1;
  const yd = q.dy > 0 ? q.dy : 1;
  const zd = (q.dz > 0 ? q.dz : 1) * (q.qfac < 0 ? -1 : 1);
  return [
    [(a * a + b * b - c * c - d * d) * xd, 2 * (b * c - a * d) * yd, 2 * (b * d + a * c) * zd, q.x],
    [2 * (b * c + a * d) * xd, (a * a + c * c - b * b - d * d) * yd, 2 * (c * d - a * b) * zd, q.y],
    [2 * (b * d - a * c) * xd, 2 * (c * d + a * b) * yd, (a * a + d * d - c * c - b * b) * zd, q.z],
    [0, 0, 0, 1],
  ];
}

/** qform parameters that best represent an affine (nifti_mat44_to_quatern, with polar cleanup). */
export function affineToQuatern(aff: Affine): Quatern {
  const cols = [0, 1, 2].map((j) => [aff[0][j], aff[1][j], aff[2][j]]);
  const size = cols.map((col) => Math.hypot(col[0], col[1], col[2]) || 1);
  const unit = cols.map((col, j) => col.map((v) => v / size[j]));
  // m[i][j] = unit column j, row i
  let m = [0, 1, 2].map((i) => [unit[0][i], unit[1][i], unit[2][i]]);
  let qfac = 1;
  if (_det3(m) < 0) {
    qfac = -1;
    for (let i = 0; i < 3; i++) m[i][2] = -m[i][2];
  }
  m = orthogonalize3(m);
  const [r11, r12, r13] = m[0];
  const [r21, r22, r23] = m[1];
  const [r31, r32, r33] = m[2];
  let a = r11 + r22 + r33 + 1;
  let b: number, c: number, d: number;
  if (a > 0.5) {
    a = 0.5 * Math.sqrt(a);
    b = 0.25 * (r32 - r23) / a;
    c = 0.25 * (r13 - r31) / a;
    d = 0.25 * (r21 - r12) / a;
  } else {
    const xd = 1 + r11 - (r22 + r33);
    const yd = 1 + r22 - (r11 + r33);
    const zd = 1 + r33 - (r11 + r22);
    if (xd > 1) {
      b = 0.5 * Math.sqrt(xd);
      c = 0.25 * (r12 + r21) / b;
      d = 0.25 * (r13 + r31) / b;
      a = 0.25 * (r32 - r23) / b;
    } else if (yd > 1) {
      c = 0.5 * Math.sqrt(yd);
      b = 0.25 * (r12 + r21) / c;
      d = 0.25 * (r23 + r32) / c;
      a = 0.25 * (r13 - r31) / c;
    } else {
      d = 0.5 * Math.sqrt(zd);
      b = 0.25 * (r13 + r31) / d;
      c = 0.25 * (r23 + r32) / d;
      a = 0.25 * (r21 - r12) / d;
    }
    if (a < 0) {
      b = -b;
      c = -c;
      d = -d;
    }
  }
  return {
    b,
    c,
    d,
    x: aff[0][3],
    y: aff[1][3],
    z: aff[2][3],
    dx: size[0],
    dy: size[1],
    dz: size[2],
    qfac,
  };
}

/**
 * nibabel's fallback affine when neither sform nor qform is set (`get_base_affine`): voxel sizes
 * on the diagonal, x flipped (radiological Analyze convention) and the origin at the grid centre.
 */
export function baseAffine(dims: number[], pixdim: number[]): Affine {
  const z = [0, 1, 2].map((i) => pixdim[i] ?? 1);
  const n = [0, 1, 2].map((i) => dims[i] ?? 1);
  const flip = [-1, 1, 1];
  const aff = identityAffine();
  for (let i = 0; i < 3; i++) {
    aff[i][i] = flip[i] * z[i];
    aff[i][3] = -((n[i] - 1) / 2) * flip[i] * z[i];
  }
  return aff;
}
