// Reductions whose kept dims are not all leading, without a permuted copy of X (the copy read and
// wrote all of X once more before the reduction read it again). The wrapper (reduce_core.ts)
// merges adjacent dims of equal role and sends two shapes here, each without div/mod per element:
//  - MODE 0, "columns": X [K, R0, K2], OUT[k·K2 + c] = reduce over a < R0 of X[(k·R0 + a)·K2 + c]
//    (a broadcast's leading dims, split-K partials summed over the splits, sum over a middle
//    dim). One lane per output and split: adjacent lanes take adjacent c, so their loads are
//    adjacent (coalesced); each walks rows [a0, a1) of its split.
//  - MODE 1, "planes": X [R0, K, R1], OUT[k] = reduce over a < R0, b < R1 of X[(a·K + k)·R1 + b]
//    (a conv bias gradient: sum over N, H, W). One workgroup of 64 per (k, split): lanes walk b
//    (coalesced) for each a of the split's rows, then a tree in workgroup memory.
// OUT[o·splits + s] is split s's partial of output o; with splits > 1 the wrapper finishes with a
// trailing row reduction (reduce_rows.wgsl). Splits exist for outputs too few to fill a GPU,
// and for the loop budget. Loop budget: a lane of MODE 0 walks `chunk` rows, a lane of MODE 1 walks
// chunk × ⌈R1 / 64⌉ elements (then a 6-step tree), and llvmpipe cuts an invocation short after
// 65,535 loop passes, silently; the wrapper splits the rows to stay under it (and takes the
// permuted-copy path when even one row of a plane is too long).
// Template: COMBINE(a, b), INIT (as reduce_rows.wgsl), MODE.
// Params (REDUCE_STRIDED block in src/kernels/reduce_core.ts): R0, K, R1, K2 as above; chunk
// rows per split, splits.
// Bindings: 0 params, 1 X (read), 2 OUT (read_write). Grid: MODE 0 ceil(K·K2·splits / 64)
// workgroups, MODE 1 K·splits workgroups, folded.

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
  if (MODE == 0u) {
    let t = linearIndex(wid, nwg, lid, 64u);
    let outs = params.K * params.K2;
    if (t >= outs * params.splits) { return; }
    let o = t % outs;
    let s = t / outs;
    let k = o / params.K2;
    let c = o % params.K2;
    let a0 = s * params.chunk;
    let a1 = min(params.R0, a0 + params.chunk);
    var acc: f32 = INIT;
    for (var a = a0; a < a1; a++) {
      acc = combine(acc, X[(k * params.R0 + a) * params.K2 + c]);
    }
    OUT[o * params.splits + s] = acc;
  } else {
    let w = wid.x + wid.y * nwg.x;
    if (w >= params.K * params.splits) { return; }
    let k = w / params.splits;
    let s = w % params.splits;
    let a0 = s * params.chunk;
    let a1 = min(params.R0, a0 + params.chunk);
    var acc: f32 = INIT;
    for (var a = a0; a < a1; a++) {
      let base = (a * params.K + k) * params.R1;
      for (var b = lid; b < params.R1; b += 64u) {
        acc = combine(acc, X[base + b]);
      }
    }
    part[lid] = acc;
    workgroupBarrier();
    for (var off = 32u; off > 0u; off >>= 1u) {
      if (lid < off) { part[lid] = combine(part[lid], part[lid + off]); }
      workgroupBarrier();
    }
    if (lid == 0u) { OUT[w] = part[0]; }
  }
}
