// A quick check that a trained run finds the lesions of a NIfTI cohort's test split: pixel-wise
// AUROC / AUPRC of the absolute residual |x − x̂| (median 9×9, inside the eroded brain mask)
// over the pathological test subjects (no threshold), and the same with a random-weight model of the
// same run for contrast. Used to measure the `demo` preset (docs/train.md); eval proper is
// `neurad eval`. Run: deno run -A tools/demo_detect_check.ts RUN [DATA_DIR]

import { getDevice, noGrad, Tensor } from "../src/mod.ts";
import { loadSlices } from "../src/data/load_slices.ts";
import { auroc, averagePrecision, binaryErosion2d, medianFilter2d } from "../src/eval/mod.ts";
import { openRun } from "../src/train/open_run.ts";
import { createModel } from "../src/models/create_model.ts";
import type { Autoencoder } from "../src/models/types.ts";
import type { Module } from "../src/nn/module.ts";
import { reportError } from "../src/util/errors.ts";
import { preprocessCacheDir } from "../src/data/cache_dir.ts";

async function scores(model: Autoencoder, images: Float32Array, n: number, H: number, W: number) {
  const out = new Float32Array(n * H * W);
  for (let i = 0; i < n; i += 16) {
    const k = Math.min(16, n - i);
    const x = Tensor.from(images.subarray(i * H * W, (i + k) * H * W), [k, 1, H, W]);
    const r = noGrad(() => model.reconstruct(x));
    const rv = await r.toArray();
    for (let j = 0; j < k * H * W; j++) {
      out[i * H * W + j] = Math.abs(images[i * H * W + j] - rv[j]);
    }
    x.dispose();
    r.dispose();
  }
  return out;
}

try {
  const [runDir, dataDir] = Deno.args;
  await getDevice();
  const run = await openRun(runDir, { checkpoint: "best" });
  const d = run.config.data;
  const test = await loadSlices(dataDir ?? d.dir, {
    split: "test",
    cohort: "pathological",
    seed: d.splitSeed,
    preprocess: d.preprocess,
    cacheDir: preprocessCacheDir(d.cacheDir),
    quiet: true,
  });
  const { N, H, W } = test;
  // The first study's post-processing: brain mask eroded (cross, 5 iterations), residual
  // median-filtered 9×9 per slice.
  const mask = binaryErosion2d(test.brainMasks, H, W, { iterations: 5 });
  const idx: number[] = [];
  for (let i = 0; i < N * H * W; i++) if (mask[i]) idx.push(i);
  const labels = idx.map((i) => (test.lesionMasks[i] ? 1 : 0));
  const report = async (name: string, model: Autoencoder) => {
    const s = medianFilter2d(await scores(model, test.images, N, H, W), H, W, 9);
    const sc = idx.map((i) => s[i]);
    console.log(
      `${name}: pixel AUROC ${auroc(sc, labels).toFixed(4)}, AUPRC ${
        averagePrecision(sc, labels).toFixed(4)
      } (${test.subjects.length} subjects, ${N} slices, ${
        labels.filter((l) => l).length
      } lesion voxels of ${labels.length} brain voxels)`,
    );
  };
  await report(`trained (step ${run.step})`, run.model);
  const untrained = createModel<Module & Autoencoder>(
    run.config.model.name,
    run.config.model.options,
  ).eval();
  await report("untrained", untrained);
} catch (e) {
  reportError(e);
  Deno.exit(1);
}
