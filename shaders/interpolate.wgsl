// Separable resampling (nearest / bilinear) of X [N, C, H, W] to Y [N, C, Ho, Wo], forward and
// input gradient, driven by per-axis tables computed on the host with PyTorch's index rules:
// for each output row oy, T[yOut + 4·oy ..] = (i0, i1, w0, w1) (source rows and weights; nearest
// has w1 = 0), likewise for columns at xOut; for each input row iy, T[yIn + 2·iy ..] = the
// range [lo, hi) of output rows that read it, likewise for columns at xIn.
// FORWARD: Y[oy, ox] = Σ wy·wx·X[iy, ix] over the 2×2 (i0/i1) sources.
// BACKWARD (BACKWARD_FLAG): DX[iy, ix] = Σ over the output rows/cols that read it of
// G[oy, ox]·cy(oy)·cx(ox), c = the weight with which that output reads this input.
// Params (INTERPOLATE block in src/kernels/interpolate.ts): total (elements of Out), H, W, Ho,
// Wo, and the table offsets yOut, xOut, yIn, xIn.
// Bindings: 0 params, 1 In (X or G), 2 T (read), 3 Out (Y or DX, read_write).
// Grid: ceil(elements of Out / 256), folded.

@group(0) @binding(1) var<storage, read> In: array<f32>;
@group(0) @binding(2) var<storage, read> T: array<f32>;
@group(0) @binding(3) var<storage, read_write> Out: array<f32>;

const BACKWARD: bool = BACKWARD_FLAG;

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
  if (!BACKWARD) {
    let ox = i % params.Wo;
    let oy = (i / params.Wo) % params.Ho;
    let plane = (i / (params.Wo * params.Ho)) * params.H * params.W;
    let ty = params.yOut + 4u * oy;
    let tx = params.xOut + 4u * ox;
    let r0 = plane + u32(T[ty]) * params.W;
    let r1 = plane + u32(T[ty + 1u]) * params.W;
    let c0 = u32(T[tx]);
    let c1 = u32(T[tx + 1u]);
    let wx0 = T[tx + 2u];
    let wx1 = T[tx + 3u];
    Out[i] = T[ty + 2u] * (wx0 * In[r0 + c0] + wx1 * In[r0 + c1]) +
      T[ty + 3u] * (wx0 * In[r1 + c0] + wx1 * In[r1 + c1]);
  } else {
    let ix = i % params.W;
    let iy = (i / params.W) % params.H;
    let plane = (i / (params.W * params.H)) * params.Ho * params.Wo;
    let ylo = u32(T[params.yIn + 2u * iy]);
    let yhi = u32(T[params.yIn + 2u * iy + 1u]);
    let xlo = u32(T[params.xIn + 2u * ix]);
    let xhi = u32(T[params.xIn + 2u * ix + 1u]);
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
}
