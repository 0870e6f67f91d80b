// Mean and biased variance of segments, two passes over global memory (the mean first, then
// Σ(x − mean)², which keeps f32 accurate for large means). Segment s covers `chunks` runs of
// `len` contiguous elements starting at s·segStride, runs `chunkStride` apart: groupNorm's
// (n, g) is one run of Cg·H·W; batchNorm's channel c is N runs of H·W, C·H·W apart.
// Workgroup (part, segment) of 256 takes elements [part·partLen, (part + 1)·partLen) of its
// segment, walking each run it overlaps with the lanes (adjacent lanes read adjacent elements,
// no div/mod per element). With one part (parts = 1, partLen ≥ the segment) it writes the
// segment's mean to A and variance to B. With several (few long segments, e.g. groupNorm at
// batch 1–2 on a large GPU) it writes the part's mean to A and M2 = Σ(x − mean)² to B at
// [segment, part], and group_norm_stats_combine.wgsl merges the parts in order (deterministic).
// Loop budget: a lane's loop passes grow with partLen / 256 and with the runs a part overlaps
// (normStatsLoops in the wrapper counts them); llvmpipe cuts an invocation short after 65,535
// (silently), so the wrapper also splits into parts any segment too long for one workgroup.
// Params (NORM_STATS block in src/kernels/channel_norm.ts): segments, segStride, chunks,
// chunkStride, len, parts, partLen as above.
// Bindings: 0 params, 1 X (read), 2 A, 3 B (read_write). Grid: (parts, segments folded into y, z).

@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> A: array<f32>;
@group(0) @binding(3) var<storage, read_write> B: array<f32>;

var<workgroup> partial: array<f32, 256>;

fn reduceSum(lid: u32, v: f32) -> f32 {
  partial[lid] = v;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (lid < s) { partial[lid] += partial[lid + s]; }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier();
  return total;
}

@compute @workgroup_size(256)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let part = wid.x;
  let seg = wid.y + wid.z * nwg.y;
  if (seg >= params.segments) { return; }
  let base = seg * params.segStride;
  let len = params.len;
  let e0 = part * params.partLen;
  let e1 = min(e0 + params.partLen, params.chunks * len);
  // Runs c0..c1 overlap [e0, e1); within run c the part covers offsets [lo(c), hi(c)).
  let c0 = e0 / len;
  let c1 = (e1 + len - 1u) / len;
  var s = 0.0;
  for (var c = c0; c < c1; c++) {
    let run = base + c * params.chunkStride;
    let hi = min(e1, (c + 1u) * len) - c * len;
    for (var e = max(e0, c * len) - c * len + lid; e < hi; e += 256u) { s += X[run + e]; }
  }
  let n = f32(e1 - e0);
  let mean = reduceSum(lid, s) / n;
  var q = 0.0;
  for (var c = c0; c < c1; c++) {
    let run = base + c * params.chunkStride;
    let hi = min(e1, (c + 1u) * len) - c * len;
    for (var e = max(e0, c * len) - c * len + lid; e < hi; e += 256u) {
      let d = X[run + e] - mean;
      q += d * d;
    }
  }
  let m2 = reduceSum(lid, q);
  if (lid == 0u) {
    let o = seg * params.parts + part;
    A[o] = mean;
    B[o] = select(m2, m2 / n, params.parts == 1u);
  }
}
