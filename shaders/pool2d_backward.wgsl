// avgPool2d / maxPool2d input gradient in gather form (no float atomics needed): each input
// element (n, c, iy, ix) of DX [N, C, H, W] sums G over the output windows that contain it,
// oy ∈ [ceil((iy + pad − k + 1) / stride), floor((iy + pad) / stride)] ∩ [0, Ho) (same in x).
// AVG: each window passes G / k². MAX: a window passes G only if its saved Idx is this element.
// Loop budget: (⌈k / stride⌉ + 1)² loop passes per invocation at most, within llvmpipe's 65,535
// for every window the forward accepts.
// Params (POOL2D block in src/kernels/pool2d.ts): total (inputs), H, W, Ho, Wo, k, stride, pad.
// Bindings: 0 params, 1 G, 2 Idx (read; i32, MAX only, else a placeholder), 3 DX (read_write).
// Grid: ceil(N·C·H·W / 256), folded.

@group(0) @binding(1) var<storage, read> G: array<f32>;
@group(0) @binding(2) var<storage, read> Idx: array<i32>;
@group(0) @binding(3) var<storage, read_write> DX: array<f32>;

const MAX: bool = MAX_FLAG;

/** First output index whose window (start o·stride − pad, length k) reaches i, and the last. */
fn windows(i: i32, n: u32) -> vec2<i32> {
  let s = params.stride;
  let lo = max(0, (i + params.pad - i32(params.k) + s) / s);
  let hi = min(i32(n) - 1, (i + params.pad) / s);
  return vec2<i32>(lo, hi);
}

@compute @workgroup_size(256)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = linearIndex(wid, nwg, lid, 256u);
  if (i >= params.total) { return; }
  let ix = i32(i % params.W);
  let iy = i32((i / params.W) % params.H);
  let plane = (i / (params.W * params.H)) * params.Ho * params.Wo;
  let ry = windows(iy, params.Ho);
  let rx = windows(ix, params.Wo);
  let here = iy * i32(params.W) + ix;
  let inv = 1.0 / f32(params.k * params.k);
  var s = 0.0;
  for (var oy = ry.x; oy <= ry.y; oy++) {
    for (var ox = rx.x; ox <= rx.y; ox++) {
      let o = plane + u32(oy) * params.Wo + u32(ox);
      if (MAX) {
        if (Idx[o] == here) { s += G[o]; }
      } else {
        s += G[o] * inv;
      }
    }
  }
  DX[i] = s;
}
