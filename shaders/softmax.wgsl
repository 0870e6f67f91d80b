// Softmax / log-softmax along one dim, one invocation per row: X viewed as [outer, L, inner],
// row r = (o, q) holds X[o, :, q] at stride `inner`. Three passes over the row: max, sum of
// exp(x - max), write (LOG: x - max - log(sum); else exp(x - max) / sum). One lane per row
// needs no barrier (cheap on CPU adapters) and suits the short rows of attention maps on GPUs.
// Loop budget: 3·(L + 1) loop passes per invocation; llvmpipe cuts an invocation short after
// 65,535 (silently), so the wrapper sends rows up to L = 21,844 and composes longer ones from
// split reductions.
// Params (SOFTMAX block in src/kernels/softmax.ts): rows = outer·inner, len = L, inner.
// Bindings: 0 params, 1 X (read), 2 Y (read_write). Grid: ceil(outer * inner / 64), folded.

@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;

const LOG: bool = LOG_FLAG;

@compute @workgroup_size(64)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let r = linearIndex(wid, nwg, lid, 64u);
  if (r >= params.rows) { return; }
  let inner = params.inner;
  let base = (r / inner) * params.len * inner + r % inner;
  var m = -infF32();
  for (var k = 0u; k < params.len; k++) { m = max(m, X[base + k * inner]); }
  var s = 0.0;
  for (var k = 0u; k < params.len; k++) { s += exp(X[base + k * inner] - m); }
  let ls = log(s);
  for (var k = 0u; k < params.len; k++) {
    let v = X[base + k * inner] - m;
    if (LOG) { Y[base + k * inner] = v - ls; } else { Y[base + k * inner] = exp(v) / s; }
  }
}
