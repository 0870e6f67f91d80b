// Batched matmul C[b] = op(A[b]) · op(B[b]) with every global load a vec4: the same 64×64
// workgroup tiles and 4×4 register blocks as matmul_tiled.wgsl, for each of the four layouts
// (the wrapper substitutes A_TRANSPOSED / B_TRANSPOSED; the branches on them fold at compile
// time). A vec4 runs along the stored operand's contiguous axis, so a quad of invocations reads
// 64 contiguous bytes:
//  - A row-major [M, K]: vec4 along k, scattered into the tile As[k][m];
//  - A transposed (stored [K, M], the backward's Aᵀ): vec4 along m, stored into As as is;
//  - B row-major [K, N]: vec4 along n, stored into Bs[k][n] as is;
//  - B transposed (stored [N, K], attention's kᵀ and the backward's Bᵀ): vec4 along k, scattered.
// Needs the contiguous axis of each operand a multiple of 4 (the wrapper checks; otherwise
// matmul_tiled.wgsl's strided scalar loads). Needs matmul_tile_core.wgsl prepended (C, the
// shared tiles, multiply and store).
// Loop budget: see matmul_tile_core.wgsl (K split over workgroups past llvmpipe's 65,535 loop
// passes per invocation).
// Params (MATMUL block in src/kernels/matmul.ts): see matmul_tile_core.wgsl.
// Shapes: A [batch?, M, K] or [batch?, K, M], B [batch?, K, N] or [batch?, N, K] (batch stride 0 =
// broadcast), C [batch, M, N].
// Bindings: 0 params, 1 A, 2 B (read, as vec4), 3 C (read_write).
// Grid: (ceil(N / 64), gy, gz) with gy·gz ≥ ceil(M / 64)·batch·splits (the triples of row
// tile, batch entry and K split, folded over y and z).

@group(0) @binding(1) var<storage, read> A: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> B: array<vec4<f32>>;

const A_T: bool = A_TRANSPOSED;
const B_T: bool = B_TRANSPOSED;

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
  // Along-k staging (A row-major, B transposed): row r = tid / 4 of the tile, k quad tid % 4.
  let r = tid / 4u;
  let kq = tid % 4u;
  // Along-m/n staging (A transposed, B row-major): k row tid / 16, quad q = tid % 16.
  let kk = tid / 16u;
  let q = tid % 16u;
  var acc: array<vec4<f32>, 4>;
  let k1 = tile.k1;
  for (var k0 = tile.k0; k0 < k1; k0 += 16u) {
    if (A_T) {
      let gm = tile.row0 + q * 4u;
      var av = vec4<f32>(0.0);
      if (k0 + kk < k1 && gm < M) { av = A[(aBase + (k0 + kk) * M + gm) / 4u]; }
      As[kk * 16u + q] = av;
    } else {
      let gm = tile.row0 + r;
      let gk = k0 + kq * 4u;
      var av = vec4<f32>(0.0);
      if (gm < M && gk < k1) { av = A[(aBase + gm * K + gk) / 4u]; }
      for (var i = 0u; i < 4u; i++) {
        As[(kq * 4u + i) * 16u + r / 4u][r % 4u] = av[i];
      }
    }
    if (B_T) {
      let gn = tile.col0 + r;
      let gk = k0 + kq * 4u;
      var bv = vec4<f32>(0.0);
      if (gn < N && gk < k1) { bv = B[(bBase + gn * K + gk) / 4u]; }
      for (var i = 0u; i < 4u; i++) {
        Bs[(kq * 4u + i) * 16u + r / 4u][r % 4u] = bv[i];
      }
    } else {
      let gn = tile.col0 + q * 4u;
      var bv = vec4<f32>(0.0);
      if (k0 + kk < k1 && gn < N) { bv = B[(bBase + (k0 + kk) * N + gn) / 4u]; }
      Bs[kk * 16u + q] = bv;
    }
    workgroupBarrier();
    multiplyStaged(&acc, lid);
    workgroupBarrier();
  }
  storeBlock(acc, tile, lid);
}
