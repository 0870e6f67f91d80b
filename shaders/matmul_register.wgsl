// Batched matmul C[b] = A[b] · B[b] for CPU adapters (llvmpipe), where workgroup barriers and
// shared memory are costly: each invocation computes a 4×4 register block straight from global
// memory; rows and columns past the edge are clamped for loading and skipped when storing, so
// the inner loop has no branches. Operands are read through strides (see matmul_tiled.wgsl).
// Params (MATMUL block in src/kernels/matmul.ts): M, N, K; mTiles (row tiles per batch entry);
// aBatch, aRow, aCol and bBatch, bRow, bCol (each operand's strides); batch.
// Bindings: 0 params, 1 A, 2 B (read), 3 C (read_write).
// Grid: (ceil(N / 32), gy, gz), workgroups of 8×8, with gy·gz ≥ ceil(M / 32)·batch (the pairs
// of row tile and batch entry, folded over y and z).

@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;

@compute @workgroup_size(8, 8)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
) {
  let M = params.M;
  let N = params.N;
  // (row tile, batch) pairs are folded over the grid's y and z (beyond 65,535 per dimension).
  let lin = wid.y + wid.z * nwg.y;
  let batchIdx = lin / params.mTiles;
  if (batchIdx >= params.batch) { return; }
  let row = ((lin % params.mTiles) * 8u + lid.y) * 4u;
  let col = (wid.x * 8u + lid.x) * 4u;
  if (row >= M || col >= N) { return; }
  let aBase = batchIdx * params.aBatch;
  let bBase = batchIdx * params.bBatch;
  var ra: vec4<u32>;
  var cb: vec4<u32>;
  for (var i = 0u; i < 4u; i++) {
    ra[i] = aBase + min(row + i, M - 1u) * params.aRow;
    cb[i] = bBase + min(col + i, N - 1u) * params.bCol;
  }
  var acc: array<vec4<f32>, 4>;
  for (var k = 0u; k < params.K; k++) {
    let ak = k * params.aCol;
    let bk = k * params.bRow;
    let b = vec4<f32>(B[cb.x + bk], B[cb.y + bk], B[cb.z + bk], B[cb.w + bk]);
    acc[0] += A[ra.x + ak] * b;
    acc[1] += A[ra.y + ak] * b;
    acc[2] += A[ra.z + ak] * b;
    acc[3] += A[ra.w + ak] * b;
  }
  let cBase = batchIdx * M * N;
  for (var i = 0u; i < 4u; i++) {
    if (row + i >= M) { break; }
    for (var j = 0u; j < 4u; j++) {
      if (col + j < N) { C[cBase + (row + i) * N + col + j] = acc[i][j]; }
    }
  }
}
