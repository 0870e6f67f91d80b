// Row reduction, one workgroup of 64 per (row, split): X is [rows, len] contiguous; split s of a
// row reduces columns [s * chunk, min(len, (s + 1) * chunk)), so a huge row can be reduced in
// two passes (rows * splits partials, then rows). OUT[row * splits + s] = reduce(...).
// Loop budget: a lane walks ⌈chunk / 64⌉ columns, then a 6-step tree; the wrapper splits rows
// whose lanes would pass llvmpipe's 65,535 loop passes (it cuts longer loops short, silently),
// and rows long enough that one workgroup each would leave a GPU idle.
// Template: COMBINE(a, b) and INIT (sum: a + b, 0; max: nanMax, −Infinity; min: nanMin,
// +Infinity, both made at run time by the prelude).
// Params (REDUCE_ROWS block in src/kernels/reduce_core.ts): rows, len, chunk, splits.
// Bindings: 0 params, 1 X (read), 2 OUT (read_write). Grid: rows * splits workgroups, folded.

@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> OUT: array<f32>;

var<workgroup> part: array<f32, 64>;

fn combine(a: f32, b: f32) -> f32 {
  return COMBINE;
}

@compute @workgroup_size(64)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let w = wid.x + wid.y * nwg.x;
  if (w >= params.rows * params.splits) { return; }
  let row = w / params.splits;
  let begin = (w % params.splits) * params.chunk;
  let end = min(params.len, begin + params.chunk);
  let base = row * params.len;
  var acc: f32 = INIT;
  for (var k = begin + lid; k < end; k += 64u) {
    acc = combine(acc, X[base + k]);
  }
  part[lid] = acc;
  workgroupBarrier();
  for (var off = 32u; off > 0u; off >>= 1u) {
    if (lid < off) { part[lid] = combine(part[lid], part[lid + off]); }
    workgroupBarrier();
  }
  if (lid == 0u) { OUT[w] = part[0]; }
}
