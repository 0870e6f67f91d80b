// The training loop of `neurad train`, as named steps: prepareRun builds the run's models,
// optimisers and lr schedulers (refusing a folder that already holds a run unless it resumes or
// overwrites it); resumeRun continues RUN/checkpoints/last exactly (weights, optimiser state,
// schedule, GPU RNG state, sampler position); trainEpoch steps through a seeded epoch (runBatch:
// one optimiser step, its log row and progress, the checkpoint every saveEvery steps or
// saveEveryMinutes); endEpoch validates, writes sample panels and the best checkpoint;
// finishRun writes the last checkpoint, or stopRun does when SIGINT/SIGTERM asked the run to stop
// (interrupt.ts: checked between steps, so the checkpoint resumes exactly). Loss terms are read
// back once per logging interval (run_log.ts; a NaN/Inf stops the run naming the step and the
// term). Live GPU memory stays flat: every step's intermediates are freed by tidy() inside the
// loss step, and its loss scalars are copied into one GPU table and freed, so every step
// allocates the same buffers.

import { getDevice } from "../core/device.ts";
import { noGrad } from "../core/autograd.ts";
import type { Tensor } from "../core/tensor.ts";
import { UserError } from "../core/errors.ts";
import { getRngState, manualSeed, setRngState, uniform_ } from "../kernels/random.ts";
import { createModel } from "../models/create_model.ts";
import type { Lpips } from "../models/perceptual/lpips.ts";
import type { Autoencoder, Discriminator } from "../models/types.ts";
import type { Module } from "../nn/module.ts";
import { sync } from "../core/dispatch.ts";
import { writeTextFileAtomic } from "../util/atomic_write.ts";
import { NEURAD_VERSION } from "../util/version.ts";
import { loadLpipsWeights } from "../io/load_weights.ts";
import { readCheckpoint } from "./checkpoint_file.ts";
import { listenForStop, SIGNAL_EXIT_CODE, StopRequest, type StopSignal } from "./interrupt.ts";
import { type FeatureNet, type StepModels, trainStep } from "./loss_steps.ts";
import { join } from "node:path";
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
import { RunLog, trimLog } from "./run_log.ts";
import { buildOptimizers, buildSchedulers } from "./run_optimizers.ts";
import {
  batchesPerEpoch,
  batchTensor,
  epochOrder,
  loadTrainData,
  type TrainData,
} from "./train_data.ts";
import { samples, validate } from "./validation.ts";
import { clearRun, refuseExistingRun } from "./run_dir.ts";
import { SaveTimer } from "./save_timer.ts";

export interface TrainOptions {
  outDir: string;
  /** Continue the run in outDir from checkpoints/last. */
  resume?: boolean;
  /**
   * Start over when outDir already holds a run (its entries are cleared once the new run's
   * data and models are built); without it (or resume) such a folder is refused.
   */
  overwrite?: boolean;
  /** Preloaded data (tests); otherwise loaded from config.data. */
  data?: TrainData;
  quiet?: boolean;
  /** Where progress and messages go (default stderr). */
  write?: (text: string) => void;
  /** Minimum milliseconds between progress lines off a terminal (default 5000). */
  progressInterval?: number;
  /**
   * Stop on SIGINT/SIGTERM: the run saves checkpoints/last at the next step boundary and
   * returns `stopped`; a second signal exits the process at once (the last checkpoint whole).
   */
  signals?: boolean;
  /** A stop asked for by the caller (checked between steps, like a signal). */
  stop?: StopRequest;
  /** Milliseconds clock of the time-based save interval (default performance.now). */
  now?: () => number;
}

export interface TrainResult {
  step: number;
  epoch: number;
  bestValLoss: number;
  lastLog: Record<string, number>;
  seconds: number;
  /** Set when a signal (or opts.stop) stopped the run before its end. */
  stopped?: StopSignal;
  /** The checkpoint a resume continues from (RUN/checkpoints/last.safetensors). */
  checkpoint: string;
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
  const { opt, discOpt } = buildOptimizers(config.train, model, disc);
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
  if (config.mode === "faithful") randomLpipsHeads(net, config.train.seed);
  net.requiresGrad_(false);
  return net.eval();
}

/**
 * The study's code loaded the LPIPS heads under the wrong names, so they kept PyTorch's default
 * conv init, kaiming-uniform: U(−1/√C, 1/√C). Seeded, so a resumed run rebuilds the same.
 */
