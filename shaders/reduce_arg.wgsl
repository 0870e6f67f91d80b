// Arg-reduction of rows, one workgroup of 64 per (row, split): X is [rows, len] contiguous; split
// s of a row takes columns [s·chunk, min(len, (s + 1)·chunk)) and writes the best value and its
// index to OV and OI at [row, s]: the max (BETTER = a > b) or min (a < b), ties to the lowest
// index (as torch.argmax); NaN counts as larger than everything, as in PyTorch. With INDEXED,
// X holds such candidates and XI their indices (a second pass over the splits of a first one),
// and the indices compared are XI's; without, XI is not read and the index is the column.
// Loop budget: a lane walks ⌈chunk / 64⌉ columns, then a 6-step tree; the wrapper keeps that
// under llvmpipe's 65,535 loop passes (it cuts longer loops short, silently) by splitting rows
// longer than about 4.2 million (one pass of 64 lanes per row is also too little parallelism
// for a GPU then).
// Template: BETTER, INDEXED_FLAG.
// Params (REDUCE_ARG block in src/kernels/reduce_core.ts): rows, len, chunk, splits.
// Bindings: 0 params, 1 X, 2 XI (i32; read), 3 OV, 4 OI (i32; read_write).
// Grid: rows · splits workgroups, folded.

@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> XI: array<i32>;
@group(0) @binding(3) var<storage, read_write> OV: array<f32>;
@group(0) @binding(4) var<storage, read_write> OI: array<i32>;

const INDEXED: bool = INDEXED_FLAG;

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

// The index compared for element k of the row starting at base.
fn indexOf(base: u32, k: u32) -> u32 {
  if (INDEXED) { return u32(XI[base + k]); }
  return k;
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
  // Lanes past the end start from the split's last element (a duplicate never wins).
  let first = min(begin + lid, end - 1u);
  var bv = X[base + first];
  var bi = indexOf(base, first);
  for (var k = begin + lid + 64u; k < end; k += 64u) {
    let v = X[base + k];
    let i = indexOf(base, k);
    if (wins(v, i, bv, bi)) {
      bv = v;
      bi = i;
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
  if (lid == 0u) {
    OV[w] = bestVal[0];
    OI[w] = i32(bestIdx[0]);
  }
}
