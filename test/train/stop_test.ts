// Runs never lost, in-process: a stop asked for between steps (what SIGINT/SIGTERM do in
// `neurad train`, tested end to end in test/heavy/train_signal_test.ts) saves checkpoints/last at that step and a
// resume ends byte-identical to an uninterrupted run, mid-epoch and at an epoch's end before its
// validation; the signal listener asks for a stop on the first signal and quits on a later one
// (not on one that arrives with it); a folder holding a run is refused unless resumed or
// overwritten, and an overwrite that fails on bad input leaves the old run whole;
// saveEveryMinutes writes `last` on time alone.

import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert";
import { UserError } from "../../src/core/errors.ts";
import { readCheckpoint } from "../../src/train/checkpoint_file.ts";
import { listenForStop, StopRequest } from "../../src/train/interrupt.ts";
import { presetConfig } from "../../src/train/presets.ts";
import { applyFlags, validateConfig } from "../../src/train/resolve_config.ts";
import { clearRun, runEntries } from "../../src/train/run_dir.ts";
import type { RunConfig } from "../../src/train/run_config.ts";
import { SaveTimer } from "../../src/train/save_timer.ts";
import { train } from "../../src/train/trainer.ts";
import { setup } from "../helpers.ts";
import { tempDir } from "../temp_dir.ts";
import { assertSameCheckpoint } from "./_same_weights.ts";
import { tinyTrainData } from "./_tiny_data.ts";

function cfg(flags: Record<string, string>): RunConfig {
  return validateConfig(
    applyFlags(presetConfig("reddipalli22-vae"), {
      "model.options": '{"widthMultiplier":0.125,"latentDim":32}',
      sampleEveryEpochs: "0",
      batchSize: "2",
      logEvery: "3",
      saveEvery: "1000",
      saveEveryMinutes: "0",
      ...flags,
    }),
  );
}

const logSteps = async (dir: string) =>
  (await Deno.readTextFile(`${dir}/log.jsonl`)).trim().split("\n").map((l) => JSON.parse(l))
    .map((o) => `${o.step}${"valLoss" in o ? "v" : ""}`);

/** Trains into `dir`, asking for a stop once the progress shows step `at`; returns the lines. */
async function trainStoppedAt(config: RunConfig, dir: string, at: number) {
  const stop = new StopRequest();
  const lines: string[] = [];
  const r = await train(config, {
    outDir: dir,
    data: tinyTrainData(10),
    stop,
    progressInterval: 0, // a progress line after every step
    write: (t) => {
      lines.push(t);
      if (t.startsWith(`train ${at}/`)) stop.request("SIGINT");
    },
  });
  return { r, lines };
}

Deno.test("a stop between steps saves last there; resumed, the run ends byte-identical", async () => {
  await setup();
  const tmp = await tempDir();
  const config = cfg({ steps: "8" }); // 5 batches per epoch: the run crosses an epoch end
  const full = await train(config, { outDir: `${tmp}/full`, data: tinyTrainData(10), quiet: true });
  strictEqual(full.stopped, undefined);
  strictEqual(full.step, 8);
  // Step 3 is mid-epoch; step 5 ends epoch 0, stopped before its validation.
  for (const at of [3, 5]) {
    const dir = `${tmp}/stopped-${at}`;
    const { r, lines } = await trainStoppedAt(config, dir, at);
    strictEqual(r.stopped, "SIGINT");
    strictEqual(r.step, at);
    const said = lines.filter((l) => l.startsWith("interrupted"));
    deepStrictEqual(said, [
      `interrupted at step ${at}: saved ${dir}/checkpoints/last.safetensors; continue with ` +
      `--resume ${dir}\n`,
    ]);
    const last = await readCheckpoint(r.checkpoint);
    deepStrictEqual([last.meta.step, last.meta.epoch, last.meta.batchInEpoch], [at, 0, at]);
    const again = await train(config, {
      outDir: dir,
      data: tinyTrainData(10),
      quiet: true,
      resume: true,
    });
    strictEqual(again.step, 8);
    await assertSameCheckpoint(`${tmp}/full/checkpoints/last.safetensors`, again.checkpoint);
    await assertSameCheckpoint(
      `${tmp}/full/checkpoints/best.safetensors`,
      `${dir}/checkpoints/best.safetensors`,
    );
    // The same validation lines, none repeated (the stop flushed one extra loss line).
    deepStrictEqual(
      (await logSteps(dir)).filter((s) => s.endsWith("v")),
      (await logSteps(`${tmp}/full`)).filter((s) => s.endsWith("v")),
    );
  }
});

