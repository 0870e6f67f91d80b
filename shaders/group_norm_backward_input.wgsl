// Input gradient of groupNorm / batchNorm, elementwise over X [N, C, H, W]:
// dx = rstd · (gz·w[c] − (S1[s] + xhat·S2[s]) / M), with s = n·statN + c / Cg as in
// group_norm_apply.wgsl, S1 = Σ gz·w and S2 = Σ gz·w·xhat over the statistic's M elements, and
// gz the upstream gradient through the optional SiLU. With useSums = 0 (batchNorm in eval mode,
// where the statistics are constants) dx = rstd · gz · w.
// S1 and S2 share one buffer Sums = [S1, S2] (stats entries each) to stay within 8 storage
// buffers per stage.
// Params (NORM_BACKWARD_INPUT block in src/kernels/channel_norm.ts): total, C, HW, statN, Cg;
// hasWeight, hasBias, useSums; eps, invM = 1 / M; stats (the offset of S2 in Sums).
// Bindings: 0 params, 1 X, 2 G, 3 Mean, 4 Var, 5 Wt, 6 B, 7 Sums (read), 8 DX (read_write).
// Grid: ceil(N·C·H·W / 256), folded.

@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> G: array<f32>;
@group(0) @binding(3) var<storage, read> Mean: array<f32>;
@group(0) @binding(4) var<storage, read> Var: array<f32>;
@group(0) @binding(5) var<storage, read> Wt: array<f32>;
@group(0) @binding(6) var<storage, read> B: array<f32>;
@group(0) @binding(7) var<storage, read> Sums: array<f32>;
@group(0) @binding(8) var<storage, read_write> DX: array<f32>;

const SILU: bool = SILU_FLAG;

@compute @workgroup_size(256)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = linearIndex(wid, nwg, lid, 256u);
  if (i >= params.total) { return; }
  let c = (i / params.HW) % params.C;
  let s = (i / (params.HW * params.C)) * params.statN + c / params.Cg;
  let rstd = inverseSqrt(Var[s] + params.eps);
  let xhat = (X[i] - Mean[s]) * rstd;
  var w = 1.0;
  if (params.hasWeight != 0u) { w = Wt[c]; }
  var b = 0.0;
  if (params.hasBias != 0u) { b = B[c]; }
  var gz = G[i];
  if (SILU) {
    let z = xhat * w + b;
    let sig = 1.0 / (1.0 + exp(-z));
    gz *= sig * (1.0 + z * (1.0 - sig));
  }
  var d = gz * w;
  if (params.useSums != 0u) { d -= (Sums[s] + xhat * Sums[params.stats + s]) * params.invM; }
  DX[i] = rstd * d;
}
