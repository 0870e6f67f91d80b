// The two dispatches every convolution is made of, shared by conv2d and convTranspose2d:
// `convGather` (a convolution in gather form: conv2d forward, convTranspose2d forward and both
// ops' input gradients, with an optional bias + activation epilogue) and `convWeightGrad` (the
// split-reduction weight gradient). The gather variant is chosen per adapter: implicit GEMM with
// shared tiles on GPUs; on CPU adapters (llvmpipe) the phased register-blocked kernel
// (conv2d_phased.wgsl: one phase of a stride-dilated input per workgroup, so transposed convs
// never visit their holes, and its 32×8 block unrolled into named registers), measured 2-4×
// faster than either older kernel on the study's layer shapes (bench/peers/conv_peers_bench.ts).
// The phased kernel is not yet measured on a GPU. NEURAD_CONV=direct|gemm|phased overrides;
// tests pass the variant explicitly. Owns the parameter blocks: one shared by the three gather
// kernels, one for the weight gradient.
// Loop budget: llvmpipe cuts an invocation short after 65,535 loop passes (src/core/dispatch.ts).
// A gather invocation loops over its input channels and taps (GatherPlan.loops counts them); past
// the budget (from about 300 channels for the direct kernel; for the phased one about 9,000 at
// 5×5, 13,000 at 3×3) the channels are split into partial convolutions added before the bias
// and activation. A weight-gradient invocation loops over its rows and output columns; the split
// of the reduction (rows, and columns of rows too wide alone) keeps it within the budget too.

import { cachedSpec } from "./kernel_cache.ts";
import commonSrc from "../../shaders/conv2d_gather_common.wgsl" with { type: "text" };
import directBody from "../../shaders/conv2d_direct.wgsl" with { type: "text" };
import phasedBody from "../../shaders/conv2d_phased.wgsl" with { type: "text" };
import gemmBody from "../../shaders/conv2d_implicit_gemm.wgsl" with { type: "text" };

// Each gather kernel is its own body after the shared Params, bindings and act() epilogue.
const directSrc = commonSrc + directBody;
// The phased kernel reads the weights packed [ci][kh][kw][co] (packWeights), four channels a load.
const phasedSrc = commonSrc
  .replace("var<storage, read> Wt: array<f32>", "var<storage, read> Wt: array<vec4<f32>>")
  .replace("var<storage, read> X: array<f32>", "var<storage, read> X: array<vec4<f32>>") +
  phasedBody;
const gemmSrc = commonSrc + gemmBody;
import wgradSrc from "../../shaders/conv2d_weight_grad.wgsl" with { type: "text" };
import { deviceInfo } from "../core/device.ts";
import { dispatch, grid1d, type KernelSpec, loopCost, splitLoop } from "../core/dispatch.ts";
import { Tensor } from "../core/tensor.ts";
import { sum } from "./reduce.ts";
import { stridedCopy } from "./strided_copy.ts";
import { mapElementwise } from "./elementwise.ts";
import { envChoice } from "../core/env.ts";
import { paramBlock, type ParamValues } from "../core/uniforms.ts";

export type ConvVariant = "direct" | "gemm" | "phased";
/** Epilogue activations whose derivative can be read from the output (y > 0 ⇔ pre-act > 0). */
export type ConvActivation = "none" | "relu" | "leakyRelu";

const ACT: Record<ConvActivation, string> = {
  none: "v",
  relu: "nanMax(v, 0.0)",
  leakyRelu: "select(v * params.slope, v, v > 0.0)",
};

/** The gather variant for a gather whose input is dilated by `inStride` (1: a plain conv). */
export function convVariant(_inStride = 1): ConvVariant {
  const env = envChoice<ConvVariant>("NEURAD_CONV");
  if (env) return env;
  return deviceInfo().isFallbackAdapter ? "phased" : "gemm";
}

/** The gather kernels' block (conv2d_gather_common.wgsl describes the fields). */
const CONV_GATHER = paramBlock("ConvGatherParams", {
  N: "u32",
  Cin: "u32",
  H: "u32",
  W: "u32",
  Cout: "u32",
  Ho: "u32",
  Wo: "u32",
  K: "u32",
  convStride: "i32",
  inStride: "i32",
  pad: "i32",
  xGroups: "u32",
  wBase: "i32",
  wOut: "i32",
  wIn: "i32",
  wKh: "i32",
  wKw: "i32",
  blocks: "u32",
  hasBias: "u32",
  total: "u32",
  slope: "f32",
  ci0: "u32",
  ci1: "u32",
});
/** The weight gradient's block (conv2d_weight_grad.wgsl describes the fields). */
const CONV_WEIGHT_GRAD = paramBlock("ConvWeightGradParams", {
  N: "u32",
  A: "u32",
  Hg: "u32",
  Wg: "u32",
  B: "u32",
  H: "u32",
  W: "u32",
  rows: "u32",
  stride: "i32",
  pad: "i32",
  rowsPerSplit: "u32",
  aBlocks: "u32",
  total: "u32",
  oxPerSplit: "u32",
  oxSplits: "u32",
});

