// Direct 2-D convolution in gather form, register-blocked, one phase and one output-channel block
// per workgroup. Same Params and semantics as conv2d_direct.wgsl (conv2d / convTranspose2d
// forward and their input gradients): Y[n, co, oy, ox] = ACT(Σ X[n, ci, iy, ix] ·
// Wt(co, ci, kh, kw) + bias) with iy · inStride = oy · convStride − pad + kh (same for x).
// Outputs are split by phase (oy mod S, ox mod S), S = inStride: within a phase the valid kh are
// kh0, kh0 + S, … (and kw likewise), so the holes of a transposed conv are never visited and no
// lane of a workgroup is masked off by them, and each lane's X_BLOCK outputs (S apart) read
// X_BLOCK consecutive-by-convStride inputs. The output-channel block comes from workgroup_id, so
// every weight address is uniform across the workgroup (a broadcast, cached load on GPUs);
// lanes differ first along the output row, so their X loads are adjacent (coalesced). No
// barrier, no shared memory, no div/mod in the loops; dead lanes leave at once.
// Each invocation: CO_BLOCK output channels × X_BLOCK output x-positions of one output row (the
// wrapper picks 4-32 × 8-24), the block unrolled by the wrapper into named registers: llvmpipe
// keeps an indexed private array in memory (3-4× slower).
// Loads, four floats at a time: on llvmpipe (Mesa 22) every storage-buffer load instruction is
// a loop over the SIMD lanes with a bounds check and a branch per lane, for a scalar as for a
// vec4, so what a block buys is multiply-adds per load instruction, and vec4 loads cost a quarter
// of scalar ones per float. Hence (1) the weights come packed [Cin, K, K, Cout rounded up to
// CO_BLOCK] (a strided copy before the dispatch, src/kernels/conv_gather.ts packWeights) and
// are read as vec4: CO_BLOCK / 4 loads per tap instead of CO_BLOCK; (2) X is read as vec4 too:
// per row (ci, kh) the (X_BLOCK − 1)·convStride + ⌈K / S⌉ inputs that all the row's kw taps read
// are contiguous, so they are loaded once, aligned, in ⌈that / 4⌉ + 1 vec4 loads, shifted to the
// row's offset (three selects, window4) and masked outside the row (rowMask); each tap's vec4s
// are assembled from those registers (k5 s2, 20 positions: 12 vec4 loads per row where the
// scalar per-tap form issued 100 loads; 3×3 s1, 16 positions: 6 instead of 48). Measured on
// llvmpipe, forward and input gradient of the speed goal's shapes: 1.2-2.1× the scalar per-tap
// form (bench/conv_ab_bench.ts). On a GPU the packed weights are one small extra dispatch, the
// vec4 weight loads are broadcasts and the X vec4s coalesce, so the form suits both.
// Shapes: X [N, Cin, H, W], Y [N, Cout, Ho, Wo], bias [Cout] (read only if hasBias).
// Loop budget: per input channel of [ci0, ci1) the ⌈K / S⌉² taps of the phase (the block is
// unrolled, no loop); the wrapper splits the channels so that stays under llvmpipe's 65,535
// loop passes per invocation (conv2d_gather_common.wgsl).
// Params (CONV_GATHER block in src/kernels/conv_gather.ts): see conv2d_gather_common.wgsl; here
// the weight strides wIn, wKh, wKw count vec4s of the packed weights (wBase, wOut unused).
// Bindings (0 params, 1 X, 2 Wt, 3 bias, 4 Y) and act(): conv2d_gather_common.wgsl, which the
// wrapper prepends, with X and Wt declared array<vec4<f32>> (X's buffer is whole vec4s: the
// pool's sizes are multiples of 256 bytes, and X starts at 0).
// Grid: (gx, gy, coBlocks · S²), gx·gy·64 ≥ total = N · blocks · xGroups, where blocks =
// ceil(Ho / S) output rows and xGroups = ceil(ceil(Wo / S) / X_BLOCK) lane groups per phase.

const X_BLOCK: u32 = X_BLOCK_SIZE;