Deno.test("a folder holding a run is refused in one line; --overwrite starts it over", async () => {
  await setup();
  const dir = await tempDir();
  const data = tinyTrainData(4);
  await train(cfg({ steps: "2", saveEvery: "1", logEvery: "1" }), {
    outDir: dir,
    data,
    quiet: true,
  });
  await Deno.mkdir(`${dir}/eval`);
  await Deno.writeTextFile(`${dir}/eval/report.html`, "old report");
  await Deno.writeTextFile(`${dir}/notes.txt`, "mine");
  const before = await Deno.readTextFile(`${dir}/log.jsonl`);
  await rejects(
    train(cfg({ steps: "1" }), { outDir: dir, data, quiet: true }),
    (e) =>
      e instanceof UserError && !e.message.includes("\n") &&
      e.message.startsWith(`--out: ${dir} already holds a run`) &&
      e.message.includes(`--resume ${dir}`) && e.message.includes("--overwrite"),
  );
  strictEqual(await Deno.readTextFile(`${dir}/log.jsonl`), before, "the log is untouched");

  // An overwrite that fails on bad input (data of another shape) leaves the old run whole.
  const entries = await runEntries(dir);
  await rejects(
    train(cfg({ steps: "1" }), {
      outDir: dir,
      data: tinyTrainData(4, 64, 64),
      quiet: true,
      overwrite: true,
    }),
    (e) => e instanceof UserError && /data gives 1×64×64 images/.test(e.message),
  );
  deepStrictEqual(await runEntries(dir), entries);
  strictEqual(await Deno.readTextFile(`${dir}/log.jsonl`), before);

  const r = await train(cfg({ steps: "1", logEvery: "1" }), {
    outDir: dir,
    data,
    quiet: true,
    overwrite: true,
  });
  strictEqual(r.step, 1);
  deepStrictEqual(await logSteps(dir), ["1"], "a new log, nothing of the old one");
  const left = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
  deepStrictEqual(left, ["checkpoints", "config.json", "log.jsonl", "notes.txt", "samples"]);
  const ckpts = (await Array.fromAsync(Deno.readDir(`${dir}/checkpoints`))).map((e) => e.name);
  ok(!ckpts.some((n) => n.startsWith("step-")), `old step checkpoints gone: ${ckpts}`);
  strictEqual((await readCheckpoint(`${dir}/checkpoints/last.safetensors`)).meta.step, 1);
});

Deno.test("clearRun: a leftover of an interrupted clearing is removed, other files kept", async () => {
  const dir = await tempDir();
  await Deno.mkdir(`${dir}/.overwritten-1-x/checkpoints`, { recursive: true });
  await Deno.writeTextFile(`${dir}/log.jsonl`, "{}\n");
  await Deno.writeTextFile(`${dir}/keep.txt`, "x");
  await clearRun(dir);
  deepStrictEqual((await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name), ["keep.txt"]);
  await clearRun(`${dir}/missing`); // nothing to clear
});

Deno.test("saveEveryMinutes writes last on time alone (no step-N); 0 turns it off", async () => {
  await setup();
  const tmp = await tempDir();
  const data = tinyTrainData(10);
  const flags = { steps: "4", logEvery: "1000", saveEvery: "1000" };
  // Every save flushes the log first, so the log's lines are the saves (and the run's end).
  await train(cfg({ ...flags, saveEveryMinutes: "1e-9" }), {
    outDir: `${tmp}/t`,
    data,
    quiet: true,
  });
  deepStrictEqual(await logSteps(`${tmp}/t`), ["1", "2", "3", "4"]);
  await train(cfg({ ...flags, saveEveryMinutes: "0" }), {
    outDir: `${tmp}/off`,
    data,
    quiet: true,
  });
  deepStrictEqual(await logSteps(`${tmp}/off`), ["4"]);
  const names = (await Array.fromAsync(Deno.readDir(`${tmp}/t/checkpoints`))).map((e) => e.name);
  deepStrictEqual(names.filter((n) => n.startsWith("step-")), []);

  // The timer: due once `minutes` passed since the last save, on an injected clock.
  let ms = 0;
  const timer = new SaveTimer(10, () => ms);
  ms = 9 * 60_000;
  strictEqual(timer.due, false);
  ms = 10 * 60_000;
  strictEqual(timer.due, true);
  timer.saved();
  ms = 15 * 60_000;
  strictEqual(timer.due, false);
  ms = 20 * 60_000;
  strictEqual(timer.due, true);
  strictEqual(new SaveTimer(0, () => ms).due, false, "0 = off");
  strictEqual(presetConfig("demo").train.saveEveryMinutes, 10, "the default");
  await rejects(
    Promise.resolve().then(() => cfg({ saveEveryMinutes: "-1" })),
    (e) => (e as Error).message === "--train.saveEveryMinutes: must be a number ≥ 0, got -1",
  );
});

Deno.test("listenForStop: the first signal asks for a stop; one with it is the same; a later one quits", async () => {
  const stop = new StopRequest();
  const again: string[] = [];
  let ms = 0;
  const unlisten = listenForStop(stop, (s) => again.push(s), () => ms);
  const until = async (cond: () => boolean) => {
    for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  };
  try {
    // SIGTERM to this process (the test runner keeps SIGINT for itself).
    Deno.kill(Deno.pid, "SIGTERM");
    await until(() => stop.signal !== undefined);
    strictEqual(stop.signal, "SIGTERM");
    ms = 400; // sent while a blocked step held the thread: the same request
    Deno.kill(Deno.pid, "SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    deepStrictEqual(again, []);
    ms = 1500; // pressed again a while later: quit at once
    Deno.kill(Deno.pid, "SIGTERM");
    await until(() => again.length > 0);
    deepStrictEqual(again, ["SIGTERM"]);
  } finally {
    unlisten();
  }
});
