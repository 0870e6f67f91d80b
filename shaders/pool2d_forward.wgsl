// avgPool2d / maxPool2d forward, one invocation per output element of Y [N, C, Ho, Wo] over
// X [N, C, H, W]: the window of (oy, ox) covers iy = oy·stride − pad + kh, kh < k (same in x).
// MAX: the maximum over the window's in-range elements (padding is −inf), the first one wins on
// ties (as PyTorch), and Idx = iy·W + ix of it for the backward pass. AVG: the window's sum / k²
// (count_include_pad: padded zeros count).
// Loop budget: (k + 1)² loop passes per invocation; the wrapper refuses windows past 254×254,
// where llvmpipe would cut the loop short (65,535 passes), silently.
// Params (POOL2D block in src/kernels/pool2d.ts): total (outputs), H, W, Ho, Wo, k, stride, pad.
// Bindings: 0 params, 1 X (read), 2 Y (read_write) [, 3 Idx (read_write, MAX only)].
// Grid: ceil(N·C·Ho·Wo / 256), folded.

@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;
IDX_BINDING

const MAX: bool = MAX_FLAG;

@compute @workgroup_size(256)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = linearIndex(wid, nwg, lid, 256u);
  if (i >= params.total) { return; }
  let ox = i % params.Wo;
  let oy = (i / params.Wo) % params.Ho;
  let plane = (i / (params.Wo * params.Ho)) * params.H * params.W;
  let k = i32(params.k);
  let y0 = i32(oy) * params.stride - params.pad;
  let x0 = i32(ox) * params.stride - params.pad;
  var best = -infF32();
  var bestIdx = -1;
  var s = 0.0;
  for (var kh = 0; kh < k; kh++) {
    let iy = y0 + kh;
    if (iy < 0 || iy >= i32(params.H)) { continue; }
    for (var kw = 0; kw < k; kw++) {
      let ix = x0 + kw;
      if (ix < 0 || ix >= i32(params.W)) { continue; }
      let at = iy * i32(params.W) + ix;
      let v = X[plane + u32(at)];
      if (MAX) {
        if (v > best || bestIdx < 0 || isNan(v)) {
          best = v;
          bestIdx = at;
        }
      } else {
        s += v;
      }
    }
  }
  STORE
}
