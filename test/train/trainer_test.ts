// The trainer in-process on tiny models (width 1/32..1/8) and tiny in-memory data: each
// first-study family overfits a small batch (the loss falls), the VQGAN's adaptive λ and
// discriminator terms appear after discStart, NaN stops the run naming the step and the term
// with the last checkpoint intact, a resume on other data or another model's checkpoint is one
// line, and live GPU buffers stay flat over many steps.

import { deepStrictEqual, notDeepStrictEqual, ok, rejects, strictEqual } from "node:assert";
import { memoryStats } from "../../src/core/memory.ts";
import { Tensor } from "../../src/core/tensor.ts";
import { presetConfig } from "../../src/train/presets.ts";
import { applyFlags, validateConfig } from "../../src/train/resolve_config.ts";
import { readCheckpoint } from "../../src/train/checkpoint_file.ts";
import { loadLpips, train } from "../../src/train/trainer.ts";
import { openRun } from "../../src/train/open_run.ts";
import { UserError } from "../../src/core/errors.ts";
import { setup } from "../helpers.ts";
import { tempDir } from "../temp_dir.ts";
import { tinyTrainData } from "./_tiny_data.ts";
import { epochOrder } from "../../src/train/train_data.ts";

function cfg(preset: string, flags: Record<string, string>) {
  return validateConfig(
    applyFlags(presetConfig(preset), { logEvery: "1", sampleEveryEpochs: "0", ...flags }),
  );
}

async function logLines(dir: string): Promise<Record<string, number>[]> {
  return (await Deno.readTextFile(`${dir}/log.jsonl`)).trim().split("\n").map((l) => JSON.parse(l));
}

Deno.test("VAE overfits a tiny batch: loss falls; run directory and best checkpoint written", async () => {
  await setup();
  const dir = await tempDir();
  const c = cfg("reddipalli22-vae", {
    "model.options": '{"widthMultiplier":0.125,"latentDim":32,"dropRate":0}',
    batchSize: "2",
    epochs: "3",
    lr: "0.003",
    sampleEveryEpochs: "3",
  });
  const r = await train(c, { outDir: dir, data: tinyTrainData(2), quiet: true });
  strictEqual(r.step, 3);
  const log = (await logLines(dir)).filter((l) => "loss" in l);
  ok(log.at(-1)!.loss < 0.95 * log[0].loss, `loss ${log[0].loss} → ${log.at(-1)!.loss}`);
  ok(Number.isFinite(r.bestValLoss));
  // Every log line carries the leak watch: the model's weights, grads and Adam state are live.
  ok(
    log.every((l) => Number.isInteger(l.gpuLiveBuffers) && l.gpuLiveBuffers > 20),
    "gpuLiveBuffers",
  );
  ok(log.every((l) => l.gpuLiveMB > 0 && l.gpuPooledMB >= 0), "gpuLiveMB / gpuPooledMB");
  deepStrictEqual(new Set(log.map((l) => l.gpuLiveBuffers)).size, 1, "live buffers flat");
  for (
    const f of [
      "config.json",
      "checkpoints/last.safetensors",
      "checkpoints/best.json",
      "samples/epoch-0000.png",
      "samples/epoch-0002.png",
    ]
  ) {
    await Deno.stat(`${dir}/${f}`);
  }
  // eval's entry point reopens the trainer's run: best checkpoint, eval mode.
  const run = await openRun(dir);
  ok(run.checkpointPath.endsWith("best.safetensors") && !run.model.training);
  run.model.dispose();
});

Deno.test("NaN/Inf stops the run naming step and term; the last checkpoint stays intact", async () => {
  await setup();
  const dir = await tempDir();
  // Image 3 holds two float32-max pixels: the summed L1 of any batch drawing it overflows.
  const data = tinyTrainData(6);
  const hw = 95 * 79;
  data.train.images[3 * hw] = data.train.images[3 * hw + 1] = 3e38;
  const c = cfg("reddipalli22-vae", {
    "model.options": '{"widthMultiplier":0.125,"latentDim":32}',
    batchSize: "1",
    epochs: "1",
    saveEvery: "1",
    logEvery: "4",
  });
  const bad = epochOrder(data.train, c.data.sampling, c.train.seed, 0).indexOf(3) + 1;
  ok(bad > 1, "the seeded order draws image 3 after step 1");
  await rejects(
    train(c, { outDir: dir, data, quiet: true }),
    (e) =>
      e instanceof UserError &&
      e.message.startsWith(`step ${bad}: loss term 'loss' is Infinity`),
  );
  const last = await readCheckpoint(`${dir}/checkpoints/last.safetensors`);
  strictEqual(last.meta.step, bad - 1);
  for (const [k, h] of last.tensors) ok((h.data as Float32Array).every(Number.isFinite), k);
  // A checkpoint every step, the newest keepLast (3) kept.
  const kept: string[] = [];
  for await (const e of Deno.readDir(`${dir}/checkpoints`)) {
    if (/^step-\d{7}\.safetensors$/.test(e.name)) kept.push(e.name);
  }
  deepStrictEqual(
    kept.sort(),
    Array.from({ length: bad - 1 }, (_, i) => `step-${String(i + 1).padStart(7, "0")}.safetensors`)
      .slice(-3),
  );
});

