// Fused Adam / AdamW step, in place over one parameter tensor (torch.optim.Adam / AdamW):
//   AdamW: p ← p·(1 − lr·wd);   Adam: g ← g + wd·p
//   m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
//   p ← p − (lr / bc1) · m / (sqrt(v) / sqrt(bc2) + eps),  bc = 1 − βᵗ (computed on the host)
// Bindings: 0 params, 1 G (read), 2 P, 3 M, 4 V (read_write). Grid: ceil(n / 256), folded.

struct Params {
  n: u32,
  decoupled: u32,
  lr: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  weightDecay: f32,
  bc1: f32,
  sqrtBc2: f32,
  gradScale: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> G: array<f32>;
@group(0) @binding(2) var<storage, read_write> P: array<f32>;
@group(0) @binding(3) var<storage, read_write> M: array<f32>;
@group(0) @binding(4) var<storage, read_write> V: array<f32>;

@compute @workgroup_size(256)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = linearIndex(wid, nwg, lid, 256u);
  if (i >= params.n) { return; }
  var p = P[i];
  var g = G[i] * params.gradScale;
  if (params.decoupled == 1u) {
    p = p * (1.0 - params.lr * params.weightDecay);
  } else {
    g = g + params.weightDecay * p;
  }
  let m = params.beta1 * M[i] + (1.0 - params.beta1) * g;
  let v = params.beta2 * V[i] + (1.0 - params.beta2) * g * g;
  M[i] = m;
  V[i] = v;
  P[i] = p - (params.lr / params.bc1) * m / (sqrt(v) / params.sqrtBc2 + params.eps);
}
