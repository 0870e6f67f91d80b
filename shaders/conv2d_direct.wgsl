// Direct 2-D convolution in gather form, register-blocked for CPU adapters (llvmpipe), where
// workgroup barriers are costly: each invocation computes CO_BLOCK output channels × 4 output
// x-positions of one output row straight from global memory.
// One kernel serves conv2d forward, conv2d's input gradient, convTranspose2d forward and
// convTranspose2d's input gradient: output (n, co, oy, ox) sums X[n, ci, iy, ix] · Wt(co, ci, kh, kw)
// over ci, kh, kw with iy · inStride = oy · convStride − pad + kh (same for x); terms whose
// left side is not divisible by inStride (the holes of a transposed conv) are skipped. Wt is
// read through signed strides, which also express the transposed and flipped weight.
// The 4 x-positions of an invocation are inStride apart, so they share kw's divisibility.
// Shapes: X [N, Cin, H, W], Y [N, Cout, Ho, Wo], bias [Cout] (read only if hasBias).
// Epilogue: Y = ACT(acc + bias), ACT_EXPR over v (and params.slope).
// Loop budget: per input channel of [ci0, ci1) the K × K taps, each with a 4-load and a
// CO_BLOCK multiply loop; the wrapper splits the channels so that stays under llvmpipe's 65,535
// loop passes per invocation (conv2d_gather_common.wgsl).
// Params (CONV_GATHER block in src/kernels/conv_gather.ts): see conv2d_gather_common.wgsl.
// Bindings (0 params, 1 X, 2 Wt, 3 bias, 4 Y) and act(): conv2d_gather_common.wgsl, which the
// wrapper prepends.
// Grid: ceil(total / 64) workgroups of 64, folded; total = N · blocks · Ho · xGroups, where
// blocks = ceil(Cout / CO_BLOCK) output-channel blocks.

const CO_BLOCK: u32 = CO_BLOCK_SIZE;

@compute @workgroup_size(64)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let t = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (t >= params.total) { return; }
  let xg = t % params.xGroups;
  var r = t / params.xGroups;
  let oy = r % params.Ho;
  r = r / params.Ho;
  let cb = r % params.blocks;
  let n = r / params.blocks;
  let S = params.inStride;
  let cs = params.convStride;
  let phase = xg % u32(S);
  let ox0 = phase + (xg / u32(S)) * 4u * u32(S);
  let co0 = cb * CO_BLOCK;
  let W = i32(params.W);
  let K = i32(params.K);

  var wrow: array<i32, CO_BLOCK>;
  for (var c = 0u; c < CO_BLOCK; c++) {
    wrow[c] = params.wBase + i32(min(co0 + c, params.Cout - 1u)) * params.wOut;
  }
  var acc: array<vec4<f32>, CO_BLOCK>;
  let iyBase = i32(oy) * cs - params.pad;
  let ixBase = i32(ox0) * cs - params.pad;
  let HW = params.H * params.W;
  for (var ci = params.ci0; ci < params.ci1; ci++) {
    let xc = (n * params.Cin + ci) * HW;
    let wc = i32(ci) * params.wIn;
    for (var kh = 0; kh < K; kh++) {
      let iyn = iyBase + kh;
      if (iyn < 0 || iyn % S != 0) { continue; }
      let iy = iyn / S;
      if (iy >= i32(params.H)) { continue; }
      let xrow = xc + u32(iy) * params.W;
      let wk = wc + kh * params.wKh;
      for (var kw = 0; kw < K; kw++) {
        let ixn = ixBase + kw;
        if (ixn % S != 0) { continue; }
        let ix0 = ixn / S;
        var xv: vec4<f32>;
        for (var j = 0; j < 4; j++) {
          let ix = ix0 + j * cs;
          let v = X[xrow + u32(clamp(ix, 0, W - 1))];
          xv[j] = select(0.0, v, ix >= 0 && ix < W);
        }
        let wkk = wk + kw * params.wKw;
        for (var c = 0u; c < CO_BLOCK; c++) {
          acc[c] += Wt[wrow[c] + wkk] * xv;
        }
      }
    }
  }
  let HWo = params.Ho * params.Wo;
  for (var c = 0u; c < CO_BLOCK; c++) {
    let co = co0 + c;
    if (co >= params.Cout) { break; }
    var b = 0.0;
    if (params.hasBias != 0u) { b = Bias[co]; }
    let yrow = (n * params.Cout + co) * HWo + oy * params.Wo;
    for (var j = 0u; j < 4u; j++) {
      let ox = ox0 + j * u32(S);
      if (ox < params.Wo) { Y[yrow + ox] = act(acc[c][j] + b); }
    }
  }
}
