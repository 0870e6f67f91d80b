// Batched GPU reconstruction for evaluation and detection: every slice of a stack goes through
// the model's scoring `reconstruct` under noGrad, in batches, and comes back as host residual
// maps (|x − x̂| or the positive part x − x̂) plus each slice's mean reconstruction error. One
// readback per batch: evaluation needs the maps on the host for thresholds and components.

import { noGrad } from "../../core/autograd.ts";
import type { Autoencoder } from "../../models/types.ts";
import { Tensor } from "../../core/tensor.ts";
import type { ProgressBar } from "../../util/progress.ts";

export type ResidualKind = "absolute" | "positive";

export interface Reconstruction {
  /** Residual maps [N, H, W] (channel-mean for multi-channel input). */
  residuals: Float32Array;
  /** Reconstructions [N, C, H, W]. */
  reconstructions: Float32Array;
  /** Mean |x − x̂| of each slice (the sample-wise loss). */
  sliceErrors: Float64Array;
  /** Vector-quantised families: how many latent positions chose each code (length K). */
  codeCounts?: Float64Array;
}

/** Reconstructs `images` [N, C, H, W] in batches of `batch`. */
export async function reconstructStack(
  model: Autoencoder,
  images: Float32Array,
  shape: [number, number, number, number],
  {
    batch = 16,
    residual = "absolute" as ResidualKind,
    progress,
  }: { batch?: number; residual?: ResidualKind; progress?: ProgressBar } = {},
): Promise<Reconstruction> {
  const [N, C, H, W] = shape, per = C * H * W, plane = H * W;
  const residuals = new Float32Array(N * plane);
  const reconstructions = new Float32Array(N * per);
  const sliceErrors = new Float64Array(N);
  let codeCounts: Float64Array | undefined;
  model.eval();
  for (let i = 0; i < N; i += batch) {
    const k = Math.min(batch, N - i);
    const x = Tensor.from(images.subarray(i * per, (i + k) * per), [k, C, H, W]);
    // VQ families score with forward's reconstruction (their `reconstruct` is forward().recon),
    // which also gives the code indices for codebook usage, read in the same round trip.
    const vq = model.family === "vqvae" || model.family === "vqgan";
    const out = noGrad(() => {
      if (!vq) return { recon: model.reconstruct(x), indices: undefined };
      const o = model.forward(x);
      for (const [key, t] of Object.entries(o)) {
        if (key !== "recon" && key !== "indices") (t as { dispose(): void } | undefined)?.dispose();
      }
      return { recon: o.recon, indices: o.indices };
    });
    const r = out.recon;
    const [rv, iv] = await Tensor.toArrays(out.indices ? [r, out.indices] : [r]);
    if (out.indices) {
      const counts = codeCounts ??= new Float64Array(
        (model as unknown as { numCodes: number }).numCodes,
      );
      for (const c of iv) counts[c]++;
      out.indices.dispose();
    }
    x.dispose();
    r.dispose();
    reconstructions.set(rv as Float32Array, i * per);
    for (let n = 0; n < k; n++) {
      let err = 0;
      for (let p = 0; p < plane; p++) {
        let s = 0;
        for (let c = 0; c < C; c++) {
          const j = n * per + c * plane + p;
          const d = images[i * per + j] - rv[j];
          err += Math.abs(d);
          s += residual === "absolute" ? Math.abs(d) : Math.max(d, 0);
        }
        residuals[(i + n) * plane + p] = s / C;
      }
      sliceErrors[i + n] = err / per;
    }
    progress?.update(i + k);
  }
  return { residuals, reconstructions, sliceErrors, codeCounts };
}
