// The fully resolved run configuration, as saved in RUN/config.json and read by openRun, eval
// and detect. Presets (presets.ts) produce it; resolve_config.ts overlays JSON files and flags.

import type { StudyMode } from "../models/types.ts";

export interface ModelRef {
  name: string;
  options: Record<string, unknown>;
}

/** How training slices are drawn each epoch. */
export type Sampling = "random-slice-per-volume" | "all-slices" | "all-images";

export interface DataConfig {
  /** The dataset folder (NIfTI layout or 2D class folders). */
  dir: string;
  kind: "nifti" | "images2d";
  /** The model's input without batch: [C, H, W]. */
  sliceShape: [number, number, number];
  sampling: Sampling;
  /** Seed of the subject split (NIfTI) or the image split (2D). */
  splitSeed: number;
  /** Preprocessing options passed to the data layer (NIfTI: loadSlices; 2D: loadImages2D). */
  preprocess: Record<string, unknown>;
  /** Where the preprocessed-slice cache lives (NIfTI): "auto" is the user's cache folder
   * (src/data/cache_dir.ts), "" disables it, any other path is used as given. */
  cacheDir: string;
  /** The pairs layout (NIfTI): the folder of lesion masks matched by name to the images in `dir`
   * (src/data/layouts/find_subjects.ts; an image without a mask is healthy); "" or absent: `dir`
   * holds a detected layout. */
  masksDir?: string;
  /** Validation images at most (0 = all). */
  maxValImages: number;
}

/** The optimiser of both networks (the discriminator's takes discLr and discBetas). */
export type OptimizerName = "adam" | "adamw" | "sgd";

/**
 * The learning-rate schedule, a factor on lr and discLr by optimiser step: an optional linear
 * warm-up from warmupStartFactor over warmupSteps, then `name` (started at its own step 0).
 */
export interface LrScheduleConfig {
  /** constant; step (×gamma every stepSize steps); cosine (down to minFactor over totalSteps). */
  name: "constant" | "step" | "cosine";
  warmupSteps: number;
  warmupStartFactor: number;
  stepSize: number;
  gamma: number;
  /** Cosine length in steps; 0 = the rest of the run after the warm-up. */
  totalSteps: number;
  minFactor: number;
}

export interface TrainConfig {
  seed: number;
  batchSize: number;
  epochs: number;
  /** Generator / autoencoder optimiser. */
  optimizer: OptimizerName;
  lr: number;
  /** Adam / AdamW. */
  betas: [number, number];
  weightDecay: number;
  /** SGD: momentum (0 = none) and Nesterov momentum. */
  momentum: number;
  nesterov: boolean;
  lrSchedule: LrScheduleConfig;
  /** Discriminator optimiser learning rate (GAN families). */
  discLr: number;
  discBetas: [number, number];
  /** Global-norm clipping of the generator's gradients (0 = off). */
  clipGradNorm: number;
  /** VAE: weight of the KL term in (L1 + β·KL)/(1 + β). */
  klWeight: number;
  /** VQ-VAE / VQGAN: weight of the quantiser loss. */
  vqWeight: number;
  /** VQGAN: step from which the discriminator trains and its loss enters the generator. */
  discStart: number;
  /** VQGAN: factor on the adaptive GAN weight λ (taming's disc_weight). */
  discWeight: number;
  /** GAN loss of the discriminator: "hinge" (first study) or "bce" (second). */
  ganLoss: "hinge" | "bce";
  /** VQGAN: weight of the LPIPS term when weights are supplied (taming: 1.0). */
  perceptualWeight: number;
  /** LPIPS weights, "TRUNK.pth,HEADS.pth" (docs/weights.md); "" = no LPIPS term. */
  lpipsWeights: string;
  /** Second study: weight of the random perceptual network's feature loss (0.05). */
  randomPerceptualWeight: number;
  /** Second study: the adversarial ramp min(start + perEpoch·epoch, max). */
  advRamp: { start: number; perEpoch: number; max: number } | null;
  /** Stop after this many optimiser steps (0 = train all epochs). */
  steps: number;
  logEvery: number;
  sampleEveryEpochs: number;
  /** Write checkpoints/last every saveEvery optimiser steps (and step-N beside it). */
  saveEvery: number;
  /** Also write checkpoints/last when this many minutes passed since the last save (0 = off). */
  saveEveryMinutes: number;
  keepLast: number;
}

export interface RunConfig {
  preset: string;
  mode: StudyMode;
  model: ModelRef;
  discriminator?: ModelRef;
  /** Second study's randomly initialised perceptual network. */
  perceptual?: ModelRef;
  /** The LPIPS network of the VQGAN loss (used when train.lpipsWeights names its weights). */
  lpips?: ModelRef;
  data: DataConfig;
  train: TrainConfig;
  neuradVersion: string;
}
