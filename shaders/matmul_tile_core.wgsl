// Shared part of the two tiled matmul kernels (matmul_tiled.wgsl, matmul_tiled_vec4.wgsl), which
// the wrapper prepends to each: the C binding, the workgroup-shared tiles, the tile
// origin, the 16-deep multiply of the staged tiles into a 4×4 register block, and the store.
// The kernels differ only in how they stage A and B (strided scalars or vec4 loads).
// Loop budget: an invocation runs ⌈kChunk / 16⌉ steps of staging (up to 2 × 4 loads) and a
// 16-deep multiply, about 28 loop passes each; llvmpipe cuts an invocation short after 65,535
// (silently), so the wrapper splits K over workgroups (each writes its partial C, summed after):
// workgroups fold (row tile, batch entry, split) triples over y and z.
// Params (MATMUL block in src/kernels/matmul.ts): M, N, K; mTiles (row tiles per batch entry);
// aBatch, aRow, aCol and bBatch, bRow, bCol (each operand's strides); batch; kChunk (a multiple of
// 16) and splits: split s sums k in [s·kChunk, min(K, (s + 1)·kChunk)) into C[s].
// C is [splits, batch, M, N].

@group(0) @binding(3) var<storage, read_write> C: array<f32>;

var<workgroup> As: array<vec4<f32>, 256>; // [k 0..16][m/4 0..16]
var<workgroup> Bs: array<vec4<f32>, 256>; // [k 0..16][n/4 0..16]

struct Tile {
  batch: u32,
  row0: u32,
  col0: u32,
  // The split's reduction range [k0, k1) and where its C starts.
  k0: u32,
  k1: u32,
  cBase: u32,
}

// (row tile, batch entry, split) triples are folded over the grid's y and z (beyond 65,535 per
// dimension); tile.batch >= params.batch marks a workgroup past the end.
fn tileOf(wid: vec3<u32>, nwg: vec3<u32>) -> Tile {
  let lin = wid.y + wid.z * nwg.y;
  let rest = lin / params.mTiles;
  let batch = rest % params.batch;
  let split = rest / params.batch;
  let k0 = split * params.kChunk;
  return Tile(
    select(batch, params.batch, split >= params.splits),
    (lin % params.mTiles) * 64u,
    wid.x * 64u,
    k0,
    min(params.K, k0 + params.kChunk),
    (split * params.batch + batch) * params.M * params.N,
  );
}

// acc[i][j] += Σ_k As[k][row i of this invocation] · Bs[k][col j of this invocation].
fn multiplyStaged(acc: ptr<function, array<vec4<f32>, 4>>, lid: vec3<u32>) {
  for (var k = 0u; k < 16u; k++) {
    let a = As[k * 16u + lid.y];
    let b = Bs[k * 16u + lid.x];
    (*acc)[0] += a.x * b;
    (*acc)[1] += a.y * b;
    (*acc)[2] += a.z * b;
    (*acc)[3] += a.w * b;
  }
}

// Writes this invocation's 4×4 block, skipping rows and columns past the edge.
fn storeBlock(acc: array<vec4<f32>, 4>, tile: Tile, lid: vec3<u32>) {
  let M = params.M;
  let N = params.N;
  let cBase = tile.cBase;
  for (var i = 0u; i < 4u; i++) {
    let gm = tile.row0 + lid.y * 4u + i;
    if (gm >= M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let gn = tile.col0 + lid.x * 4u + j;
      if (gn < N) { C[cBase + gm * N + gn] = acc[i][j]; }
    }
  }
}

