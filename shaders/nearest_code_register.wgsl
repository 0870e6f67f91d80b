// Nearest codebook row for each latent row, for CPU adapters (llvmpipe) where barriers and
// workgroup memory are costly: each invocation holds 4 rows of Z in a register block against 4
// codes at a time, read straight from global memory (the code loads are uniform across the
// workgroup, so they broadcast). dist(n, k) = (‖z‖² − 2 z·e) + ‖e‖², every dot product summed
// in increasing d, so equal codes give bitwise-equal distances; argmin with ties to the lowest
// index; NaN distances lose (a row whose distances are all NaN gets index 0, distance NaN).
// Loop budget: an invocation runs D + ⌈codes/4⌉·(D + 25) loop passes or so (the wrapper counts
// them exactly), over llvmpipe's 65,535 (which cuts longer loops short, silently) already at
// 1,024 codes of 256 dims. So the codebook is split: workgroup z takes codes [z·kChunk,
// (z + 1)·kChunk), and with several splits each writes its (distance, index) candidate to
// [z, row] for nearest_code_merge.wgsl; with one split it writes the result. On a GPU the
// splits are extra workgroups, which also helps when there are few rows.
// Shapes: Z [N, D], E [K, D], EE [K] (codebook_norms.wgsl); IDX i32 [splits, N], DIST [splits, N].
// isNan / better come from nearest_code_compare.wgsl, prepended by the wrapper.
// Params (NEAREST_CODE block in src/kernels/nearest_code.ts): N rows, K codes, D dims; kChunk
// codes per split (a multiple of 4), splits.
// Bindings: 0 params, 1 Z, 2 E, 3 EE (read), 4 IDX, 5 DIST (read_write).
// Grid: (gx, gy, splits) with gx·gy ≥ ceil(N / 256) (folded), workgroups of 64.

@group(0) @binding(1) var<storage, read> Z: array<f32>;
@group(0) @binding(2) var<storage, read> E: array<f32>;
@group(0) @binding(3) var<storage, read> EE: array<f32>;
@group(0) @binding(4) var<storage, read_write> IDX: array<i32>;
@group(0) @binding(5) var<storage, read_write> DIST: array<f32>;

@compute @workgroup_size(64)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let N = params.N;
  let K = params.K;
  let D = params.D;
  let first = linearIndex(wid, nwg, lid, 256u);
  if (first >= N) { return; }
  let c0 = wid.z * params.kChunk;
  let c1 = min(K, c0 + params.kChunk);
  // Rows first + 64·i; rows past the end are clamped for loading and never stored.
  var zb: vec4<u32>;
  for (var i = 0u; i < 4u; i++) { zb[i] = min(first + 64u * i, N - 1u) * D; }
  var zz = vec4<f32>(0.0);
  for (var d = 0u; d < D; d++) {
    let z = vec4<f32>(Z[zb.x + d], Z[zb.y + d], Z[zb.z + d], Z[zb.w + d]);
    zz += z * z;
  }
  let nan = nanF32();
  var best = array<f32, 4>(nan, nan, nan, nan);
  var bestK = array<u32, 4>(c0, c0, c0, c0);
  for (var c = c0; c < c1; c += 4u) {
    // Codes past the split are clamped (same arithmetic, so no branch in the d loop) and skipped.
    let ck = vec4<u32>(c, min(c + 1u, c1 - 1u), min(c + 2u, c1 - 1u), min(c + 3u, c1 - 1u));
    let cb = ck * D;
    // Explicit zeros: a bare `var acc` in a loop body is not re-zeroed per iteration here.
    var acc = array<vec4<f32>, 4>(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
    for (var d = 0u; d < D; d++) {
      let e = vec4<f32>(E[cb.x + d], E[cb.y + d], E[cb.z + d], E[cb.w + d]);
      acc[0] += Z[zb.x + d] * e;
      acc[1] += Z[zb.y + d] * e;
      acc[2] += Z[zb.z + d] * e;
      acc[3] += Z[zb.w + d] * e;
    }
    let ee = vec4<f32>(EE[ck.x], EE[ck.y], EE[ck.z], EE[ck.w]);
    for (var i = 0u; i < 4u; i++) {
      let dist = (zz[i] - 2.0 * acc[i]) + ee;
      for (var j = 0u; j < 4u; j++) {
        let take = c + j < c1 && better(dist[j], c + j, best[i], bestK[i]);
        best[i] = select(best[i], dist[j], take);
        bestK[i] = select(bestK[i], c + j, take);
      }
    }
  }
  for (var i = 0u; i < 4u; i++) {
    let row = first + 64u * i;
    if (row < N) {
      IDX[wid.z * N + row] = i32(bestK[i]);
      // Cancellation can leave a tiny negative squared distance; NaN passes through. A split's
      // candidate stays raw: the merge clamps the winner.
      DIST[wid.z * N + row] = select(best[i], finalDistance(best[i]), params.splits == 1u);
    }
  }
}
