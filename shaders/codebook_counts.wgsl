// Code usage histogram: OUT[k] = #{n : IDX[n] = k} as f32 (exact below 2^24 rows). One lane per
// code scanning all indices (broadcast loads); integer counts, so the result is deterministic.
// Shapes: IDX i32 [N], OUT [K].
// Params (CODEBOOK_COUNTS block in src/kernels/bincount.ts): N indices, K codes.
// Bindings: 0 params, 1 IDX (read), 2 OUT (read_write). Grid: ceil(K / 64), folded.

@group(0) @binding(1) var<storage, read> IDX: array<i32>;
@group(0) @binding(2) var<storage, read_write> OUT: array<f32>;

@compute @workgroup_size(64)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let k = linearIndex(wid, nwg, lid, 64u);
  if (k >= params.K) { return; }
  var count = 0u;
  for (var n = 0u; n < params.N; n++) {
    count += select(0u, 1u, IDX[n] == i32(k));
  }
  OUT[k] = f32(count);
}
