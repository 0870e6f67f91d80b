// The training soak: `neurad train`'s own loop over many steps of a small first-study
// VQGAN + PatchGAN (width 1/32 with 4 GroupNorm groups: 4/8/16-channel stages; adaptive λ and
// the hinge discriminator from step 0) on the demo cohort's slices, then a summary of its
// log.jsonl: GPU buffers and MB held by live tensors and by the pool, host RSS, steps/s and the
// loss, first against last. A leak shows as a rising gpuLiveBuffers / hostRssMB column.
// Run: deno run -A tools/train_soak.ts [--steps 10000] [--data data/demo] [--out runs/soak]
// (builds the demo cohort with `deno task demo-data` first if data/demo is missing).

import { parseArgs } from "node:util";
import { deviceInfo, getDevice } from "../src/core/device.ts";
import { resolveConfig } from "../src/train/resolve_config.ts";
import { train } from "../src/train/trainer.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    steps: { type: "string", default: "10000" },
    data: { type: "string", default: "data/demo" },
    out: { type: "string", default: "runs/soak" },
  },
});
const steps = Number(values.steps);
await getDevice();
const info = deviceInfo();
const config = await resolveConfig({
  preset: "reddipalli22-vqgan",
  dataDir: values.data,
  extra: {
    "model.options": '{"widthMultiplier":0.03125,"normGroups":4,"embedDim":64,"numCodes":64}',
    "discriminator.options": '{"widthMultiplier":0.0625}',
    "data.sampling": "all-slices",
    "data.maxValImages": "32",
    batchSize: "1",
    discStart: "0",
    steps: String(steps),
    logEvery: "100",
    saveEvery: "1000",
    keepLast: "2",
    sampleEveryEpochs: "0",
  },
});
await Deno.remove(values.out, { recursive: true }).catch(() => {});
const t0 = performance.now();
const r = await train(config, { outDir: values.out });
const seconds = (performance.now() - t0) / 1000;

const log = (await Deno.readTextFile(`${values.out}/log.jsonl`)).trim().split("\n")
  .map((l) => JSON.parse(l) as Record<string, number>).filter((l) => "loss" in l);
const col = (k: string) => log.map((l) => l[k]);
const range = (k: string, d = 1) => {
  const v = col(k);
  return `${Math.min(...v).toFixed(d)}–${Math.max(...v).toFixed(d)} (first ${
    v[0].toFixed(d)
  }, last ${v.at(-1)!.toFixed(d)})`;
};
const sps = col("stepsPerSec").slice(1).sort((a, b) => a - b);
const summary = {
  adapter: `${info.description} (${info.backend})`,
  steps: r.step,
  epochs: r.epoch,
  seconds: Math.round(seconds),
  medianStepsPerSec: sps[Math.floor(sps.length / 2)],
  logLines: log.length,
  gpuLiveBuffers: range("gpuLiveBuffers", 0),
  gpuLiveMB: range("gpuLiveMB", 2),
  gpuPooledMB: range("gpuPooledMB", 2),
  hostRssMB: range("hostRssMB", 0),
  loss: range("loss", 4),
  lambda: range("lambda", 4),
};
await Deno.writeTextFile(`${values.out}/soak.json`, JSON.stringify(summary, null, 2) + "\n");
console.log(JSON.stringify(summary, null, 2));
