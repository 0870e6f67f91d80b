// Merges the candidates of a codebook split into parts (nearest_code_register.wgsl and
// nearest_code_tiled.wgsl with several splits, for llvmpipe's loop budget): one lane per row walks
// the splits in order and keeps the better (distance, index) by nearest_code_compare.wgsl's
// order, so the result is the one a single pass over the whole codebook gives (ties to the lowest
// index; a row whose distances are all NaN keeps split 0's index, 0). Then the distance is
// clamped as the single pass does. Loop budget: one loop pass per split, a few at most.
// Shapes: PIDX i32 [splits, N], PDIST [splits, N]; IDX i32 [N], DIST [N].
// Params (NEAREST_CODE_MERGE block in src/kernels/nearest_code.ts): N rows, splits.
// Bindings: 0 params, 1 PIDX, 2 PDIST (read), 3 IDX, 4 DIST (read_write).
// Grid: ceil(N / 64), folded.

@group(0) @binding(1) var<storage, read> PIDX: array<i32>;
@group(0) @binding(2) var<storage, read> PDIST: array<f32>;
@group(0) @binding(3) var<storage, read_write> IDX: array<i32>;
@group(0) @binding(4) var<storage, read_write> DIST: array<f32>;

@compute @workgroup_size(64)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = linearIndex(wid, nwg, lid, 64u);
  let N = params.N;
  if (row >= N) { return; }
  var bv = PDIST[row];
  var bk = u32(PIDX[row]);
  for (var s = 1u; s < params.splits; s++) {
    let v = PDIST[s * N + row];
    let k = u32(PIDX[s * N + row]);
    if (better(v, k, bv, bk)) {
      bv = v;
      bk = k;
    }
  }
  IDX[row] = i32(bk);
  DIST[row] = finalDistance(bv);
}
