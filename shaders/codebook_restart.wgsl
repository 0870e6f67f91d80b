// Dead-code restart: codes flagged in MASK take a random row of the current encoder outputs,
// OUT[k, :] = Z[min(floor(U[k]·N), N − 1), :] where MASK[k] > 0, else W[k, :].
// Shapes: W [K, D], Z [N, D], U [K] uniform in [0, 1), MASK [K] (0/1); OUT [K, D].
// Params (CODEBOOK_RESTART block in src/kernels/codebook_restart.ts): N, K, D as above.
// Bindings: 0 params, 1 W, 2 Z, 3 U, 4 MASK (read), 5 OUT (read_write).
// Grid: ceil(K·D / 256), folded.

@group(0) @binding(1) var<storage, read> W: array<f32>;
@group(0) @binding(2) var<storage, read> Z: array<f32>;
@group(0) @binding(3) var<storage, read> U: array<f32>;
@group(0) @binding(4) var<storage, read> MASK: array<f32>;
@group(0) @binding(5) var<storage, read_write> OUT: array<f32>;

@compute @workgroup_size(256)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = linearIndex(wid, nwg, lid, 256u);
  let D = params.D;
  if (i >= params.K * D) { return; }
  let k = i / D;
  if (MASK[k] > 0.0) {
    let n = min(u32(U[k] * f32(params.N)), params.N - 1u);
    OUT[i] = Z[n * D + i % D];
  } else {
    OUT[i] = W[i];
  }
}
