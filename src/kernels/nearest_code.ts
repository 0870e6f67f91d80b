// Wrapper of shaders/nearest_code_*.wgsl and shaders/codebook_norms.wgsl: for each latent row
// the nearest codebook row by squared Euclidean distance (‖z‖² − 2 z·e + ‖e‖²) with the argmin
// fused in the kernel, so the N×K distance matrix never exists. Two variants: register blocks
// (CPU adapters such as llvmpipe, where barriers are costly) and workgroup-shared tiles (GPUs);
// chosen by the adapter, NEURAD_NEAREST_CODE=register|tiled overrides. Not differentiable
// (the straight-through estimator in src/nn/vector_quantizer.ts routes gradients around it).
// Loop budget: an invocation's loop passes grow with codes × dims (registerLoops / tiledLoops
// count them), and llvmpipe cuts an invocation short after 65,535 (src/core/dispatch.ts): past
// that the codebook is split over workgroups and nearest_code_merge.wgsl picks each row's best
// candidate, the same answer as one pass. A variant that cannot fit even one 4- or 64-code slice
// of a long row falls back to the other; D up to 45,552 fits. Owns the kernels' parameter blocks.

import registerSrc from "../../shaders/nearest_code_register.wgsl" with { type: "text" };
import tiledSrc from "../../shaders/nearest_code_tiled.wgsl" with { type: "text" };
import normsSrc from "../../shaders/codebook_norms.wgsl" with { type: "text" };
import compareSrc from "../../shaders/nearest_code_compare.wgsl" with { type: "text" };
import mergeSrc from "../../shaders/nearest_code_merge.wgsl" with { type: "text" };
import { deviceInfo } from "../core/device.ts";
import { dispatch, grid1d, LOOP_ITERATION_LIMIT, loopCost, splitLoop } from "../core/dispatch.ts";
import { Tensor } from "../core/tensor.ts";
import { envChoice } from "../core/env.ts";
import { paramBlock } from "../core/uniforms.ts";

/** N rows, K codes of D dims; each workgroup z takes kChunk codes, `splits` of them. */
const NEAREST_CODE = paramBlock("NearestCodeParams", {
  N: "u32",
  K: "u32",
  D: "u32",
  kChunk: "u32",
  splits: "u32",
});
const NEAREST_CODE_MERGE = paramBlock("NearestCodeMergeParams", { N: "u32", splits: "u32" });
const CODEBOOK_NORMS = paramBlock("CodebookNormsParams", { K: "u32", D: "u32" });

const REGISTER = {
  name: "nearest_code_register",
  params: NEAREST_CODE,
  code: compareSrc + registerSrc,
  inputs: 3,
  outputs: 2,
};
const TILED = {
  name: "nearest_code_tiled",
  params: NEAREST_CODE,
  code: compareSrc + tiledSrc,
  inputs: 3,
  outputs: 2,
};
const MERGE = {
  name: "nearest_code_merge",
  params: NEAREST_CODE_MERGE,
  code: compareSrc + mergeSrc,
  inputs: 2,
  outputs: 2,
};
const NORMS = {
  name: "codebook_norms",
  params: CODEBOOK_NORMS,
  code: normsSrc,
  inputs: 1,
  outputs: 1,
};

export type NearestCodeVariant = "register" | "tiled";

/**
 * Loop passes of a register-kernel invocation over `codes` codes of D dims: the row-offset
 * loop, ‖z‖², per 4 codes the dot products and the 4×4 compare, and the stores.
 */
export function registerLoops(codes: number, D: number): number {
  const perCodes = loopCost(D) + loopCost(4, loopCost(4));
  return loopCost(4) + loopCost(D) + loopCost(Math.ceil(codes / 4), perCodes) + loopCost(4);
}

/**
 * Loop passes of a tiled-kernel invocation over `codes` codes of D dims: per 64-code tile, per
 * 16 dims the staging and the 16-deep multiply, then ‖e‖² and the 4×4 compare; then the merge
 * of the 16 candidates (4 writes, 15 reads).
 */
export function tiledLoops(codes: number, D: number): number {
  const perDims = loopCost(4) + loopCost(16);
  const perTile = loopCost(Math.ceil(D / 16), perDims) + loopCost(4) + loopCost(4, loopCost(4));
  return loopCost(Math.ceil(codes / 64), perTile) + loopCost(4) + loopCost(15);
}

