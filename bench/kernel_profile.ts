// Where one training step's GPU time goes, per kernel, measured on the GPU itself with
// timestamp-query (src/core/kernel_timer.ts): each kernel's dispatch count, total ms and share, for
// one step of a preset at its real input shape (after warm-up steps). Timestamps exclude the
// host's recording and Deno's sync polling, so the total is GPU busy time, not wall time.
// Run: deno run -A bench/kernel_profile.ts [preset=reddipalli22-vqgan] [batch=1] [width=0.25]
//      [steps=1]   (width: the model's widthMultiplier; 1 for the study's full width)

import { getDevice, startKernelTiming, stopKernelTiming, sync } from "../src/mod.ts";
import { deviceInfo } from "../src/core/device.ts";
import { rand } from "../src/kernels/random.ts";
import { presetConfig } from "../src/train/presets.ts";
import { trainStep } from "../src/train/loss_steps.ts";
import { buildRunModules } from "../src/train/trainer.ts";

const [preset = "reddipalli22-vqgan", batchArg = "1", widthArg = "0.25", stepsArg = "1"] =
  Deno.args;
await getDevice();
const config = presetConfig(preset);
config.train.discStart = 0; // the whole step: discriminator and λ on
const width = Number(widthArg);
if (width !== 1) config.model.options.widthMultiplier = width;
const B = Number(batchArg), steps = Number(stepsArg);
const m = buildRunModules(config);
const x = rand([B, ...config.data.sliceShape]);
const step = (i: number) => {
  for (const t of Object.values(trainStep(m, config.train, x, i, 0))) t.dispose();
};
for (let i = 0; i < 2; i++) step(i); // warm-up: pipelines compiled, buffers pooled
await sync();
const t0 = performance.now();
startKernelTiming();
for (let i = 0; i < steps; i++) step(2 + i);
const times = await stopKernelTiming();
const wall = performance.now() - t0;
const total = times.reduce((s, t) => s + t.ms, 0);
const info = deviceInfo();
console.log(
  `${preset} (width ${width}, batch ${B}, ${config.data.sliceShape.join("×")}), ${steps} step(s) ` +
    `on ${info.description} (${info.backend}): GPU ${total.toFixed(1)} ms in ${
      times.reduce((n, t) => n + t.count, 0)
    } dispatches, wall ${wall.toFixed(0)} ms with timing on`,
);
console.log("kernel".padEnd(34) + "count".padStart(7) + "ms".padStart(10) + "share".padStart(8));
for (const t of times.slice(0, 25)) {
  console.log(
    t.name.padEnd(34) + String(t.count).padStart(7) + t.ms.toFixed(2).padStart(10) +
      `${((100 * t.ms) / total).toFixed(1)} %`.padStart(8),
  );
}
x.dispose();
