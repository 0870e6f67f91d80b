// Input gradient of interpolate.wgsl (same tables T): DX[iy, ix] = Σ over the output rows and
// columns that read the input of G[oy, ox]·cy(oy)·cx(ox), c = the weight with which that output
// reads this input, summed as Σ_oy cy·(Σ_ox G·cx) (no float atomics: a gather per input).
// Loop budget: MODE 1 runs (rows reading iy) × (columns reading ix) loop passes per invocation,
// which a large upsampling factor (a 1×2 map up to 300×400) takes past llvmpipe's 65,535 (it
// cuts an invocation short, silently). The wrapper then runs two passes of one loop each, the
// same sums in the same order: MODE 2 (columns) T2[oy, ix] = Σ_ox G[oy, ox]·cx(ox) into
// Out = T2 [N, C, Ho, W], then MODE 3 (rows) DX[iy, ix] = Σ_oy cy(oy)·T2[oy, ix].
// Template: MODE (1 fused, 2 columns, 3 rows).
// Params (INTERPOLATE block in src/kernels/interpolate.ts): total (elements of Out), H, W, Ho,
// Wo, and the table offsets yOut, xOut, yIn, xIn.
// Bindings: 0 params, 1 In (G, or T2 for MODE 3), 2 T (read), 3 Out (DX, or T2 for MODE 2;
// read_write). Grid: ceil(elements of Out / 256), folded.

@group(0) @binding(1) var<storage, read> In: array<f32>;
@group(0) @binding(2) var<storage, read> T: array<f32>;
@group(0) @binding(3) var<storage, read_write> Out: array<f32>;

const MODE: u32 = MODE_ID;

/** The weight with which output position o (table at off) reads input position i. */
fn coef(off: u32, o: u32, i: u32) -> f32 {
  let e = off + 4u * o;
  return select(0.0, T[e + 2u], u32(T[e]) == i) + select(0.0, T[e + 3u], u32(T[e + 1u]) == i);
}

@compute @workgroup_size(256)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = linearIndex(wid, nwg, lid, 256u);
  if (i >= params.total) { return; }
  let ix = i % params.W;
  let xlo = u32(T[params.xIn + 2u * ix]);
  let xhi = u32(T[params.xIn + 2u * ix + 1u]);
  if (MODE == 2u) {
    let oy = (i / params.W) % params.Ho;
    let row = (i / (params.W * params.Ho)) * params.Ho * params.Wo + oy * params.Wo;
    var s = 0.0;
    for (var ox = xlo; ox < xhi; ox++) { s += In[row + ox] * coef(params.xOut, ox, ix); }
    Out[i] = s;
    return;
  }
  let iy = (i / params.W) % params.H;
  let ylo = u32(T[params.yIn + 2u * iy]);
  let yhi = u32(T[params.yIn + 2u * iy + 1u]);
  if (MODE == 3u) {
    let plane = (i / (params.W * params.H)) * params.Ho * params.W;
    var s = 0.0;
    for (var oy = ylo; oy < yhi; oy++) {
      s += coef(params.yOut, oy, iy) * In[plane + oy * params.W + ix];
    }
    Out[i] = s;
    return;
  }
  let plane = (i / (params.W * params.H)) * params.Ho * params.Wo;
  var s = 0.0;
  for (var oy = ylo; oy < yhi; oy++) {
    let cy = coef(params.yOut, oy, iy);
    var row = 0.0;
    for (var ox = xlo; ox < xhi; ox++) {
      row += In[plane + oy * params.Wo + ox] * coef(params.xOut, ox, ix);
    }
    s += cy * row;
  }
  Out[i] = s;
}
