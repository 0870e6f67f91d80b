// Config resolution: presets are valid, JSON files and dotted / bare flags override fields, and
// bad values, unknown fields and ambiguous names get one line naming the flag or file. Plus the
// seeded sampler (a pure function of seed and epoch) and the adversarial ramp.

import { deepStrictEqual, notDeepStrictEqual, rejects, strictEqual, throws } from "node:assert";
import { PRESET_NAMES, presetConfig } from "../../src/train/presets.ts";
import { applyFlags, resolveConfig, validateConfig } from "../../src/train/resolve_config.ts";
import { batchesPerEpoch, epochOrder } from "../../src/train/train_data.ts";
import { advWeight } from "../../src/train/loss_steps.ts";
import { UserError } from "../../src/core/errors.ts";
import { tempDir } from "../temp_dir.ts";

const oneLine = (re: RegExp) => (e: unknown) =>
  e instanceof UserError && re.test(e.message) && !e.message.includes("\n");

Deno.test("every preset resolves to a valid config; --faithful sets every model's mode", async () => {
  for (const p of PRESET_NAMES) {
    validateConfig(presetConfig(p));
    const c = await resolveConfig({ preset: p, faithful: true, dataDir: "d" });
    strictEqual(c.mode, "faithful");
    strictEqual(c.model.options.mode, "faithful");
    if (c.discriminator) strictEqual(c.discriminator.options.mode, "faithful");
  }
  const g = presetConfig("reddipalli22-vqgan");
  deepStrictEqual([g.train.lr, g.train.betas, g.train.discStart], [4.5e-6, [0.5, 0.9], 5000]);
  const b = presetConfig("chandru25-vqgan");
  deepStrictEqual([b.train.lr, b.train.discLr, b.train.randomPerceptualWeight], [2e-4, 1e-4, 0.05]);
});

Deno.test("flags: dotted and bare names, typed values, one-line errors", () => {
  const c = applyFlags(presetConfig("demo"), {
    "train.lr": "0.01",
    batchSize: "8",
    "model.options.latentDim": "64",
    "train.betas": "[0.5, 0.9]",
  });
  deepStrictEqual([c.train.lr, c.train.batchSize, c.model.options.latentDim], [0.01, 8, 64]);
  deepStrictEqual(c.train.betas, [0.5, 0.9]);
  throws(
    () => applyFlags(presetConfig("demo"), { "train.lr": "fast" }),
    oneLine(/--train.lr: expected a number/),
  );
  throws(() => applyFlags(presetConfig("demo"), { nope: "1" }), oneLine(/--nope: unknown/));
  throws(
    () => applyFlags(presetConfig("demo"), { "train.nope": "1" }),
    oneLine(/unknown config field 'train.nope'/),
  );
  throws(
    () => validateConfig(applyFlags(presetConfig("demo"), { mode: "x" })),
    oneLine(/--mode: must be one of/),
  );
  throws(
    () => validateConfig(applyFlags(presetConfig("demo"), { batchSize: "0" })),
    oneLine(/--train.batchSize: must be an integer ≥ 1/),
  );
  throws(
    () => validateConfig(applyFlags(presetConfig("demo"), { "train.betas": "[2, 0]" })),
    oneLine(/--train.betas/),
  );
  throws(
    () => applyFlags(presetConfig("reddipalli22-vqgan"), { mode: "corrected", options: "1" }),
    oneLine(/ambiguous|unknown/),
  );
});