Deno.test("resume refuses other data and another model's checkpoint, in one line", async () => {
  await setup();
  const dir = await tempDir();
  const c = cfg("reddipalli22-vae", {
    "model.options": '{"widthMultiplier":0.125,"latentDim":32}',
    batchSize: "2",
    steps: "1",
  });
  await train(c, { outDir: dir, data: tinyTrainData(2), quiet: true });
  await rejects(
    train(c, { outDir: dir, data: tinyTrainData(3), quiet: true, resume: true }),
    (e) => e instanceof UserError && /trained on other data/.test(e.message),
  );
  const other = cfg("reddipalli22-vae", {
    "model.options": '{"widthMultiplier":0.25,"latentDim":32}',
    batchSize: "2",
    steps: "2",
  });
  await rejects(
    train(other, { outDir: dir, data: tinyTrainData(2), quiet: true, resume: true }),
    (e) =>
      e instanceof UserError && /does not fit the run's model/.test(e.message) &&
      !e.message.includes("\n"),
  );
});

Deno.test("loss terms are read back once per logging interval, never per step", async () => {
  await setup();
  const dir = await tempDir();
  const c = cfg("reddipalli22-vae", {
    "model.options": '{"widthMultiplier":0.125,"latentDim":32}',
    batchSize: "1",
    steps: "6",
    logEvery: "3",
    saveEvery: "1000",
  });
  // Counts GPU round trips: toArray reads one tensor, toArrays many in one.
  let reads = 0;
  const orig = Tensor.prototype.toArray, origMany = Tensor.toArrays;
  Tensor.prototype.toArray = function (this: Tensor) {
    reads++;
    return orig.call(this);
  } as typeof orig;
  Tensor.toArrays = function (ts) {
    reads++;
    return origMany.call(Tensor, ts);
  };
  try {
    await train(c, { outDir: dir, data: tinyTrainData(10), quiet: true }); // no epoch end
  } finally {
    Tensor.prototype.toArray = orig;
    Tensor.toArrays = origMany;
  }
  // Two log readbacks (steps 3 and 6), then one for all the tensors of the final checkpoint.
  const saved = (await readCheckpoint(`${dir}/checkpoints/last.safetensors`)).tensors.size;
  ok(saved > 50, `${saved} tensors saved`);
  strictEqual(reads, 3);
});

Deno.test("incomplete LPIPS weights are one line naming the file", async () => {
  await setup();
  const pth = new URL("../fixtures/pth/", import.meta.url).pathname;
  const c = cfg("reddipalli22-vqgan", {
    "lpips.options": '{"widthMultiplier":0.125}',
    "train.lpipsWeights": `${pth}lpips_trunk_small.pth`,
  });
  await rejects(
    train(c, { outDir: await tempDir(), data: tinyTrainData(1), quiet: true }),
    (e) =>
      e instanceof UserError && /lpips_trunk_small\.pth: LPIPS weights incomplete/.test(e.message),
  );
});

Deno.test("faithful LPIPS keeps random heads (seeded), corrected loads the trained ones", async () => {
  await setup();
  const pth = new URL("../fixtures/pth/", import.meta.url).pathname;
  const flags = {
    "lpips.options": '{"widthMultiplier":0.125}',
    "train.lpipsWeights": `${pth}lpips_trunk_small.pth,${pth}lpips_heads_small.pth`,
  };
  const heads = async (mode: string) => {
    const net = (await loadLpips(cfg("reddipalli22-vqgan", { ...flags, mode })))!;
    const sd = net.stateDict();
    const out = {
      head: [...await sd.get("lin0.model.1.weight")!.toArray()],
      trunk: [...await sd.get("net.features.0.weight")!.toArray()],
    };
    net.dispose();
    return out;
  };
  const [c, f1, f2] = [await heads("corrected"), await heads("faithful"), await heads("faithful")];
  deepStrictEqual(f1, f2);
  deepStrictEqual(f1.trunk, c.trunk);
  notDeepStrictEqual(f1.head, c.head);
  const b = 1 / Math.sqrt(f1.head.length);
  ok(f1.head.every((v) => Math.abs(v) <= b));
});

Deno.test("live GPU buffers stay flat over training steps (short version; heavy: 1,000 VQGAN steps)", async () => {
  await setup();
  const dir = await tempDir();
  const run = (steps: number) =>
    train(
      cfg("reddipalli22-vae", {
        "model.options": '{"widthMultiplier":0.125,"latentDim":32}',
        batchSize: "1",
        steps: String(steps),
        logEvery: "2",
      }),
      { outDir: `${dir}/${steps}`, data: tinyTrainData(8), quiet: true },
    );
  await run(1);
  const live0 = memoryStats().liveBuffers;
  await run(6);
  strictEqual(memoryStats().liveBuffers, live0);
});
