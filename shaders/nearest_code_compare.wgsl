// Shared by nearest_code_register.wgsl and nearest_code_tiled.wgsl (the wrapper prepends it):
// the (distance, index) order of the argmin, so both variants break ties and treat NaN alike.

// NaN test on the bits: llvmpipe folds `x != x` to false (it assumes no NaNs).
fn isNan(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}

// Whether candidate (v, k) beats (bv, bk): smaller distance, lower index on ties, NaN loses.
fn better(v: f32, k: u32, bv: f32, bk: u32) -> bool {
  if (isNan(v)) { return false; }
  return isNan(bv) || v < bv || (v == bv && k < bk);
}