type GatherSpec = KernelSpec<typeof CONV_GATHER.fields>;
const cached = (key: string, make: () => GatherSpec) => cachedSpec("conv_gather", key, make);

/** Where weight element (out, in, kh, kw) lives: base + out·o + in·i + kh·h + kw·w. */
export interface WeightAccess {
  base: number;
  out: number;
  in: number;
  kh: number;
  kw: number;
}

export interface GatherArgs {
  /** [N, Cin, H, W] */
  x: Tensor;
  weight: Tensor;
  access: WeightAccess;
  bias: Tensor | null;
  cout: number;
  ho: number;
  wo: number;
  k: number;
  /** iy · inStride = oy · convStride − pad + kh. */
  convStride: number;
  inStride: number;
  pad: number;
  activation?: ConvActivation;
  slope?: number;
  variant?: ConvVariant;
}

/** One gather kernel, sized for a call: its spec per activation, values, grid and loop count. */
interface GatherPlan {
  spec: (act: ConvActivation) => GatherSpec;
  params: Omit<ParamValues<typeof CONV_GATHER.fields>, "ci0" | "ci1" | "hasBias">;
  grid: [number, number, number];
  /** Loop passes of an invocation summing `channels` input channels. */
  loops: (channels: number) => number;
  /** The weights as the kernel reads them, when not a.weight itself (the caller disposes it). */
  pack?: () => Tensor;
}

/** Y[n, co, oy, ox] = act(Σ X[n, ci, iy, ix] · W(co, ci, kh, kw) + bias[co]); see the WGSL. */
export function convGather(a: GatherArgs): Tensor {
  const N = a.x.shape[0];
  const { cout, ho, wo } = a;
  if (N * cout * ho * wo === 0) return Tensor.empty([N, cout, ho, wo]);
  const act = a.activation ?? "none";
  const plan = gatherPlan(a, a.variant ?? convVariant(a.inStride));
  const bias = a.bias;
  const packed = plan.pack?.();
  const weight = packed ?? a.weight;
  const run = (ci0: number, ci1: number, fused: boolean) => {
    const y = Tensor.empty([N, cout, ho, wo]);
    dispatch(
      plan.spec(fused ? act : "none"),
      { ...plan.params, ci0, ci1, hasBias: fused && !!bias },
      [a.x.buffer, weight.buffer, (bias ?? weight).buffer, y.buffer],
      plan.grid,
      plan.loops(ci1 - ci0),
    );
    return y;
  };
  try {
    return splitGather(a, plan, run);
  } finally {
    packed?.dispose();
  }
}

/** One gather over all of Cin, or partial gathers over channel chunks, added in order. */
function splitGather(
  a: GatherArgs,
  plan: GatherPlan,
  run: (ci0: number, ci1: number, fused: boolean) => Tensor,
): Tensor {
  const Cin = a.x.shape[1], { bias, cout } = a, act = a.activation ?? "none";
  const { splits, chunk } = splitLoop(Cin, plan.loops);
  if (splits === 1) return run(0, Cin, true);
  // Channel splits, added in order, then the bias and activation.
  let acc = run(0, chunk, false);
  for (let c0 = chunk; c0 < Cin; c0 += chunk) {
    const part = run(c0, Math.min(Cin, c0 + chunk), false);
    const next = mapElementwise("conv_split_sum", [acc, part], { params: PARAMS3, expr: "a + b" });
    acc.dispose();
    part.dispose();
    acc = next;
  }
  if (!bias && act === "none") return acc;
  const v = bias ? "(a + b)" : "a";
  const expr = ACT[act].replaceAll("params.slope", "s0").replace(/\bv\b/g, v);
  const b = bias?.view([cout, 1, 1]);
  const y = mapElementwise("conv_split_epilogue", b ? [acc, b] : [acc], {
    params: PARAMS3,
    expr,
    s0: a.slope ?? 0.01,
  });
  acc.dispose();
  b?.dispose();
  return y;
}

