// The training loop of `neurad train`: builds the run's models and optimisers, resumes from
// RUN/checkpoints/last exactly (weights, optimiser moments, GPU RNG state, sampler position),
// steps through seeded epochs, reads the loss terms back once per logging interval (stopping on
// NaN/Inf with the step and the term), writes log.jsonl, checkpoints (step-N, last, best),
// validation every epoch and sample panels. Live GPU memory stays flat: every step's
// intermediates are freed by tidy() inside the loss step, and its loss scalars are copied into
// one GPU table (TermLog) and freed, so every step allocates exactly the same buffers.

import { getDevice } from "../core/device.ts";
import { createModel } from "../models/create_model.ts";
import type { Lpips } from "../models/perceptual/lpips.ts";
import type { Autoencoder, Discriminator } from "../models/types.ts";
import type { Module } from "../nn/module.ts";
import { Adam, AdamW } from "../optim/adam.ts";
import { getRngState, manualSeed, setRngState, uniform_ } from "../kernels/random.ts";
import { cat, reshape } from "../kernels/movement.ts";
import { TermLog } from "./term_log.ts";
import { noGrad } from "../core/autograd.ts";
import { tidy } from "../core/scope.ts";
import { memoryStats } from "../core/memory.ts";
import { Tensor } from "../core/tensor.ts";
import { UserError } from "../core/errors.ts";
import { ProgressBar } from "../util/progress.ts";
import { writeTextFileAtomic } from "../util/atomic_write.ts";
import { NEURAD_VERSION } from "../util/version.ts";
import { readCheckpoint } from "./checkpoint_file.ts";
import { loadLpipsWeights } from "../io/load_weights.ts";
import { type FeatureNet, type StepModels, trainStep, validationLoss } from "./loss_steps.ts";
import {
  gatherState,
  pruneSteps,
  removeStaleTemps,
  restoreState,
  type RunModules,
  saveCheckpoint,
  stepName,
} from "./run_checkpoints.ts";
import type { RunConfig } from "./run_config.ts";
import { writePanel } from "./sample_panel.ts";
import {
  batchesPerEpoch,
  batchTensor,
  epochOrder,
  loadTrainData,
  type TrainData,
} from "./train_data.ts";
import { join } from "./paths.ts";

export interface TrainOptions {
  outDir: string;
  /** Continue the run in outDir from checkpoints/last. */
  resume?: boolean;
  /** Preloaded data (tests); otherwise loaded from config.data. */
  data?: TrainData;
  quiet?: boolean;
  /** Where progress and messages go (default stderr). */
  write?: (text: string) => void;
}

export interface TrainResult {
  step: number;
  epoch: number;
  bestValLoss: number;
  lastLog: Record<string, number>;
  seconds: number;
}

/** The run's models and optimisers, seeded (also used by bench/train_step_bench.ts). */
export function buildRunModules(config: RunConfig) {
  manualSeed(config.train.seed);
  const make = <M>(ref: { name: string; options: Record<string, unknown> }, what: string) => {
    try {
      return createModel<Module & M>(ref.name, ref.options);
    } catch (e) {
      throw new UserError(`--${what}: ${(e as Error).message.replace(/^neurad: /, "")}`);
    }
  };
  const model = make<Autoencoder>(config.model, "model.name");
  const disc = config.discriminator
    ? make<Discriminator>(config.discriminator, "discriminator.name")
    : undefined;
  const perceptual = config.perceptual
    ? make<FeatureNet>(config.perceptual, "perceptual.name")
    : undefined;
  perceptual?.requiresGrad_(false); // random, frozen; its BN keeps batch statistics (train mode)
  const t = config.train;
  const Opt = t.optimizer === "adamw" ? AdamW : Adam;
  const opt = new Opt([{ name: "model", params: model.namedParameters() }], {
    lr: t.lr,
    betas: t.betas,
    weightDecay: t.weightDecay,
  });
  const discOpt = disc
    ? new Opt([{ name: "disc", params: disc.namedParameters() }], {
      lr: t.discLr,
      betas: t.discBetas,
    })
    : undefined;
  return { model, disc, perceptual, opt, discOpt };
}

