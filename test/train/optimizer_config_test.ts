// The run's optimiser and lr schedule from its config: presets keep Adam at a constant lr,
// train.optimizer / momentum / nesterov and train.lrSchedule are set by flags and JSON files
// with one-line errors, an older run's config.json gets the new fields' defaults, the trainer
// applies the schedule every step (the logged lr), and a resumed SGD + Nesterov run under a
// warm-up + cosine schedule ends byte-identical to the uninterrupted run.

import { deepStrictEqual, ok, rejects, strictEqual, throws } from "node:assert";
import { UserError } from "../../src/core/errors.ts";
import { readCheckpoint } from "../../src/train/checkpoint_file.ts";
import { readRunConfig } from "../../src/train/open_run.ts";
import { PRESET_NAMES, presetConfig } from "../../src/train/presets.ts";
import { applyFlags, resolveConfig, validateConfig } from "../../src/train/resolve_config.ts";
import type { RunConfig } from "../../src/train/run_config.ts";
import { lrScheduleOf } from "../../src/train/run_optimizers.ts";
import { train } from "../../src/train/trainer.ts";
import { setup } from "../helpers.ts";
import { tempDir } from "../temp_dir.ts";
import { tinyTrainData } from "./_tiny_data.ts";

const oneLine = (re: RegExp) => (e: unknown) =>
  e instanceof UserError && re.test(e.message) && !e.message.includes("\n");

const demo = (flags: Record<string, string>) =>
  validateConfig(applyFlags(presetConfig("demo"), flags));

Deno.test("presets train with Adam(W) at a constant lr unless the config says otherwise", () => {
  for (const p of PRESET_NAMES) {
    const t = presetConfig(p).train;
    strictEqual(t.optimizer, "adam");
    strictEqual(t.lrSchedule.name, "constant");
    strictEqual(t.lrSchedule.warmupSteps, 0);
  }
  const s = lrScheduleOf(presetConfig("demo").train.lrSchedule, 100);
  deepStrictEqual([0, 1, 50, 99, 1000].map(s), [1, 1, 1, 1, 1]);
});

Deno.test("optimizer and lrSchedule by flags and JSON; bad values are one line naming the field", async () => {
  const c = demo({
    optimizer: "sgd",
    momentum: "0.9",
    nesterov: "true",
    "train.lrSchedule.name": "cosine",
    warmupSteps: "10",
    minFactor: "0.05",
  });
  deepStrictEqual([c.train.optimizer, c.train.momentum, c.train.nesterov], ["sgd", 0.9, true]);
  deepStrictEqual(
    [c.train.lrSchedule.name, c.train.lrSchedule.warmupSteps, c.train.lrSchedule.minFactor],
    ["cosine", 10, 0.05],
  );
  // An object value merges over the schedule's fields.
  const d = demo({ "train.lrSchedule": '{"name":"step","stepSize":20,"gamma":0.5}' });
  deepStrictEqual(
    [d.train.lrSchedule.name, d.train.lrSchedule.stepSize, d.train.lrSchedule.gamma],
    ["step", 20, 0.5],
  );
  const dir = await tempDir();
  await Deno.writeTextFile(
    `${dir}/c.json`,
    JSON.stringify({
      train: { optimizer: "adamw", lrSchedule: { name: "cosine", totalSteps: 500 } },
    }),
  );
  const j = await resolveConfig({ preset: "demo", configFile: `${dir}/c.json`, dataDir: "d" });
  deepStrictEqual([j.train.optimizer, j.train.lrSchedule.totalSteps], ["adamw", 500]);
  const bad: [Record<string, string>, RegExp][] = [
    [{ optimizer: "rmsprop" }, /^--train\.optimizer: must be one of "adam", "adamw", "sgd"/],
    [{ "train.lrSchedule.name": "cos" }, /^--train\.lrSchedule\.name: must be one of/],
    [{ warmupSteps: "-1" }, /^--train\.lrSchedule\.warmupSteps: must be an integer ≥ 0/],
    [{ warmupStartFactor: "0" }, /^--train\.lrSchedule\.warmupStartFactor: must be a number > 0/],
    [{ stepSize: "0" }, /^--train\.lrSchedule\.stepSize: must be an integer ≥ 1/],
    [{ gamma: "0" }, /^--train\.lrSchedule\.gamma: must be a number > 0/],
    [{ totalSteps: "2.5" }, /^--train\.lrSchedule\.totalSteps: must be an integer/],
    [{ minFactor: "2" }, /^--train\.lrSchedule\.minFactor: must be a number ≥ 0 ≤ 1/],
    [{ momentum: "-0.1" }, /^--train\.momentum: must be a number ≥ 0/],
    [{ optimizer: "sgd", nesterov: "true" }, /^--train\.nesterov: .*--train\.momentum > 0/],
    [{ "train.lrSchedule": "null" }, /^--train\.lrSchedule: must be an object/],
  ];
  for (const [flags, re] of bad) throws(() => demo(flags), oneLine(re), JSON.stringify(flags));
  throws(
    () => applyFlags(presetConfig("demo"), { "train.lrSchedule": '{"warmup":3}' }),
    oneLine(/unknown config field 'train\.lrSchedule\.warmup'/),
  );
});

Deno.test("an older run's config.json (no optimizer or schedule fields) reads with their defaults", async () => {
  const dir = await tempDir();
  const old = presetConfig("demo") as unknown as { train: Record<string, unknown> };
  for (const k of ["momentum", "nesterov", "lrSchedule"]) delete old.train[k];
  await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify(old));
  const c = validateConfig(applyFlags(await readRunConfig(dir), { warmupSteps: "5" }));
  deepStrictEqual([c.train.momentum, c.train.lrSchedule.name, c.train.lrSchedule.warmupSteps], [
    0,
    "constant",
    5,
  ]);
});