Deno.test("data.preprocess: a misspelt key or a bad value is one line, good ones pass", () => {
  const withPre = (pre: unknown) =>
    validateConfig(applyFlags(presetConfig("demo"), { "data.preprocess": JSON.stringify(pre) }));
  const good = {
    smoothing: "none",
    smoothingIterations: 3,
    smoothingTimeStep: 0.05,
    cropSize: [16, 20, 16],
    clipPercentiles: null,
    scale: 0.5,
    normalisation: "zscore",
    lesionMaskThreshold: 0.01,
    spacing: [2, 2, 2.5],
  };
  deepStrictEqual(withPre(good).data.preprocess, good);
  for (
    const [pre, re] of [
      [
        { cropsize: [1, 2, 3] },
        /--data.preprocess.cropsize: unknown preprocessing option \(known: smoothing/,
      ],
      [{ smoothing: "gauss" }, /--data.preprocess.smoothing: must be one of/],
      [{ cropSize: [16, 20] }, /--data.preprocess.cropSize: must be three positive integers/],
      [{ cropSize: [16, 20, 1.5] }, /cropSize: must be three positive integers/],
      [{ spacing: [1, 0, 1] }, /--data.preprocess.spacing: must be three positive numbers/],
      [{ clipPercentiles: [99, 1] }, /clipPercentiles: must be null or \[low, high\]/],
      [{ scale: 0 }, /--data.preprocess.scale: must be a number > 0/],
      [{ smoothingIterations: 2.5 }, /smoothingIterations: must be an integer ≥ 0/],
      [{ lesionMaskThreshold: 2 }, /lesionMaskThreshold: must be a number > 0 ≤ 1/],
      [[1, 2], /--data.preprocess: must be an object/],
    ] as const
  ) throws(() => withPre(pre), oneLine(re), JSON.stringify(pre));
});

Deno.test("JSON config file merges over the preset; bad files are one line", async () => {
  const dir = await tempDir();
  await Deno.writeTextFile(
    `${dir}/c.json`,
    JSON.stringify({ train: { epochs: 3 }, model: { options: { latentDim: 64 } } }),
  );
  const c = await resolveConfig({
    preset: "demo",
    configFile: `${dir}/c.json`,
    dataDir: "d",
    extra: { epochs: "5" },
  });
  deepStrictEqual([c.train.epochs, c.model.options.latentDim, c.train.lr], [5, 64, 3e-3]);
  await Deno.writeTextFile(`${dir}/bad.json`, "{");
  await rejects(
    resolveConfig({ preset: "demo", configFile: `${dir}/bad.json` }),
    oneLine(/bad.json: not valid JSON/),
  );
  await Deno.writeTextFile(`${dir}/x.json`, JSON.stringify({ train: { lr2: 1 } }));
  await rejects(
    resolveConfig({ preset: "demo", configFile: `${dir}/x.json` }),
    oneLine(/unknown config field 'train.lr2'/),
  );
  await rejects(resolveConfig({ preset: "nope" }), oneLine(/--preset: unknown preset/));
});

Deno.test("sampler: one random slice per volume, seeded, different per epoch", () => {
  const s = {
    images: new Float32Array(0),
    N: 30,
    H: 1,
    W: 1,
    groups: [[0, 1, 2], [3, 4, 5, 6], [7, 8], [9]],
  };
  const a = epochOrder(s, "random-slice-per-volume", 5, 0);
  deepStrictEqual(a, epochOrder(s, "random-slice-per-volume", 5, 0));
  strictEqual(a.length, 4);
  deepStrictEqual(a.map((i) => s.groups.findIndex((g) => g.includes(i))).sort(), [0, 1, 2, 3]);
  const all = epochOrder(s, "all-slices", 5, 1);
  deepStrictEqual([...all].sort((x, y) => x - y), Array.from({ length: 30 }, (_, i) => i));
  notDeepStrictEqual(all, epochOrder(s, "all-slices", 5, 2));
  strictEqual(batchesPerEpoch(s, "random-slice-per-volume", 3), 2);
  strictEqual(batchesPerEpoch(s, "all-slices", 16), 2);
});

Deno.test("second study's adversarial ramp min(0.1 + 0.0005·epoch, 0.5)", () => {
  const t = presetConfig("chandru25-vqgan").train;
  strictEqual(advWeight(t, 0), 0.1);
  strictEqual(advWeight(t, 100), 0.1 + 0.05);
  strictEqual(advWeight(t, 999), 0.5);
});
