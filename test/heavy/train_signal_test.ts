// Ctrl-C and SIGTERM during `neurad train`, end to end: a subprocess is sent the signal once its
// progress shows a finished step; it must exit 130 / 143 with one line saying where it saved,
// leave a whole checkpoints/last, and `--resume` must then end byte-identical to an
// uninterrupted run of the same length. Tiny NIfTI data (IXI layout, smoothing off).

import { deepStrictEqual, ok, strictEqual } from "node:assert";
import { readCheckpoint } from "../../src/train/checkpoint_file.ts";
import { resolveConfig } from "../../src/train/resolve_config.ts";
import { train } from "../../src/train/trainer.ts";
import { setup } from "../helpers.ts";
import { tempDir } from "../temp_dir.ts";
import { assertSameCheckpoint } from "../train/_same_weights.ts";
import { writeTinyNiftiSet } from "../train/_tiny_data.ts";

const MAIN = new URL("../../src/cli/main.ts", import.meta.url).pathname;
const STEPS = 30;

function cli(args: string[]) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  });
}

/** Starts `neurad train`, sends `signal` after the first progress line of a finished step. */
async function interrupted(args: string[], signal: "SIGINT" | "SIGTERM") {
  const child = cli(args).spawn();
  let text = "", sent = false;
  for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
    text += chunk;
    if (!sent && /^train [1-9]\d*\//m.test(text)) {
      child.kill(signal);
      sent = true;
    }
  }
  return { status: await child.status, lines: text.trim().split("\n"), sent };
}