Deno.test("lrScheduleOf: step decay, cosine over the rest of the run after a linear warm-up", () => {
  const base = presetConfig("demo").train.lrSchedule;
  const step = lrScheduleOf({ ...base, name: "step", stepSize: 3, gamma: 0.5 }, 100);
  deepStrictEqual([0, 2, 3, 5, 6].map(step), [1, 1, 0.5, 0.5, 0.25]);
  const cos = lrScheduleOf(
    { ...base, name: "cosine", warmupSteps: 2, warmupStartFactor: 0.5, minFactor: 0.1 },
    10,
  );
  // Warm-up 0.5 → 1 over 2 steps, then 0.1 + 0.9·½(1 + cos(π t / 8)) over the other 8.
  const want = (t: number) =>
    t < 2 ? 0.5 + 0.25 * t : 0.1 + 0.45 * (1 + Math.cos(Math.PI * (t - 2) / 8));
  for (let t = 0; t <= 10; t++) ok(Math.abs(cos(t) - want(t)) < 1e-12, `t ${t}`);
  strictEqual(cos(10), 0.1);
  const fixed = lrScheduleOf({ ...base, name: "cosine", totalSteps: 4 }, 1000);
  strictEqual(fixed(4), 0);
});

/** A tiny VAE run: SGD with Nesterov momentum, warm-up + cosine, 6 steps over 3 epochs. */
function sgdRun(): RunConfig {
  return validateConfig(applyFlags(presetConfig("reddipalli22-vae"), {
    "model.options": '{"widthMultiplier":0.125,"latentDim":32,"dropRate":0}',
    optimizer: "sgd",
    lr: "1e-5",
    momentum: "0.9",
    nesterov: "true",
    weightDecay: "1e-4",
    "train.lrSchedule": '{"name":"cosine","warmupSteps":2,"warmupStartFactor":0.5,"minFactor":0.1}',
    batchSize: "2",
    steps: "6",
    saveEvery: "2",
    logEvery: "1",
    sampleEveryEpochs: "0",
  }));
}

async function logLines(dir: string): Promise<Record<string, number>[]> {
  return (await Deno.readTextFile(`${dir}/log.jsonl`)).trim().split("\n").map((l) => JSON.parse(l));
}

Deno.test("the trainer steps the schedule every step; a resumed SGD run is byte-identical", async () => {
  await setup();
  const tmp = await tempDir();
  const config = sgdRun();
  const data = tinyTrainData(4); // 2 batches per epoch: the run crosses two epoch ends
  const full = await train(config, { outDir: `${tmp}/full`, data, quiet: true });
  strictEqual(full.step, 6);
  const schedule = lrScheduleOf(config.train.lrSchedule, 6);
  const steps = (await logLines(`${tmp}/full`)).filter((l) => "loss" in l);
  deepStrictEqual(steps.map((l) => l.step), [1, 2, 3, 4, 5, 6]);
  for (const l of steps) {
    ok(Number.isFinite(l.loss), `loss at step ${l.step}`);
    // The logged lr is the one the next step uses.
    strictEqual(l.lr, 1e-5 * schedule(l.step), `lr at step ${l.step}`);
  }
  const last = await readCheckpoint(`${tmp}/full/checkpoints/last.safetensors`);
  deepStrictEqual(last.meta.extra?.lrSchedule, { step: 6 });
  ok([...last.tensors.keys()].some((k) => /^optim\.model\..*\.momentum$/.test(k)));

  // The state a kill right after the step-2 checkpoint leaves, then --resume.
  const run = `${tmp}/killed`;
  await Deno.mkdir(`${run}/checkpoints`, { recursive: true });
  await Deno.copyFile(
    `${tmp}/full/checkpoints/step-0000002.safetensors`,
    `${run}/checkpoints/last.safetensors`,
  );
  await Deno.copyFile(`${tmp}/full/log.jsonl`, `${run}/log.jsonl`);
  await train(config, { outDir: run, data, quiet: true, resume: true });
  const b = await readCheckpoint(`${run}/checkpoints/last.safetensors`);
  deepStrictEqual([...b.tensors.keys()], [...last.tensors.keys()]);
  for (const [k, h] of last.tensors) {
    const x = new Uint8Array(h.data.buffer, h.data.byteOffset, h.data.byteLength);
    const g = b.tensors.get(k)!.data;
    const y = new Uint8Array(g.buffer, g.byteOffset, g.byteLength);
    ok(x.length === y.length && x.every((v, i) => v === y[i]), `${k} differs after resume`);
  }
  const pick = (ls: Record<string, number>[]) => ls.map((l) => [l.step, l.lr, l.loss, l.valLoss]);
  deepStrictEqual(pick(await logLines(run)), pick(await logLines(`${tmp}/full`)));
  deepStrictEqual(b.meta.extra?.optim, last.meta.extra?.optim);

  // An Adam checkpoint does not fit an SGD run: one line naming the file.
  const adam = validateConfig(applyFlags(config, { optimizer: "adam" }));
  await train({ ...adam, train: { ...adam.train, steps: 1 } }, {
    outDir: `${tmp}/adam`,
    data,
    quiet: true,
  });
  await rejects(
    train(config, { outDir: `${tmp}/adam`, data, quiet: true, resume: true }),
    oneLine(/last\.safetensors: optimiser state does not fit \(unexpected model\./),
  );
});
