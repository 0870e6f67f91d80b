// Weight gradient of a 2-D convolution as partial sums over a split reduction (WGSL has no float
// atomics): P[split, a, b, kh, kw] = Σ G[n, a, oy, ox] · X[n, b, oy·stride − pad + kh,
// ox·stride − pad + kw] over the reduction rows (n, oy) of this split and every ox; the wrapper
// then sums P over splits. With G = dY and X = x this is conv2d's dW [Cout, Cin, K, K]; with
// G = x and X = dY it is convTranspose2d's dW [Cin, Cout, K, K].
// Each invocation owns 8 a's × one (b, kh) × all K kw's: per ox it loads 8 values of G and K of
// X for 8·K multiply-adds, all in registers.
// Shapes: G [N, A, Hg, Wg], X [N, B, H, W], P [splits, A, B, K, K] with K = KSIZE.
// Bindings: 0 params, 1 G, 2 X (read), 3 P (read_write).
// Grid: ceil(total / 64) workgroups of 64, folded; total = splits · ceil(A / 8) · B · K.

struct Params {
  N: u32, A: u32, Hg: u32, Wg: u32,
  B: u32, H: u32, W: u32, rows: u32,
  stride: i32, pad: i32, rowsPerSplit: u32, aBlocks: u32,
  total: u32, pad0: u32, pad1: u32, pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> G: array<f32>;
@group(0) @binding(2) var<storage, read> X: array<f32>;
@group(0) @binding(3) var<storage, read_write> P: array<f32>;

const K: u32 = KSIZE;

@compute @workgroup_size(64)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let t = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (t >= params.total) { return; }
  let kh = t % K;
  var r = t / K;
  let b = r % params.B;
  r = r / params.B;
  let ab = r % params.aBlocks;
  let split = r / params.aBlocks;
  let a0 = ab * 8u;
  let A = params.A;
  let HWg = params.Hg * params.Wg;
  let HW = params.H * params.W;
  let W = i32(params.W);

  var acc: array<vec4<f32>, 2u * K>;
  let rowEnd = min(params.rows, (split + 1u) * params.rowsPerSplit);
  for (var row = split * params.rowsPerSplit; row < rowEnd; row++) {
    let n = row / params.Hg;
    let oy = row % params.Hg;
    let iy = i32(oy) * params.stride - params.pad + i32(kh);
    if (iy < 0 || iy >= i32(params.H)) { continue; }
    var ga: array<u32, 8>;
    for (var i = 0u; i < 8u; i++) {
      ga[i] = (n * A + min(a0 + i, A - 1u)) * HWg + oy * params.Wg;
    }
    let xrow = (n * params.B + b) * HW + u32(iy) * params.W;
    for (var ox = 0u; ox < params.Wg; ox++) {
      let g0 = vec4<f32>(G[ga[0] + ox], G[ga[1] + ox], G[ga[2] + ox], G[ga[3] + ox]);
      let g1 = vec4<f32>(G[ga[4] + ox], G[ga[5] + ox], G[ga[6] + ox], G[ga[7] + ox]);
      let ixb = i32(ox) * params.stride - params.pad;
      for (var kw = 0u; kw < K; kw++) {
        let ix = ixb + i32(kw);
        let v = X[xrow + u32(clamp(ix, 0, W - 1))];
        let xv = select(0.0, v, ix >= 0 && ix < W);
        acc[2u * kw] += xv * g0;
        acc[2u * kw + 1u] += xv * g1;
      }
    }
  }
  let KK = K * K;
  for (var i = 0u; i < 8u; i++) {
    let a = a0 + i;
    if (a >= A) { break; }
    let base = ((split * A + a) * params.B + b) * KK + kh * K;
    for (var kw = 0u; kw < K; kw++) { P[base + kw] = acc[2u * kw + i / 4u][i % 4u]; }
  }
}
