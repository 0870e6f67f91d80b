// Squared norms of codebook rows: OUT[k] = Σ_d E[k, d]², summed in increasing d like the dot
// products of nearest_code_*.wgsl, so equal rows get bitwise-equal norms (exact ties).
// Shapes: E [K, D] contiguous, OUT [K].
// Loop budget: D + 1 loop passes per invocation; nearestCode accepts D up to 45,552, far below
// llvmpipe's 65,535 (past which it cuts loops short, silently).
// Params (CODEBOOK_NORMS block in src/kernels/nearest_code.ts): K codes of D dims.
// Bindings: 0 params, 1 E (read), 2 OUT (read_write). Grid: ceil(K / 64), folded.

@group(0) @binding(1) var<storage, read> E: array<f32>;
@group(0) @binding(2) var<storage, read_write> OUT: array<f32>;

@compute @workgroup_size(64)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let k = linearIndex(wid, nwg, lid, 64u);
  if (k >= params.K) { return; }
  let base = k * params.D;
  var s = 0.0;
  for (var d = 0u; d < params.D; d++) {
    let e = E[base + d];
    s += e * e;
  }
  OUT[k] = s;
}
