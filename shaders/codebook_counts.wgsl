// Code usage histogram: OUT[k] = #{n : IDX[n] = k} as f32 (exact below 2^24 rows). One lane per
// code scanning the indices of its split (broadcast loads); integer counts, so the result is
// deterministic. Loop budget: a lane walks `chunk` indices, one loop pass each; the wrapper keeps
// chunk under llvmpipe's 65,535 passes (it cuts longer loops short) by splitting the indices,
// each split writing its own counts, which it then adds.
// Shapes: IDX i32 [N], OUT [splits, K] (the counts when splits = 1).
// Params (CODEBOOK_COUNTS block in src/kernels/bincount.ts): N indices, K codes, chunk indices
// per split.
// Bindings: 0 params, 1 IDX (read), 2 OUT (read_write).
// Grid: (gx, gy, splits) with gx·gy ≥ ceil(K / 64) (folded).

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
  let n0 = wid.z * params.chunk;
  let n1 = min(params.N, n0 + params.chunk);
  var count = 0u;
  for (var n = n0; n < n1; n++) {
    count += select(0u, 1u, IDX[n] == i32(k));
  }
  OUT[wid.z * params.K + k] = f32(count);
}
