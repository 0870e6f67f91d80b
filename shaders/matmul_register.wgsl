// Batched matmul C[b] = A[b] · B[b] for CPU adapters (llvmpipe), where workgroup barriers and
// shared memory are costly: each invocation computes a 4×4 register block straight from global
// memory; rows and columns past the edge are clamped for loading and skipped when storing, so
// the inner loop has no branches. Operands are read through strides (see matmul_tiled.wgsl).
// Loop budget: an invocation runs one loop pass per k of its split, and llvmpipe cuts an
// invocation short after 65,535 (silently), so the wrapper splits K over workgroups, each
// writing its partial C (summed after).
// Params (MATMUL block in src/kernels/matmul.ts): M, N, K; mTiles (row tiles per batch entry);
// aBatch, aRow, aCol and bBatch, bRow, bCol (each operand's strides); batch; kChunk and splits:
// split s sums k in [s·kChunk, min(K, (s + 1)·kChunk)) into C[s]. C is [splits, batch, M, N].
// Bindings: 0 params, 1 A, 2 B (read), 3 C (read_write).
// Grid: (ceil(N / 32), gy, gz), workgroups of 8×8, with gy·gz ≥ ceil(M / 32)·batch·splits (the
// triples of row tile, batch entry and K split, folded over y and z).

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
  // (row tile, batch, split) triples are folded over the grid's y and z (beyond 65,535 each).
  let lin = wid.y + wid.z * nwg.y;
  let rest = lin / params.mTiles;
  let batchIdx = rest % params.batch;
  let split = rest / params.batch;
  if (split >= params.splits) { return; }
  let k0 = split * params.kChunk;
  let k1 = min(params.K, k0 + params.kChunk);
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
  for (var k = k0; k < k1; k++) {
    let ak = k * params.aCol;
    let bk = k * params.bRow;
    let b = vec4<f32>(B[cb.x + bk], B[cb.y + bk], B[cb.z + bk], B[cb.w + bk]);
    acc[0] += A[ra.x + ak] * b;
    acc[1] += A[ra.y + ak] * b;
    acc[2] += A[ra.z + ak] * b;
    acc[3] += A[ra.w + ak] * b;
  }
  let cBase = (split * params.batch + batchIdx) * M * N;
  for (var i = 0u; i < 4u; i++) {
    if (row + i >= M) { break; }
    for (var j = 0u; j < 4u; j++) {
      if (col + j < N) { C[cBase + (row + i) * N + col + j] = acc[i][j]; }
    }
  }
}
