// The two EMA codebook update rules of the vector quantiser (no gradients; the layer writes
// the results into its tensors in place):
//  - "ema" (van den Oord et al. 2017 appendix, Razavi et al. 2019; taming-transformers'
//    EMAVectorQuantizer): N_k ← γN_k + (1−γ)n_k, m_k ← γm_k + (1−γ)Σ_{z→k} z, and
//    e_k = m_k / Ñ_k with Laplace-smoothed sizes Ñ_k = (N_k + ε) / (n + Kε) · n, n = Σ_k N_k.
//  - "ema-direct": e_k ← e_k + λ(z̄_k − e_k) with z̄_k the batch mean of the vectors assigned
//    to code k (λ = 1 − γ); codes unused in the batch stay where they are.
// Here n_k are the batch's code counts and Σ_{z→k} z the per-code sums (bincount, segmentSum).

import type { Tensor } from "../core/tensor.ts";
import { noGrad } from "../core/autograd.ts";
import { tidy } from "../core/scope.ts";
import { add, div, mul, sub } from "../kernels/binary.ts";
import { addScalar, mulScalar } from "../kernels/unary.ts";
import { sum } from "../kernels/reduce.ts";
import { reshape } from "../kernels/movement.ts";
import { clamp } from "../kernels/unary.ts";

export interface EmaState {
  /** N_k, [K]. */
  clusterSize: Tensor;
  /** m_k, [K, D]. */
  embedAvg: Tensor;
}

/** One "ema" step: new cluster sizes, running sums and codebook (fresh tensors). */
export function emaUpdate(
  state: EmaState,
  counts: Tensor,
  sums: Tensor,
  decay: number,
  eps: number,
): { clusterSize: Tensor; embedAvg: Tensor; weight: Tensor } {
  return noGrad(() =>
    tidy(() => {
      const K = counts.size;
      const clusterSize = add(mulScalar(state.clusterSize, decay), mulScalar(counts, 1 - decay));
      const embedAvg = add(mulScalar(state.embedAvg, decay), mulScalar(sums, 1 - decay));
      const n = sum(clusterSize);
      const smoothed = mul(div(addScalar(clusterSize, eps), addScalar(n, K * eps)), n);
      const weight = div(embedAvg, reshape(smoothed, [K, 1]));
      return { clusterSize, embedAvg, weight };
    })
  );
}

/** One "ema-direct" step: e_k + λ(z̄_k − e_k) for used codes, e_k otherwise. */
export function emaDirectUpdate(
  weight: Tensor,
  counts: Tensor,
  sums: Tensor,
  lambda: number,
): Tensor {
  return noGrad(() =>
    tidy(() => {
      const c = reshape(counts, [counts.size, 1]);
      const mean = div(sums, clamp(c, 1));
      // Counts are whole numbers, so min(c, 1) is the 0/1 mask of used codes.
      const step = mul(clamp(c, 0, 1), lambda);
      return add(weight, mul(sub(mean, weight), step));
    })
  );
}
