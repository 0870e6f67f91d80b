// Mean and biased variance of segments, one workgroup of 256 per segment, two passes over
// global memory (the mean first, then Σ(x − mean)², which keeps f32 accurate for large means).
// Segment s covers `chunks` runs of `len` contiguous elements starting at s·segStride, runs
// `chunkStride` apart: groupNorm's (n, g) is one run of Cg·H·W; batchNorm's channel c is N runs
// of H·W, C·H·W apart.
// Bindings: 0 params, 1 X (read), 2 Mean, 3 Var (read_write). Grid: segments, folded.

struct Params {
  segments: u32, segStride: u32, chunks: u32, chunkStride: u32,
  len: u32, pad0: u32, pad1: u32, pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Mean: array<f32>;
@group(0) @binding(3) var<storage, read_write> Var: array<f32>;

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
  let seg = wid.x + wid.y * nwg.x;
  if (seg >= params.segments) { return; }
  let base = seg * params.segStride;
  let count = params.chunks * params.len;
  // Run by run, lanes along a run: adjacent lanes read adjacent elements, no div/mod per element.
  var s = 0.0;
  for (var ch = 0u; ch < params.chunks; ch++) {
    let runBase = base + ch * params.chunkStride;
    for (var e = lid; e < params.len; e += 256u) { s += X[runBase + e]; }
  }
  let mean = reduceSum(lid, s) / f32(count);
  var q = 0.0;
  for (var ch = 0u; ch < params.chunks; ch++) {
    let runBase = base + ch * params.chunkStride;
    for (var e = lid; e < params.len; e += 256u) {
      let d = X[runBase + e] - mean;
      q += d * d;
    }
  }
  let v = reduceSum(lid, q) / f32(count);
  if (lid == 0u) {
    Mean[seg] = mean;
    Var[seg] = v;
  }
}
