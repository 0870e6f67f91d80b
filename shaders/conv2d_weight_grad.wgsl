// Weight gradient of a 2-D convolution as a split-K implicit GEMM (WGSL has no float atomics):
// P[split, a, b, kh, kw] = Σ G[n, a, oy, ox] · X[n, b, oy·stride − pad + kh, ox·stride − pad + kw]
// over the reduction rows (n, oy) of this split and every ox; the wrapper then sums P over
// splits. With G = dY and X = x this is conv2d's dW [Cout, Cin, K, K]; with G = x and X = dY it
// is convTranspose2d's dW [Cin, Cout, K, K].
// GEMM view: M = A (rows of G), N = B·K·K, reduction = (n, oy, ox). Each invocation owns an
// A_BLOCK × B_BLOCK × K·K register tile: A_BLOCK a's × B_BLOCK adjacent b's × every (kh, kw)
// (the wrapper picks 8 × 2 up to 3×3, 16 × 1 at 4×4 and 8 × 1 at 5×5); per ox it loads A_BLOCK
// values of G and B_BLOCK·min(stride, K)·K new values of X (the window below) for
// A_BLOCK·B_BLOCK·K·K multiply-adds (loads per multiply-add is what bounds a SIMD-on-CPU adapter
// such as llvmpipe, where each lane's load is a gather). The split and the a-block come from
// workgroup_id and lanes differ only in b, so every G address is uniform across the workgroup
// (a broadcast; cached and coalesced on GPUs) and lanes read X rows B_BLOCK channels apart.
// No barrier, no div/mod in the loops; the tile is unrolled by the wrapper into named registers
// (an indexed array can live in memory).
// X window slid along the row: the K taps of kernel row kh at column ox + 1 are those at ox
// shifted by the stride, so each column keeps K − stride of them in registers and loads only
// min(stride, K) new ones per kernel row (3×3: 3 loads instead of 9; 5×5 stride 2: 10 instead of
// 25), same sums in the same order (bit-identical). Measured on llvmpipe 1.1-1.45× faster on the
// speed goal's shapes, and 2 b's per lane at 3×3 1.17-1.29× more (BENCHMARKS.md); on GPUs both
// cut load instructions the same way.
// Read before writing (peers): jax-js 0.1.25 generates its weight gradient as a reduction
// kernel whose 16 lanes split the (n, oy, ox) reduction along consecutive x and combine partials
// in workgroup memory with barriers, 4 × 3 accumulators per lane and every tap loaded anew
// (28 loads per 48 multiply-adds); onnxruntime-web has no weight gradient (inference only: as a
// graph it is a dilated conv of x and dY with batch and channels swapped, far slower here).
// Taken: nothing of jax-js's lane split (barriers cost a coroutine switch per lane group on
// llvmpipe, and our split over workgroups plus one reduce pass needs none); its unrolled named
// accumulators were already the design here. Mesa's gallivm broadcasts a load from one address
// only outside control flow (no execution mask); inside a loop, or after an early return, every
// load is a per-lane gather, uniform address or not, so loads per multiply-add are what the tile
// and the window minimise.
// Loop budget: an invocation walks rowsPerSplit rows × oxPerSplit columns, one loop pass per
// column and row; llvmpipe cuts an invocation short after 65,535 (silently), so the wrapper's
// split of the reduction keeps rows × (columns + 2) under it, splitting the columns of a row too
// wide alone. Workgroup z is the split: (row split) · oxSplits + (column split).
// Shapes: G [N, A, Hg, Wg], X [N, B, H, W], P [splits, A, B, K, K] with K = KSIZE.
// Params (CONV_WEIGHT_GRAD block in src/kernels/conv_gather.ts): N, A, Hg, Wg, B, H, W as in
// the shapes; rows = N·Hg; stride, pad; rowsPerSplit, aBlocks (ceil(A / A_BLOCK)); total;
// oxPerSplit, oxSplits (columns per split, column splits per row split).
// Bindings: 0 params, 1 G, 2 X (read), 3 P (read_write).
// Grid: (ceil(B / (32 · B_BLOCK)), ceil(A / A_BLOCK), splits), workgroups of 32.

