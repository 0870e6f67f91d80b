// 2-D convolution in gather form as an implicit GEMM for GPUs: Y[co, col] = Σ_k Wt[co, k] ·
// B[k, col] with col = (n, oy, ox) and k = (ci, kh, kw), where B[k, col] is read straight from X
// (no im2col buffer): X[n, ci, iy, ix] with iy · inStride = oy · convStride − pad + kh (zero when
// outside X or not divisible: the holes of a transposed conv). Same Params and semantics as
// conv2d_direct.wgsl, so it serves conv2d / convTranspose2d forward and their input gradients.
// Tiles: 64 output channels × 64 columns per workgroup of 16×16 invocations, each computing a
// 4×4 register block from 16-deep workgroup-shared tiles of Wt and B.
// Shapes: X [N, Cin, H, W], Y [N, Cout, Ho, Wo], bias [Cout] (read only if hasBias).
// Loop budget: ⌈(ci1 − ci0)·K² / 16⌉ reduction steps of about 23 loop passes each (staging and
// the 16-deep multiply); the wrapper splits the channels so that stays under llvmpipe's 65,535
// loop passes per invocation (conv2d_gather_common.wgsl).
// Params (CONV_GATHER block in src/kernels/conv_gather.ts): see conv2d_gather_common.wgsl.
// Bindings (0 params, 1 X, 2 Wt, 3 bias, 4 Y) and act(): conv2d_gather_common.wgsl, which the
// wrapper prepends.
// Grid: (gx, ceil(Cout / 64), gz) with gx·gz ≥ ceil(N·Ho·Wo / 64): column tiles beyond 65,535
// fold into z (column tile = wid.x + wid.z · nwg.x; tiles past the end store nothing).

var<workgroup> As: array<vec4<f32>, 256>; // [k 0..16][co/4 0..16]
var<workgroup> Bs: array<vec4<f32>, 256>; // [k 0..16][col/4 0..16]

@compute @workgroup_size(16, 16)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
) {
  let HWo = params.Ho * params.Wo;
  let cols = params.N * HWo;
  let KK = params.K * params.K;
  // This dispatch's part of the reduction: the taps of channels [ci0, ci1).
  let kEnd = params.ci1 * KK;
  let co0 = wid.y * 64u;
  let col0 = (wid.x + wid.z * nwg.x) * 64u;
  let tid = lid.y * 16u + lid.x;
  let kk = tid / 16u;
  let q = tid % 16u;
  let S = params.inStride;
  let W = i32(params.W);
  let H = i32(params.H);

  // The 4 columns and 4 output channels this invocation stages, decoded once.
  var xBase: vec4<u32>;
  var iyBase: vec4<i32>;
  var ixBase: vec4<i32>;
  var colOk: vec4<bool>;
  var wRow: vec4<i32>;
  for (var j = 0u; j < 4u; j++) {
    let col = col0 + q * 4u + j;
    colOk[j] = col < cols;
    let c = min(col, cols - 1u);
    let n = c / HWo;
    let p = c % HWo;
    xBase[j] = n * params.Cin * params.H * params.W;
    iyBase[j] = i32(p / params.Wo) * params.convStride - params.pad;
    ixBase[j] = i32(p % params.Wo) * params.convStride - params.pad;
    wRow[j] = params.wBase + i32(min(co0 + q * 4u + j, params.Cout - 1u)) * params.wOut;
  }

  var acc: array<vec4<f32>, 4>;
  for (var k0 = params.ci0 * KK; k0 < kEnd; k0 += 16u) {
    let k = k0 + kk;
    var av = vec4<f32>(0.0);
    var bv = vec4<f32>(0.0);
    if (k < kEnd) {
      let ci = k / KK;
      let kh = i32((k % KK) / params.K);
      let kw = i32(k % params.K);
      let wOff = i32(ci) * params.wIn + kh * params.wKh + kw * params.wKw;
      let xOff = ci * params.H * params.W;
      for (var j = 0u; j < 4u; j++) {
        av[j] = Wt[wRow[j] + wOff];
        let iyn = iyBase[j] + kh;
        let ixn = ixBase[j] + kw;
        let iy = iyn / S;
        let ix = ixn / S;
        let ok = colOk[j] && iyn % S == 0 && ixn % S == 0 && iyn >= 0 && ixn >= 0 && iy < H &&
          ix < W;
        let idx = xBase[j] + xOff + u32(clamp(iy, 0, H - 1) * W + clamp(ix, 0, W - 1));
        bv[j] = select(0.0, X[idx], ok);
      }
    }
    As[kk * 16u + q] = av;
    Bs[kk * 16u + q] = bv;
    workgroupBarrier();
    for (var k1 = 0u; k1 < 16u; k1++) {
      let a = As[k1 * 16u + lid.y];
      let b = Bs[k1 * 16u + lid.x];
      acc[0] += a.x * b;
      acc[1] += a.y * b;
      acc[2] += a.z * b;
      acc[3] += a.w * b;
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let co = co0 + lid.y * 4u + i;
    if (co >= params.Cout) { break; }
    var bias = 0.0;
    if (params.hasBias != 0u) { bias = Bias[co]; }
    for (var j = 0u; j < 4u; j++) {
      let col = col0 + lid.x * 4u + j;
      if (col < cols) {
        let n = col / HWo;
        Y[(n * params.Cout + co) * HWo + col % HWo] = act(acc[i][j] + bias);
      }
    }
  }
}