function randomLpipsHeads(net: Lpips, seed: number) {
  manualSeed((seed + 0x1b1b5) >>> 0);
  noGrad(() => {
    for (const [k, p] of net.namedParameters()) {
      if (/^lin\d\.model\.1\.weight$/.test(k)) {
        const b = 1 / Math.sqrt(p.shape[1]);
        uniform_(p, -b, b);
      }
    }
  });
}

/** Where the run stands: the next step, the epoch, batches done in it, the best validation. */
interface Cursor {
  step: number;
  epoch: number;
  batchInEpoch: number;
  bestValLoss: number;
}

/** Everything a run holds while it trains. */
interface Run {
  config: RunConfig;
  opts: TrainOptions;
  dir: string;
  data: TrainData;
  modules: RunModules & StepModels;
  lpipsNet: Lpips | null;
  /** LPIPS as a distance (when the run has its weights). */
  lpips?: (a: Tensor, b: Tensor) => Tensor;
  /** Optimiser steps of the whole run, and batches per epoch. */
  total: number;
  perEpoch: number;
  at: Cursor;
  /** Opened once the run starts stepping (after a resume). */
  log?: RunLog;
  stop: StopRequest;
  saveTimer: SaveTimer;
  /** The cursor checkpoints/last holds (undefined before the first save of this run). */
  saved?: Cursor;
  /** When the loop last let the event loop run (signals are delivered then). */
  yieldedAt: number;
}

/** Runs (or resumes) training into opts.outDir. */
export async function train(config: RunConfig, opts: TrainOptions): Promise<TrainResult> {
  const run = await prepareRun(config, opts);
  let unlisten = () => {};
  try {
    if (opts.resume) await resumeRun(run);
    const log = await startRun(run);
    if (opts.signals) unlisten = listenForStop(run.stop, (signal) => quitNow(run, signal));
    const epochs = config.train.epochs;
    while (run.at.step < run.total && run.at.epoch < epochs && !run.stop.signal) {
      if (!(await trainEpoch(run, log))) break; // stopped by --steps or a stop inside the epoch
      if (run.stop.signal && run.at.step < run.total) break; // validation runs after the resume
      await endEpoch(run, log);
    }
    const complete = run.at.step >= run.total || run.at.epoch >= epochs;
    if (run.stop.signal && !complete) await stopRun(run, log);
    else await finishRun(run, log);
    const { step, epoch, bestValLoss } = run.at;
    return {
      step,
      epoch,
      bestValLoss,
      lastLog: log.lastLog,
      seconds: log.seconds,
      stopped: complete ? undefined : run.stop.signal,
      checkpoint: lastPath(run),
    };
  } finally {
    unlisten();
    disposeRun(run);
  }
}

/**
 * Data, device, networks, optimisers and schedulers of the run; its folders created. A folder
 * holding a run is refused before anything is loaded, or (overwrite) cleared once everything
 * that can fail on bad input has been built.
 */
async function prepareRun(config: RunConfig, opts: TrainOptions): Promise<Run> {
  if (!opts.resume && !opts.overwrite) await refuseExistingRun(opts.outDir);
  const data = await loadRunData(config, opts);
  await getDevice();
  const lpipsNet = await loadLpips(config);
  const m = buildRunModules(config);
  const perEpoch = batchesPerEpoch(data.train, config.data.sampling, config.train.batchSize);
  const t = config.train;
  const total = t.steps > 0 ? t.steps : t.epochs * perEpoch;
  const lpips = lpipsNet ? (a: Tensor, b: Tensor) => lpipsNet.forward(a, b) : undefined;
  const schedulers = buildSchedulers(t.lrSchedule, total, [m.opt, m.discOpt]);
  const run: Run = {
    config,
    opts,
    dir: opts.outDir,
    data,
    modules: { ...m, schedulers },
    lpipsNet,
    lpips,
    total,
    perEpoch,
    at: { step: 0, epoch: 0, batchInEpoch: 0, bestValLoss: Infinity },
    stop: opts.stop ?? new StopRequest(),
    saveTimer: new SaveTimer(t.saveEveryMinutes, opts.now),
    yieldedAt: performance.now(),
  };
  try {
    checkModelShape(config, m.model);
    if (opts.overwrite && !opts.resume) await clearRun(run.dir);
  } catch (e) {
    disposeRun(run);
    throw e;
  }
  await Deno.mkdir(join(run.dir, "checkpoints"), { recursive: true });
  await Deno.mkdir(join(run.dir, "samples"), { recursive: true });
  return run;
}

