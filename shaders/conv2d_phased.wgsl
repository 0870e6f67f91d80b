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
// keeps an indexed private array in memory (3-4× slower), and on llvmpipe every lane's load is
// a gather, so multiply-adds per load is what the block size buys.
// Shapes: X [N, Cin, H, W], Y [N, Cout, Ho, Wo], bias [Cout] (read only if hasBias).
// Loop budget: per input channel of [ci0, ci1) the ⌈K / S⌉² taps of the phase (the block is
// unrolled, no loop); the wrapper splits the channels so that stays under llvmpipe's 65,535
// loop passes per invocation (conv2d_gather_common.wgsl).
// Params (CONV_GATHER block in src/kernels/conv_gather.ts): see conv2d_gather_common.wgsl.
// Bindings (0 params, 1 X, 2 Wt, 3 bias, 4 Y) and act(): conv2d_gather_common.wgsl, which the
// wrapper prepends.
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
  let W = i32(params.W);
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
  // Unrolled by the wrapper (one line per output channel c of the block):
  // `let wr{c} = i32(min(co0 + {c}u, params.Cout - 1u)) * params.wOut;` and `var acc{c}: vec4<f32>;`
  // Named registers rather than arrays: some compilers (llvmpipe's) keep an indexed array in
  // memory.
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
      for (var kw = kw0; kw < K; kw += S) {
        let ix0 = (ixBase + kw) / S - liftS;
        // Unrolled: `let xv{v} = loadX4(xrow, ix0 + {4·v}·cs, cs, rowOk);`
        LOAD_BLOCK
        let wkk = wk + kw * params.wKw;
        // Unrolled: `acc{c} += Wt[wkk + wr{c}] * xv;`
        ACCUMULATE_BLOCK
      }
    }
  }
  // Unrolled: `store(n, co0 + {c}u, oy, ox0, acc{c});`
  STORE_BLOCK
}

/** X[xrow + ix0 + j·cs] for j < 4, zero outside the row (or when the row itself is outside). */
fn loadX4(xrow: u32, ix0: i32, cs: i32, rowOk: bool) -> vec4<f32> {
  let W = i32(params.W);
  let ix = vec4<i32>(ix0) + vec4<i32>(0, 1, 2, 3) * cs;
  let ixc = vec4<u32>(clamp(ix, vec4<i32>(0), vec4<i32>(W - 1)));
  return select(
    vec4<f32>(0.0),
    vec4<f32>(X[xrow + ixc.x], X[xrow + ixc.y], X[xrow + ixc.z], X[xrow + ixc.w]),
    vec4<bool>(rowOk) & (ix >= vec4<i32>(0)) & (ix < vec4<i32>(W)),
  );
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
