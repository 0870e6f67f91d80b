// Seed studies (src/train/seed_study.ts) on a tiny VAE and tiny in-memory data: --seeds parsing,
// one run directory per seed differing only in train.seed (weights differ, split seed the same),
// the manifest RUN/seeds.json, a study stopped in its second seed resumed with the finished seed
// kept and the stopped one resumed exactly where it stopped, the refusal of a folder that holds a
// study or a run, --overwrite removing the old study's seed runs, and the command line's refusals.

import { deepStrictEqual, notDeepStrictEqual, ok, rejects, strictEqual, throws } from "node:assert";
import { presetConfig } from "../../src/train/presets.ts";
import { applyFlags, validateConfig } from "../../src/train/resolve_config.ts";
import { readCheckpoint } from "../../src/train/checkpoint_file.ts";
import { StopRequest } from "../../src/train/interrupt.ts";
import { train, type TrainOptions } from "../../src/train/trainer.ts";
import {
  parseSeeds,
  readSeedStudy,
  resumeSeedStudy,
  SEEDS_FILE,
  trainSeedStudy,
} from "../../src/train/seed_study.ts";
import type { RunConfig } from "../../src/train/run_config.ts";
import { UserError } from "../../src/core/errors.ts";
import { setup } from "../helpers.ts";
import { tempDir } from "../temp_dir.ts";
import { tinyTrainData } from "./_tiny_data.ts";
import { assertOneLineError, runNeurad } from "../cli/_run.ts";

const exists = (p: string) => Deno.stat(p).then(() => true, () => false);

function tinyConfig(): RunConfig {
  return validateConfig(
    applyFlags(presetConfig("reddipalli22-vae"), {
      "model.options": '{"widthMultiplier":0.125,"latentDim":32,"dropRate":0}',
      batchSize: "2",
      steps: "2",
      epochs: "4",
      logEvery: "1",
      sampleEveryEpochs: "0",
      "data.splitSeed": "7",
    }),
  );
}

/** The trainer on tiny data, recording each call (seed, resume) and stopping where told. */
function recordingTrain(calls: { seed: number; resume: boolean }[], stopAtSeed?: number) {
  return (config: RunConfig, opts: TrainOptions) => {
    calls.push({ seed: config.train.seed, resume: opts.resume === true });
    const stop = new StopRequest();
    if (config.train.seed === stopAtSeed) stop.request("SIGINT");
    return train(config, { ...opts, data: tinyTrainData(4), stop, write: () => {} });
  };
}

Deno.test("parseSeeds(): integers in order; empty items, non-integers and repeats refused", () => {
  deepStrictEqual(parseSeeds("0,1,2"), [0, 1, 2]);
  deepStrictEqual(parseSeeds(" 5 , 3"), [5, 3]);
  for (
    const [raw, re] of [
      ["0,,1", /expected integers separated by commas/],
      ["1,x", /"x" is not an integer/],
      ["-1", /"-1" is not an integer/],
      ["1.5", /"1.5" is not an integer/],
      ["4294967296", /not an integer from 0 to 4294967295/],
      ["2,3,2", /seed 2 is given twice/],
    ] as const
  ) {
    throws(() => parseSeeds(raw), (e) => e instanceof UserError && re.test(e.message), raw);
  }
});