/**
 * The frozen LPIPS network with the weights named by train.lpipsWeights (faithful mode: the heads
 * random, as the study's code left them), or null without weights.
 */
export async function loadLpips(config: RunConfig): Promise<Lpips | null> {
  const files = config.train.lpipsWeights;
  if (!files) return null;
  const ref = config.lpips ?? { name: "lpips", options: {} };
  let net: Lpips;
  try {
    net = createModel<Lpips>(ref.name, ref.options);
  } catch (e) {
    throw new UserError(`--lpips.name: ${(e as Error).message.replace(/^neurad: /, "")}`);
  }
  try {
    await loadLpipsWeights(net, files);
  } catch (e) {
    net.dispose();
    throw e;
  }
  if (config.mode === "faithful") {
    // The study's code loaded the heads under the wrong names, so they kept PyTorch's default
    // conv init, kaiming-uniform: U(−1/√C, 1/√C). Seeded, so a resumed run rebuilds the same.
    manualSeed((config.train.seed + 0x1b1b5) >>> 0);
    noGrad(() => {
      for (const [k, p] of net.namedParameters()) {
        if (/^lin\d\.model\.1\.weight$/.test(k)) {
          const b = 1 / Math.sqrt(p.shape[1]);
          uniform_(p, -b, b);
        }
      }
    });
  }
  net.requiresGrad_(false);
  return net.eval();
}

/**
 * On resume: drops the log lines a killed run wrote after its last checkpoint (steps past it, and
 * a validation line of the checkpoint's step when the checkpoint preceded that validation).
 */
async function trimLog(path: string, step: number, batchInEpoch: number) {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch {
    return;
  }
  const keep = text.split("\n").filter((l) => {
    if (!l.trim()) return false;
    try {
      const o = JSON.parse(l);
      return o.step < step || (o.step === step && !("valLoss" in o && batchInEpoch > 0));
    } catch {
      return false; // a line cut by the kill
    }
  });
  await writeTextFileAtomic(path, keep.map((l) => l + "\n").join(""));
}

/** Mean validation loss over the validation images (eval mode, own RNG stream, restored). */
async function validate(model: Autoencoder, data: TrainData, config: RunConfig) {
  if (data.val.N === 0) return NaN;
  const saved = getRngState();
  setRngState({ seed: config.train.seed + 0x5eed, offset: 0 });
  model.eval();
  const bs = config.train.batchSize;
  const parts: Tensor[] = [];
  for (let i = 0; i < data.val.N; i += bs) {
    const idx = Array.from({ length: Math.min(bs, data.val.N - i) }, (_, j) => i + j);
    const x = batchTensor(data.val, idx, data.shape[0]);
    const l = validationLoss(model, x);
    parts.push(tidy(() => noGrad(() => reshape(l, [1]))));
    l.dispose();
    x.dispose();
  }
  const all = tidy(() => cat(parts, 0));
  const v = await all.toArray();
  all.dispose();
  for (const p of parts) p.dispose();
  model.train();
  setRngState(saved);
  // Weighted by batch size.
  let s = 0;
  for (let i = 0, b = 0; i < data.val.N; i += bs, b++) s += v[b] * Math.min(bs, data.val.N - i);
  return s / data.val.N;
}

async function samples(path: string, model: Autoencoder, data: TrainData, config: RunConfig) {
  const n = Math.min(4, data.val.N || data.train.N);
  const src = data.val.N ? data.val : data.train;
  const saved = getRngState();
  setRngState({ seed: config.train.seed + 0x5a3e, offset: 0 });
  model.eval();
  // Evenly spaced images (NIfTI validation stacks run bottom to top within each subject).
  const idx = Array.from({ length: n }, (_, i) => Math.floor(((i + 0.5) * src.N) / n));
  const x = batchTensor(src, idx, data.shape[0]);
  const r = noGrad(() => model.reconstruct(x));
  const [xs, rs] = await Tensor.toArrays([x, r]);
  x.dispose();
  r.dispose();
  model.train();
  setRngState(saved);
  const range: [number, number] = config.data.kind === "images2d" ? [-1, 1] : [0, 1];
  await writePanel(path, xs as Float32Array, rs as Float32Array, x.shape, range);
}

