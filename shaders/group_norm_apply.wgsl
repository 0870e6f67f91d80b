// Normalise, scale-shift and (optionally) activate, elementwise over X [N, C, H, W]:
// y = ACT((x − mean[s]) · rsqrt(var[s] + eps) · w[c] + b[c]) with s = n·statN + c / Cg (groupNorm:
// statN = G, Cg = C / G; batchNorm: statN = 0, Cg = 1). SILU selects y = z·sigmoid(z).
// Params (NORM_APPLY block in src/kernels/channel_norm.ts): total, C, HW, statN, Cg as above;
// hasWeight, hasBias; eps.
// Bindings: 0 params, 1 X, 2 Mean, 3 Var, 4 Wt, 5 B (read; Wt/B used only if flagged), 6 Y.
// Grid: ceil(N·C·H·W / 256), folded.

@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> Mean: array<f32>;
@group(0) @binding(3) var<storage, read> Var: array<f32>;
@group(0) @binding(4) var<storage, read> Wt: array<f32>;
@group(0) @binding(5) var<storage, read> B: array<f32>;
@group(0) @binding(6) var<storage, read_write> Y: array<f32>;

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
  var z = (X[i] - Mean[s]) * inverseSqrt(Var[s] + params.eps);
  if (params.hasWeight != 0u) { z *= Wt[c]; }
  if (params.hasBias != 0u) { z += B[c]; }
  if (SILU) { z = z / (1.0 + exp(-z)); }
  Y[i] = z;
}
