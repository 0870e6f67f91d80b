// Helpers every kernel may use; src/core/dispatch.ts prepends this file to each shader module, so
// kernels call them without defining their own (unused functions cost nothing).
//
// NaN: WGSL leaves min/max/clamp of NaN implementation-defined and llvmpipe folds `x != x` to
// false (it assumes finite floats), so NaN is tested on the bits, and the NaN-propagating
// nanMax / nanMin / nanClamp give PyTorch's semantics (torch.maximum, relu, clamp, max_pool2d
// all return NaN when an input is NaN) on every adapter.

fn isNan(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}

fn nanMax(a: f32, b: f32) -> f32 {
  if (isNan(a)) { return a; }
  if (isNan(b)) { return b; }
  return max(a, b);
}

fn nanMin(a: f32, b: f32) -> f32 {
  if (isNan(a)) { return a; }
  if (isNan(b)) { return b; }
  return min(a, b);
}

fn nanClamp(x: f32, lo: f32, hi: f32) -> f32 {
  return select(min(max(x, lo), hi), x, isNan(x));
}

fn sigm(v: f32) -> f32 {
  return 1.0 / (1.0 + exp(-v));
}

// Linear invocation index of a 1D grid folded into x and y (grids over 65,535 workgroups), for
// workgroups of `size` invocations.
fn linearIndex(wid: vec3<u32>, nwg: vec3<u32>, lid: u32, size: u32) -> u32 {
  return (wid.x + wid.y * nwg.x) * size + lid;
}
