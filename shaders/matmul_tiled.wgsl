// Batched matmul C[b] = A[b] · B[b] for GPUs: 64×64 output tiles per workgroup of 16×16
// invocations, each computing a 4×4 register block from 16-deep workgroup-shared tiles of A and
// B. Operands are read through strides (row, col, batch), so transposed operands need no copy.
// Needs matmul_tile_core.wgsl prepended (C, the shared tiles, multiply and store).
// Loop budget: see matmul_tile_core.wgsl (K split over workgroups past llvmpipe's 65,535 loop
// passes per invocation).
// Params (MATMUL block in src/kernels/matmul.ts): see matmul_tile_core.wgsl.
// Shapes: A logical [M, K], B logical [K, N], C contiguous [batch, M, N].
// Bindings: 0 params, 1 A, 2 B (read), 3 C (read_write).
// Grid: (ceil(N / 64), gy, gz) with gy·gz ≥ ceil(M / 64)·batch·splits (the triples of row
// tile, batch entry and K split, folded over y and z).

@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;

@compute @workgroup_size(16, 16)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
) {
  let tile = tileOf(wid, nwg);
  if (tile.batch >= params.batch) { return; }
  let M = params.M;
  let N = params.N;
  let aBase = tile.batch * params.aBatch;
  let bBase = tile.batch * params.bBatch;
  let tid = lid.y * 16u + lid.x;
  // Each invocation stages one vec4 of A (4 rows at one k) and one vec4 of B (4 cols at one k).
  let kk = tid / 16u;
  let q = tid % 16u;
  var acc: array<vec4<f32>, 4>;
  for (var k0 = tile.k0; k0 < tile.k1; k0 += 16u) {
    let gk = k0 + kk;
    var av = vec4<f32>(0.0);
    var bv = vec4<f32>(0.0);
    if (gk < tile.k1) {
      for (var j = 0u; j < 4u; j++) {
        let gm = tile.row0 + q * 4u + j;
        if (gm < M) { av[j] = A[aBase + gm * params.aRow + gk * params.aCol]; }
        let gn = tile.col0 + q * 4u + j;
        if (gn < N) { bv[j] = B[bBase + gk * params.bRow + gn * params.bCol]; }
      }
    }
    As[kk * 16u + q] = av;
    Bs[kk * 16u + q] = bv;
    workgroupBarrier();
    multiplyStaged(&acc, lid);
    workgroupBarrier();
  }
  storeBlock(acc, tile, lid);
}
