// `neurad detect` on many scans, as a user runs it: a folder walked recursively with an exported
// model file (two scans called t1 in different subfolders kept apart), a corrupt scan reported
// while the others run, the summary CSV and HTML, a second run (with --run) skipping what is done,
// `--shard K/N` on two "machines" and `--merge` joining them, a failed detect that leaves no
// folder, and the flag rules (--run or --model, --shard K/N) refused in one line before anything
// runs. The run is an untrained narrow VAE written straight to disk (maps are meaningless but
// real), the scans copies of the shipped Colin27 brain.

import { deepStrictEqual as eq, ok, throws } from "node:assert";
import { detectCommand } from "../../src/cli/commands/detect.ts";
import { UserError } from "../../src/core/errors.ts";
import { join } from "node:path";
import { createModel } from "../../src/models/create_model.ts";
import type { Autoencoder } from "../../src/models/types.ts";
import type { Module } from "../../src/nn/module.ts";
import type { HostTensor } from "../../src/io/safetensors.ts";
import { addModuleState, writeCheckpoint } from "../../src/train/checkpoint_file.ts";
import { presetConfig } from "../../src/train/presets.ts";
import { exportModelFile } from "../../src/export/open_model.ts";
import { COLIN27_PATH } from "../../src/data/demo/colin27_template.ts";
import { manualSeed } from "../../src/kernels/random.ts";
import { readSummaryCsv } from "../../src/detect/batch/summary.ts";
import { setup } from "../helpers.ts";
import { tempDir } from "../temp_dir.ts";
import { assertOneLineError, runNeurad } from "../cli/_run.ts";

/** RUN/config.json and checkpoints/last of an untrained 1/16-width first-study VAE. */
async function writeTinyRun(dir: string): Promise<void> {
  await setup();
  const config = presetConfig("reddipalli22-vae");
  config.model.options = { ...config.model.options, latentDim: 32, widthMultiplier: 0.0625 };
  config.data.preprocess = { smoothing: "none" };
  await Deno.mkdir(join(dir, "checkpoints"), { recursive: true });
  await Deno.writeTextFile(join(dir, "config.json"), JSON.stringify(config));
  manualSeed(7);
  const m = createModel<Module & Autoencoder>(config.model.name, config.model.options);
  try {
    const tensors = new Map<string, HostTensor>();
    await addModuleState(tensors, m, "model.");
    await writeCheckpoint(join(dir, "checkpoints", "last"), tensors, {
      format: "neurad-checkpoint-1",
      model: config.model.name,
      step: 0,
      epoch: 0,
      batchInEpoch: 0,
      rng: {},
      dataHash: "x",
      neuradVersion: "test",
    });
  } finally {
    m.dispose();
  }
}

const exists = (p: string) => Deno.stat(p).then(() => true, () => false);