const PARAMS3 = "a: f32, b: f32, c: f32";

/** The kernel for a's variant: spec, parameters, grid and loop count per channel range. */
function gatherPlan(a: GatherArgs, variant: ConvVariant): GatherPlan {
  const [N, Cin, H, W] = a.x.shape;
  const { cout, ho, wo, k } = a;
  // Wide blocks of output channels amortise each X load; narrow ones avoid idle lanes.
  const coBlock = cout >= 32 ? 16 : cout >= 8 ? 8 : 4;
  const coBlocks = Math.ceil(cout / coBlock);
  const S = a.inStride;
  const xGroups = S * Math.ceil(Math.ceil(wo / S) / 4);
  const total = N * coBlocks * ho * xGroups;
  const w = a.access;
  const u = {
    N,
    Cin,
    H,
    W,
    Cout: cout,
    Ho: ho,
    Wo: wo,
    K: k,
    convStride: a.convStride,
    inStride: S,
    pad: a.pad,
    xGroups,
    wBase: w.base,
    wOut: w.out,
    wIn: w.in,
    wKh: w.kh,
    wKw: w.kw,
    blocks: coBlocks,
    total,
    slope: a.slope ?? 0.01,
  };
  if (variant === "phased") {
    // 32 channels × 8-24 x-positions per invocation: per (ci, kh) the row's inputs in about
    // X_BLOCK·stride / 4 vec4 loads, then per kw tap 8 weight vec4 loads for 256-768
    // multiply-adds. Narrower channel blocks for few output channels (a 1-channel output conv
    // would waste 31/32 otherwise).
    const xBlock = phasedXBlock(Math.ceil(wo / S));
    const cb = cout >= 32 ? 32 : cout >= 16 ? 16 : cout >= 8 ? 8 : 4;
    const rowsP = Math.ceil(ho / S);
    const xg = Math.ceil(Math.ceil(wo / S) / xBlock);
    const tot = N * rowsP * xg;
    const [gx, gy] = grid1d(Math.ceil(tot / 64));
    // Per channel the kh taps of the phase (kh steps by S; the kw taps are unrolled); then a
    // 4-wide store per register of the block.
    const taps = Math.ceil(k / S);
    const guard = k % S !== 0;
    // Weights packed [Cin, K, K, coP] (coP: Cout rounded up to the block), so a block's weights
    // of one tap are cb / 4 vec4 loads (see phasedCode).
    const coP = Math.ceil(cout / cb) * cb;
    const q = coP / 4;
    return {
      pack: () => packWeights(a.weight, w, Cin, k, cout, coP),
      spec: (act) =>
        cached(`phased|${cb}|${xBlock}|${act}|${taps}|${guard}|${a.convStride}`, () => ({
          name: "conv2d_phased",
          params: CONV_GATHER,
          code: phasedCode(cb, xBlock / 4, act, { taps, guard, cs: a.convStride }),
          inputs: 3,
          outputs: 1,
        })),
      params: {
        ...u,
        xGroups: xg,
        blocks: rowsP,
        total: tot,
        wBase: 0,
        wOut: 0,
        wIn: k * k * q,
        wKh: k * q,
        wKw: q,
      },
      grid: [gx, gy, Math.ceil(cout / cb) * S * S],
      loops: (c) => loopCost(c, loopCost(taps)) + (cb * xBlock / 4) * loopCost(4),
    };
  }
  if (variant === "direct") {
    const [gx, gy] = grid1d(Math.ceil(total / 64));
    // The weight rows; per channel and tap the 4 loads and the block's multiply-adds; the store.
    const perTap = loopCost(4) + loopCost(coBlock);
    return {
      spec: (act) =>
        cached(`direct|${coBlock}|${act}`, () => ({
          name: "conv2d_direct",
          params: CONV_GATHER,
          code: directSrc.replaceAll("CO_BLOCK_SIZE", `${coBlock}u`)
            .replaceAll("ACT_EXPR", ACT[act]),
          inputs: 3,
          outputs: 1,
        })),
      params: u,
      grid: [gx, gy, 1],
      loops: (c) =>
        loopCost(coBlock) + loopCost(c, loopCost(k, loopCost(k, perTap))) +
        loopCost(coBlock, loopCost(4)),
    };
  }
  const [gx, gz] = grid1d(Math.ceil((N * ho * wo) / 64));
  // Column decoding; per 16 reduction steps (channel, tap) the 4 staged loads and the 16-deep
  // multiply; the 4×4 store.
  return {
    spec: (act) =>
      cached(`gemm|${act}`, () => ({
        name: "conv2d_implicit_gemm",
        params: CONV_GATHER,
        code: gemmSrc.replaceAll("ACT_EXPR", ACT[act]),
        inputs: 3,
        outputs: 1,
      })),
    params: u,
    grid: [gx, Math.ceil(cout / 64), gz],
    loops: (c) =>
      loopCost(4) + loopCost(Math.ceil((c * k * k) / 16), loopCost(4) + loopCost(16)) +
      loopCost(4, loopCost(4)),
  };
}

