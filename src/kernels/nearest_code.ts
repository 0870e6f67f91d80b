// Wrapper of shaders/nearest_code_*.wgsl and shaders/codebook_norms.wgsl: for each latent row
// the nearest codebook row by squared Euclidean distance (‖z‖² − 2 z·e + ‖e‖²) with the argmin
// fused in the kernel, so the N×K distance matrix never exists. Two variants: register blocks
// (CPU adapters such as llvmpipe, where barriers are costly) and workgroup-shared tiles (GPUs);
// chosen by the adapter, NEURAD_NEAREST_CODE=register|tiled overrides. Not differentiable
// (the straight-through estimator in src/nn/vector_quantizer.ts routes gradients around it).
// Owns the kernels' parameter blocks.

import registerSrc from "../../shaders/nearest_code_register.wgsl" with { type: "text" };
import tiledSrc from "../../shaders/nearest_code_tiled.wgsl" with { type: "text" };
import normsSrc from "../../shaders/codebook_norms.wgsl" with { type: "text" };
import compareSrc from "../../shaders/nearest_code_compare.wgsl" with { type: "text" };
import { deviceInfo } from "../core/device.ts";
import { dispatch, grid1d } from "../core/dispatch.ts";
import { Tensor } from "../core/tensor.ts";
import { envChoice } from "../core/env.ts";
import { paramBlock } from "../core/uniforms.ts";

const NEAREST_CODE = paramBlock("NearestCodeParams", { N: "u32", K: "u32", D: "u32" });
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
const NORMS = {
  name: "codebook_norms",
  params: CODEBOOK_NORMS,
  code: normsSrc,
  inputs: 1,
  outputs: 1,
};

export type NearestCodeVariant = "register" | "tiled";

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
    dispatch(NORMS, { K, D }, [codebook.buffer, out.buffer], grid1d(Math.ceil(K / 64)));
  }
  return out;
}

/**
 * Nearest codebook row for each row of z: z [N, D], codebook [K, D] (f32, K ≥ 1, D ≥ 1).
 * Ties go to the lowest index exactly: every distance sums its products in the same order, so
 * duplicate codes and exactly symmetric configurations compare bitwise-equal. A row whose
 * distances are all NaN gets index 0. Records no gradient.
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
  const indices = Tensor.empty([N], "i32");
  const distances = Tensor.empty([N]);
  if (N === 0) return { indices, distances };
  const norms = codebookNorms(codebook);
  const rowsPerGroup = variant === "register" ? 256 : 64;
  dispatch(
    variant === "register" ? REGISTER : TILED,
    { N, K, D },
    [z.buffer, codebook.buffer, norms.buffer, indices.buffer, distances.buffer],
    grid1d(Math.ceil(N / rowsPerGroup)),
  );
  norms.dispose();
  return { indices, distances };
}