Deno.test("detect: a folder of scans, resumable, summarised, sharded and merged", async (t) => {
  const root = await tempDir();
  const run = join(root, "run"), arch = join(root, "archive");
  await writeTinyRun(run);
  for (const f of ["site-a/t1.nii.gz", "site-b/t1.nii.gz"]) {
    await Deno.mkdir(join(arch, f, ".."), { recursive: true });
    await Deno.copyFile(COLIN27_PATH, join(arch, f));
  }
  await Deno.writeTextFile(join(arch, "site-b", "broken.nii.gz"), "not a scan, with, commas");

  await t.step("flag rules are refused in one line before anything runs", async () => {
    // --model must name an existing file (checked at parse time): the rules between flags come
    // after that check.
    const mFile = join(root, "m.neurad");
    await Deno.writeTextFile(mFile, "");
    assertOneLineError(
      await runNeurad(["detect", "--run", run, "--model", mFile, arch]),
      /^error: --model: give either --run RUN or --model FILE, not both$/,
    );
    const refused = (argv: string[], re: RegExp) =>
      throws(
        () => detectCommand.prepare(argv),
        (e) => e instanceof UserError && re.test(e.message),
      );
    refused(["--run", run, "--shard", "2/2", arch], /^--shard: K counts from 0 to N-1/);
    refused(["--merge", "--run", run, arch], /^--run: not with --merge/);
    refused(
      ["--model", mFile, "--checkpoint", "last", arch],
      /^--checkpoint: only with --run/,
    );
    refused([arch], /^--run: required unless --model or --merge is given/);
  });

  // The scans are mapped with the exported model file, resumed and sharded with the run itself:
  // both name the same weights and thresholds, so either continues the other's OUT.
  const model = join(root, "tiny.neurad");
  await Deno.writeFile(model, await exportModelFile(run));
  const out = join(root, "out");
  await t.step(
    "--model, a folder: every scan, a corrupt one reported, summary CSV and HTML",
    async () => {
      const r = await runNeurad(["detect", "--model", model, "--out", out, arch]);
      eq(r.code, 1, r.stderr); // the corrupt scan fails, the others run
      ok(/broken\.nii\.gz/.test(r.stderr), r.stderr);
      for (const name of ["site-a/t1", "site-b/t1"]) {
        ok(await exists(join(out, `${name}.json`)), `${name}.json`);
        ok(await exists(join(out, `${name}_anomaly.nii.gz`)), `${name}_anomaly.nii.gz`);
      }
      const rows = readSummaryCsv(await Deno.readTextFile(join(out, "summary.csv")));
      eq(rows.map((x) => [x.scan, x.status]), [
        ["site-a/t1", "done"],
        ["site-b/broken", "failed"],
        ["site-b/t1", "done"],
      ]);
      const done = rows.find((x) => x.scan === "site-a/t1")!;
      ok(Number(done.volume_score) > 0, JSON.stringify(done));
      ok(/site-a\/t1_anomaly\.nii\.gz/.test(done.outputs), done.outputs);
      ok(!/site-b/.test(await Deno.readTextFile(join(out, "site-a", "t1.json"))), "own outputs");
      ok((await Deno.readTextFile(join(out, "summary.html"))).includes("site-b/t1"));
    },
  );

  await t.step("the same command again skips the done scans", async () => {
    const r = await runNeurad(["detect", "--run", run, "--out", out, arch]);
    eq(r.code, 1, r.stderr);
    ok(/2 of 3 scan\(s\) already done in .*: skipped \(1 to run\)/.test(r.stdout), r.stdout);
    ok(!/site-a\/t1\.nii\.gz: /.test(r.stdout), r.stdout);
  });

  await t.step("--shard 0/2 and 1/2 share the scans; --merge joins them", async () => {
    // Two machines on the folder of the run above: their scans are done, so each only writes
    // its shard's summary (and never builds the model).
    const scans = join(arch, "**", "t1.nii.gz"); // a pattern, as a job spec passes it
    for (const k of [0, 1]) {
      const r = await runNeurad(["detect", "--run", run, "--shard", `${k}/2`, "-o", out, scans]);
      eq(r.code, 0, r.stderr);
      ok(r.stdout.startsWith(`shard ${k}/2: 1 of 2 scan(s)`), r.stdout);
    }
    const s0 = readSummaryCsv(await Deno.readTextFile(join(out, "summary-shard-0-of-2.csv")));
    const s1 = readSummaryCsv(await Deno.readTextFile(join(out, "summary-shard-1-of-2.csv")));
    eq([s0.map((x) => x.scan), s1.map((x) => x.scan)], [["site-a/t1"], ["site-b/t1"]]);
    const merged = join(root, "merged");
    const m = await runNeurad(["detect", "--merge", "--out", merged, out]);
    eq(m.code, 0, m.stderr);
    const rows = readSummaryCsv(await Deno.readTextFile(join(merged, "summary.csv")));
    eq(rows.map((x) => [x.index, x.scan, x.status]), [
      ["0", "site-a/t1", "done"],
      ["1", "site-b/t1", "done"],
    ]);
    ok(rows[0].outputs.includes("../out/site-a/t1.json"), rows[0].outputs);
    await Deno.remove(join(out, "summary-shard-1-of-2.csv"));
    assertOneLineError(
      await runNeurad(["detect", "--merge", out]),
      /^error: missing shard 1 of 2 /,
    );
  });

  await t.step("a corrupt model file is one line", async () => {
    const bad = join(root, "bad.neurad");
    await Deno.writeFile(bad, new Uint8Array([1, 2, 3]));
    assertOneLineError(
      await runNeurad(["detect", "--model", bad, "-o", join(root, "o2"), arch]),
      /^error: .*bad\.neurad: /,
    );
    eq(await exists(join(root, "o2")), false);
  });

  await t.step("a failed detect leaves no empty folder", async () => {
    const none = join(root, "never", "made");
    const r = await runNeurad([
      "detect",
      "--run",
      run,
      "--out",
      none,
      join(arch, "site-b", "broken.nii.gz"),
    ]);
    eq(r.code, 1);
    ok(/broken\.nii\.gz/.test(r.stderr), r.stderr);
    eq(await exists(join(root, "never")), false);
  });
});
