// Split segment statistics, pass 1 of 2 (for few segments: groupNorm at batch 1–2 has N·G = 32–64
// segments, batchNorm C, too few workgroups to fill a discrete GPU when one workgroup walks a
// whole segment): workgroup (part, segment) takes elements [part·partLen, (part + 1)·partLen) of
// its segment and writes their count-free partial statistics: the part's mean and
// M2 = Σ(x − mean)², two passes over the part (accurate for large means, as the one-pass
// kernel). group_norm_stats_combine.wgsl merges the parts in order (Chan et al.), so results are
// deterministic. Lanes read consecutive elements of a run (coalesced); the tree reduction is in
// workgroup memory.
// Segment s: `chunks` runs of `len` contiguous elements from s·segStride, `chunkStride` apart.
// Bindings: 0 params, 1 X (read), 2 Partial [segments, parts, 2] (read_write).
// Grid: (parts, segments folded into y and z).

struct Params {
  segments: u32, segStride: u32, chunks: u32, chunkStride: u32,
  len: u32, parts: u32, partLen: u32, pad0: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Partial: array<f32>;

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

fn at(base: u32, e: u32) -> f32 {
  return X[base + (e / params.len) * params.chunkStride + e % params.len];
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
  let count = params.chunks * params.len;
  let e0 = part * params.partLen;
  let e1 = min(e0 + params.partLen, count);
  let n = f32(e1 - e0);
  var s = 0.0;
  for (var e = e0 + lid; e < e1; e += 256u) { s += at(base, e); }
  let mean = reduceSum(lid, s) / n;
  var q = 0.0;
  for (var e = e0 + lid; e < e1; e += 256u) {
    let d = at(base, e) - mean;
    q += d * d;
  }
  let m2 = reduceSum(lid, q);
  if (lid == 0u) {
    let o = (seg * params.parts + part) * 2u;
    Partial[o] = mean;
    Partial[o + 1u] = m2;
  }
}