Deno.test("SIGINT / SIGTERM during train: a checkpoint, exit 130 / 143, an exact --resume", async (t) => {
  await setup();
  const tmp = await tempDir();
  await writeTinyNiftiSet(`${tmp}/data`, 10);
  const extra: Record<string, string> = {
    "model.options": '{"widthMultiplier":0.125,"latentDim":32}',
    "data.preprocess": '{"smoothing":"none"}',
    "data.cacheDir": `${tmp}/cache`,
    "data.sampling": "all-slices",
    batchSize: "2",
    logEvery: "5",
    sampleEveryEpochs: "0",
    "train.steps": String(STEPS),
    "train.saveEvery": "1000",
  };
  const config = await resolveConfig({ preset: "reddipalli22-vae", dataDir: `${tmp}/data`, extra });
  const full = await train(config, { outDir: `${tmp}/full`, quiet: true });
  strictEqual(full.step, STEPS);
  const flags = Object.entries(extra).flatMap(([k, v]) => [`--${k}`, v]);

  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    await t.step(signal, async () => {
      const run = `${tmp}/${signal}`;
      const args = ["train", "--preset", "reddipalli22-vae", "--data", `${tmp}/data`, "--out", run];
      const { status, lines, sent } = await interrupted([...args, ...flags], signal);
      ok(sent, `no progress line of a finished step:\n${lines.join("\n")}`);
      strictEqual(status.code, code, lines.join("\n"));
      // Besides progress lines (data preprocessing, training): one line.
      const said = lines.filter((l) => !/^[a-z ]+ \d+\/\d+ [\dhms.]+ elapsed/.test(l));
      strictEqual(said.length, 1, said.join("\n"));
      const m = /^interrupted at step (\d+): saved (.+); continue with --resume (.+)$/.exec(
        said[0],
      );
      ok(m, said[0]);
      strictEqual(m[2], `${run}/checkpoints/last.safetensors`);
      strictEqual(m[3], run);
      const step = Number(m[1]);
      ok(step >= 1 && step < STEPS, `stopped at step ${step}`);
      const last = await readCheckpoint(m[2]);
      strictEqual(last.meta.step, step);
      const names = (await Array.fromAsync(Deno.readDir(`${run}/checkpoints`))).map((e) => e.name);
      ok(!names.some((n) => n.includes(".tmp-")), `temp files left: ${names}`);

      // Re-running without --resume is refused; --resume runs to the end.
      const again = await cli([...args, ...flags]).output();
      const err = new TextDecoder().decode(again.stderr).trim();
      strictEqual(again.code, 1);
      ok(/^error: --out: .* already holds a run .*--resume/.test(err), err);
      const resumed = await cli(["train", "--resume", run, "-q"]).output();
      strictEqual(resumed.code, 0, new TextDecoder().decode(resumed.stderr));
      await assertSameCheckpoint(
        `${tmp}/full/checkpoints/last.safetensors`,
        `${run}/checkpoints/last.safetensors`,
      );
      deepStrictEqual(
        (await readCheckpoint(`${run}/checkpoints/last.safetensors`)).meta.step,
        STEPS,
      );
      if (signal !== "SIGTERM") return;
      // --overwrite starts the run over (not with --resume).
      const both = await cli(["train", "--resume", run, "--overwrite"]).output();
      strictEqual(both.code, 1);
      strictEqual(
        new TextDecoder().decode(both.stderr),
        "error: --overwrite: not with --resume (which continues the run)\n",
      );
      const over = await cli([...args, ...flags, "--overwrite", "-q", "--steps", "2"]).output();
      strictEqual(over.code, 0, new TextDecoder().decode(over.stderr));
      strictEqual((await readCheckpoint(`${run}/checkpoints/last.safetensors`)).meta.step, 2);
      const logged = (await Deno.readTextFile(`${run}/log.jsonl`)).trim().split("\n");
      deepStrictEqual(logged.map((l) => JSON.parse(l).step), [2], "only the new run's log");
    });
  }

  await t.step("a second SIGINT later: the checkpoint left is whole either way", async () => {
    // A save after every step; the signals are sent once a first checkpoint is whole, the
    // second past the repeat window: the run has then saved and quit, or the second signal quit
    // it at once. Either way `last` is whole and resumes exactly.
    const run = `${tmp}/twice`;
    const args = ["train", "--preset", "reddipalli22-vae", "--data", `${tmp}/data`, "--out", run];
    const child = cli([...args, ...flags, "--train.saveEveryMinutes", "1e-9"]).spawn();
    const stderr = new Response(child.stderr).text();
    const t0 = Date.now();
    const saved = () =>
      readCheckpoint(`${run}/checkpoints/last.safetensors`).then(
        (c) => c.meta.step >= 2,
        () => false,
      );
    while (!(await saved()) && Date.now() - t0 < 120_000) {
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill("SIGINT");
    await new Promise((r) => setTimeout(r, 1100)); // past REPEAT_MS: not the same request
    try {
      child.kill("SIGINT");
    } catch { /* already exited */ }
    const status = await child.status;
    const lines = (await stderr).trim().split("\n");
    strictEqual(status.code, 130, lines.join("\n"));
    const said = lines.filter((l) => !/^[a-z ]+ \d+\/\d+ [\dhms.]+ elapsed/.test(l));
    strictEqual(said.length, 1, said.join("\n"));
    ok(/^interrupted (again )?at step \d+: /.test(said[0]), said[0]);
    const last = await readCheckpoint(`${run}/checkpoints/last.safetensors`); // whole
    ok(last.meta.step >= 2 && last.meta.step < STEPS, `last at step ${last.meta.step}`);
    const resumed = await cli(["train", "--resume", run, "-q"]).output();
    strictEqual(resumed.code, 0, new TextDecoder().decode(resumed.stderr));
    await assertSameCheckpoint(
      `${tmp}/full/checkpoints/last.safetensors`,
      `${run}/checkpoints/last.safetensors`,
    );
    const names = (await Array.fromAsync(Deno.readDir(`${run}/checkpoints`))).map((e) => e.name);
    ok(!names.some((n) => n.includes(".tmp-")), `temp files left after the resume: ${names}`);
  });
});
