/**
 * Anti-aliased rescaling of a 3D grid, matching `skimage.transform.rescale(v, s, order=1,
 * anti_aliasing=True)`: a separable Gaussian pre-filter with σ = (1/s − 1)/2 per axis (mirror
 * boundary, truncated at 4σ as scipy does), then trilinear sampling at pixel-centre-aligned
 * coordinates in = (out + ½)·(n_in/n_out) − ½. Upsampling skips the filter.
 * @module
 */
import type { Grid3 } from "./grid.ts";

/** Separable Gaussian blur with per-axis σ (voxels); σ = 0 leaves that axis alone. */
export function gaussianBlur(src: Grid3, sigma: readonly number[]): Grid3 {
  let data = src.data;
  for (let axis = 0; axis < 3; axis++) {
    if (sigma[axis] > 0) data = _blurAxis(data, src.dims, axis, sigma[axis]);
  }
  return { data, dims: src.dims };
}

function _kernel(sigma: number): Float64Array {
  const radius = Math.floor(4 * sigma + 0.5);
  const k = new Float64Array(2 * radius + 1);
  let s = 0;
  for (let i = -radius; i <= radius; i++) {
    s += k[i + radius] = Math.exp(-0.5 * (i * i) / (sigma * sigma));
  }
  for (let i = 0; i < k.length; i++) k[i] /= s;
  return k;
}

/** scipy "mirror": reflect about the edge voxel centre (… c b | a b c d | c b …). */
function _mirror(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  i = ((i % period) + period) % period;
  return i < n ? i : period - i;
}

/** Whether data[from … from + len) are all 0 (±0). */
function _allZero(data: Float32Array, from: number, len: number): boolean {
  for (let e = from, end = from + len; e < end; e++) if (data[e] !== 0) return false;
  return true;
}

function _blurAxis(data: Float32Array, dims: readonly number[], axis: number, sigma: number) {
  const k = _kernel(sigma);
  const r = (k.length - 1) / 2, taps = k.length;
  const n = dims[axis];
  const out = new Float32Array(data.length);
  // Source index of each tap position e − r, mirrored at both ends.
  const src = Int32Array.from({ length: n + 2 * r }, (_, e) => _mirror(e - r, n));
  if (axis > 0) {
    // y or z: whole rows (y) or planes (z) at a time, so every read and write is sequential;
    // each output still sums its taps in order in a double, as the line form below does. An
    // output row whose taps all read all-zero rows stays 0 (a skull-stripped scan's background:
    // half the crop), as the sum would be.
    const inner = axis === 1 ? dims[0] : dims[0] * dims[1];
    const outer = axis === 1 ? dims[2] : 1;
    const acc = new Float64Array(inner);
    const zero = new Uint8Array(n);
    for (let o = 0; o < outer; o++) {
      const base = o * n * inner;
      for (let i = 0; i < n; i++) zero[i] = _allZero(data, base + i * inner, inner) ? 1 : 0;
      for (let i = 0; i < n; i++) {
        let any = false;
        for (let j = 0; j < taps && !any; j++) any = !zero[src[i + j]];
        if (!any) continue;
        acc.fill(0);
        for (let j = 0; j < taps; j++) {
          const from = base + src[i + j] * inner, kj = k[j];
          for (let e = 0; e < inner; e++) acc[e] += kj * data[from + e];
        }
        out.set(acc, base + i * inner);
      }
    }
    return out;
  }
  // x: each line is copied once into a buffer that carries its mirrored borders, so the taps
  // read ext[i + j] without index arithmetic.
  const ext = new Float64Array(n + 2 * r);
  for (let base = 0; base < data.length; base += n) {
    if (_allZero(data, base, n)) continue;
    for (let e = 0; e < ext.length; e++) ext[e] = data[base + src[e]];
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < taps; j++) s += k[j] * ext[i + j];
      out[base + i] = s;
    }
  }
  return out;
}

/** Output size of rescaling by `scale` (numpy rounding of n·scale, at least 1). */
export function rescaledDims(dims: readonly number[], scale: number): [number, number, number] {
  return dims.map((d) => Math.max(1, _roundHalfEven(d * scale))) as [number, number, number];
}

function _roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (Math.abs(d - 0.5) > 1e-9) return Math.round(x);
  return f % 2 === 0 ? f : f + 1;
}

/** Resamples `src` to `outDims` (trilinear; anti-aliased when shrinking). */
export function resizeGrid(src: Grid3, outDims: readonly number[], antiAlias = true): Grid3 {
  const factors = [0, 1, 2].map((a) => src.dims[a] / outDims[a]);
  const filtered = antiAlias
    ? gaussianBlur(src, factors.map((f) => Math.max(0, (f - 1) / 2)))
    : src;
  const [nx, ny] = src.dims;
  const [mx, my, mz] = outDims;
  const axisTaps = [0, 1, 2].map((a) => {
    const n = src.dims[a];
    const m = outDims[a];
    const i0 = new Int32Array(m);
    const i1 = new Int32Array(m);
    const w = new Float64Array(m);
    for (let o = 0; o < m; o++) {
      // Clamp to the edge when upsampling reaches half a voxel beyond the first/last centre.
      const c = Math.min(n - 1, Math.max(0, (o + 0.5) * factors[a] - 0.5));
      i0[o] = Math.floor(c);
      i1[o] = Math.min(n - 1, i0[o] + 1);
      w[o] = c - i0[o];
    }
    return { i0, i1, w };
  });
  const [tx, ty, tz] = axisTaps;
  const d = filtered.data;
  const out = new Float32Array(mx * my * mz);
  let p = 0;
  for (let z = 0; z < mz; z++) {
    const z0 = tz.i0[z] * nx * ny, z1 = tz.i1[z] * nx * ny, wz = tz.w[z];
    for (let y = 0; y < my; y++) {
      const y0 = ty.i0[y] * nx, y1 = ty.i1[y] * nx, wy = ty.w[y];
      for (let x = 0; x < mx; x++, p++) {
        const x0 = tx.i0[x], x1 = tx.i1[x], wx = tx.w[x];
        const c00 = d[z0 + y0 + x0] * (1 - wx) + d[z0 + y0 + x1] * wx;
        const c01 = d[z0 + y1 + x0] * (1 - wx) + d[z0 + y1 + x1] * wx;
        const c10 = d[z1 + y0 + x0] * (1 - wx) + d[z1 + y0 + x1] * wx;
        const c11 = d[z1 + y1 + x0] * (1 - wx) + d[z1 + y1 + x1] * wx;
        out[p] = (c00 * (1 - wy) + c01 * wy) * (1 - wz) + (c10 * (1 - wy) + c11 * wy) * wz;
      }
    }
  }
  return { data: out, dims: [mx, my, mz] };
}

/** skimage-style `rescale(v, scale, order=1, anti_aliasing=True)`. */
export function rescaleGrid(src: Grid3, scale: number): Grid3 {
  return resizeGrid(src, rescaledDims(src.dims, scale), scale < 1);
}
