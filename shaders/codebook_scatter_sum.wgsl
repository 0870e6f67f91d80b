// Per-code sums of rows (the backward of a row gather, and the cluster sums of an EMA codebook):
// OUT[k, d] = Σ_{n : IDX[n] = k} V[n, d], summed in increasing n, so the result is
// deterministic (WGSL has no float atomics, and atomic CAS loops would add in a racy order).
// One workgroup per (code, 64 dims): every lane reads the same index (a broadcast load on CPU
// adapters, uniform branch on GPUs) and only matching rows of V are read.
// Shapes: V [N, D], IDX i32 [N], OUT [K, D].
// Params (SEGMENT_ROWS block in src/kernels/embedding.ts): N, K, D as above.
// Bindings: 0 params, 1 V, 2 IDX (read), 3 OUT (read_write).
// Grid: (K, ceil(D / 64)) workgroups of 64.

@group(0) @binding(1) var<storage, read> V: array<f32>;
@group(0) @binding(2) var<storage, read> IDX: array<i32>;
@group(0) @binding(3) var<storage, read_write> OUT: array<f32>;

@compute @workgroup_size(64)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let k = wid.x;
  let D = params.D;
  let d = wid.y * 64u + lid;
  if (k >= params.K) { return; }
  let dd = min(d, D - 1u);
  var acc = 0.0;
  for (var n = 0u; n < params.N; n++) {
    if (IDX[n] == i32(k)) { acc += V[n * D + dd]; }
  }
  if (d < D) { OUT[k * D + d] = acc; }
}
