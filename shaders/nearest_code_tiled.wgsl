// Nearest codebook row for each latent row, for GPUs: a workgroup of 16×16 invocations takes 64
// rows of Z and sweeps the codebook in tiles of 64 codes; Z and codebook slices 16 dims deep are
// staged in workgroup memory (coalesced loads) and each invocation accumulates a 4-row × 4-code
// register block. dist(n, k) = (‖z‖² − 2 z·e) + ‖e‖², every dot product summed in increasing d
// (zero padding past D adds exact zeros), so equal codes give bitwise-equal distances. Each
// invocation keeps a running argmin over its codes; the 16 per-row candidates are then merged
// through workgroup memory by (distance, index), ties to the lowest index; NaN distances lose
// (a row whose distances are all NaN gets index 0, distance NaN).
// Loop budget: an invocation runs about ⌈codes/64⌉·(23·⌈D/16⌉ + 31) loop passes (the wrapper
// counts them exactly), over llvmpipe's 65,535 (which cuts longer loops short, silently) at
// 16,384 codes of 256 dims. So the codebook is split: workgroup z takes codes [z·kChunk,
// (z + 1)·kChunk), and with several splits each writes its (distance, index) candidate to
// [z, row] for nearest_code_merge.wgsl; with one split it writes the result. On a GPU the
// splits are extra workgroups, which also helps when there are few rows.
// Shapes: Z [N, D], E [K, D], EE [K] (codebook_norms.wgsl); IDX i32 [splits, N], DIST [splits, N].
// isNan / better come from nearest_code_compare.wgsl, prepended by the wrapper.
// Params (NEAREST_CODE block in src/kernels/nearest_code.ts): N rows, K codes, D dims; kChunk
// codes per split (a multiple of 64), splits.
// Bindings: 0 params, 1 Z, 2 E, 3 EE (read), 4 IDX, 5 DIST (read_write).
// Grid: (gx, gy, splits) with gx·gy ≥ ceil(N / 64) (folded), workgroups of 16×16.

@group(0) @binding(1) var<storage, read> Z: array<f32>;
@group(0) @binding(2) var<storage, read> E: array<f32>;
@group(0) @binding(3) var<storage, read> EE: array<f32>;
@group(0) @binding(4) var<storage, read_write> IDX: array<i32>;
@group(0) @binding(5) var<storage, read_write> DIST: array<f32>;

var<workgroup> Zs: array<vec4<f32>, 256>; // [d 0..16][row / 4 0..16]
var<workgroup> Es: array<vec4<f32>, 256>; // [d 0..16][code / 4 0..16]

@compute @workgroup_size(16, 16)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
) {
  let N = params.N;
  let K = params.K;
  let D = params.D;
  let row0 = (wid.x + wid.y * nwg.x) * 64u;
  if (row0 >= N) { return; }
  let cBegin = wid.z * params.kChunk;
  let cEnd = min(K, cBegin + params.kChunk);
  let tid = lid.y * 16u + lid.x;
  // Staging: invocation tid loads 4 consecutive dims of row (or code) tid / 4.
  let sr = tid / 4u;
  let sd = (tid % 4u) * 4u;
  var zz = vec4<f32>(0.0);
  let nan = nanF32();
  var best = array<f32, 4>(nan, nan, nan, nan);
  var bestK = array<u32, 4>(cBegin, cBegin, cBegin, cBegin);
  for (var c0 = cBegin; c0 < cEnd; c0 += 64u) {
    // Explicit zeros: a bare `var acc` in a loop body is not re-zeroed per iteration here.
    var acc = array<vec4<f32>, 4>(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
    for (var d0 = 0u; d0 < D; d0 += 16u) {
      let gm = row0 + sr;
      let gc = c0 + sr;
      for (var j = 0u; j < 4u; j++) {
        let gd = d0 + sd + j;
        var zv = 0.0;
        var ev = 0.0;
        if (gd < D && gm < N) { zv = Z[gm * D + gd]; }
        if (gd < D && gc < cEnd) { ev = E[gc * D + gd]; }
        Zs[(sd + j) * 16u + sr / 4u][sr % 4u] = zv;
        Es[(sd + j) * 16u + sr / 4u][sr % 4u] = ev;
      }
      workgroupBarrier();
      for (var k = 0u; k < 16u; k++) {
        let a = Zs[k * 16u + lid.y];
        let b = Es[k * 16u + lid.x];
        acc[0] += a.x * b;
        acc[1] += a.y * b;
        acc[2] += a.z * b;
        acc[3] += a.w * b;
        if (c0 == cBegin) { zz += a * a; }
      }
      workgroupBarrier();
    }
    var ee: vec4<f32>;
    for (var j = 0u; j < 4u; j++) { ee[j] = EE[min(c0 + lid.x * 4u + j, cEnd - 1u)]; }
    for (var i = 0u; i < 4u; i++) {
      let dist = (zz[i] - 2.0 * acc[i]) + ee;
      for (var j = 0u; j < 4u; j++) {
        let c = c0 + lid.x * 4u + j;
        if (c < cEnd && better(dist[j], c, best[i], bestK[i])) {
          best[i] = dist[j];
          bestK[i] = c;
        }
      }
    }
  }
  // Merge the 16 candidates of each row: distances in Zs, indices (bit-cast) in Es, [row][x].
  for (var i = 0u; i < 4u; i++) {
    let p = (lid.y * 4u + i) * 16u + lid.x;
    Zs[p / 4u][p % 4u] = best[i];
    Es[p / 4u][p % 4u] = bitcast<f32>(bestK[i]);
  }
  workgroupBarrier();
  let row = row0 + tid;
  if (tid < 64u && row < N) {
    var bv = Zs[tid * 4u].x;
    var bk = bitcast<u32>(Es[tid * 4u].x);
    for (var x = 1u; x < 16u; x++) {
      let p = tid * 16u + x;
      let v = Zs[p / 4u][p % 4u];
      let k = bitcast<u32>(Es[p / 4u][p % 4u]);
      if (better(v, k, bv, bk)) {
        bv = v;
        bk = k;
      }
    }
    IDX[wid.z * N + row] = i32(bk);
    // A split's candidate stays raw: the merge clamps the winner.
    DIST[wid.z * N + row] = select(bv, finalDistance(bv), params.splits == 1u);
  }
}
