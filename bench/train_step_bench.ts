// One training step of every preset at its real shape and full width (generator + discriminator
// updates, λ through grad() for the VQGAN, the random perceptual net for the second study), as
// the trainer runs it (src/train/loss_steps.ts). On llvmpipe the batch is 2 (1 for the first
// study's VQGAN); NEURAD_BENCH_SIZE=gpu uses the studies' 16. Printed at exit: ms per step,
// steps/s, images/s, and the projected time of one epoch and of the whole training of each study
// (first: 1,859 volumes → 117 steps/epoch, 1,200 epochs; second: 2,000 healthy images → 125
// steps/epoch, 1,000 epochs), scaling the step time linearly from the benched batch to 16.
// Run: deno bench -A bench/train_step_bench.ts [--filter reddipalli22-vae] (models are built
// lazily, so a filter skips the others).

import { getDevice, sync } from "../src/mod.ts";
import { rand } from "../src/kernels/random.ts";
import type { Tensor } from "../src/core/tensor.ts";
import { PRESET_NAMES, presetConfig } from "../src/train/presets.ts";
import { trainStep } from "../src/train/loss_steps.ts";
import { buildRunModules } from "../src/train/trainer.ts";
import { formatSeconds } from "../src/util/progress.ts";
import { GPU_SIZES } from "./_throughput.ts";

await getDevice();
const presets = PRESET_NAMES;
const STUDY = {
  a: { stepsPerEpoch: Math.ceil(1859 / 16), epochs: 1200 },
  b: { stepsPerEpoch: Math.ceil(2000 / 16), epochs: 1000 },
};
const results: { preset: string; batch: number; ms: number[] }[] = [];

for (const preset of presets) {
  const config = presetConfig(preset);
  config.train.discStart = 0; // bench the full VQGAN step (discriminator on, λ computed)
  // The full-width first-study VQGAN (70 M parameters) takes minutes per image on llvmpipe.
  const big = preset === "reddipalli22-vqgan" && !GPU_SIZES;
  const B = GPU_SIZES ? 16 : big ? 1 : 2;
  const row = { preset, batch: B, ms: [] as number[] };
  results.push(row);
  let m: ReturnType<typeof buildRunModules> | null = null;
  let x: Tensor | null = null;
  let step = 0;
  Deno.bench({
    name: `${preset} train step (batch ${B}, ${config.data.sliceShape.join("×")})`,
    group: "train step",
    n: GPU_SIZES ? 10 : big ? 1 : 2,
    warmup: 1,
    async fn(b) {
      if (!m) {
        m = buildRunModules(config);
        x = rand([B, ...config.data.sliceShape]);
      }
      b.start();
      const t0 = performance.now();
      const terms = trainStep(m, config.train, x!, step++, 0);
      await sync();
      row.ms.push(performance.now() - t0);
      b.end();
      for (const t of Object.values(terms)) t.dispose();
    },
  });
}

globalThis.addEventListener("unload", () => {
  console.log(
    `\ntraining step${GPU_SIZES ? "" : " (llvmpipe: small batches; the studies use 16)"}`,
  );
  console.log(
    "preset               batch  ms/step  steps/s  img/s   epoch@16 (proj.)  full training (proj.)",
  );
  for (const r of results) {
    const ms = r.ms.slice(1).sort((a, b) => a - b); // the warm-up call compiles pipelines
    const med = ms.length ? ms[Math.floor(ms.length / 2)] : undefined;
    if (med === undefined) continue;
    const study = r.preset === "demo" ? null : r.preset.startsWith("chandru") ? STUDY.b : STUDY.a;
    const epoch = (med / 1000) * (16 / r.batch) * (study?.stepsPerEpoch ?? 0);
    console.log(
      `${r.preset.padEnd(20)} ${String(r.batch).padStart(5)} ${med.toFixed(0).padStart(8)} ${
        (1000 / med).toFixed(3).padStart(8)
      } ${((1000 * r.batch) / med).toFixed(2).padStart(6)}   ${
        (study ? formatSeconds(epoch) : "n/a").padStart(14)
      }  ${(study ? formatSeconds(epoch * study.epochs) : "n/a").padStart(18)}`,
    );
  }
});
