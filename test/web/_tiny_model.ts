// A small run directory for the page tests, made the way `neurad train` and `neurad eval` leave
// one (config.json, checkpoints/best.safetensors, thresholds.json) so that `neurad export` and
// `neurad detect --run` read it like any run: the first study's VAE at 1/16 width with seeded
// initial weights, preprocessing for the 2.5 mm fixture scans (trained on 2.5 mm voxels: 79×95
// slices at scale 1, 18 slices, 2 curvature-flow iterations). The pixel threshold is the 99th percentile of the model's
// own map of the RAS fixture scan (so the mask holds a few components) and the volume threshold
// sits between the two fixture scans' scores, so the page shows both verdicts.

import { join } from "node:path";
import { getDevice } from "../../src/core/device.ts";
import { detectVolume } from "../../src/detect/detect_volume.ts";
import type { StoredThresholds } from "../../src/eval/stored_thresholds.ts";
import { manualSeed } from "../../src/kernels/random.ts";
import { createModel } from "../../src/models/create_model.ts";
import type { Autoencoder } from "../../src/models/types.ts";
import type { Module } from "../../src/nn/module.ts";
import type { HostTensor } from "../../src/io/safetensors.ts";
import { addModuleState, writeCheckpoint } from "../../src/train/checkpoint_file.ts";
import { presetConfig } from "../../src/train/presets.ts";
import { NEURAD_VERSION } from "../../src/util/version.ts";
import { gunzipSync } from "fflate";

export const FIXTURES = new URL("../fixtures/web/", import.meta.url).pathname;
export const LAS_SCAN = join(FIXTURES, "web_las_int16.nii.gz");
export const RAS_SCAN = join(FIXTURES, "web_ras_float32.nii.gz");

export const TINY_PREPROCESS = {
  cropSize: [79, 95, 18],
  scale: 1,
  smoothingIterations: 2,
  spacing: [2.5, 2.5, 2.5],
};

/** Float32 voxels of a float32 NIfTI-1 .nii.gz (the anomaly maps detect writes). */
export function niftiFloats(gz: Uint8Array): Float32Array {
  const b = gunzipSync(gz);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const off = dv.getFloat32(108, true);
  return new Float32Array(b.slice(off).buffer);
}

function quantile(xs: Float32Array, q: number): number {
  const s = Float32Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

/** Writes the run into `dir` (which must exist) and returns its config's model name. */
export async function makeTinyRun(dir: string): Promise<void> {
  await getDevice();
  const config = presetConfig("demo");
  config.model.options = { ...config.model.options, latentDim: 32, widthMultiplier: 0.0625 };
  config.data.preprocess = TINY_PREPROCESS;
  config.data.dir = "";
  manualSeed(11);
  const model = createModel<Module & Autoencoder>(config.model.name, config.model.options);
  model.eval();
  try {
    await Deno.mkdir(join(dir, "checkpoints"), { recursive: true });
    await Deno.writeTextFile(join(dir, "config.json"), JSON.stringify(config, null, 2));
    const tensors = new Map<string, HostTensor>();
    await addModuleState(tensors, model, "model.");
    await writeCheckpoint(join(dir, "checkpoints", "best"), tensors, {
      format: "neurad-checkpoint-1",
      model: config.model.name,
      step: 0,
      epoch: 0,
      batchInEpoch: 0,
      rng: {},
      dataHash: "",
      neuradVersion: NEURAD_VERSION,
    });
    // Thresholds from the model's own maps of the two fixture scans.
    const run = {
      config,
      model,
      dir,
      checkpointPath: join(dir, "checkpoints", "best.safetensors"),
      step: 0,
      epoch: 0,
    };
    const thresholds: StoredThresholds = {
      protocol: "reddipalli22",
      threshold: 0,
      thresholdScope: "pooled",
      volumeScore: {
        threshold: 0,
        rule: "quantile",
        fpr: 0.05,
        calibrationVolumes: 3,
        healthyMean: 0,
        healthyStd: 0,
        healthyMax: 0,
      },
      postprocess: {
        medianFilter: 3,
        erode: 1,
        residual: "absolute",
        median: "2d",
        erosionPlanes: "axial",
        faithful: false,
      },
      createdBy: "neurad eval",
      checkpoint: join(dir, "checkpoints", "best.safetensors"),
    };
    const scores: number[] = [];
    let map: Float32Array | null = null;
    for (const scan of [RAS_SCAN, LAS_SCAN]) {
      const out = await detectVolume(run, await Deno.readFile(scan), scan, thresholds);
      scores.push(out.result.volumeScore!);
      map ??= niftiFloats(out.anomaly!).filter((v) => v > 0);
    }
    const [a, b] = [Math.min(...scores), Math.max(...scores)];
    thresholds.threshold = quantile(map!, 0.99);
    thresholds.volumeScore = {
      ...thresholds.volumeScore,
      threshold: (a + b) / 2,
      healthyMean: a * 0.98,
      healthyStd: Math.max((b - a) / 4, 1e-4),
      healthyMax: a * 1.01,
    };
    await Deno.writeTextFile(join(dir, "thresholds.json"), JSON.stringify(thresholds, null, 2));
  } finally {
    model.dispose();
  }
}
