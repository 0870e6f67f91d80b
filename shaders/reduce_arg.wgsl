// Arg-reduction of rows, one workgroup of 64 per row: X is [rows, len] contiguous,
// OUT[row] = index of the max (BETTER = a > b) or min (a < b) of X[row, :], ties to the lowest
// index (as torch.argmax). NaN is treated as larger than everything for argmax like PyTorch.
// Params (REDUCE_ARG block in src/kernels/reduce_core.ts): rows, len.
// Bindings: 0 params, 1 X (read), 2 OUT (i32, read_write). Grid: rows workgroups, folded.

@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> OUT: array<i32>;

var<workgroup> bestVal: array<f32, 64>;
var<workgroup> bestIdx: array<u32, 64>;

// Whether (va, ia) should win over (vb, ib).
fn wins(va: f32, ia: u32, vb: f32, ib: u32) -> bool {
  let aNan = isNan(va);
  let bNan = isNan(vb);
  if (aNan || bNan) { return aNan && (!bNan || ia < ib); }
  let a = va;
  let b = vb;
  return (BETTER) || (a == b && ia < ib);
}

@compute @workgroup_size(64)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= params.rows) { return; }
  let base = row * params.len;
  var bv = X[base + min(lid, params.len - 1u)];
  var bi = min(lid, params.len - 1u);
  for (var k = lid + 64u; k < params.len; k += 64u) {
    let v = X[base + k];
    if (wins(v, k, bv, bi)) {
      bv = v;
      bi = k;
    }
  }
  bestVal[lid] = bv;
  bestIdx[lid] = bi;
  workgroupBarrier();
  for (var off = 32u; off > 0u; off >>= 1u) {
    if (lid < off && wins(bestVal[lid + off], bestIdx[lid + off], bestVal[lid], bestIdx[lid])) {
      bestVal[lid] = bestVal[lid + off];
      bestIdx[lid] = bestIdx[lid + off];
    }
    workgroupBarrier();
  }
  if (lid == 0u) { OUT[row] = i32(bestIdx[0]); }
}
