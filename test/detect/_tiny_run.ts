// Fixtures of the detect tests: a run without training (a narrow first-study VAE with seeded
// initial weights) and the shipped Colin27 brain as a scan. The fast tests use a 2 mm pipeline:
// the study's model input (79×95 axial slices of 2 mm voxels) taken from 2 mm scans at scale 1
// without smoothing, 40 slices, so a scan takes about a second; the maps of an untrained model
// are not meaningful, but they are deterministic, which is enough to test geometry, resampling,
// verdicts and the overlay.

import { loadColin27, templateVolume } from "../../src/data/demo/colin27_template.ts";
import type { Volume } from "../../src/data/nifti/volume.ts";
import { manualSeed } from "../../src/kernels/random.ts";
import { createModel } from "../../src/models/create_model.ts";
import type { Autoencoder } from "../../src/models/types.ts";
import type { Module } from "../../src/nn/module.ts";
import type { OpenedRun } from "../../src/train/open_run.ts";
import { presetConfig } from "../../src/train/presets.ts";
import type { StoredThresholds } from "../../src/eval/stored_thresholds.ts";

/** 79×95 axial slices of 2 mm voxels from 2 mm scans (the training spacing): 40 slices, no
 * smoothing. */
export const FAST_PREPROCESS = {
  smoothing: "none",
  cropSize: [79, 95, 40],
  scale: 1,
  spacing: [2, 2, 2],
};

/** A run of the first study's VAE at 1/16 width with seeded weights; dispose its model after. */
export function tinyRun(preprocess: Record<string, unknown> = FAST_PREPROCESS): OpenedRun {
  const config = presetConfig("reddipalli22-vae");
  config.model.options = { ...config.model.options, latentDim: 32, widthMultiplier: 0.0625 };
  config.data.preprocess = preprocess;
  manualSeed(7);
  const model = createModel<Module & Autoencoder>(config.model.name, config.model.options);
  model.eval();
  return {
    config,
    model,
    dir: "tiny-run",
    checkpointPath: "tiny-run/checkpoints/best.safetensors",
    step: 0,
    epoch: 0,
  };
}

/**
 * The shipped Colin27 T1 brain (skull-stripped, RAS, sform/qform MNI) at 1 mm, or at 2 mm by
 * averaging 2×2×2 blocks (a resampler other than detect's): a block is brain when at least half
 * of it is, so the scan stays skull-stripped. Made once per process: do not modify it.
 */
export function colinScan(mm: 1 | 2 = 1): Promise<Volume> {
  return (cache[mm] ??= makeColinScan(mm));
}

const cache: Partial<Record<1 | 2, Promise<Volume>>> = {};

async function makeColinScan(mm: 1 | 2): Promise<Volume> {
  const t = await loadColin27();
  const one = templateVolume(t);
  if (mm === 1) return one;
  const affine = one.affine.map((r) => [...r]);
  const [X, Y, Z] = t.dims.map((d) => Math.floor(d / 2));
  const [nx, ny] = t.dims;
  const data = new Float32Array(X * Y * Z);
  for (let z = 0, o = 0; z < Z; z++) {
    for (let y = 0; y < Y; y++) {
      for (let x = 0; x < X; x++, o++) {
        let sum = 0, brain = 0;
        for (let k = 0; k < 8; k++) {
          const v =
            t.data[(2 * x + (k & 1)) + nx * ((2 * y + ((k >> 1) & 1)) + ny * (2 * z + (k >> 2)))];
          sum += v;
          if (v !== 0) brain++;
        }
        data[o] = brain >= 4 ? sum / 8 : 0;
      }
    }
  }
  // Voxel o's centre is the centre of old voxels 2o and 2o + 1.
  for (let a = 0; a < 3; a++) {
    affine[a][3] += 0.5 * affine[a][a];
    affine[a][a] *= 2;
  }
  return { data, dims: [X, Y, Z], pixdim: [2, 2, 2], affine, sformCode: 4, qformCode: 4 };
}

/** A thresholds.json as eval writes it, with the given pixel and volume thresholds (and a 1 cm³
 * component threshold calibrated at that pixel threshold). */
export function storedThresholds(
  pixel: number,
  volume: number,
  extra: Partial<StoredThresholds> = {},
): StoredThresholds {
  return {
    protocol: "reddipalli22",
    threshold: pixel,
    thresholdScope: "pooled",
    volumeScore: {
      threshold: volume,
      rule: "quantile",
      fpr: 0.05,
      calibrationVolumes: 20,
      healthyMean: volume * 0.8,
      healthyStd: volume * 0.1,
      healthyMax: volume * 1.1,
    },
    componentVolume: {
      thresholdMm3: 1000,
      rule: "quantile",
      fpr: 0.05,
      calibrationVolumes: 20,
      pixelThreshold: pixel,
      healthyMaxMm3: 1200,
      combinedFalsePositives: 2,
    },
    postprocess: {
      medianFilter: 5,
      erode: 2,
      residual: "absolute",
      median: "2d",
      erosionPlanes: "axial",
      faithful: false,
    },
    createdBy: "neurad eval",
    checkpoint: "tiny-run/checkpoints/best.safetensors",
    ...extra,
  };
}