/** The training data (given or loaded), checked against config.data.sliceShape. */
async function loadRunData(config: RunConfig, opts: TrainOptions): Promise<TrainData> {
  const data = opts.data ?? await loadTrainData(config.data, opts.quiet);
  const [C, H, W] = config.data.sliceShape;
  if (data.shape.join() !== [C, H, W].join()) {
    throw new UserError(
      `${config.data.dir}: data gives ${data.shape.join("×")} images, config wants ${C}×${H}×${W}`,
    );
  }
  return data;
}

function checkModelShape(config: RunConfig, model: Autoencoder) {
  const [C, H, W] = config.data.sliceShape;
  if (model.inputShape.join() !== [C, H, W].join()) {
    throw new UserError(
      `--data.sliceShape: ${C}×${H}×${W} does not fit ${config.model.name}, built for ${
        model.inputShape.join("×")
      }`,
    );
  }
}

/** Restores the run from checkpoints/last: state, cursor, GPU RNG; trims the log to match. */
async function resumeRun(run: Run) {
  const path = join(run.dir, "checkpoints", "last.safetensors");
  const c = await readCheckpoint(path);
  const { config, data } = run;
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
  restoreState(run.modules, c, path);
  const { step, epoch, batchInEpoch } = c.meta;
  run.at = { step, epoch, batchInEpoch, bestValLoss: c.meta.bestValLoss ?? Infinity };
  run.saved = { ...run.at };
  const g = c.meta.rng.gpu;
  if (g) setRngState({ seed: g[0], offset: g[1] });
  await trimLog(join(run.dir, "log.jsonl"), step, batchInEpoch);
  await removeStaleTemps(run.dir);
}

/**
 * Saves the resolved config (on resume: with this invocation's overrides, e.g. --steps), puts
 * the model in training mode and opens the log.
 */
async function startRun(run: Run): Promise<RunLog> {
  const { config, dir } = run;
  await writeTextFileAtomic(join(dir, "config.json"), JSON.stringify(config, null, 2) + "\n");
  run.modules.model.train();
  const logPath = join(dir, "log.jsonl");
  run.log = new RunLog(logPath, config.train.logEvery, run.total, run.at.step, run.opts);
  run.saveTimer.saved(); // the time interval counts from here
  return run.log;
}

/**
 * Steps through the rest of the current epoch; false when the run's steps end inside it or a
 * stop was asked for before its last batch.
 */
async function trainEpoch(run: Run, log: RunLog): Promise<boolean> {
  const t = run.config.train;
  const order = epochOrder(run.data.train, run.config.data.sampling, t.seed, run.at.epoch);
  for (; run.at.batchInEpoch < run.perEpoch && run.at.step < run.total; run.at.batchInEpoch++) {
    await letSignalsIn(run);
    if (run.stop.signal) return false;
    await runBatch(run, log, order);
  }
  return run.at.batchInEpoch >= run.perEpoch;
}

/**
 * Lets the event loop run (at most every 50 ms), so a signal handler can set the stop request:
 * a stretch of steps that never waits for the GPU would otherwise never see it.
 */
async function letSignalsIn(run: Run) {
  const now = performance.now();
  if (now - run.yieldedAt < 50) return;
  await new Promise((resolve) => setTimeout(resolve, 0));
  run.yieldedAt = performance.now();
}

/** One optimiser step on the cursor's batch; logs and checkpoints on their intervals. */
async function runBatch(run: Run, log: RunLog, order: ReturnType<typeof epochOrder>) {
  const { config, at } = run;
  const t = config.train;
  const idx = order.slice(at.batchInEpoch * t.batchSize, (at.batchInEpoch + 1) * t.batchSize);
  const x = batchTensor(run.data.train, idx, config.data.sliceShape[0]);
  const m = run.modules;
  const stepTerms = trainStep(m, t, x, at.step, at.epoch, run.lpips);
  x.dispose();
  for (const s of m.schedulers ?? []) s.step();
  at.step++;
  log.record(at.step, stepTerms);
  if (at.step % t.logEvery === 0) await flushLog(run, log);
  else if (log.progressDue) {
    await sync(); // the bar shows steps the GPU has finished, not steps queued
    log.progress(at.step);
  }
  const onInterval = at.step % t.saveEvery === 0;
  if ((onInterval || run.saveTimer.due) && at.step < run.total) {
    at.batchInEpoch++; // the checkpoint resumes after this batch
    await saveLast(run, log, onInterval ? stepName(at.step) : undefined);
    at.batchInEpoch--;
    if (onInterval) await pruneSteps(run.dir, t.keepLast);
  }
}

