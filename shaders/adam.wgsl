// Fused Adam / AdamW step (torch.optim.Adam / AdamW), in place over 1 to 8 parameter tensors
// in one dispatch:
//   AdamW: p ← p·(1 − lr·wd);   Adam: g ← g + wd·p   (g scaled by gradScale first)
//   m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
//   p ← p − (lr / bc1) · m / (sqrt(v) / sqrt(bc2) + eps),  bc = 1 − βᵗ (computed on the host)
// Each element's update is the same whatever the slot count, so batching is bit-identical to
// one tensor per dispatch. Several slots per dispatch: an optimiser step of a model
// with hundreds of small tensors is then tens of dispatches, not hundreds, which is what bounds
// it on a GPU (a dispatch costs the host microseconds; a 1,000-element update costs the GPU
// less). Slot k binds G_k (read) and P_k, M_k, V_k (read_write); lane i updates element i of every
// slot whose size exceeds i, the slots one after another (the wrapper puts tensors of similar
// size in one dispatch, so few lanes idle; a switch on a per-workgroup slot index instead ran
// every case masked on llvmpipe, 5× slower). The wrapper generates the per-slot bindings and
// updates for 1 to 8 slots, bounded by the adapter's storage buffers per stage (4 per slot).
// Params (ADAM block in src/kernels/adam.ts): decoupled (1: AdamW), lr, beta1, beta2, eps,
// weightDecay, gradScale; per slot k, packed four to a vec4 (read as [k / 4][k % 4]): size (its
// element count), bc1 and sqrtBc2 (bc = 1 − βᵗ with the slot's own step t).
// Bindings: 0 params; 1..SLOTS G_k; then P_k, M_k, V_k for each k. Grid: gx·gy·256 ≥ the largest
// slot's size, folded.

SLOT_BINDINGS

/** The update of one element; returns (p, m, v). */
fn update(p0: f32, g0: f32, m0: f32, v0: f32, bc1: f32, sqrtBc2: f32) -> vec3<f32> {
  var p = p0;
  var g = g0 * params.gradScale;
  if (params.decoupled == 1u) {
    p = p * (1.0 - params.lr * params.weightDecay);
  } else {
    g = g + params.weightDecay * p;
  }
  let m = params.beta1 * m0 + (1.0 - params.beta1) * g;
  let v = params.beta2 * v0 + (1.0 - params.beta2) * g * g;
  return vec3<f32>(p - (params.lr / bc1) * m / (sqrt(v) / sqrtBc2 + params.eps), m, v);
}

@compute @workgroup_size(256)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = linearIndex(wid, nwg, lid, 256u);
SLOT_CASES
}
