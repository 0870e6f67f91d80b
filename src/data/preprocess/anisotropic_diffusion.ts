/**
 * Perona–Malik anisotropic diffusion, the documented alternative to curvature flow: flux between
 * neighbours is damped by g(|∇I|) = exp(−(|∇I|/K)²), so diffusion stops at edges stronger than
 * the conductance K. Six-neighbour explicit scheme, stable for Δt ≤ 1/6; zero-flux boundary.
 * @module
 */
import type { Grid3 } from "./grid.ts";

/** Options of {@link anisotropicDiffusion}. */
export interface AnisotropicDiffusionOptions {
  iterations?: number;
  /** Step size (≤ 1/6 in 3D). */
  timeStep?: number;
  /** Edge threshold K in intensity units; default: 0.1 × the 99th-percentile-free range estimate. */
  conductance?: number;
}

/** Smooths `src` by Perona–Malik diffusion and returns a new grid. */
export function anisotropicDiffusion(src: Grid3, options: AnisotropicDiffusionOptions = {}): Grid3 {
  const iterations = options.iterations ?? 5;
  const dt = Math.min(options.timeStep ?? 0.125, 1 / 6);
  let k = options.conductance;
  if (k === undefined) {
    let max = 0;
    for (const v of src.data) if (Math.abs(v) > max) max = Math.abs(v);
    k = 0.1 * max || 1;
  }
  const inv = 1 / (k * k);
  const [nx, ny, nz] = src.dims;
  const strides = [1, nx, nx * ny];
  let cur = src.data.slice();
  let next = src.data.slice();
  for (let it = 0; it < iterations; it++) {
    let c = 0;
    for (let z = 0; z < nz; z++) {
      for (let y = 0; y < ny; y++) {
        for (let x = 0; x < nx; x++, c++) {
          const v = cur[c];
          let flux = 0;
          const pos = [x, y, z];
          for (let a = 0; a < 3; a++) {
            // Missing neighbours contribute no flux (zero-flux boundary).
            if (pos[a] > 0) {
              const d = cur[c - strides[a]] - v;
              flux += d * Math.exp(-d * d * inv);
            }
            if (pos[a] < src.dims[a] - 1) {
              const d = cur[c + strides[a]] - v;
              flux += d * Math.exp(-d * d * inv);
            }
          }
          next[c] = v + dt * flux;
        }
      }
    }
    [cur, next] = [next, cur];
  }
  return { data: cur, dims: src.dims };
}
