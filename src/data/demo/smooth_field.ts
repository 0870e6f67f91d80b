/**
 * Random smooth 3D fields for the demo cohort — deformations, bias fields, lesion texture — as
 * sums of separable cosine products with random low frequencies and phases. Separable, so a
 * field is a few multiplications per voxel from per-axis tables.
 * @module
 */
import type { Prng } from "../../core/prng.ts";

/** A smooth scalar field on a grid, evaluated by voxel index. */
export interface SmoothField {
  at(x: number, y: number, z: number): number;
}

/**
 * Field with `terms` components of wavelength ≥ `minWavelength` voxels, scaled so its amplitude
 * (max possible |value|) is `amplitude`.
 */
export function smoothField(
  rng: Prng,
  dims: readonly number[],
  amplitude: number,
  minWavelength: number,
  terms = 4,
): SmoothField {
  const tables: Float32Array[][] = [];
  const weights: number[] = [];
  for (let t = 0; t < terms; t++) {
    weights.push(rng.uniform(-1, 1));
    tables.push(dims.map((n) => {
      const w = (2 * Math.PI) / rng.uniform(minWavelength, 3 * minWavelength);
      const phase = rng.uniform(0, 2 * Math.PI);
      return Float32Array.from({ length: n }, (_, i) => Math.cos(w * i + phase));
    }));
  }
  const norm = amplitude / weights.reduce((s, w) => s + Math.abs(w), 0);
  const ws = weights.map((w) => w * norm);
  return {
    at(x, y, z) {
      let s = 0;
      for (let t = 0; t < ws.length; t++) {
        s += ws[t] * tables[t][0][x] * tables[t][1][y] * tables[t][2][z];
      }
      return s;
    },
  };
}

/** Trilinear sample of `data` (dims) at a fractional voxel position; 0 outside. */
export function sampleTrilinear(
  data: Float32Array,
  dims: readonly number[],
  x: number,
  y: number,
  z: number,
): number {
  const [nx, ny, nz] = dims;
  if (x < 0 || y < 0 || z < 0 || x > nx - 1 || y > ny - 1 || z > nz - 1) return 0;
  const x0 = Math.min(nx - 2, Math.floor(x)), y0 = Math.min(ny - 2, Math.floor(y));
  const z0 = Math.min(nz - 2, Math.floor(z));
  const fx = x - x0, fy = y - y0, fz = z - z0;
  const i = x0 + nx * (y0 + ny * z0);
  const sy = nx, sz = nx * ny;
  const c00 = data[i] + (data[i + 1] - data[i]) * fx;
  const c01 = data[i + sy] + (data[i + sy + 1] - data[i + sy]) * fx;
  const c10 = data[i + sz] + (data[i + sz + 1] - data[i + sz]) * fx;
  const c11 = data[i + sy + sz] + (data[i + sy + sz + 1] - data[i + sy + sz]) * fx;
  const c0 = c00 + (c01 - c00) * fy;
  const c1 = c10 + (c11 - c10) * fy;
  return c0 + (c1 - c0) * fz;
}