const LOOPS = { register: registerLoops, tiled: tiledLoops };
/** Codes per step of each variant's code loop (splits are multiples of it). */
const GRANULE = { register: 4, tiled: 64 };
/** The variant used by nearestCode(): register blocks on fallback (CPU) adapters, else tiles. */
export function nearestCodeVariant(): NearestCodeVariant {
  const env = envChoice<NearestCodeVariant>("NEURAD_NEAREST_CODE");
  if (env) return env;
  return deviceInfo().isFallbackAdapter ? "register" : "tiled";
}

export interface NearestCodeResult {
  /** int32 [N]: index of the nearest code (ties to the lowest index). */
  indices: Tensor;
  /** f32 [N]: its squared distance, clamped at 0 (cancellation in the expansion). */
  distances: Tensor;
}

/** ‖e_k‖² for every row of a [K, D] codebook (summed in increasing d, like the kernel's dots). */
export function codebookNorms(codebook: Tensor): Tensor {
  const [K, D] = codebook.shape;
  const out = Tensor.empty([K]);
  if (K) {
    dispatch(
      NORMS,
      { K, D },
      [codebook.buffer, out.buffer],
      grid1d(Math.ceil(K / 64)),
      loopCost(D), // nearestCode's D bound keeps this far below the limit
    );
  }
  return out;
}

/**
 * Nearest codebook row for each row of z: z [N, D], codebook [K, D] (f32, K ≥ 1, D ≥ 1).
 * Ties go to the lowest index exactly: every distance sums its products in the same order, so
 * duplicate codes and exactly symmetric configurations compare bitwise-equal. A row whose
 * distances are all NaN gets index 0. Records no gradient. `variant` is used unless a slice of
 * 4 (register) or 64 (tiled) codes of D dims alone exceeds the loop budget; then the other one.
 */
export function nearestCode(
  z: Tensor,
  codebook: Tensor,
  variant: NearestCodeVariant = nearestCodeVariant(),
): NearestCodeResult {
  if (z.ndim !== 2 || codebook.ndim !== 2 || z.shape[1] !== codebook.shape[1]) {
    throw new Error(
      `neurad: nearestCode needs z [N, D] and codebook [K, D], got [${z.shape}] and [${codebook.shape}]`,
    );
  }
  if (z.dtype !== "f32" || codebook.dtype !== "f32") {
    throw new Error("neurad: nearestCode needs f32 tensors");
  }
  const [N, D] = z.shape, K = codebook.shape[0];
  if (K === 0 || D === 0) throw new Error("neurad: nearestCode needs K ≥ 1 codes of D ≥ 1 dims");
  const fits = (v: NearestCodeVariant) => LOOPS[v](GRANULE[v], D) <= LOOP_ITERATION_LIMIT;
  if (!fits(variant)) variant = variant === "register" ? "tiled" : "register";
  if (!fits(variant)) {
    throw new Error(
      `neurad: nearestCode supports up to 45,552 dims (llvmpipe's loop budget), got ${D}`,
    );
  }
  const indices = Tensor.empty([N], "i32");
  const distances = Tensor.empty([N]);
  if (N === 0) return { indices, distances };
  const v = variant;
  const { splits, chunk } = splitLoop(K, (codes) => LOOPS[v](codes, D), GRANULE[v]);
  const norms = codebookNorms(codebook);
  // With splits, each writes its candidates to [split, row] and the merge picks per row.
  const pIdx = splits > 1 ? Tensor.empty([splits, N], "i32") : indices;
  const pDist = splits > 1 ? Tensor.empty([splits, N]) : distances;
  dispatch(
    v === "register" ? REGISTER : TILED,
    { N, K, D, kChunk: chunk, splits },
    [z.buffer, codebook.buffer, norms.buffer, pIdx.buffer, pDist.buffer],
    [...grid1d(Math.ceil(N / (v === "register" ? 256 : 64))), splits],
    LOOPS[v](chunk, D),
  );
  norms.dispose();
  if (splits > 1) {
    dispatch(
      MERGE,
      { N, splits },
      [pIdx.buffer, pDist.buffer, indices.buffer, distances.buffer],
      grid1d(Math.ceil(N / 64)),
      loopCost(splits - 1),
    );
    pIdx.dispose();
    pDist.dispose();
  }
  return { indices, distances };
}
