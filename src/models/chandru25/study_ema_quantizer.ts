// The second study's EMA vector quantiser as its code ran it (faithful mode of chandru25-vqgan):
//  - z_q = e (the gathered codes) with NO straight-through path, so no gradient reaches the
//    encoder; the decoder's gradient does reach the codebook through the gather (the study's
//    optimiser holds the codebook, so Adam moves it between EMA overwrites);
//  - the EMA state starts at zero (N = 0, M = 0), is NOT part of the state dict (plain
//    attributes in the study), and is updated on EVERY forward, in training and eval mode alike:
//    N ← γN + (1−γ)n, M ← γM + (1−γ)Σz, N ← (N+ε)/(ΣN+Kε)·ΣN (the smoothed sizes are stored),
//    E ← M / N. The pass quantises with the codebook as it was before the update;
//  - its loss (‖sg[z] − e‖² + β‖z − sg[e]‖², means) is computed for logging only: the study
//    discarded it.
// The codebook itself is `embedding.weight` (saved, as in the study's .pth). The corrected mode
// uses src/nn/vector_quantizer.ts (update "ema") instead.

import { Module, parameter } from "../../nn/module.ts";
import { Tensor } from "../../core/tensor.ts";
import { noGrad } from "../../core/autograd.ts";
import { tidy, untrack } from "../../core/scope.ts";
import { copy_ } from "../../kernels/copy.ts";
import { add, div, mul } from "../../kernels/binary.ts";
import { addScalar, exp, log, mulScalar, neg } from "../../kernels/unary.ts";
import { sum } from "../../kernels/reduce.ts";
import { permute, reshape } from "../../kernels/movement.ts";
import { zeros } from "../../kernels/fill.ts";
import { uniform_ } from "../../kernels/random.ts";
import { mseLoss } from "../../nn/losses.ts";
import { nearestCode } from "../../kernels/nearest_code.ts";
import { embedding, segmentSum } from "../../kernels/embedding.ts";
import { bincount } from "../../kernels/bincount.ts";
import { emaUpdate } from "../../nn/codebook_ema.ts";
import type { VectorQuantizerOutput } from "../../nn/vector_quantizer.ts";

/** Holds `weight` [K, D] (trainable, as nn.Embedding's), so the key is embedding.weight. */
class StudyCodebook extends Module {
  readonly weight: Tensor;
  constructor(K: number, D: number) {
    super();
    this.weight = parameter(uniform_(Tensor.empty([K, D]), -1 / K, 1 / K));
  }
}

/** In-place copy of src's values into dst, ordered with the recorded dispatches. */
function assign(dst: Tensor, src: Tensor) {
  if (dst.size !== src.size) throw new Error(`neurad: assign ${src} to ${dst}`);
  const flat = src.alias(dst.shape);
  noGrad(() => copy_(dst, flat));
  flat.dispose();
}

export interface StudyEmaQuantizerOptions {
  numCodes: number;
  codeDim: number;
  /** β of the logged loss (the study's 0.25). */
  beta?: number;
  decay?: number;
  epsilon?: number;
}

export class StudyEmaQuantizer extends Module {
  readonly numCodes: number;
  readonly codeDim: number;
  readonly beta: number;
  readonly decay: number;
  readonly epsilon: number;
  readonly embedding: StudyCodebook;
  /** N [K] and M [K, D]: outside the state dict, as in the study. */
  #clusterSize: Tensor;
  #emaWeights: Tensor;

  constructor(o: StudyEmaQuantizerOptions) {
    super();
    this.numCodes = o.numCodes;
    this.codeDim = o.codeDim;
    this.beta = o.beta ?? 0.25;
    this.decay = o.decay ?? 0.99;
    this.epsilon = o.epsilon ?? 1e-5;
    this.embedding = new StudyCodebook(o.numCodes, o.codeDim);
    this.#clusterSize = zeros([o.numCodes]);
    this.#emaWeights = zeros([o.numCodes, o.codeDim]);
    untrack(this.#clusterSize);
    untrack(this.#emaWeights);
  }

  get weight(): Tensor {
    return this.embedding.weight;
  }

  /** The EMA state (N [K], M [K, D]); read-only views for tests and diagnostics. */
  get emaState(): { clusterSize: Tensor; emaWeights: Tensor } {
    return { clusterSize: this.#clusterSize, emaWeights: this.#emaWeights };
  }

  /** Zeroes N and M: what a fresh process (the study's test notebook) starts from. */
  resetEmaState() {
    tidy(() => {
      assign(this.#clusterSize, zeros([this.numCodes]));
      assign(this.#emaWeights, zeros([this.numCodes, this.codeDim]));
    });
  }

  forward(z: Tensor): VectorQuantizerOutput {
    if (z.ndim !== 4 || z.shape[1] !== this.codeDim) {
      throw new Error(
        `neurad: StudyEmaQuantizer expects [B, ${this.codeDim}, H, W] latents, got ${z}`,
      );
    }
    const [B, D, H, W] = z.shape;
    return tidy(() => {
      const ze = noGrad(() => reshape(permute(z, [0, 2, 3, 1]), [B * H * W, D]));
      const w = this.weight;
      const { indices, distances } = nearestCode(ze, w);
      distances.dispose();
      const e = embedding(indices, w); // gradient to the codebook only; none to z
      const loss = noGrad(() =>
        add(mseLoss(e.detach(), ze), mulScalar(mseLoss(ze, e.detach()), this.beta))
      );
      const zq = permute(reshape(e, [B, H, W, D]), [0, 3, 1, 2]);
      const usage = bincount(indices, this.numCodes);
      const perplexity = noGrad(() => {
        const p = mulScalar(usage, 1 / Math.max(1, ze.shape[0]));
        return exp(neg(sum(mul(p, log(addScalar(p, 1e-10))))));
      });
      noGrad(() => this.#emaStep(ze, indices, usage)); // every pass, training or not
      return { zq, loss, indices, perplexity, usage };
    });
  }

  /** The study's EMA step, written in place after this pass's gather (no readback). */
  #emaStep(ze: Tensor, indices: Tensor, usage: Tensor) {
    const K = this.numCodes, eps = this.epsilon;
    const sums = segmentSum(ze, indices, K);
    const next = emaUpdate(
      { clusterSize: this.#clusterSize, embedAvg: this.#emaWeights },
      usage,
      sums,
      this.decay,
      eps,
    );
    // emaUpdate returns the unsmoothed sizes; the study stores the smoothed ones.
    const n = sum(next.clusterSize);
    const smoothed = mul(div(addScalar(next.clusterSize, eps), addScalar(n, K * eps)), n);
    assign(this.#clusterSize, smoothed);
    assign(this.#emaWeights, next.embedAvg);
    assign(this.weight, next.weight);
  }

  override dispose() {
    super.dispose();
    this.#clusterSize.dispose();
    this.#emaWeights.dispose();
  }
}
