// Separable resampling (nearest / bilinear) of X [N, C, H, W] to Y [N, C, Ho, Wo], driven by
// per-axis tables computed on the host with PyTorch's index rules: for each output row oy,
// T[yOut + 4·oy ..] = (i0, i1, w0, w1) (source rows and weights; nearest has w1 = 0), likewise
// for columns at xOut; for each input row iy, T[yIn + 2·iy ..] = the range [lo, hi) of output
// rows that read it, likewise for columns at xIn (used by interpolate_backward.wgsl).
// Y[oy, ox] = Σ wy·wx·X[iy, ix] over the 2×2 (i0/i1) sources. No loop.
// Params (INTERPOLATE block in src/kernels/interpolate.ts): total (elements of Y), H, W, Ho,
// Wo, and the table offsets yOut, xOut, yIn, xIn.
// Bindings: 0 params, 1 X, 2 T (read), 3 Y (read_write).
// Grid: ceil(elements of Y / 256), folded.

@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> T: array<f32>;
@group(0) @binding(3) var<storage, read_write> Y: array<f32>;

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
  let ty = params.yOut + 4u * oy;
  let tx = params.xOut + 4u * ox;
  let r0 = plane + u32(T[ty]) * params.W;
  let r1 = plane + u32(T[ty + 1u]) * params.W;
  let c0 = u32(T[tx]);
  let c1 = u32(T[tx + 1u]);
  let wx0 = T[tx + 2u];
  let wx1 = T[tx + 3u];
  Y[i] = T[ty + 2u] * (wx0 * X[r0 + c0] + wx1 * X[r0 + c1]) +
    T[ty + 3u] * (wx0 * X[r1 + c0] + wx1 * X[r1 + c1]);
}
