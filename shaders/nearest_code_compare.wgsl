// Shared by nearest_code_register.wgsl, nearest_code_tiled.wgsl and nearest_code_merge.wgsl (the
// wrapper prepends it): the (distance, index) order of the argmin, so both variants and the merge
// of split codebooks break ties and treat NaN alike, and the distance reported.

// Whether candidate (v, k) beats (bv, bk): smaller distance, lower index on ties, NaN loses.
fn better(v: f32, k: u32, bv: f32, bk: u32) -> bool {
  if (isNan(v)) { return false; }
  return isNan(bv) || v < bv || (v == bv && k < bk);
}

// The reported distance: cancellation in ‖z‖² − 2 z·e + ‖e‖² can leave a tiny negative square,
// clamped at 0; NaN passes through.
fn finalDistance(v: f32) -> f32 {
  return select(max(v, 0.0), v, isNan(v));
}
