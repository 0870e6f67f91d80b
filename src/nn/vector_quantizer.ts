// The vector quantiser of VQ-VAE / VQGAN (van den Oord et al. 2017): NCHW latents z_e → nearest
// codebook rows (nearestCode) → z_q in NCHW with the straight-through estimator (the gradient
// of z_q reaches z_e unchanged). Loss: codebook ‖sg[z_e] − e‖² + β·commitment ‖z_e − sg[e]‖²
// (means over elements), or β·commitment only when EMA updates move the codebook. Training mode
// also updates EMA state and restarts dead codes in place, with no readback. Weight keys match
// taming-transformers: embedding.weight (+ embedding.cluster_size / embedding.embed_avg).

import { buffer, Module, parameter } from "./module.ts";
import { Tensor } from "../core/tensor.ts";
import { noGrad, record } from "../core/autograd.ts";
import { tidy } from "../core/scope.ts";
import { copy_ } from "../kernels/copy.ts";
import { add, mul } from "../kernels/binary.ts";
import { addScalar, clamp, exp, log, mulScalar, neg } from "../kernels/unary.ts";
import { sum } from "../kernels/reduce.ts";
import { permute, reshape } from "../kernels/movement.ts";
import { ones, zeros } from "../kernels/fill.ts";
import { rand, uniform_ } from "../kernels/random.ts";
import { mseLoss } from "./losses.ts";
import { nearestCode } from "../kernels/nearest_code.ts";
import { embedding, segmentSum } from "../kernels/embedding.ts";
import { bincount } from "../kernels/bincount.ts";
import { restartCodes } from "../kernels/codebook_restart.ts";
import { emaDirectUpdate, emaUpdate } from "./codebook_ema.ts";
import { kmeansPlusPlus } from "./codebook_init.ts";

/** How the codebook learns: its own loss term, or one of the EMA rules of codebook_ema.ts. */
export type CodebookUpdate = "loss" | "ema" | "ema-direct";

export interface VectorQuantizerOptions {
  /** K, the number of codes. */
  numCodes: number;
  /** D, the code dimension (= channels of the latents). */
  codeDim: number;
  /** Commitment weight β (default 0.25). */
  beta?: number;
  /** Default "loss". */
  update?: CodebookUpdate;
  /** EMA decay γ ("ema"; "ema-direct" moves codes by λ = 1 − γ). Default 0.99. */
  decay?: number;
  /** Laplace smoothing ε of the "ema" cluster sizes. Default 1e-5. */
  epsilon?: number;
  /** Restart codes unused for this many consecutive training steps (0 = never, the default). */
  deadCodeSteps?: number;
  /** "uniform": U(−1/K, 1/K) (the reference implementations); "kmeans++": initFromBatch(). */
  init?: "uniform" | "kmeans++";
  /** Seed of the host k-means++ sampling. */
  seed?: number;
}

export interface VectorQuantizerOutput {
  /** Quantised latents [B, D, H, W]; straight-through gradient to the input. */
  zq: Tensor;
  /** Scalar: codebook + β·commitment ("loss"), β·commitment (EMA rules). */
  loss: Tensor;
  /** int32 [B·H·W]: chosen codes in (b, h, w) order. */
  indices: Tensor;
  /** Scalar: exp(−Σ p log p) of this batch's code frequencies p. */
  perplexity: Tensor;
  /** f32 [K]: how many latent vectors chose each code in this batch. */
  usage: Tensor;
}

/** Holds the codebook under taming's key `embedding.weight` and the EMA state beside it. */
class CodebookEmbedding extends Module {
  readonly weight: Tensor;
  /** N_k [K] and m_k [K, D] of the "ema" rule; null otherwise. */
  readonly cluster_size: Tensor | null;
  readonly embed_avg: Tensor | null;

  constructor(K: number, D: number, ema: boolean) {
    super();
    this.weight = parameter(uniform_(Tensor.empty([K, D]), -1 / K, 1 / K), !ema);
    // N_k = 1 and m_k = e_k, so e = m / N holds from the start; zero sizes (taming's choice)
    // divide unused codes by ~ε on the first update and throw them far out of reach.
    this.cluster_size = ema ? buffer(ones([K])) : null;
    this.embed_avg = ema ? buffer(Tensor.empty([K, D])) : null;
    if (this.embed_avg) assign(this.embed_avg, this.weight);
  }
}

/** In-place copy of src's values into dst (same size), ordered with the recorded dispatches. */
function assign(dst: Tensor, src: Tensor) {
  if (dst.size !== src.size) throw new Error(`neurad: assign ${src} to ${dst}`);
  const flat = src.alias(dst.shape);
  noGrad(() => copy_(dst, flat));
  flat.dispose();
}

/** 1 − t. */
function oneMinus(t: Tensor): Tensor {
  return addScalar(neg(t), 1);
}

/** z_q's values with z_e's gradient: the straight-through estimator z_e + sg[z_q − z_e]. */
function straightThrough(ze: Tensor, zq: Tensor): Tensor {
  return record("straightThrough", [ze], zq.detach(), [], (g) => [g.view(g.shape)]);
}

export class VectorQuantizer extends Module {
  readonly numCodes: number;
  readonly codeDim: number;
  readonly beta: number;
  readonly update: CodebookUpdate;
  readonly decay: number;
  readonly epsilon: number;
  readonly deadCodeSteps: number;
  readonly seed: number;
  readonly embedding: CodebookEmbedding;
  /** Consecutive training steps each code went unused (with deadCodeSteps > 0). */
  readonly unused_steps: Tensor | null;
  /** True until initFromBatch() has run, with init "kmeans++". */
  needsInit: boolean;

