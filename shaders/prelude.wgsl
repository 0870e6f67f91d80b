// Helpers every kernel may use; src/core/dispatch.ts prepends this file to each shader module, so
// kernels call them without defining their own (unused functions cost nothing).
//
// NaN: WGSL leaves min/max/clamp of NaN implementation-defined and llvmpipe folds `x != x` to
// false (it assumes finite floats), so NaN is tested on the bits, and the NaN-propagating
// nanMax / nanMin / nanClamp give PyTorch's semantics (torch.maximum, relu, clamp, max_pool2d
// all return NaN when an input is NaN) on every adapter.
//
// NaN and ±Infinity are made at run time (f32Bits): Chromium's WGSL compiler (Tint) rejects a
// constant expression whose value is not a finite f32 (`bitcast<f32>(0x7fc00000u)` fails with
// "value nan cannot be represented as 'f32'"), and a call of a user function is never a
// constant expression, so the bits reach bitcast as a function argument and nothing folds.

fn f32Bits(bits: u32) -> f32 {
  return bitcast<f32>(bits);
}

fn nanF32() -> f32 {
  return f32Bits(0x7fc00000u);
}

// +Infinity; the negative one is -infF32().
fn infF32() -> f32 {
  return f32Bits(0x7f800000u);
}

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

// Logistic sigmoid; NaN passes through explicitly (SwiftShader's exp(NaN) is not NaN, which made
// sigmoid(NaN) 0 in Chromium).
fn sigm(v: f32) -> f32 {
  return select(1.0 / (1.0 + exp(-v)), v, isNan(v));
}

// Linear invocation index of a 1D grid folded into x and y (grids over 65,535 workgroups), for
// workgroups of `size` invocations.
fn linearIndex(wid: vec3<u32>, nwg: vec3<u32>, lid: u32, size: u32) -> u32 {
  return (wid.x + wid.y * nwg.x) * size + lid;
}