/** Runs (or resumes) training into opts.outDir. */
export async function train(config: RunConfig, opts: TrainOptions): Promise<TrainResult> {
  const dir = opts.outDir;
  const t = config.train;
  const enc = new TextEncoder();
  const write = opts.write ?? ((s: string) => Deno.stderr.writeSync(enc.encode(s)));
  const data = opts.data ?? await loadTrainData(config.data, opts.quiet);
  const [C, H, W] = config.data.sliceShape;
  if (data.shape.join() !== [C, H, W].join()) {
    throw new UserError(
      `${config.data.dir}: data gives ${data.shape.join("×")} images, config wants ${C}×${H}×${W}`,
    );
  }
  await getDevice();
  const lpipsNet = await loadLpips(config);
  const lpips = lpipsNet ? (a: Tensor, b: Tensor) => lpipsNet.forward(a, b) : undefined;
  const m = buildRunModules(config);
  const { model } = m;
  if (model.inputShape.join() !== [C, H, W].join()) {
    throw new UserError(
      `--data.sliceShape: ${C}×${H}×${W} does not fit ${config.model.name}, built for ${
        model.inputShape.join("×")
      }`,
    );
  }
  const run: RunModules = m;
  const stepModels: StepModels = m;
  let termLog: TermLog | undefined;
  let step = 0, epoch = 0, batchInEpoch = 0, bestValLoss = Infinity;
  await Deno.mkdir(join(dir, "checkpoints"), { recursive: true });
  await Deno.mkdir(join(dir, "samples"), { recursive: true });
  try {
    if (opts.resume) {
      const path = join(dir, "checkpoints", "last.safetensors");
      const c = await readCheckpoint(path);
      if (c.meta.model !== config.model.name) {
        throw new UserError(
          `${path}: checkpoint of model '${c.meta.model}', the run is '${config.model.name}'`,
        );
      }
      if (c.meta.dataHash !== data.hash) {
        throw new UserError(
          `${path}: the run was trained on other data (data hash ${c.meta.dataHash}, now ${data.hash})`,
        );
      }
      restoreState(run, c, path);
      step = c.meta.step;
      epoch = c.meta.epoch;
      batchInEpoch = c.meta.batchInEpoch;
      bestValLoss = c.meta.bestValLoss ?? Infinity;
      const g = c.meta.rng.gpu;
      if (g) setRngState({ seed: g[0], offset: g[1] });
      await trimLog(join(dir, "log.jsonl"), step, batchInEpoch);
      await removeStaleTemps(dir);
    }
    // The resolved config (on resume: with this invocation's overrides, e.g. --steps).
    await writeTextFileAtomic(join(dir, "config.json"), JSON.stringify(config, null, 2) + "\n");
    model.train();
    const perEpoch = batchesPerEpoch(data.train, config.data.sampling, t.batchSize);
    const total = t.steps > 0 ? t.steps : t.epochs * perEpoch;
    const bar = new ProgressBar("train", total, { quiet: opts.quiet, write: opts.write });
    const logPath = join(dir, "log.jsonl");
    // Rows for a log interval (the table grows if an interval is longer than 256 steps).
    const terms = termLog = new TermLog(Math.min(t.logEvery, 256));
    let lastLog: Record<string, number> = {};
    const t0 = performance.now();
    let tLog = t0, stepsAtLog = step;
    const startStep = step;

    const meta = () => ({
      model: config.model.name,
      discriminator: config.discriminator?.name,
      step,
      epoch,
      batchInEpoch,
      rng: { gpu: [getRngState().seed, getRngState().offset] },
      dataHash: data.hash,
      neuradVersion: NEURAD_VERSION,
      bestValLoss: Number.isFinite(bestValLoss) ? bestValLoss : undefined,
    });
    const flushLog = async () => {
      if (terms.pending === 0) return;
      const means = await terms.drain();
      const now = performance.now();
      const sps = (step - stepsAtLog) / ((now - tLog) / 1000);
      tLog = now;
      stepsAtLog = step;
      lastLog = means;
      const mem = memoryStats();
      const line = {
        step,
        epoch,
        ...means,
        lr: m.opt.lr,
        discLr: m.discOpt?.lr,
        stepsPerSec: sps,
        // Leak watch (no GPU sync): buffers held by live tensors, their MB, the pool's free MB,
        // and the process's resident memory.
        gpuLiveBuffers: mem.liveBuffers,
        gpuLiveMB: mem.liveBytes / 2 ** 20,
        gpuPooledMB: mem.pooledBytes / 2 ** 20,
        hostRssMB: Deno.memoryUsage().rss / 2 ** 20,
      };
      await Deno.writeTextFile(logPath, JSON.stringify(line) + "\n", { append: true });
      const note = Object.entries(means).slice(0, 4).map(([k, v]) => `${k} ${v.toPrecision(4)}`)
        .join(" ");
      bar.update(step, `${note} ${sps.toFixed(2)} it/s`);
    };
    const saveLast = async (also?: string) => {
      await flushLog(); // a NaN stops the run before any checkpoint is written
      const state = await gatherState(run);
      // `last` first: whenever the process dies, `last` is the newest whole checkpoint, so
      // --resume always finds it (a kill between the two loses only the step-N copy).
      await saveCheckpoint(dir, "last", state, meta());
      if (also) await saveCheckpoint(dir, also, state, meta());
    };

    while (step < total && epoch < t.epochs) {
      const order = epochOrder(data.train, config.data.sampling, t.seed, epoch);
      for (; batchInEpoch < perEpoch && step < total; batchInEpoch++) {
        const idx = order.slice(batchInEpoch * t.batchSize, (batchInEpoch + 1) * t.batchSize);
        const x = batchTensor(data.train, idx, C);
        const stepTerms = trainStep(stepModels, t, x, step, epoch, lpips);
        x.dispose();
        step++;
        terms.record(step, stepTerms);
        if (step % t.logEvery === 0) await flushLog();
        if (step % t.saveEvery === 0 && step < total) {
          batchInEpoch++; // the checkpoint resumes after this batch
          await saveLast(stepName(step));
          batchInEpoch--;
          await pruneSteps(dir, t.keepLast);
        }
      }
      if (batchInEpoch < perEpoch) break; // stopped by --steps inside the epoch
      await flushLog();
      const val = await validate(model, data, config);
      const improved = val < bestValLoss;
      if (improved) bestValLoss = val;
      await Deno.writeTextFile(logPath, JSON.stringify({ step, epoch, valLoss: val }) + "\n", {
        append: true,
      });
      if (
        t.sampleEveryEpochs > 0 && (epoch % t.sampleEveryEpochs === 0 || epoch === t.epochs - 1)
      ) {
        await samples(
          join(dir, "samples", `epoch-${String(epoch).padStart(4, "0")}.png`),
          model,
          data,
          config,
        );
      }
      epoch++;
      batchInEpoch = 0;
      if (improved) {
        const state = await gatherState(run);
        await saveCheckpoint(dir, "best", state, { ...meta(), valLoss: val });
      }
    }
    await saveLast(step % t.saveEvery === 0 ? stepName(step) : undefined);
    await pruneSteps(dir, t.keepLast);
    bar.update(total);
    void write;
    void startStep;
    return { step, epoch, bestValLoss, lastLog, seconds: (performance.now() - t0) / 1000 };
  } finally {
    model.dispose();
    lpipsNet?.dispose();
    m.disc?.dispose();
    m.perceptual?.dispose();
    m.opt.dispose();
    m.discOpt?.dispose();
    termLog?.dispose();
  }
}
