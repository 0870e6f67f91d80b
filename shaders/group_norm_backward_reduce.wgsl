// First backward pass of groupNorm / batchNorm: per reduce segment r (groupNorm: r = n·C + c, one
// run of H·W; batchNorm: r = c, N runs of H·W, C·H·W apart), SumGX[r] = Σ gz·xhat and
// SumG[r] = Σ gz, where xhat = (x − mean[s])·rsqrt(var[s] + eps), s = r / Cg, and gz is the
// upstream gradient through the optional SiLU (recomputed from z = xhat·w[c] + b[c]).
// These give dWeight, dBias and the per-statistic sums of the input gradient.
// Workgroup (part, segment) of 256 takes elements [part·partLen, (part + 1)·partLen) of its
// segment's chunks·HW, walking each run it overlaps with the lanes (adjacent lanes read adjacent
// elements, no div/mod per element), and writes its sums at [r, part]; with several parts the
// wrapper adds them in order (a row reduction). Loop budget: a lane's loop passes grow with
// partLen / 256 and the runs a part overlaps; llvmpipe cuts an invocation short after 65,535
// (silently), so the wrapper splits long segments (a batchNorm over many images) into parts.
// Params (NORM_BACKWARD_REDUCE block in src/kernels/channel_norm.ts): segments, C, HW, chunks,
// chunkStride, Cg as above; hasWeight, hasBias; eps; parts, partLen.
// Bindings: 0 params, 1 X, 2 G, 3 Mean, 4 Var, 5 Wt, 6 B (read), 7 SumGX, 8 SumG (read_write,
// [segments, parts]).
// Grid: (parts, segments folded into y, z); workgroups of 256.

@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> G: array<f32>;
@group(0) @binding(3) var<storage, read> Mean: array<f32>;
@group(0) @binding(4) var<storage, read> Var: array<f32>;
@group(0) @binding(5) var<storage, read> Wt: array<f32>;
@group(0) @binding(6) var<storage, read> B: array<f32>;
@group(0) @binding(7) var<storage, read_write> SumGX: array<f32>;
@group(0) @binding(8) var<storage, read_write> SumG: array<f32>;

const SILU: bool = SILU_FLAG;

var<workgroup> pa: array<f32, 256>;
var<workgroup> pb: array<f32, 256>;

@compute @workgroup_size(256)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let part = wid.x;
  let r = wid.y + wid.z * nwg.y;
  if (r >= params.segments) { return; }
  let c = r % params.C;
  let s = r / params.Cg;
  let mean = Mean[s];
  let rstd = inverseSqrt(Var[s] + params.eps);
  var w = 1.0;
  if (params.hasWeight != 0u) { w = Wt[c]; }
  var b = 0.0;
  if (params.hasBias != 0u) { b = B[c]; }
  let base = r * params.HW;
  var sgx = 0.0;
  var sg = 0.0;
  // Runs c0..c1 overlap the part's [e0, e1); within run c it covers offsets [lo(c), hi(c)).
  let len = params.HW;
  let e0 = part * params.partLen;
  let e1 = min(e0 + params.partLen, params.chunks * len);
  let c0 = e0 / len;
  let c1 = (e1 + len - 1u) / len;
  for (var ch = c0; ch < c1; ch++) {
    let runBase = base + ch * params.chunkStride;
    let hi = min(e1, (ch + 1u) * len) - ch * len;
    for (var e = max(e0, ch * len) - ch * len + lid; e < hi; e += 256u) {
      let i = runBase + e;
      let xhat = (X[i] - mean) * rstd;
      var gz = G[i];
      if (SILU) {
        let sig = 1.0 / (1.0 + exp(-(xhat * w + b)));
        gz *= sig * (1.0 + (xhat * w + b) * (1.0 - sig));
      }
      sgx += gz * xhat;
      sg += gz;
    }
  }
  pa[lid] = sgx;
  pb[lid] = sg;
  workgroupBarrier();
  for (var k = 128u; k > 0u; k >>= 1u) {
    if (lid < k) {
      pa[lid] += pa[lid + k];
      pb[lid] += pb[lid + k];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    SumGX[r * params.parts + part] = pa[0];
    SumG[r * params.parts + part] = pb[0];
  }
}
