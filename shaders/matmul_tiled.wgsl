// Batched matmul C[b] = A[b] · B[b] for GPUs: 64×64 output tiles per workgroup of 16×16
// invocations, each computing a 4×4 register block from 16-deep workgroup-shared tiles of A and
// B. Operands are read through strides (row, col, batch), so transposed operands need no copy.
// Shapes: A logical [M, K], B logical [K, N], C contiguous [batch, M, N].
// Bindings: 0 params, 1 A, 2 B (read), 3 C (read_write).
// Grid: (ceil(N / 64), gy, gz) with gy·gz ≥ ceil(M / 64)·batch (the pairs of row tile and
// batch entry, folded over y and z).

struct Params {
  M: u32, N: u32, K: u32, mTiles: u32,
  aBatch: u32, aRow: u32, aCol: u32, batch: u32,
  bBatch: u32, bRow: u32, bCol: u32, pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;

var<workgroup> As: array<vec4<f32>, 256>; // [k 0..16][m/4 0..16]
var<workgroup> Bs: array<vec4<f32>, 256>; // [k 0..16][n/4 0..16]

@compute @workgroup_size(16, 16)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
) {
  let M = params.M;
  let N = params.N;
  let K = params.K;
  // (row tile, batch) pairs are folded over the grid's y and z (beyond 65,535 per dimension).
  let lin = wid.y + wid.z * nwg.y;
  let batchIdx = lin / params.mTiles;
  if (batchIdx >= params.batch) { return; }
  let row0 = (lin % params.mTiles) * 64u;
  let col0 = wid.x * 64u;
  let aBase = batchIdx * params.aBatch;
  let bBase = batchIdx * params.bBatch;
  let tid = lid.y * 16u + lid.x;
  var acc: array<vec4<f32>, 4>;
  for (var k0 = 0u; k0 < K; k0 += 16u) {
    // Each invocation stages one vec4 of A (4 rows at one k) and one vec4 of B (4 cols at one k).
    let kk = tid / 16u;
    let q = tid % 16u;
    let gk = k0 + kk;
    var av = vec4<f32>(0.0);
    var bv = vec4<f32>(0.0);
    if (gk < K) {
      for (var j = 0u; j < 4u; j++) {
        let gm = row0 + q * 4u + j;
        if (gm < M) { av[j] = A[aBase + gm * params.aRow + gk * params.aCol]; }
        let gn = col0 + q * 4u + j;
        if (gn < N) { bv[j] = B[bBase + gk * params.bRow + gn * params.bCol]; }
      }
    }
    As[kk * 16u + q] = av;
    Bs[kk * 16u + q] = bv;
    workgroupBarrier();
    for (var k = 0u; k < 16u; k++) {
      let a = As[k * 16u + lid.y];
      let b = Bs[k * 16u + lid.x];
      acc[0] += a.x * b;
      acc[1] += a.y * b;
      acc[2] += a.z * b;
      acc[3] += a.w * b;
    }
    workgroupBarrier();
  }
  let cBase = batchIdx * M * N;
  for (var i = 0u; i < 4u; i++) {
    let gm = row0 + lid.y * 4u + i;
    if (gm >= M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let gn = col0 + lid.x * 4u + j;
      if (gn < N) { C[cBase + gm * N + gn] = acc[i][j]; }
    }
  }
}
