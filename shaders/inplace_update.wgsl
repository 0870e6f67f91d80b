// In-place scaled update of a buffer, the one primitive behind gradient accumulation, in-place
// fills/copies and clipping by a GPU-resident factor (no readback):
//   DST[i] = (READ_DST ? alpha * DST[i] * (SCALE_DST ? S[0] : 1) : 0)
//          + (READ_SRC ? beta * SRC[i] : beta)
// `flags` bits: 1 READ_DST, 2 READ_SRC, 4 SCALE_DST. Not reading DST ignores its old
// contents (stale NaNs included). SRC has at least n elements; S at least one.
// Params (INPLACE_UPDATE block in src/core/inplace_update.ts): n elements, flags, alpha, beta.
// Bindings: 0 params, 1 SRC (read), 2 S (read), 3 DST (read_write).
// Grid: ceil(n / 256) workgroups of 256, folded (x, y).

@group(0) @binding(1) var<storage, read> SRC: array<f32>;
@group(0) @binding(2) var<storage, read> S: array<f32>;
@group(0) @binding(3) var<storage, read_write> DST: array<f32>;

@compute @workgroup_size(256)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = linearIndex(wid, nwg, lid, 256u);
  if (i >= params.n) { return; }
  let f = params.flags;
  var acc = 0.0;
  if ((f & 1u) != 0u) {
    var d = params.alpha * DST[i];
    if ((f & 4u) != 0u) { d = d * S[0]; }
    acc = d;
  }
  if ((f & 2u) != 0u) {
    acc = acc + params.beta * SRC[i];
  } else {
    acc = acc + params.beta;
  }
  DST[i] = acc;
}