  constructor(o: VectorQuantizerOptions) {
    super();
    this.numCodes = o.numCodes;
    this.codeDim = o.codeDim;
    this.beta = o.beta ?? 0.25;
    this.update = o.update ?? "loss";
    this.decay = o.decay ?? 0.99;
    this.epsilon = o.epsilon ?? 1e-5;
    this.deadCodeSteps = o.deadCodeSteps ?? 0;
    this.seed = o.seed ?? 0;
    this.needsInit = o.init === "kmeans++";
    this.embedding = new CodebookEmbedding(o.numCodes, o.codeDim, this.update === "ema");
    this.unused_steps = this.deadCodeSteps > 0 ? buffer(zeros([o.numCodes])) : null;
  }

  /** The codebook [K, D]. */
  get weight(): Tensor {
    return this.embedding.weight;
  }

  /**
   * k-means++ initialisation from a first batch of latents [B, D, H, W]: reads the batch back
   * once (the only readback of this layer) and seeds the codes on the host (codebook_init.ts).
   */
  async initFromBatch(z: Tensor): Promise<void> {
    const rows = noGrad(() => this.#rows(z));
    const host = await rows.toArray() as Float32Array;
    rows.dispose();
    const picked = kmeansPlusPlus(host, this.codeDim, this.numCodes, this.seed);
    const codes = Tensor.from(picked, [this.numCodes, this.codeDim]);
    this.setCodebook(codes);
    codes.dispose();
  }

  /** Writes codes [K, D] into the codebook in place (and restarts the EMA state from them). */
  setCodebook(codes: Tensor) {
    if (codes.shape.join() !== this.weight.shape.join()) {
      throw new Error(`neurad: setCodebook needs [${this.weight.shape}], got ${codes}`);
    }
    assign(this.weight, codes);
    const { cluster_size, embed_avg } = this.embedding;
    if (cluster_size && embed_avg) {
      assign(embed_avg, codes);
      tidy(() => assign(cluster_size, ones([this.numCodes])));
    }
    this.needsInit = false;
  }

  /** [B, D, H, W] → [B·H·W, D] rows (a copy, differentiable). */
  #rows(z: Tensor): Tensor {
    if (z.ndim !== 4 || z.shape[1] !== this.codeDim) {
      throw new Error(
        `neurad: VectorQuantizer expects [B, ${this.codeDim}, H, W] latents, got ${z}`,
      );
    }
    const [B, D, H, W] = z.shape;
    return tidy(() => reshape(permute(z, [0, 2, 3, 1]), [B * H * W, D]));
  }

  forward(z: Tensor): VectorQuantizerOutput {
    if (this.needsInit && this.training) {
      throw new Error("neurad: VectorQuantizer init 'kmeans++': await initFromBatch(z) first");
    }
    const [B, D, H, W] = z.shape;
    return tidy(() => {
      const ze = this.#rows(z);
      const w = this.weight;
      const { indices, distances } = nearestCode(ze, w);
      distances.dispose();
      const e = embedding(indices, w); // differentiable in w for the codebook loss
      const commitment = mseLoss(ze, e.detach());
      const loss = this.update === "loss"
        ? add(mseLoss(e, ze.detach()), mulScalar(commitment, this.beta))
        : mulScalar(commitment, this.beta);
      const zqRows = straightThrough(ze, e);
      const zq = permute(reshape(zqRows, [B, H, W, D]), [0, 3, 1, 2]);
      const usage = bincount(indices, this.numCodes);
      const perplexity = noGrad(() => {
        const p = mulScalar(usage, 1 / Math.max(1, ze.shape[0]));
        return exp(neg(sum(mul(p, log(addScalar(p, 1e-10))))));
      });
      if (this.training) noGrad(() => this.#trainingUpdates(ze, indices, usage));
      return { zq, loss, indices, perplexity, usage };
    });
  }

  /** EMA codebook step and dead-code restarts, written in place (no readback). */
  #trainingUpdates(ze: Tensor, indices: Tensor, usage: Tensor) {
    const w = this.weight;
    const cs = this.embedding.cluster_size, ea = this.embedding.embed_avg;
    if (this.update !== "loss") {
      const sums = segmentSum(ze, indices, this.numCodes);
      if (cs && ea) {
        const next = emaUpdate(
          { clusterSize: cs, embedAvg: ea },
          usage,
          sums,
          this.decay,
          this.epsilon,
        );
        assign(cs, next.clusterSize);
        assign(ea, next.embedAvg);
        assign(w, next.weight);
      } else {
        assign(w, emaDirectUpdate(w, usage, sums, 1 - this.decay));
      }
    }
    const unused = this.unused_steps;
    if (unused && ze.shape[0] > 0) {
      // unused ← (usage = 0) ? unused + 1 : 0; codes reaching deadCodeSteps restart.
      const idle = oneMinus(clamp(usage, 0, 1));
      const counted = mul(addScalar(unused, 1), idle);
      const dead = clamp(addScalar(counted, 1 - this.deadCodeSteps), 0, 1);
      const alive = oneMinus(dead);
      const restarted = restartCodes(w, ze, rand([this.numCodes]), dead);
      assign(w, restarted);
      assign(unused, mul(counted, alive));
      if (cs && ea) {
        // A restarted code starts as one member at its new position: N_k = 1, m_k = e_k.
        const col = (t: Tensor) => reshape(t, [this.numCodes, 1]);
        assign(cs, add(mul(cs, alive), dead));
        assign(ea, add(mul(ea, col(alive)), mul(restarted, col(dead))));
      }
    }
  }
}
