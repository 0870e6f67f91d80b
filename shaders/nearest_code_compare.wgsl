// Shared by nearest_code_register.wgsl and nearest_code_tiled.wgsl (the wrapper prepends it):
// the (distance, index) order of the argmin, so both variants break ties and treat NaN alike.

// Whether candidate (v, k) beats (bv, bk): smaller distance, lower index on ties, NaN loses.
fn better(v: f32, k: u32, bv: f32, bk: u32) -> bool {
  if (isNan(v)) { return false; }
  return isNan(bv) || v < bv || (v == bv && k < bk);
}
