// Heavy training checks (deno task test-heavy): the VQ-VAE and VQGAN families train on tiny
// data (loss falls, λ and the discriminator's hinge appear after discStart), and live GPU
// buffers stay flat over TRAIN_SOAK_STEPS (default 1,000) steps of a small VQGAN + PatchGAN.

import { ok, strictEqual } from "node:assert";
import { memoryStats } from "../../src/core/memory.ts";
import { presetConfig } from "../../src/train/presets.ts";
import { applyFlags, validateConfig } from "../../src/train/resolve_config.ts";
import { train } from "../../src/train/trainer.ts";
import { setup } from "../helpers.ts";
import { tempDir } from "../temp_dir.ts";
import { tinyTrainData } from "../train/_tiny_data.ts";

/** reddipalli22-vqgan at width 1/32 with 4 GroupNorm groups (stages of 4, 8 and 16 channels). */
const SMALL_VQGAN = '{"widthMultiplier":0.03125,"normGroups":4,"embedDim":64,"numCodes":64}';

function cfg(preset: string, flags: Record<string, string>) {
  return validateConfig(
    applyFlags(presetConfig(preset), { logEvery: "1", sampleEveryEpochs: "0", ...flags }),
  );
}

async function logLines(dir: string): Promise<Record<string, number>[]> {
  return (await Deno.readTextFile(`${dir}/log.jsonl`)).trim().split("\n").map((l) => JSON.parse(l));
}

Deno.test("VQ-VAE and VQGAN train; λ and the discriminator's hinge loss appear after discStart", async () => {
  await setup();
  const vq = await tempDir();
  await train(
    cfg("reddipalli22-vqvae", {
      "model.options": '{"widthMultiplier":0.125,"embedDim":32,"numCodes":32}',
      batchSize: "2",
      epochs: "6",
      lr: "0.003",
    }),
    { outDir: vq, data: tinyTrainData(2), quiet: true },
  );
  const l1 = (await logLines(vq)).filter((l) => "loss" in l);
  ok(l1.at(-1)!.mse < l1[0].mse, `mse ${l1[0].mse} → ${l1.at(-1)!.mse}`);
  ok(l1[0].perplexity >= 1 && l1[0].codebookUsage > 0);

  const gan = await tempDir();
  await train(
    cfg("reddipalli22-vqgan", {
      "model.options": '{"widthMultiplier":0.0625,"embedDim":64,"numCodes":64}',
      "discriminator.options": '{"widthMultiplier":0.125}',
      batchSize: "2",
      epochs: "4",
      lr: "0.001",
      discLr: "0.001",
      discStart: "2",
    }),
    { outDir: gan, data: tinyTrainData(2), quiet: true },
  );
  const l2 = (await logLines(gan)).filter((l) => "loss" in l);
  strictEqual(l2[0].lambda, undefined);
  ok(l2.at(-1)!.lambda >= 0 && Number.isFinite(l2.at(-1)!.disc), JSON.stringify(l2.at(-1)));
  ok(Math.min(...l2.map((l) => l.l1)) < l2[0].l1, `l1 ${l2[0].l1} → ${l2.at(-1)!.l1}`);
});

Deno.test("live GPU buffers stay flat over many steps of a small VQGAN + PatchGAN", async () => {
  await setup();
  const steps = Number(Deno.env.get("TRAIN_SOAK_STEPS") ?? 1000);
  const dir = await tempDir();
  // The study's VQGAN (taming blocks, attention, adaptive λ through grad(), hinge PatchGAN from
  // step 0) made small: 4 GroupNorm groups let width 1/32 give 4/8/16-channel stages.
  const run = (n: number) =>
    train(
      cfg("reddipalli22-vqgan", {
        "model.options": SMALL_VQGAN,
        "discriminator.options": '{"widthMultiplier":0.0625}',
        batchSize: "1",
        discStart: "0",
        steps: String(n),
        logEvery: "50",
        saveEvery: "250",
      }),
      { outDir: `${dir}/${n}`, data: tinyTrainData(4), quiet: true },
    );
  await run(2);
  const live0 = memoryStats().liveBuffers;
  const t0 = performance.now();
  await run(steps);
  strictEqual(memoryStats().liveBuffers, live0);
  // Within the run too: every log line (each after a drained interval) holds the same buffers.
  const log = (await logLines(`${dir}/${steps}`)).filter((l) => "loss" in l);
  const live = [...new Set(log.map((l) => l.gpuLiveBuffers))];
  strictEqual(live.length, 1, `live buffers over the run: ${log.map((l) => l.gpuLiveBuffers)}`);
  ok(Number.isFinite(log.at(-1)!.lambda), JSON.stringify(log.at(-1)));
  console.log(
    `${steps} VQGAN steps, live buffers ${live0} before and after, ${live[0]} in every log line, ${
      ((performance.now() - t0) / 1000).toFixed(0)
    } s`,
  );
});

Deno.test("second study: chandru25-vqgan (D then G, BCE, ramp, random perceptual net) and DCGAN train", async () => {
  await setup();
  for (const preset of ["chandru25-vqgan", "chandru25-dcgan"]) {
    const dir = await tempDir();
    const model = preset === "chandru25-vqgan"
      ? '{"widthMultiplier":0.0625,"numCodes":64}'
      : '{"widthMultiplier":0.125}';
    const c = cfg(preset, {
      "model.options": model,
      "discriminator.options": '{"widthMultiplier":0.125}',
      ...(preset === "chandru25-vqgan"
        ? { "perceptual.options": '{"widthMultiplier":0.125}' }
        : {}),
      batchSize: "2",
      epochs: "4",
    });
    const data = tinyTrainData(2, 64, 64);
    data.shape = [3, 64, 64];
    await train(c, { outDir: dir, data, quiet: true });
    const log = (await logLines(dir)).filter((l) => "loss" in l);
    ok(
      Number.isFinite(log.at(-1)!.disc) && Number.isFinite(log.at(-1)!.gan),
      JSON.stringify(log.at(-1)),
    );
    if (preset === "chandru25-vqgan") {
      ok(log[0].perceptual > 0);
      ok(Math.min(...log.map((l) => l.l1)) < log[0].l1, `l1 ${log.map((l) => l.l1)}`);
    }
  }
});

Deno.test("first study's VQGAN with LPIPS weights: the perceptual term enters the loss", async () => {
  await setup();
  const dir = await tempDir();
  const pth = new URL("../fixtures/pth/", import.meta.url).pathname;
  await train(
    cfg("reddipalli22-vqgan", {
      "model.options": '{"widthMultiplier":0.0625,"embedDim":64,"numCodes":64}',
      "discriminator.options": '{"widthMultiplier":0.125}',
      "lpips.options": '{"widthMultiplier":0.125}',
      "train.lpipsWeights": `${pth}lpips_trunk_small.pth,${pth}lpips_heads_small.pth`,
      batchSize: "1",
      steps: "2",
    }),
    { outDir: dir, data: tinyTrainData(2), quiet: true },
  );
  const log = (await logLines(dir)).filter((l) => "loss" in l);
  ok(log[0].perceptual > 0 && log[0].loss > log[0].l1, JSON.stringify(log[0]));
});
