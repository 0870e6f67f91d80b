/**
 * Bilinear resize as PIL/torchvision do it: a separable triangle filter on pixel centres whose
 * support widens by the shrink factor, so downsizing a 512² scan to 128² averages instead of
 * aliasing; for enlargement it is plain bilinear interpolation.
 * @module
 */

/** Resizes a row-major w×h image to outW×outH. */
export function resizeBilinear(
  src: Float32Array,
  w: number,
  h: number,
  outW: number,
  outH: number,
): Float32Array {
  const tmp = new Float32Array(outW * h);
  const cols = _weights(w, outW);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < outW; x++) {
      const { start, ws } = cols[x];
      let s = 0;
      for (let k = 0; k < ws.length; k++) s += ws[k] * src[y * w + start + k];
      tmp[y * outW + x] = s;
    }
  }
  const out = new Float32Array(outW * outH);
  const rows = _weights(h, outH);
  for (let y = 0; y < outH; y++) {
    const { start, ws } = rows[y];
    for (let x = 0; x < outW; x++) {
      let s = 0;
      for (let k = 0; k < ws.length; k++) s += ws[k] * tmp[(start + k) * outW + x];
      out[y * outW + x] = s;
    }
  }
  return out;
}

function _weights(n: number, m: number): { start: number; ws: Float64Array }[] {
  const scale = n / m;
  const support = Math.max(1, scale);
  return Array.from({ length: m }, (_, o) => {
    const centre = (o + 0.5) * scale;
    const start = Math.max(0, Math.floor(centre - support + 0.5));
    const end = Math.min(n, Math.floor(centre + support + 0.5));
    const ws = new Float64Array(Math.max(1, end - start));
    let sum = 0;
    for (let i = start; i < end; i++) {
      const t = Math.max(0, 1 - Math.abs((i + 0.5 - centre) / support));
      ws[i - start] = t;
      sum += t;
    }
    for (let k = 0; k < ws.length; k++) ws[k] = sum > 0 ? ws[k] / sum : 1 / ws.length;
    return { start: Math.min(start, n - 1), ws };
  });
}
