// Batched matmul C[b] = A[b] · B[b] for row-major A [M, K] and B [K, N] with K and N multiples of
// 4: the same 64×64 workgroup tiles and 4×4 register blocks as matmul_tiled.wgsl, but every
// global load is a vec4 (A along k, B along n), so a quad of invocations reads 64 contiguous
// bytes. Transposed or unaligned operands use matmul_tiled.wgsl.
// Shapes: A [batch?, M, K], B [batch?, K, N] (batch stride 0 = broadcast), C [batch, M, N].
// Bindings: 0 params, 1 A, 2 B (read, as vec4), 3 C (read_write).
// Grid: (ceil(N / 64), gy, gz) with gy·gz ≥ ceil(M / 64)·batch (the pairs of row tile and
// batch entry, folded over y and z).

struct Params {
  M: u32, N: u32, K: u32, mTiles: u32,
  aBatch: u32, aRow: u32, aCol: u32, batch: u32,
  bBatch: u32, bRow: u32, bCol: u32, pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> A: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> B: array<vec4<f32>>;
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
  // A staging: row m = tid / 4 of the tile, k quad kq = tid % 4 (4 consecutive k).
  let am = tid / 4u;
  let akq = tid % 4u;
  let gm = row0 + am;
  // B staging: k row kk = tid / 16, n quad q = tid % 16.
  let bk = tid / 16u;
  let bq = tid % 16u;
  let gn = col0 + bq * 4u;
  var acc: array<vec4<f32>, 4>;
  for (var k0 = 0u; k0 < K; k0 += 16u) {
    let gk = k0 + akq * 4u;
    var av = vec4<f32>(0.0);
    if (gm < M && gk < K) { av = A[(aBase + gm * K + gk) / 4u]; }
    for (var i = 0u; i < 4u; i++) {
      As[(akq * 4u + i) * 16u + am / 4u][am % 4u] = av[i];
    }
    var bv = vec4<f32>(0.0);
    if (k0 + bk < K && gn < N) { bv = B[(bBase + (k0 + bk) * N + gn) / 4u]; }
    Bs[bk * 16u + bq] = bv;
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
    let row = row0 + lid.y * 4u + i;
    if (row >= M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let col = col0 + lid.x * 4u + j;
      if (col < N) { C[cBase + row * N + col] = acc[i][j]; }
    }
  }
}
