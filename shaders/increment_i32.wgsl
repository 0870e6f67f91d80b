// Adds a constant to every element of an i32 buffer in place (BatchNorm's num_batches_tracked
// counter stays on the GPU, no readback): X[i] += params.delta for i < n.
// Bindings: 0 params, 1 X (read_write). Grid: ceil(n / 64) workgroups of 64 (x).

struct Params {
  n: u32,
  delta: i32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> X: array<i32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= params.n) { return; }
  X[gid.x] = X[gid.x] + params.delta;
}
