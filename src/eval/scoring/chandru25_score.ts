// The second study's anomaly score of one image, 0.5·mse(x, x̂) + 0.3·mse(V(x), V(x̂)) +
// 0.2·(1 − mean D(x̂)) (V: VGG16 features to conv3_3 before its ReLU, fed [−1, 1] as is; D: the
// run's discriminator, sigmoid of its patch logits), and its batched GPU computation over an
// image stack: per batch the three per-image terms are reduced on the device and read back.

import { noGrad } from "../../core/autograd.ts";
import { sub } from "../../kernels/binary.ts";
import { mul } from "../../kernels/binary.ts";
import { mean } from "../../kernels/reduce.ts";
import { sigmoid } from "../../kernels/unary.ts";
import type { Module } from "../../nn/module.ts";
import type { Autoencoder, Discriminator } from "../../models/types.ts";
import { tidy } from "../../core/scope.ts";
import { Tensor } from "../../core/tensor.ts";

/** The weights of the three terms, as the study's code has them. */
export const CHANDRU25_WEIGHTS = { mse: 0.5, vgg: 0.3, disc: 0.2 } as const;

/** The per-image terms of the score. */
export interface ScoreTerms {
  /** mse(x, x̂) over C·H·W. */
  mse: number;
  /** mse(V(x), V(x̂)) over the feature map. */
  vggMse: number;
  /** Mean of sigmoid(D(x̂)) over the patches. */
  dMean: number;
}

/** The study's score from its terms. */
export function chandru25Score(t: ScoreTerms): number {
  const w = CHANDRU25_WEIGHTS;
  return w.mse * t.mse + w.vgg * t.vggMse + w.disc * (1 - t.dMean);
}

/** What scoring needs: x̂ = model.reconstruct(x), V and D. */
export interface ScoreNets {
  model: Autoencoder;
  vgg: Module & { forward(x: Tensor): Tensor };
  disc: Discriminator;
}

/** The per-image terms and scores of a stack. */
export interface ScoredStack {
  terms: ScoreTerms[];
  scores: number[];
  /**
   * With `keepRecon`: every reconstruction as grey (mean of its 3 channels) [N, H, W], [−1, 1]
   * quantised to 0..255 (for the report's panels; a quarter of float's memory).
   */
  recon?: Uint8Array;
  /** VQ models: how many latents of the stack each code took (the report's codebook usage). */
  codeCounts?: Float64Array;
}

/**
 * Scores grey images `images` [N, H, W] (in [−1, 1]), replicated to 3 channels, in batches of
 * `batch` (1 reproduces a model whose reconstruction changes its state image by image, as the
 * study's EMA codebook does). `onBatch(done)` reports progress.
 */
export async function scoreStack(
  nets: ScoreNets,
  images: Float32Array,
  N: number,
  H: number,
  W: number,
  { batch = 16, onBatch, keepRecon = false }: {
    batch?: number;
    onBatch?: (done: number) => void;
    keepRecon?: boolean;
  } = {},
): Promise<ScoredStack> {
  const hw = H * W, terms: ScoreTerms[] = [];
  const recon = keepRecon ? new Uint8Array(N * hw) : undefined;
  // VQ families score forward's reconstruction (their reconstruct() is forward().recon, the
  // same codebook step), which also gives each latent's code for the codebook usage.
  const vq = nets.model.family === "vqvae" || nets.model.family === "vqgan";
  let codeCounts: Float64Array | undefined;
  nets.model.eval();
  nets.disc.eval();
  nets.vgg.eval();
  for (let i = 0; i < N; i += batch) {
    const k = Math.min(batch, N - i);
    const host = new Float32Array(k * 3 * hw);
    for (let n = 0; n < k; n++) {
      const img = images.subarray((i + n) * hw, (i + n + 1) * hw);
      for (let c = 0; c < 3; c++) host.set(img, (n * 3 + c) * hw);
    }
    const x = Tensor.from(host, [k, 3, H, W]);
    const out = tidy(() =>
      noGrad(() => {
        if (!vq) return { r: nets.model.reconstruct(x), codes: undefined, K: 0 };
        const o = nets.model.forward(x);
        return { r: o.recon, codes: o.indices, K: o.usage?.shape[0] ?? 0 };
      })
    );
    const r = out.r;
    const t = noGrad(() => batchTerms(nets, x, r));
    const read = await Tensor.toArrays([
      t.mse,
      t.vgg,
      t.d,
      ...(recon ? [r] : []),
      ...(out.codes ? [out.codes] : []),
    ]);
    const [a, b, c] = read, rv = recon ? read[3] : undefined;
    if (out.codes) {
      const counts = codeCounts ??= new Float64Array(out.K);
      for (const k of read[read.length - 1]) if (k < counts.length) counts[k]++;
      out.codes.dispose();
    }
    for (const z of [x, r, t.mse, t.vgg, t.d]) z.dispose();
    for (let n = 0; n < k; n++) terms.push({ mse: a[n], vggMse: b[n], dMean: c[n] });
    if (recon) greyBytes(rv as Float32Array, k, hw, recon.subarray(i * hw, (i + k) * hw));
    onBatch?.(i + k);
  }
  return { terms, scores: terms.map(chandru25Score), recon, codeCounts };
}

/** [k, 3, hw] in [−1, 1] → the mean of the channels as 0..255 into `out` [k, hw]. */
function greyBytes(v: Float32Array, k: number, hw: number, out: Uint8Array) {
  for (let n = 0; n < k; n++) {
    for (let p = 0; p < hw; p++) {
      const o = n * 3 * hw + p;
      const g = (v[o] + v[o + hw] + v[o + 2 * hw]) / 3;
      out[n * hw + p] = Math.round(127.5 * (Math.min(1, Math.max(-1, g)) + 1));
    }
  }
}

/** The three per-image terms [k] of x, x̂ on the device. */
export function batchTerms(
  nets: Pick<ScoreNets, "vgg" | "disc">,
  x: Tensor,
  r: Tensor,
): { mse: Tensor; vgg: Tensor; d: Tensor } {
  return tidy(() => {
    const sq = (a: Tensor, b: Tensor) => {
      const d = sub(a, b);
      return mean(mul(d, d), [1, 2, 3]);
    };
    return {
      mse: sq(x, r),
      vgg: sq(nets.vgg.forward(x), nets.vgg.forward(r)),
      d: mean(sigmoid(nets.disc.forward(r)), [1, 2, 3]),
    };
  });
}
