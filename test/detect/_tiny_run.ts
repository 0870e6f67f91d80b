// Fixtures of the detect tests: a run without training (a narrow first-study VAE with seeded
// initial weights) and the shipped Colin27 brain as a scan. The fast tests use a 2 mm pipeline:
// the study's model input (79×95 axial slices of 2 mm voxels) taken from 2 mm scans at scale 1
// without smoothing, 40 slices, so a scan takes about a second; the maps of an untrained model
// are not meaningful, but they are deterministic, which is enough to test geometry, resampling,
// verdicts and the overlay.

import { COLIN_GRID, loadColin27 } from "../../src/data/demo/colin27_template.ts";
import type { Volume } from "../../src/data/nifti/volume.ts";
import { resizeGrid } from "../../src/data/preprocess/rescale.ts";
import { manualSeed } from "../../src/kernels/random.ts";
import { createModel } from "../../src/models/create_model.ts";
import type { Autoencoder } from "../../src/models/types.ts";
import type { Module } from "../../src/nn/module.ts";
import type { OpenedRun } from "../../src/train/open_run.ts";
import { presetConfig } from "../../src/train/presets.ts";

/** 79×95 axial slices of 2 mm voxels from 2 mm scans: 40 slices, no smoothing. */
export const FAST_PREPROCESS = {
  smoothing: "none",
  cropSize: [79, 95, 40],
  scale: 1,
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

/** The shipped Colin27 T1 brain (skull-stripped, RAS, sform/qform MNI) at `mm` voxels. */
export async function colinScan(mm = 1): Promise<Volume> {
  const t = await loadColin27();
  const affine = COLIN_GRID.affine.map((r) => [...r]);
  for (let a = 0; a < 3; a++) affine[a][3] += t.offset[a];
  let data = t.data, dims = [...t.dims];
  if (mm !== 1) {
    const to = dims.map((d) => Math.round(d / mm));
    const f = dims.map((d, a) => d / to[a]);
    const img = resizeGrid({ data, dims: t.dims }, to, f[0] > 1);
    // Skull-stripped stays skull-stripped: background exactly 0 outside the resampled brain.
    const m = resizeGrid({ data: data.map((v) => (v !== 0 ? 1 : 0)), dims: t.dims }, to, f[0] > 1);
    for (let i = 0; i < img.data.length; i++) if (m.data[i] < 0.5) img.data[i] = 0;
    // Voxel centres: new voxel o sits at old voxel (o + ½)·f − ½.
    for (let a = 0; a < 3; a++) {
      affine[a][3] += affine[a][a] * (0.5 * f[a] - 0.5);
      affine[a][a] *= f[a];
    }
    data = img.data;
    dims = to;
  }
  const pixdim = [0, 1, 2].map((a) => Math.abs(affine[a][a]));
  return { data, dims, pixdim, affine, sformCode: 4, qformCode: 4 };
}
