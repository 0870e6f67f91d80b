// Per-code sums of rows (the backward of a row gather, and the cluster sums of an EMA codebook):
// OUT[k, d] = Σ_{n : IDX[n] = k} V[n, d], summed in increasing n, so the result is
// deterministic (WGSL has no float atomics, and atomic CAS loops would add in a racy order).
// One lane per (code, dim) of K·D, walking the rows of its split: every lane of a workgroup reads
// the same index at each step (a broadcast load on CPU adapters, a cached one on GPUs), and only
// matching rows of V are read. Lanes run along d, so a code's lanes read V's row contiguously.
// Loop budget: a lane walks `chunk` rows, one loop pass each; the wrapper keeps chunk under
// llvmpipe's 65,535 passes (it cuts longer loops short, silently) by splitting the rows, each
// split writing its own partial sums, which it then adds in split order (also more workgroups
// for a GPU when N is large).
// Shapes: V [N, D], IDX i32 [N], OUT [splits, K, D] (the sums when splits = 1).
// Params (SEGMENT_SUM block in src/kernels/embedding.ts): N, K, D as above; chunk rows per split.
// Bindings: 0 params, 1 V, 2 IDX (read), 3 OUT (read_write).
// Grid: (gx, gy, splits) with gx·gy ≥ ceil(K·D / 64) (folded), workgroups of 64.

@group(0) @binding(1) var<storage, read> V: array<f32>;
@group(0) @binding(2) var<storage, read> IDX: array<i32>;
@group(0) @binding(3) var<storage, read_write> OUT: array<f32>;

@compute @workgroup_size(64)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = linearIndex(wid, nwg, lid, 64u);
  let D = params.D;
  if (i >= params.K * D) { return; }
  let k = i32(i / D);
  let d = i % D;
  let n0 = wid.z * params.chunk;
  let n1 = min(params.N, n0 + params.chunk);
  var acc = 0.0;
  for (var n = n0; n < n1; n++) {
    if (IDX[n] == k) { acc += V[n * D + d]; }
  }
  OUT[wid.z * params.K * D + i] = acc;
}
