// Turns a VectorQuantizer result into the quantised families' AutoencoderOutput fields: the
// study's loss weighting, the two unweighted terms, and indices as [N, h, w].

import { mulScalar } from "../../kernels/unary.ts";
import { reshape } from "../../kernels/movement.ts";
import type { Tensor } from "../../core/tensor.ts";
import type { VectorQuantizerOutput } from "../../nn/vector_quantizer.ts";
import type { AutoencoderOutput } from "../types.ts";

/**
 * `q` came from a quantiser computing codebook + βq·commitment; the model wants that times
 * `scale` (1, or β for the faithful VQGAN's β·codebook + commitment with βq = 1/β).
 * codebookLoss and commitmentLoss are the unweighted mean squared distance ‖z_e − e‖² (equal in
 * value, different in gradient), detached: for logging.
 */
export function vqFields(
  q: VectorQuantizerOutput,
  betaQ: number,
  scale: number,
  latentShape: readonly number[],
): Omit<AutoencoderOutput, "recon"> & { zq: Tensor } {
  const vqLoss = scale === 1 ? q.loss : mulScalar(q.loss, scale);
  const term = mulScalar(q.loss.detach(), 1 / (1 + betaQ));
  const [n, , h, w] = latentShape;
  return {
    zq: q.zq,
    vqLoss,
    codebookLoss: term,
    commitmentLoss: term.detach(),
    perplexity: q.perplexity,
    usage: q.usage,
    indices: reshape(q.indices, [n, h, w]),
  };
}
