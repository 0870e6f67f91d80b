// Batched matmul C[b] = A[b] · B[b] for row-major A [M, K] and B [K, N] with K and N multiples of
// 4: the same 64×64 workgroup tiles and 4×4 register blocks as matmul_tiled.wgsl, but every
// global load is a vec4 (A along k, B along n), so a quad of invocations reads 64 contiguous
// bytes. Transposed or unaligned operands use matmul_tiled.wgsl.
// Needs matmul_tile_core.wgsl prepended (Params, C, the shared tiles, multiply and store).
// Shapes: A [batch?, M, K], B [batch?, K, N] (batch stride 0 = broadcast), C [batch, M, N].
// Bindings: 0 params, 1 A, 2 B (read, as vec4), 3 C (read_write).
// Grid: (ceil(N / 64), gy, gz) with gy·gz ≥ ceil(M / 64)·batch (the pairs of row tile and
// batch entry, folded over y and z).

@group(0) @binding(1) var<storage, read> A: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> B: array<vec4<f32>>;

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
  let K = params.K;
  let aBase = tile.batch * params.aBatch;
  let bBase = tile.batch * params.bBatch;
  let tid = lid.y * 16u + lid.x;
  // A staging: row m = tid / 4 of the tile, k quad kq = tid % 4 (4 consecutive k).
  let am = tid / 4u;
  let akq = tid % 4u;
  let gm = tile.row0 + am;
  // B staging: k row kk = tid / 16, n quad q = tid % 16.
  let bk = tid / 16u;
  let bq = tid % 16u;
  let gn = tile.col0 + bq * 4u;
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
    multiplyStaged(&acc, lid);
    workgroupBarrier();
  }
  storeBlock(acc, tile, lid);
}