Deno.test("trainSeedStudy(): one run per seed, only train.seed differs; stop and resume", async () => {
  await setup();
  const dir = await tempDir();
  const base = tinyConfig();
  const calls: { seed: number; resume: boolean }[] = [];
  // Stopped (as by Ctrl-C) in the second seed, before its first step.
  const first = await trainSeedStudy(base, [3, 5, 8], {
    outDir: dir,
    quiet: true,
    write: () => {},
    train: recordingTrain(calls, 5),
  });
  strictEqual(first.stopped, "SIGINT");
  deepStrictEqual(calls, [{ seed: 3, resume: false }, { seed: 5, resume: false }]);
  let m = (await readSeedStudy(dir))!;
  deepStrictEqual(m.seeds, [3, 5, 8]);
  deepStrictEqual(m.runs.map((r) => [r.dir, r.status, r.step]), [
    ["seed-3", "done", 2],
    ["seed-5", "interrupted", 0],
    ["seed-8", "not started", undefined],
  ]);
  strictEqual(m.config.train.seed, base.train.seed); // the base config, unseeded
  ok(!(await exists(`${dir}/seed-8`)));

  // --resume: seed 3 kept, seed 5 resumed from its checkpoint, seed 8 started.
  calls.length = 0;
  const before3 = await Deno.readFile(`${dir}/seed-3/checkpoints/last.safetensors`);
  const second = await resumeSeedStudy(dir, {}, {
    quiet: true,
    write: () => {},
    train: recordingTrain(calls),
  });
  strictEqual(second.stopped, undefined);
  deepStrictEqual(calls, [{ seed: 5, resume: true }, { seed: 8, resume: false }]);
  deepStrictEqual(await Deno.readFile(`${dir}/seed-3/checkpoints/last.safetensors`), before3);
  m = (await readSeedStudy(dir))!;
  deepStrictEqual(m.runs.map((r) => [r.status, r.step]), [["done", 2], ["done", 2], ["done", 2]]);

  // Each seed's run: the config differs from the base in train.seed only; weights differ.
  const weights: Float32Array[] = [];
  for (const seed of [3, 5, 8]) {
    const c = JSON.parse(await Deno.readTextFile(`${dir}/seed-${seed}/config.json`)) as RunConfig;
    deepStrictEqual(c, { ...base, train: { ...base.train, seed } });
    strictEqual(c.data.splitSeed, 7);
    const ck = await readCheckpoint(`${dir}/seed-${seed}/checkpoints/last.safetensors`);
    strictEqual(ck.meta.step, 2);
    const [key] = [...ck.tensors.keys()].filter((k) => k.endsWith("weight")).sort();
    weights.push(ck.tensors.get(key)!.data as Float32Array);
  }
  notDeepStrictEqual(weights[0], weights[1]);
  notDeepStrictEqual(weights[1], weights[2]);
});

Deno.test("trainSeedStudy(): a folder holding a study or a run is refused; --overwrite clears it", async () => {
  await setup();
  const dir = await tempDir();
  const calls: { seed: number; resume: boolean }[] = [];
  const o = { outDir: dir, quiet: true, write: () => {}, train: recordingTrain(calls) };
  await trainSeedStudy(tinyConfig(), [1, 2], o);
  await rejects(
    trainSeedStudy(tinyConfig(), [1], o),
    (e) =>
      e instanceof UserError && e.message.includes("already holds a seed study (seeds.json)") &&
      e.message.includes(`--resume ${dir}`),
  );
  // Overwrite: the new study's seeds only; seed 2 of the old one is gone.
  await trainSeedStudy(tinyConfig(), [4], { ...o, overwrite: true });
  deepStrictEqual((await readSeedStudy(dir))!.seeds, [4]);
  ok(!(await exists(`${dir}/seed-2/config.json`)), "the old seed-2 run is cleared");
  ok(!(await exists(`${dir}/seed-1/checkpoints`)), "the old seed-1 run is cleared");
  ok(await exists(`${dir}/seed-4/checkpoints/last.safetensors`));

  // A single run in the folder is refused too.
  const single = await tempDir();
  await train(tinyConfig(), { outDir: single, data: tinyTrainData(4), quiet: true });
  await rejects(
    trainSeedStudy(tinyConfig(), [0], { ...o, outDir: single }),
    (e) => e instanceof UserError && e.message.includes("already holds a run"),
  );
  // A resume of a folder without a study, and a corrupt manifest, are one line each.
  await rejects(
    resumeSeedStudy(single, {}, { quiet: true }),
    (e) => e instanceof UserError && e.message.includes("holds no seed study"),
  );
  await Deno.writeTextFile(`${dir}/${SEEDS_FILE}`, '{"format":"neurad-seed-study"}');
  await rejects(
    readSeedStudy(dir),
    (e) => e instanceof UserError && e.message.includes("not a neurad seed study manifest"),
  );
});

Deno.test("neurad train --seeds: refused with --resume, with --train.seed and when malformed", async () => {
  const dir = await tempDir();
  const cases: [string[], RegExp][] = [
    [["--seeds", "0,1", "--resume", dir], /^error: --seeds: not with --resume/],
    [
      ["--preset", "demo", "--data", dir, "--seeds", "0,1", "--seed", "3"],
      /not with --train\.seed/,
    ],
    [
      ["--preset", "demo", "--data", dir, "--seeds", "0,0"],
      /^error: --seeds: seed 0 is given twice$/,
    ],
  ];
  for (const [args, re] of cases) {
    assertOneLineError(await runNeurad(["train", ...args]), re);
  }
});
