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

/** Options of a stack reconstruction. */
export interface ReconstructOptions {
  batch?: number;
  residual?: ResidualKind;
  progress?: ProgressBar;
}

/**
 * What turns a stack of slices into residuals: reconstructStack with a neurad model, or, in the
 * peers benches, the same loop around another engine's session (detect's and eval's other work
 * stays the same).
 */
export type StackReconstructor = (
  images: Float32Array,
  shape: [number, number, number, number],
  options?: ReconstructOptions,
) => Promise<Reconstruction>;

/**
 * Residual maps and mean errors of slices i … i + k − 1 of `images` [N, C, H, W] from their
 * reconstructions `rv` (the batch's, [k, C, H, W]), written into `residuals` and `sliceErrors`.
 */
export function accumulateResiduals(
  images: Float32Array,
  rv: Float32Array,
  i: number,
  k: number,
  shape: readonly [number, number, number, number],
  residual: ResidualKind,
  residuals: Float32Array,
  sliceErrors: Float64Array,
) {
  const [, C, H, W] = shape, plane = H * W, per = C * plane;
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
}

/** Reconstructs `images` [N, C, H, W] in batches of `batch`. */
export async function reconstructStack(
  model: Autoencoder,
  images: Float32Array,
  shape: [number, number, number, number],
  { batch = 16, residual = "absolute", progress }: ReconstructOptions = {},
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
    accumulateResiduals(images, rv as Float32Array, i, k, shape, residual, residuals, sliceErrors);
    progress?.update(i + k);
  }
  return { residuals, reconstructions, sliceErrors, codeCounts };
}