@compute @workgroup_size(64)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let S = params.inStride;
  let SS = u32(S * S);
  let phase = wid.z % SS;
  let co0 = (wid.z / SS) * CO_BLOCK_SIZE;
  let py = i32(phase) / S;
  let px = i32(phase) % S;
  let t = (wid.x + wid.y * nwg.x) * 64u + lid;
  let xg = t % params.xGroups;
  let r = t / params.xGroups;
  let oy = u32(py) + (r % params.blocks) * u32(S);
  let n = r / params.blocks;
  let ox0 = u32(px) + xg * X_BLOCK * u32(S);
  // Lanes past the end leave at once: a SIMD adapter then skips groups of lanes that are all
  // dead (small maps leave most of the last workgroup empty).
  if (t >= params.total || oy >= params.Ho) { return; }
  let cs = params.convStride;
  let H = i32(params.H);
  let K = i32(params.K);
  // First valid kh / kw of this phase: (p·cs − pad + k) ≡ 0 (mod S). Integer % and / only ever
  // see non-negative operands: GLSL (wgpu's GL backend) leaves them undefined for negative ones,
  // and there they gave wrong kernels at stride 3 (pad + p·cs·(S − 1) ≡ pad − p·cs, mod S).
  let kh0 = (params.pad + py * cs * (S - 1)) % S;
  let kw0 = (params.pad + px * cs * (S - 1)) % S;
  // Offsets that make the divided sums non-negative (iyBase ≥ −pad); the division is exact.
  let lift = (params.pad / S + 1) * S;
  let iyBase = i32(oy) * cs - params.pad + lift;
  let ixBase = i32(ox0) * cs - params.pad + lift;
  let liftS = lift / S;
  let xn = n * params.Cin * params.H * params.W;
  let HW = params.H * params.W;
  // Unrolled by the wrapper: `let wb = i32(co0 / 4u);` (the block's first weight vec4) and
  // `var acc{c}_{v}: vec4<f32>;` per output channel c and x vec4 v of the block. Named registers
  // rather than arrays: some compilers (llvmpipe's) keep an indexed array in memory.
  DECLARE_BLOCK

  for (var ci = params.ci0; ci < params.ci1; ci++) {
    let xc = xn + ci * HW;
    let wc = params.wBase + i32(ci) * params.wIn;
    for (var kh = kh0; kh < K; kh += S) {
      // Rows outside X contribute zeros through the select below rather than a branch, so
      // control flow (and the weight addresses) stay uniform across the workgroup.
      let iy = (iyBase + kh) / S - liftS;
      let rowOk = iy >= 0 && iy < H;
      let xrow = xc + u32(clamp(iy, 0, H - 1)) * params.W;
      let wk = wc + kh * params.wKh;
      // Unrolled by the wrapper (phasedCode in conv_gather.ts): the row's inputs from
      // ix0 = (ixBase + kw0) / S − liftS, as vec4 loads `let v{g} = X[a + g]` (a = the aligned
      // start), `let r{g} = rowMask(window4(v{g}, v{g+1}, …), ix0 + 4g, rowOk)`; then per kw tap
      // t (kw = kw0 + t·S, the last one skipped past K): the block's input vec4s taken from the
      // r registers, the block's CO_BLOCK / 4 weight vec4s `Wt[wk + kw·wKw + wb + q]`, and
      // `acc{c}_{v} += w{c / 4}[c % 4] * xv{v}`.
      TAPS_BLOCK
    }
  }
  // Unrolled: `store(n, co0 + {c}u, oy, ox0 + {4·v}·S, acc{c}_{v});`
  STORE_BLOCK
}

/** Elements off … off + 3 of the 8 in (a, b), off = 0 … 3 given as the flags off == 1, 2, 3. */
fn window4(a: vec4<f32>, b: vec4<f32>, o1: bool, o2: bool, o3: bool) -> vec4<f32> {
  var u = select(a, vec4<f32>(a.yzw, b.x), o1);
  u = select(u, vec4<f32>(a.zw, b.xy), o2);
  return select(u, vec4<f32>(a.w, b.xyz), o3);
}

/** u (the inputs ix … ix + 3 of a row) with those outside the row, or of a row outside X, zeroed. */
fn rowMask(u: vec4<f32>, ix: i32, rowOk: bool) -> vec4<f32> {
  let W = i32(params.W);
  let i = vec4<i32>(ix) + vec4<i32>(0, 1, 2, 3);
  return select(vec4<f32>(0.0), u, vec4<bool>(rowOk) & (i >= vec4<i32>(0)) & (i < vec4<i32>(W)));
}

fn store(n: u32, co: u32, oy: u32, ox0: u32, v: vec4<f32>) {
  if (co >= params.Cout) { return; }
  var b = 0.0;
  if (params.hasBias != 0u) { b = Bias[co]; }
  let S = u32(params.inStride);
  let yrow = (n * params.Cout + co) * params.Ho * params.Wo + oy * params.Wo;
  for (var j = 0u; j < 4u; j++) {
    let ox = ox0 + j * S;
    if (ox < params.Wo) { Y[yrow + ox] = act(v[j] + b); }
  }
}