/**
 * The weights as the phased kernel reads them: out[ci, kh, kw, co] = W(co, ci, kh, kw) through
 * `access` (so transposed and flipped reads come out plain), co < Cout; [Cout, coP) unset (the
 * kernel computes those channels but never stores them). A strided copy (signed strides wrap
 * modulo 2^32 in its u32 arithmetic), about Cin·K²·Cout elements: small beside the conv.
 */
function packWeights(
  weight: Tensor,
  access: WeightAccess,
  cin: number,
  k: number,
  cout: number,
  coP: number,
): Tensor {
  const out = Tensor.empty([cin, k, k, coP]);
  stridedCopy(
    weight,
    { offset: access.base, strides: [access.in, access.kh, access.kw, access.out] },
    out,
    { offset: 0, strides: [k * k * coP, k * coP, coP, 1] },
    [cin, k, k, cout],
  );
  return out;
}

/**
 * The phased kernel's x block for a phase `w` outputs wide: 16 ran fastest on llvmpipe per useful
 * multiply-add (measured 32 × 8 / 12 / 16 / 20+ at about 1 / 1.1 / 1.35 / 1.35), weighed against
 * the padding of the last block (w = 20 takes 12: 24 computed, where 16 would compute 32).
 */
function phasedXBlock(w: number): number {
  let best = 8, score = 0;
  for (const [xb, speed] of [[8, 1], [12, 1.2], [16, 1.35], [20, 1.35], [24, 1.35]]) {
    const s = speed * w / (Math.ceil(w / xb) * xb);
    if (s > score + 1e-9) [best, score] = [xb, s];
  }
  return best;
}

/**
 * conv2d_phased.wgsl with its register block (`cb` output channels × `xv` vec4s of output x
 * positions) unrolled into named registers, and the kw taps of a row unrolled too: tap t (kw =
 * kw0 + t·S, t < `taps` = ⌈K / S⌉) reads inputs ix0 + t + j·cs of the row for the block's output
 * positions j, so the row's (4·xv − 1)·cs + taps inputs are loaded once, aligned four to a load,
 * and every tap's vec4s are assembled from those registers. `guard`: with S > 1 the last tap of a
 * phase may fall past K.
 */
function phasedCode(
  cb: number,
  xv: number,
  act: ConvActivation,
  { taps, guard, cs }: { taps: number; guard: boolean; cs: number },
): string {
  const each = (n: number, f: (i: number) => string, indent: string) =>
    Array.from({ length: n }, (_, i) => f(i)).join(`\n${indent}`);
  const pairs = (f: (c: number, v: number) => string, indent: string) =>
    each(cb, (c) => each(xv, (v) => f(c, v), indent), indent);
  const i6 = "      ", i8 = "        ";
  const inputs = (4 * xv - 1) * cs + taps;
  const groups = Math.ceil(inputs / 4);
  const r = (q: number) => `r${q >> 2}.${"xyzw"[q & 3]}`;
  const tap = (t: number) => {
    const body = [
      "let wkk = wk + kw * params.wKw + wb;",
      ...Array.from(
        { length: xv },
        (_, v) => `let xv${v} = vec4<f32>(${[0, 1, 2, 3].map((j) => r(t + (4 * v + j) * cs))});`,
      ),
      each(cb / 4, (q) => `let w${q} = Wt[wkk + ${q}];`, i8),
      pairs((c, v) => `acc${c}_${v} += w${c >> 2}.${"xyzw"[c & 3]} * xv${v};`, i8),
    ].join(`\n${i8}`);
    const guarded = guard && t === taps - 1;
    return `{\n${i8}let kw = kw0 + ${t} * S;\n${i8}` +
      (guarded ? `if (kw < K) {\n${i8}${body}\n${i8}}` : body) + `\n${i6}}`;
  };
  const row = [
    "let ix0 = (ixBase + kw0) / S - liftS;",
    // The row's first input is element e of X: vec4 a = e >> 2 (floor), at offset e & 3.
    "let e = i32(xrow) + ix0;",
    "let a = e >> 2u;",
    "let off = e & 3;",
    "let o1 = off == 1;",
    "let o2 = off == 2;",
    "let o3 = off == 3;",
    each(groups + 1, (g) => `let v${g} = X[u32(max(a + ${g}, 0))];`, i6),
    each(
      groups,
      (g) => `let r${g} = rowMask(window4(v${g}, v${g + 1}, o1, o2, o3), ix0 + ${4 * g}, rowOk);`,
      i6,
    ),
    each(taps, tap, i6),
  ].join(`\n${i6}`);
  return phasedSrc
    .replace(
      "DECLARE_BLOCK",
      "let wb = i32(co0 / 4u);\n  " + pairs((c, v) => `var acc${c}_${v}: vec4<f32>;`, "  "),
    )
    .replace("TAPS_BLOCK", row)
    .replace(
      "STORE_BLOCK",
      pairs((c, v) => `store(n, co0 + ${c}u, oy, ox0 + ${4 * v}u * u32(S), acc${c}_${v});`, "  "),
    )
    .replaceAll("X_BLOCK_SIZE", `${4 * xv}u`)
    .replaceAll("CO_BLOCK_SIZE", `${cb}u`)
    .replaceAll("ACT_EXPR", ACT[act]);
}

