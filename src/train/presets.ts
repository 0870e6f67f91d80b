// The training presets: one per study model (reproducing its losses, optimisers and sampling as
// Reddipalli 2022 and Chandru 2025 specify; docs/train.md) plus `demo`, a narrow VAE that trains on the demo cohort on
// a CPU adapter in minutes. A preset is a full RunConfig except data.dir, which the user gives.

import type { StudyMode } from "../models/types.ts";
import { NEURAD_VERSION } from "../util/version.ts";
import type { RunConfig, TrainConfig } from "./run_config.ts";
import { AUTO_CACHE_DIR } from "../data/cache_dir.ts";

export const PRESET_NAMES = [
  "reddipalli22-vae",
  "reddipalli22-vqvae",
  "reddipalli22-vqgan",
  "chandru25-vqgan",
  "chandru25-dcgan",
  "demo",
] as const;
export type PresetName = typeof PRESET_NAMES[number];

/** Training defaults shared by every preset (each preset overrides what its study set). */
export function trainDefaults(): TrainConfig {
  return {
    seed: 0,
    batchSize: 16,
    epochs: 1200,
    optimizer: "adam",
    lr: 1e-4,
    betas: [0.9, 0.999],
    weightDecay: 0,
    momentum: 0,
    nesterov: false,
    // Both studies trained at a constant learning rate.
    lrSchedule: {
      name: "constant",
      warmupSteps: 0,
      warmupStartFactor: 0.1,
      stepSize: 1000,
      gamma: 0.1,
      totalSteps: 0,
      minFactor: 0,
    },
    discLr: 1e-4,
    discBetas: [0.9, 0.999],
    clipGradNorm: 0,
    klWeight: 1,
    vqWeight: 1,
    discStart: 0,
    discWeight: 1,
    ganLoss: "hinge",
    perceptualWeight: 1,
    lpipsWeights: "",
    randomPerceptualWeight: 0,
    advRamp: null,
    steps: 0,
    logEvery: 50,
    sampleEveryEpochs: 10,
    saveEvery: 1000,
    // A slow adapter can take hours for saveEvery steps: a checkpoint at least this often.
    saveEveryMinutes: 10,
    keepLast: 3,
  };
}

/** First study's data: 1×95×79 axial slices, one random slice per training volume per epoch. */
function niftiData(): RunConfig["data"] {
  return {
    dir: "",
    kind: "nifti",
    sliceShape: [1, 95, 79],
    sampling: "random-slice-per-volume",
    splitSeed: 0,
    preprocess: {},
    cacheDir: AUTO_CACHE_DIR,
    masksDir: "",
    maxValImages: 512,
  };
}

/** Second study's data: class folders, 3-channel 64×64 in [−1, 1], every healthy image. */
function images2dData(): RunConfig["data"] {
  return {
    dir: "",
    kind: "images2d",
    sliceShape: [3, 64, 64],
    sampling: "all-images",
    splitSeed: 0,
    preprocess: {},
    cacheDir: "",
    maxValImages: 512,
  };
}

/** The preset's resolved configuration (mode "corrected" unless `faithful`). */
export function presetConfig(name: string, faithful = false): RunConfig {
  const mode: StudyMode = faithful ? "faithful" : "corrected";
  const t = trainDefaults();
  const base = { preset: name, mode, neuradVersion: NEURAD_VERSION };
  switch (name as PresetName) {
    case "reddipalli22-vae":
      return {
        ...base,
        model: { name: "reddipalli22-vae", options: { mode, latentDim: 128 } },
        data: niftiData(),
        train: { ...t, klWeight: 1 },
      };
    case "reddipalli22-vqvae":
      return {
        ...base,
        model: { name: "reddipalli22-vqvae", options: { mode, embedDim: 128, numCodes: 128 } },
        data: niftiData(),
        train: { ...t },
      };
    case "reddipalli22-vqgan":
      // taming's VQLPIPSWithDiscriminator: lr 4.5e-6, betas (0.5, 0.9), disc_start 5000, hinge.
      return {
        ...base,
        model: { name: "reddipalli22-vqgan", options: { mode, embedDim: 64, numCodes: 128 } },
        discriminator: { name: "reddipalli22-patchgan", options: { mode } },
        lpips: { name: "lpips", options: {} },
        data: niftiData(),
        train: {
          ...t,
          lr: 4.5e-6,
          betas: [0.5, 0.9],
          discLr: 4.5e-6,
          discBetas: [0.5, 0.9],
          discStart: 5000,
          discWeight: 1,
          ganLoss: "hinge",
        },
      };
    case "chandru25-vqgan":
      return {
        ...base,
        model: { name: "chandru25-vqgan", options: { mode } },
        discriminator: { name: "chandru25-discriminator", options: { mode } },
        perceptual: { name: "chandru25-perceptual", options: { mode } },
        data: images2dData(),
        train: {
          ...t,
          epochs: 1000,
          lr: 2e-4,
          betas: [0.5, 0.999],
          discLr: 1e-4,
          discBetas: [0.5, 0.999],
          ganLoss: "bce",
          randomPerceptualWeight: 0.05,
          advRamp: { start: 0.1, perEpoch: 0.0005, max: 0.5 },
          sampleEveryEpochs: 100,
        },
      };
    case "chandru25-dcgan":
      return {
        ...base,
        model: { name: "chandru25-dcgan", options: { mode } },
        discriminator: { name: "chandru25-dcgan-discriminator", options: { mode } },
        data: images2dData(),
        train: {
          ...t,
          epochs: 1000,
          lr: 2e-4,
          betas: [0.5, 0.999],
          discLr: 2e-4,
          discBetas: [0.5, 0.999],
          ganLoss: "bce",
          sampleEveryEpochs: 100,
        },
      };
    case "demo":
      // A narrow VAE (1/4 width, L = 32) over every brain slice of the demo cohort, batch 8,
      // 4 epochs (about 4 minutes on the 2-core CPU adapter).
      return {
        ...base,
        model: {
          name: "reddipalli22-vae",
          options: { mode, latentDim: 32, widthMultiplier: 0.25 },
        },
        data: { ...niftiData(), sampling: "all-slices", maxValImages: 256 },
        train: {
          ...t,
          epochs: 4,
          lr: 3e-3,
          batchSize: 8,
          logEvery: 10,
          sampleEveryEpochs: 1,
          saveEvery: 200,
          keepLast: 2,
        },
      };
    default:
      throw new Error(`unknown preset '${name}' (known: ${PRESET_NAMES.join(", ")})`);
  }
}