async function flushLog(run: Run, log: RunLog) {
  const { step, epoch } = run.at;
  await log.flush({ step, epoch, lr: run.modules.opt.lr, discLr: run.modules.discOpt?.lr });
}

/** Validation, its log line, the sample panel, then the next epoch and the best checkpoint. */
async function endEpoch(run: Run, log: RunLog) {
  const { config, data, at } = run;
  const t = config.train;
  const model = run.modules.model;
  await flushLog(run, log);
  const val = await validate(model, data, config);
  const improved = val < at.bestValLoss;
  if (improved) at.bestValLoss = val;
  await log.validation(at.step, at.epoch, val);
  if (
    t.sampleEveryEpochs > 0 && (at.epoch % t.sampleEveryEpochs === 0 || at.epoch === t.epochs - 1)
  ) {
    const name = `epoch-${String(at.epoch).padStart(4, "0")}.png`;
    await samples(join(run.dir, "samples", name), model, data, config);
  }
  at.epoch++;
  at.batchInEpoch = 0;
  if (improved) {
    const state = await gatherState(run.modules);
    await saveCheckpoint(run.dir, "best", state, { ...checkpointMeta(run), valLoss: val });
  }
}

/** The last checkpoint (and step-N on the step interval), the pruning and the full bar. */
async function finishRun(run: Run, log: RunLog) {
  const t = run.config.train;
  await saveLast(run, log, run.at.step % t.saveEvery === 0 ? stepName(run.at.step) : undefined);
  await pruneSteps(run.dir, t.keepLast);
  log.done(run.total);
}

/**
 * Stopped by a signal between two steps: writes `last` at the cursor (unless it already holds
 * it) and says so in one line.
 */
async function stopRun(run: Run, log: RunLog) {
  const s = run.saved, at = run.at;
  if (!s || s.step !== at.step || s.epoch !== at.epoch || s.batchInEpoch !== at.batchInEpoch) {
    await saveLast(run, log);
  }
  log.message(
    `interrupted at step ${at.step}: saved ${lastPath(run)}; continue with --resume ${run.dir}`,
  );
}

/** A second signal while stopping: exit at once (every checkpoint file is renamed into place). */
function quitNow(run: Run, signal: StopSignal): never {
  const kept = run.saved
    ? `${lastPath(run)} (step ${run.saved.step}) is intact`
    : "no checkpoint to resume from yet";
  const text = `interrupted again at step ${run.at.step}: quit without saving; ${kept}`;
  run.log?.message(text); // the listeners are installed once the log is open
  Deno.exit(SIGNAL_EXIT_CODE[signal]);
}

function lastPath(run: Run): string {
  return join(run.dir, "checkpoints", "last.safetensors");
}

/** Writes `last` (and `also`, e.g. step-N) after flushing the log. */
async function saveLast(run: Run, log: RunLog, also?: string) {
  await flushLog(run, log); // a NaN stops the run before any checkpoint is written
  const state = await gatherState(run.modules);
  // `last` first: whenever the process dies, `last` is the newest whole checkpoint, so
  // --resume always finds it (a kill between the two loses only the step-N copy).
  await saveCheckpoint(run.dir, "last", state, checkpointMeta(run));
  run.saved = { ...run.at };
  run.saveTimer.saved();
  if (also) await saveCheckpoint(run.dir, also, state, checkpointMeta(run));
}

/** The run state every checkpoint records. */
function checkpointMeta(run: Run) {
  const { step, epoch, batchInEpoch, bestValLoss } = run.at;
  return {
    model: run.config.model.name,
    discriminator: run.config.discriminator?.name,
    step,
    epoch,
    batchInEpoch,
    rng: { gpu: [getRngState().seed, getRngState().offset] },
    dataHash: run.data.hash,
    neuradVersion: NEURAD_VERSION,
    bestValLoss: Number.isFinite(bestValLoss) ? bestValLoss : undefined,
  };
}

function disposeRun(run: Run) {
  const m = run.modules;
  m.model.dispose();
  run.lpipsNet?.dispose();
  m.disc?.dispose();
  m.perceptual?.dispose();
  m.opt.dispose();
  m.discOpt?.dispose();
  run.log?.dispose();
}