/**
 * conv2d_weight_grad.wgsl with its A_BLOCK × B_BLOCK × K·K register tile unrolled into named
 * registers, and its X window slid along the row: for stride `s` < K, the K taps of a row at
 * ox + 1 are those at ox shifted by s, so each column loads min(s, K) new X values per kernel
 * row and channel instead of K.
 */
function weightGradCode(k: number, aBlock: number, bb: number, s: number): string {
  const each = (n: number, f: (i: number) => string, indent: string) =>
    Array.from({ length: n }, (_, i) => f(i)).join(`\n${indent}`);
  const nv = aBlock / 4;
  const taps = (f: (j: number, kh: number, kw: number) => string, indent: string) =>
    each(bb, (j) => each(k, (kh) => each(k, (kw) => f(j, kh, kw), indent), indent), indent);
  const tiles = (f: (j: number, kh: number, kw: number, v: number) => string, indent: string) =>
    taps((j, kh, kw) => each(nv, (v) => f(j, kh, kw, v), indent), indent);
  const ind = "      ";
  // Taps kept from the previous column: kw < k − s takes kw + s's value; the rest are loaded.
  const kept = Math.max(0, k - s);
  const x = (j: number, kh: number, kw: number) => `x${j}_${kh}_${kw}`;
  return wgradSrc
    .replace(
      "DECLARE_BLOCK",
      each(aBlock, (i) => `let go${i} = min(a0 + ${i}u, A - 1u) * HWg;`, "  ") + "\n  " +
        tiles((j, kh, kw, v) => `var acc${j}_${kh}_${kw}_${v}: vec4<f32>;`, "  "),
    )
    .replace(
      "ROW_BLOCK",
      each(k, (kh) => `let ok${kh} = (iy0 + ${kh} >= 0) & (iy0 + ${kh} < H);`, "    ") + "\n    " +
        each(
          bb,
          (j) =>
            each(
              k,
              (kh) =>
                `let xr${j}_${kh} = xc + ${j ? `min(${j}u, params.B - 1u - b) * HW + ` : ""}` +
                `u32(clamp(iy0 + ${kh}, 0, H - 1)) * params.W;`,
              "    ",
            ),
          "    ",
        ) +
        "\n    let ixp = i32(ox0) * params.stride - params.pad - params.stride;\n    " +
        taps(
          (j, kh, kw) =>
            kw >= s && kw - s < kept
              ? `var ${x(j, kh, kw)} = loadX(xr${j}_${kh}, ixp + ${kw}, ok${kh});`
              : `var ${x(j, kh, kw)}: f32;`,
          "    ",
        ),
    )
    .replace(
      "ACCUMULATE_BLOCK",
      each(nv, (v) => {
        const q = [0, 1, 2, 3].map((i) => `G[gr + go${4 * v + i}]`).join(", ");
        return `let g${v} = vec4<f32>(${q});`;
      }, ind) + `\n${ind}` +
        taps(
          (j, kh, kw) =>
            kw < kept
              ? `${x(j, kh, kw)} = ${x(j, kh, kw + s)};`
              : `${x(j, kh, kw)} = loadX(xr${j}_${kh}, ixb + ${kw}, ok${kh});`,
          ind,
        ) +
        `\n${ind}` +
        tiles((j, kh, kw, v) => `acc${j}_${kh}_${kw}_${v} += ${x(j, kh, kw)} * g${v};`, ind),
    )
    .replace(
      "STORE_BLOCK",
      each(
        aBlock,
        (i) =>
          taps(
            (j, kh, kw) =>
              `store(split, a0 + ${i}u, b + ${j}u, ${kh}u, ${kw}u, acc${j}_${kh}_${kw}_${i >> 2}[${
                i & 3
              }]);`,
            "  ",
          ),
        "  ",
      ),
    )
    .replaceAll("A_BLOCK_SIZE", `${aBlock}u`)
    .replaceAll("B_BLOCK_SIZE", `${bb}u`)
    .replaceAll("KSIZE", `${k}u`);
}