@group(0) @binding(1) var<storage, read> G: array<f32>;
@group(0) @binding(2) var<storage, read> X: array<f32>;
@group(0) @binding(3) var<storage, read_write> P: array<f32>;

const K: u32 = KSIZE;

@compute @workgroup_size(32)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  // B_BLOCK channels b, b + 1, … per lane (the last one clamped to B − 1 and not stored).
  let b = (wid.x * 32u + lid) * B_BLOCK_SIZE;
  // Lanes past the last channel leave at once (a SIMD adapter then skips all-dead lane groups).
  if (b >= params.B) { return; }
  let a0 = wid.y * A_BLOCK_SIZE;
  let split = wid.z;
  let A = params.A;
  let HWg = params.Hg * params.Wg;
  let H = i32(params.H);
  // Unrolled: `let go{i} = min(a0 + {i}u, A - 1u) * HWg;`, `var acc{j}_{kh}_{kw}_{v}: vec4<f32>;`
  // (j < B_BLOCK the lane's channel b + j)
  DECLARE_BLOCK

  let rowSplit = split / params.oxSplits;
  let ox0 = (split % params.oxSplits) * params.oxPerSplit;
  let ox1 = min(params.Wg, ox0 + params.oxPerSplit);
  let rowEnd = min(params.rows, (rowSplit + 1u) * params.rowsPerSplit);
  for (var row = rowSplit * params.rowsPerSplit; row < rowEnd; row++) {
    let n = row / params.Hg;
    let oy = row % params.Hg;
    let iy0 = i32(oy) * params.stride - params.pad;
    let xc = (n * params.B + b) * params.H * params.W;
    let HW = params.H * params.W;
    // Unrolled per kh: rows outside X read zeros through a select, not a branch.
    // `let ok{kh} = (iy0 + {kh} >= 0) & (iy0 + {kh} < H);`
    // `let xr{j}_{kh} = xc + min(j, B − 1 − b)·HW + u32(clamp(iy0 + {kh}, 0, H − 1)) * params.W;`
    // and the window before the first column (ixp = its x − stride): `var x{j}_{kh}_{kw} =
    // loadX(xr{j}_{kh}, ixp + {kw}, ok{kh});` for the kw ≥ stride the first column keeps, else
    // `var x{j}_{kh}_{kw}: f32;`
    ROW_BLOCK
    let grow = n * A * HWg + oy * params.Wg;
    for (var ox = ox0; ox < ox1; ox++) {
      let gr = grow + ox;
      let ixb = i32(ox) * params.stride - params.pad;
      // Unrolled: `let g{v} = vec4(G[gr + go{4v}], …, G[gr + go{4v+3}]);`; the window slid:
      // `x{j}_{kh}_{kw} = x{j}_{kh}_{kw + stride};` for kw < K − stride, the rest
      // `x{j}_{kh}_{kw} = loadX(xr{j}_{kh}, ixb + {kw}, ok{kh});`;
      // `acc{j}_{kh}_{kw}_{v} += x{j}_{kh}_{kw} * g{v};`
      ACCUMULATE_BLOCK
    }
  }
  // Unrolled: `store(split, a0 + {i}u, b + {j}u, {kh}u, {kw}u, acc{j}_{kh}_{kw}_{i / 4}[{i % 4}]);`
  STORE_BLOCK
}

// `&`, not `&&`: a short-circuit `&&` is control flow to Tint, and Chromium's SwiftShader took
// minutes (4×4 taps) to forever (5×5) to compile the unrolled tile's 16-25 branchy loads.
fn loadX(xrow: u32, ix: i32, rowOk: bool) -> f32 {
  let W = i32(params.W);
  return select(0.0, X[xrow + u32(clamp(ix, 0, W - 1))], rowOk & (ix >= 0) & (ix < W));
}

fn store(split: u32, a: u32, b: u32, kh: u32, kw: u32, v: f32) {
  if (a >= params.A || b >= params.B) { return; }
  P[(((split * params.A + a) * params.B + b) * K + kh) * K + kw] = v;
}
