// Exact resume: a `neurad train` subprocess is SIGKILLed after its first checkpoint and resumed
// with --resume; its final weights and optimiser moments must be byte-identical to those of an
// uninterrupted run of the same length (seeded sampler, saved GPU RNG state, deterministic
// kernels). Tiny NIfTI data (IXI layout, smoothing off) in a temp folder.

import { deepStrictEqual, ok, strictEqual } from "node:assert";
import { readCheckpoint } from "../../src/train/checkpoint_file.ts";
import { resolveConfig } from "../../src/train/resolve_config.ts";
import { train } from "../../src/train/trainer.ts";
import { setup } from "../helpers.ts";
import { tempDir } from "../temp_dir.ts";
import { writeTinyNiftiSet } from "../train/_tiny_data.ts";

const MAIN = new URL("../../src/cli/main.ts", import.meta.url).pathname;

function cli(args: string[]) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  });
}

Deno.test("a run SIGKILLed mid-run and resumed ends byte-identical to an uninterrupted one", async () => {
  await setup();
  const tmp = await tempDir();
  await writeTinyNiftiSet(`${tmp}/data`, 10);
  const extra: Record<string, string> = {
    "model.options": '{"widthMultiplier":0.125,"latentDim":32}',
    "data.preprocess": '{"smoothing":"none"}',
    "data.cacheDir": `${tmp}/cache`,
    batchSize: "2",
    logEvery: "2",
    sampleEveryEpochs: "0",
    "train.steps": "6",
    "train.saveEvery": "2",
  };
  // Uninterrupted, in this process.
  const config = await resolveConfig({ preset: "reddipalli22-vae", dataDir: `${tmp}/data`, extra });
  const full = await train(config, { outDir: `${tmp}/full`, quiet: true });
  strictEqual(full.step, 6);
  ok(full.epoch >= 1, "the run crosses an epoch boundary (validation, new sampler order)");

  // Killed after its first checkpoint, then resumed.
  const run = `${tmp}/killed`;
  const flags = Object.entries(extra).flatMap(([k, v]) => [`--${k}`, v]);
  const child = cli([
    "train",
    "--preset",
    "reddipalli22-vae",
    "--data",
    `${tmp}/data`,
    "--out",
    run,
    "-q",
    ...flags,
  ]).spawn();
  const t0 = Date.now();
  // Kill once the first checkpoint is whole (the trainer writes last, then step-N, atomically).
  const lastReadable = () =>
    readCheckpoint(`${run}/checkpoints/last.safetensors`).then(
      (c) => c.meta.step >= 2,
      () => false,
    );
  while (!(await lastReadable())) {
    if (Date.now() - t0 > 120_000) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill("SIGKILL");
  const status = await child.status;
  await child.stderr.cancel().catch(() => {});
  ok(!status.success, "the first run was killed before it finished");
  const killedAt = (await readCheckpoint(`${run}/checkpoints/last.safetensors`)).meta.step;
  ok(killedAt < 6, `killed at step ${killedAt}`);
  const resumed = await cli(["train", "--resume", run, "-q"]).output();
  const err = new TextDecoder().decode(resumed.stderr);
  strictEqual(resumed.code, 0, err);

  const a = await readCheckpoint(`${tmp}/full/checkpoints/last.safetensors`);
  const b = await readCheckpoint(`${run}/checkpoints/last.safetensors`);
  strictEqual(b.meta.step, 6);
  deepStrictEqual([...b.tensors.keys()], [...a.tensors.keys()]);
  for (const [k, h] of a.tensors) {
    const x = new Uint8Array(h.data.buffer, h.data.byteOffset, h.data.byteLength);
    const g = b.tensors.get(k)!.data;
    const y = new Uint8Array(g.buffer, g.byteOffset, g.byteLength);
    ok(x.length === y.length && x.every((v, i) => v === y[i]), `${k} differs after resume`);
  }
  deepStrictEqual(b.meta.rng, a.meta.rng);
  for await (const e of Deno.readDir(`${run}/checkpoints`)) {
    ok(!e.name.includes(".tmp-"), `stale temp file ${e.name}`);
  }
  // The resumed log has no lines repeated from after the killed run's last checkpoint.
  const steps = async (d: string) =>
    (await Deno.readTextFile(`${d}/log.jsonl`)).trim().split("\n").map((l) => JSON.parse(l))
      .map((o) => `${o.step}${"valLoss" in o ? "v" : ""}`);
  deepStrictEqual(await steps(run), await steps(`${tmp}/full`));
});

Deno.test("neurad train: --dry-run summary, and bad flags / data mismatch / missing run as one line", async () => {
  const tmp = await tempDir();
  await writeTinyNiftiSet(`${tmp}/data`, 10);
  const base = [
    "train",
    "--preset",
    "demo",
    "--data",
    `${tmp}/data`,
    "--out",
    `${tmp}/run`,
    "--data.preprocess",
    '{"smoothing":"none"}',
    "--data.cacheDir",
    "",
  ];
  const output = (args: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, ...args],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
  const [dry, bigBatch, badLr, badShape, noRun] = await Promise.all([
    output([...base, "--dry-run", "-q"]),
    output([...base, "--dry-run", "-q", "--train.batchSize", "4096", "--steps", "3"]),
    output([...base, "--train.lr", "abc"]),
    output([...base, "--data.sliceShape", "[1, 64, 64]", "-q"]),
    output(["train", "--resume", `${tmp}/nope`]),
  ]);
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  const oneError = (o: Deno.CommandOutput, re: RegExp) => {
    strictEqual(o.code, 1);
    const lines = text(o.stderr).trim().split("\n");
    strictEqual(lines.length, 1, text(o.stderr));
    ok(re.test(lines[0]), lines[0]);
  };
  strictEqual(dry.code, 0, text(dry.stderr));
  ok(/model reddipalli22-vae \(corrected\): [\d,]+ parameters/.test(text(dry.stdout)));
  ok(
    /data .*: \d+ training images \(\d+ volumes\), \d+ validation images, 1×95×79/.test(
      text(dry.stdout),
    ),
    text(dry.stdout),
  );
  // Steps per epoch and in all, the time per step measured on this adapter, the time to the end.
  const steps = /^steps: (\d+) per epoch \((\d+) samples, batch 8\), (\d+) in all$/m.exec(
    text(dry.stdout),
  );
  ok(steps, text(dry.stdout));
  strictEqual(Number(steps[1]), Math.ceil(Number(steps[2]) / 8));
  strictEqual(Number(steps[3]), 4 * Number(steps[1]), "4 epochs");
  ok(
    /^time: about [\d.ms]+ per step on .+ \((mean of \d+ timed steps?; the first, compiling the kernels, took [\d.hms]+|one step, kernel compilation included)\), about [\dhms.]+ to the end/m
      .test(text(dry.stdout)),
    text(dry.stdout),
  );
  strictEqual(dry.code, 0);
  strictEqual(text(dry.stderr), "", "no warning at batch 8");
  strictEqual(bigBatch.code, 0, text(bigBatch.stderr));
  ok(/^steps: 1 per epoch \(\d+ samples, batch 4096\), 3 in all$/m.test(text(bigBatch.stdout)));
  ok(
    /^warning: batch size 4096 is larger than the training set \(\d+ images per epoch\)/.test(
      text(bigBatch.stderr),
    ),
    text(bigBatch.stderr),
  );
  oneError(badLr, /^error: --train.lr: expected a number, got 'abc'$/);
  oneError(badShape, /data gives 1×95×79 slices but the config's data.sliceShape is 1×64×64/);
  oneError(noRun, /--resume: .*nope has no checkpoints\/last.safetensors/);
});
