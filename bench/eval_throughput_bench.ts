// Evaluation throughput in volumes/s: one preprocessed Colin27 volume (70 axial slices of 95×79)
// reconstructed on the GPU in batches of 16 (one readback per batch) and post-processed as
// `neurad eval` does (residual, 2D median 9×9, eroded brain mask), with the demo preset's VAE and
// the first study's full-width VAE; the faithful 3D 9×9×9 median is timed on its own. The whole
// `neurad eval` of a run (data loading, thresholds, metrics, report) reports its own volumes/s
// in eval.json's `timing`.

import { getDevice } from "../src/core/device.ts";
import { preprocessVolume } from "../src/data/mod.ts";
import { COLIN_GRID, loadColin27 } from "../src/data/demo/colin27_template.ts";
import { uncropPad } from "../src/data/preprocess/crop_pad.ts";
import { postprocess } from "../src/eval/protocols/reddipalli22.ts";
import { medianFilter3d } from "../src/eval/postprocess/median_filter.ts";
import { reconstructStack } from "../src/eval/scoring/reconstruct.ts";
import { createModel } from "../src/models/create_model.ts";
import type { Autoencoder } from "../src/models/types.ts";
import type { Module } from "../src/nn/module.ts";

await getDevice();
const t = await loadColin27();
const full = uncropPad({ data: t.data, dims: t.dims }, COLIN_GRID.dims, t.offset);
const pre = preprocessVolume({
  data: full.data,
  dims: [...COLIN_GRID.dims],
  pixdim: [1, 1, 1],
  affine: COLIN_GRID.affine,
});
const [W, H, Z] = pre.image.dims;
const ids = new Array(Z).fill("colin27");
const seconds: Record<string, number[]> = {};

function volumeBench(name: string, options: Record<string, unknown>, n: number) {
  let model: (Module & Autoencoder) | null = null;
  seconds[name] = [];
  Deno.bench({
    group: "eval",
    name,
    n,
    warmup: 1,
    async fn(b) {
      model ??= createModel<Module & Autoencoder>("reddipalli22-vae", options);
      b.start();
      const t0 = performance.now();
      const r = await reconstructStack(model, pre.image.data, [Z, 1, H, W]);
      postprocess(r.residuals, pre.brainMask, ids, H, W, 9, false);
      seconds[name].push((performance.now() - t0) / 1000);
      b.end();
    },
  });
}

volumeBench("demo VAE (¼ width, L 32): 1 volume", { latentDim: 32, widthMultiplier: 0.25 }, 4);
volumeBench("study VAE (full width, L 128): 1 volume", { latentDim: 128 }, 2);

seconds["faithful 3D median 9×9×9"] = [];
Deno.bench({
  group: "eval",
  name: "faithful 3D median 9×9×9 (host)",
  n: 2,
  warmup: 0,
  fn(b) {
    b.start();
    const t0 = performance.now();
    medianFilter3d(pre.image.data, Z, H, W, 9);
    seconds["faithful 3D median 9×9×9"].push((performance.now() - t0) / 1000);
    b.end();
  },
});

globalThis.addEventListener("unload", () => {
  console.log(`\neval throughput (${Z} slices of ${H}×${W} per volume, median of timed runs):`);
  for (const [name, s] of Object.entries(seconds)) {
    if (!s.length) continue;
    const m = [...s].sort((a, b) => a - b)[Math.floor(s.length / 2)];
    console.log(
      `  ${name.padEnd(44)} ${m.toFixed(2).padStart(7)} s  ${(1 / m).toFixed(3)} volumes/s`,
    );
  }
});
