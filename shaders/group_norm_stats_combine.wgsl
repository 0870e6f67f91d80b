// Split segment statistics, pass 2 of 2 (pass 1: group_norm_stats.wgsl with several parts):
// one lane per segment merges its parts' (mean, M2) in
// part order with Chan et al.'s pairwise update (δ = mean_b − mean_a, n = n_a + n_b,
// mean = mean_a + δ·n_b/n, M2 = M2_a + M2_b + δ²·n_a·n_b/n), then writes the mean and the biased
// variance M2 / count. Parts hold partLen elements except the last. A lane per segment is
// enough: there are few segments (that is why the statistics were split) and few parts each.
// Loop budget: one loop pass per part, far below llvmpipe's 65,535.
// Params (NORM_STATS block in src/kernels/channel_norm.ts): segments, chunks, len, parts,
// partLen as in group_norm_stats.wgsl.
// Bindings: 0 params, 1 PartMean, 2 PartM2 (read, [segments, parts]), 3 Mean, 4 Var
// (read_write). Grid: ceil(segments / 64).

@group(0) @binding(1) var<storage, read> PartMean: array<f32>;
@group(0) @binding(2) var<storage, read> PartM2: array<f32>;
@group(0) @binding(3) var<storage, read_write> Mean: array<f32>;
@group(0) @binding(4) var<storage, read_write> Var: array<f32>;

@compute @workgroup_size(64)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let seg = linearIndex(wid, nwg, lid, 64u);
  if (seg >= params.segments) { return; }
  let count = params.chunks * params.len;
  var n = 0.0;
  var mean = 0.0;
  var m2 = 0.0;
  for (var p = 0u; p < params.parts; p++) {
    let nb = f32(min(params.partLen, count - p * params.partLen));
    let o = seg * params.parts + p;
    let mb = PartMean[o];
    let delta = mb - mean;
    let nn = n + nb;
    mean += delta * (nb / nn);
    m2 += PartM2[o] + delta * delta * (n * nb / nn);
    n = nn;
  }
  Mean[seg] = mean;
  Var[seg] = m2 / f32(count);
}
