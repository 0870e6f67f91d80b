// Training progress: the bar's first line when the run starts and another after its first step
// (long before the first epoch ends), each with steps/s and an ETA; the rate and ETA of a resumed
// run count only its own steps, and from the first finished step; the heartbeat reprints the
// state when no line went out for the interval (a timer with a given writer, a worker thread on
// stderr, which keeps printing while the main thread is blocked).

import { deepStrictEqual, ok, strictEqual } from "node:assert";
import { ProgressBar, progressLine } from "../../src/util/progress.ts";
import { presetConfig } from "../../src/train/presets.ts";
import { applyFlags, validateConfig } from "../../src/train/resolve_config.ts";
import { train } from "../../src/train/trainer.ts";
import { setup } from "../helpers.ts";
import { tempDir } from "../temp_dir.ts";
import { tinyTrainData } from "./_tiny_data.ts";

Deno.test("ProgressBar: steps/s and ETA from the first finished step; a resumed bar's own steps", () => {
  let ms = 0;
  const lines: string[] = [];
  const bar = new ProgressBar("train", 100, {
    unit: "steps",
    startAt: 50,
    tty: false,
    interval: 5000,
    now: () => ms,
    write: (t) => lines.push(t),
  });
  bar.update(50, "starting");
  strictEqual(lines[0], "train 50/100 0.0s elapsed, ? steps/s, ETA ? starting\n");
  ms = 60_000; // the first step: a minute of kernel compilation
  bar.update(51);
  strictEqual(lines[1], "train 51/100 1m00s elapsed, 0.0167 steps/s, ETA 49m00s\n");
  ms = 70_000; // then 10 steps in 10 s: 1 step/s, 39 steps left
  bar.update(61);
  strictEqual(lines.length, 3);
  strictEqual(lines[2], "train 61/100 1m10s elapsed, 1.00 steps/s, ETA 39.0s\n");
  ms = 71_000;
  bar.update(62);
  strictEqual(lines.length, 3, "throttled to one line per interval");
  ok(!bar.due);
  ms = 75_000;
  ok(bar.due);
  // Pure: the worker prints the same line from the same view.
  strictEqual(
    progressLine({ label: "x", total: 4, done: 1, note: "", startAt: 0, width: 0 }, 10),
    "x 1/4 10.0s elapsed, ETA 30.0s",
  );
});

Deno.test("ProgressBar heartbeat: a line at least every interval while nothing updates", async () => {
  let ms = 0;
  const lines: string[] = [];
  const bar = new ProgressBar("t", 10, {
    tty: false,
    interval: 5000,
    now: () => ms,
    write: (t) => lines.push(t),
  });
  bar.update(3, "n");
  ms = 4400;
  bar.tick();
  strictEqual(lines.length, 1);
  ms = 4600; // within the heartbeat's period of the interval: reprinted, with the time now
  bar.tick();
  deepStrictEqual(lines, [
    "t 3/10 0.0s elapsed, ETA 0.0s n\n",
    "t 3/10 4.6s elapsed, ETA 10.7s n\n",
  ]);
  // The timer version (a given writer), on the real clock.
  const real: string[] = [];
  const live = new ProgressBar("live", 10, {
    tty: false,
    interval: 100,
    write: (t) => real.push(t),
  });
  live.update(1);
  live.keepAlive();
  await new Promise((r) => setTimeout(r, 450));
  live.stop();
  ok(real.length >= 3 && real.length <= 6, `${real.length} lines in 450 ms at 100 ms`);
  ok(real.every((l) => l.startsWith("live 1/10 ")));
});

Deno.test("ProgressBar heartbeat on stderr keeps printing while the main thread is blocked", async () => {
  // A child process whose main thread blocks for 1.2 s right after the first line.
  const src = `
    import { ProgressBar } from ${
    JSON.stringify(new URL("../../src/util/progress.ts", import.meta.url).href)
  };
    const bar = new ProgressBar("blocked", 4, { tty: false, interval: 300, unit: "steps" });
    bar.update(0);
    bar.keepAlive();
    await new Promise((r) => setTimeout(r, 200)); // the worker starts
    const t = performance.now();
    while (performance.now() - t < 1200) { /* busy, as a synchronous GPU call is */ }
    bar.update(4);
    bar.stop();
  `;
  const dir = await tempDir();
  await Deno.writeTextFile(`${dir}/blocked.ts`, src);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${dir}/blocked.ts`],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const lines = new TextDecoder().decode(out.stderr).trim().split("\n");
  strictEqual(out.code, 0, lines.join("\n"));
  strictEqual(lines[0], "blocked 0/4 0.0s elapsed, ? steps/s, ETA ?");
  const beats = lines.filter((l) => /^blocked 0\/4 [\d.]+s elapsed/.test(l)).length - 1;
  ok(beats >= 2, `${beats} heartbeat lines during 1.4 s at 300 ms:\n${lines.join("\n")}`);
  ok(/^blocked 4\/4 .*ETA 0\.0s$/.test(lines.at(-1)!), lines.at(-1));
});

Deno.test("train: the first progress line at the start, the next after step 1, before the epoch ends", async () => {
  await setup();
  const dir = await tempDir();
  const config = validateConfig(
    applyFlags(presetConfig("reddipalli22-vae"), {
      "model.options": '{"widthMultiplier":0.125,"latentDim":32}',
      sampleEveryEpochs: "0",
      batchSize: "2",
      epochs: "2",
      logEvery: "1000",
    }),
  );
  // Each line with whether the first epoch had ended (its validation line logged) when written.
  const seen: { line: string; afterEpoch: boolean }[] = [];
  const epochEnded = () => {
    try {
      return Deno.readTextFileSync(`${dir}/log.jsonl`).includes("valLoss");
    } catch {
      return false;
    }
  };
  const r = await train(config, {
    outDir: dir,
    data: tinyTrainData(10), // 5 steps per epoch
    write: (line) => seen.push({ line, afterEpoch: epochEnded() }),
  });
  strictEqual(r.step, 10);
  ok(/^train 0\/10 [\d.]+s elapsed, \? steps\/s, ETA \? /.test(seen[0].line), seen[0].line);
  // Heartbeats may repeat step 0 while the first step runs; the next step shown is step 1.
  const next = seen.findIndex((s) => !s.line.startsWith("train 0/10 "));
  const at1 = seen[next]?.line ?? "";
  ok(/^train 1\/10 [\d.]+s elapsed, [\d.]+ steps\/s, ETA [\dhms.]+\n$/.test(at1), at1);
  ok(!seen[0].afterEpoch && !seen[next].afterEpoch, "both before the first epoch ended");
  ok(/^train 10\/10 .* ETA 0\.0s loss /.test(seen.at(-1)!.line), seen.at(-1)!.line);
});
