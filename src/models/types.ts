// The interfaces every study model implements, so training, evaluation and detection can drive
// any of them: an autoencoder's forward outputs (reconstruction plus the loss terms its family
// needs), its scoring reconstruction, and the discriminator's logits.

import type { Tensor } from "../core/tensor.ts";
import type { Module } from "../nn/module.ts";

/** `faithful` computes what the study's code computed; `corrected` what the study meant. */
export type StudyMode = "faithful" | "corrected";

/** One forward pass of an autoencoder in training mode. Tensors are owned by the caller. */
export interface AutoencoderOutput {
  /** Same shape as the input (N, C, H, W). */
  recon: Tensor;
  /** VAE: posterior mean and log-variance (N, L). */
  mu?: Tensor;
  logvar?: Tensor;
  /** Vector-quantised families: the quantiser's total loss (scalar) and its two terms. */
  vqLoss?: Tensor;
  codebookLoss?: Tensor;
  commitmentLoss?: Tensor;
  /** Codebook perplexity (scalar) and per-code usage fraction (K), no readback. */
  perplexity?: Tensor;
  usage?: Tensor;
  /** Code index per latent position (N, h, w), i32. */
  indices?: Tensor;
}

export interface Autoencoder extends Module {
  readonly family: "vae" | "vqvae" | "vqgan" | "dcgan";
  readonly mode: StudyMode;
  /** The input this model is built for, without batch: [C, H, W]. */
  readonly inputShape: readonly [number, number, number];
  forward(x: Tensor): AutoencoderOutput;
  /** The reconstruction used for anomaly scores (eval mode; the caller wraps it in noGrad).
   * Faithful VAE samples z here as the study did; corrected uses the mean. */
  reconstruct(x: Tensor): Tensor;
  /** The decoder's last layer weight, where the VQGAN's adaptive GAN weight is measured. */
  lastLayerWeight(): Tensor;
}

export interface Discriminator extends Module {
  /** Patch logits (N, 1, h, w), before any sigmoid. */
  forward(x: Tensor): Tensor;
}

/** Builds a model from its options (each factory validates its own, one-line errors). */
export type ModelFactory = (options: Record<string, unknown>) => Module;