/**
 * Invocations to aim for when splitting the weight-gradient reduction: enough to fill a GPU;
 * on a CPU adapter fewer splits, so less partial-sum traffic (512 invocations are 16
 * workgroups, one per thread of a 16-core llvmpipe; 8192 measured 1.3-1.7× slower on 2 cores).
 */
const targetInvocations = () => deviceInfo().isFallbackAdapter ? 512 : 8192;

/**
 * dW[a, b, kh, kw] = Σ_{n, oy, ox} G[n, a, oy, ox] · X[n, b, oy·stride − pad + kh, ox·stride −
 * pad + kw], returned as [A, B, k, k]. Partial sums over row splits, then one reduce pass.
 */
export function convWeightGrad(
  g: Tensor,
  x: Tensor,
  k: number,
  stride: number,
  pad: number,
): Tensor {
  const [N, A, Hg, Wg] = g.shape;
  const [, B, H, W] = x.shape;
  const rows = N * Hg;
  if (rows === 0) throw new Error("neurad: conv weight gradient of an empty batch");
  // The widest a-block whose tile (aBlock·k² accumulators) stays within 256 per invocation:
  // measured on llvmpipe, 16×9 ran 1.5-2× faster than 8×9, and 16×25 3× slower than 8×25.
  // Up to 3×3, the same 144 accumulators as 8 a's × 2 b's: per column 8 G + 2·3 X loads
  // instead of 16 + 3 (1.17-1.29× faster on llvmpipe, same sums); at 5×5 the X loads of a
  // second b cost more than the G loads saved.
  const bb = k <= 3 ? 2 : 1;
  const aBlock = ([16, 8].find((a) => a * k * k <= 256) ?? 4) / bb;
  const aBlocks = Math.ceil(A / aBlock);
  const perSplit = aBlocks * Math.ceil(B / bb);
  const wanted = Math.max(1, Math.min(rows, Math.ceil(targetInvocations() / perSplit)));
  // Loop budget: the columns of one row, split if too many alone; then rows of those columns.
  const cols = splitLoop(Wg, (c) => loopCost(1, loopCost(c)));
  const loops = (r: number) => loopCost(r, loopCost(cols.chunk));
  const rowsPerSplit = Math.min(Math.ceil(rows / wanted), splitLoop(rows, loops).chunk);
  const splits = Math.ceil(rows / rowsPerSplit) * cols.splits;
  if (splits > 65535) throw new Error("neurad: conv weight gradient too large to split");
  const total = splits * perSplit;
  const partial = Tensor.empty([splits, A, B, k, k]);
  const u = {
    N,
    A,
    Hg,
    Wg,
    B,
    H,
    W,
    rows,
    stride,
    pad,
    rowsPerSplit,
    aBlocks,
    total,
    oxPerSplit: cols.chunk,
    oxSplits: cols.splits,
  };
  const spec = cachedSpec("conv_gather", `wgrad|${k}|${aBlock}|${bb}|${stride}`, () => ({
    name: "conv2d_weight_grad",
    params: CONV_WEIGHT_GRAD,
    code: weightGradCode(k, aBlock, bb, stride),
    inputs: 2,
    outputs: 1,
  }));
  dispatch(
    spec,
    u,
    [g.buffer, x.buffer, partial.buffer],
    [Math.ceil(B / (32 * bb)), aBlocks, splits],
    loops(rowsPerSplit),
  );
  if (splits === 1) {
    const out = partial.view([A, B, k, k]);
    partial.dispose();
    return out;
  }
  const out = sum(partial, 0);
  partial.dispose();
  return out;
}
