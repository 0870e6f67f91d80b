// Row gather (embedding lookup): OUT[n, d] = W[IDX[n], d]. Indices outside [0, K) read row 0
// (the wrapper validates indices it produces itself; this only keeps reads in bounds).
// Shapes: W [K, D], IDX i32 [N], OUT [N, D].
// Params (SEGMENT_ROWS block in src/kernels/embedding.ts): N, K, D as above.
// Bindings: 0 params, 1 W, 2 IDX (read), 3 OUT (read_write). Grid: ceil(N·D / 256), folded.

@group(0) @binding(1) var<storage, read> W: array<f32>;
@group(0) @binding(2) var<storage, read> IDX: array<i32>;
@group(0) @binding(3) var<storage, read_write> OUT: array<f32>;

@compute @workgroup_size(256)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = linearIndex(wid, nwg, lid, 256u);
  let D = params.D;
  if (i >= params.N * D) { return; }
  let n = i / D;
  let k = IDX[n];
  let row = select(0u, u32(k), k >= 0 && u32(k) < params.K);
  OUT[i] = W[row * D + i % D];
}
