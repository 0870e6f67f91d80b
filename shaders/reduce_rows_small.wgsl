// Row reduction for short rows, one invocation per row: X is [rows, len] contiguous,
// OUT[row] = reduce(X[row, :]). Used when len is small and rows are many (no barriers, which
// are costly on CPU adapters). Template: COMBINE(a, b) and INIT as in reduce_rows.wgsl.
// Loop budget: len loop passes per invocation; the wrapper sends rows of at most 32.
// Params (REDUCE_ROWS block in src/kernels/reduce_core.ts): rows, len (chunk, splits unused).
// Bindings: 0 params, 1 X (read), 2 OUT (read_write). Grid: ceil(rows / 64) workgroups, folded.

@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> OUT: array<f32>;

fn combine(a: f32, b: f32) -> f32 {
  return COMBINE;
}

@compute @workgroup_size(64)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = linearIndex(wid, nwg, lid, 64u);
  if (row >= params.rows) { return; }
  let base = row * params.len;
  var acc: f32 = INIT;
  for (var k = 0u; k < params.len; k++) {
    acc = combine(acc, X[base + k]);
  }
  OUT[row] = acc;
}
