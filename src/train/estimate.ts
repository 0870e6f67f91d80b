// What `neurad train --dry-run` says about the run before it starts: the steps per epoch and in
// all, the seconds per optimiser step measured on this adapter (real steps of a throwaway copy
// of the run's networks on its first batch: one to compile the kernels, then timed ones, unless
// the first alone took long), the time to the end, and a warning when a batch is larger than an
// epoch's samples.

import { sync } from "../core/dispatch.ts";
import type { Tensor } from "../core/tensor.ts";
import type { StepModels } from "./loss_steps.ts";
import { trainStep } from "./loss_steps.ts";
import type { RunConfig } from "./run_config.ts";
import { batchesPerEpoch, batchTensor, epochOrder, type TrainData } from "./train_data.ts";
import { buildRunModules, loadLpips } from "./trainer.ts";
import { formatSeconds } from "../util/progress.ts";

export interface RunEstimate {
  /** Samples one epoch draws (volumes for random-slice-per-volume, images otherwise). */
  samplesPerEpoch: number;
  perEpoch: number;
  /** Optimiser steps of the whole run (train.steps, else epochs × perEpoch). */
  total: number;
  /** The first step (kernel compilation included), then the mean of the timed steps. */
  firstStepSeconds: number;
  stepSeconds: number;
  /** Steps timed after the first (0 when the first was long: it is the estimate). */
  timedSteps: number;
  /** stepSeconds × the steps after the first, plus the first. */
  totalSeconds: number;
  warnings: string[];
}

export interface EstimateOptions {
  /** Timed steps at most (after the first), default 3. */
  maxSteps?: number;
  /**
   * Stop timing once this many seconds went into timed steps (at least one), default 5. A
   * first step longer than four times this is the estimate itself (no step is timed after it).
   */
  budgetSeconds?: number;
}

/** The steps of the run and its time on this adapter, from real steps of a throwaway copy. */
export async function estimateRun(
  config: RunConfig,
  data: TrainData,
  o: EstimateOptions = {},
): Promise<RunEstimate> {
  const t = config.train;
  const sampling = config.data.sampling;
  const samplesPerEpoch = sampling === "random-slice-per-volume"
    ? data.train.groups.length
    : data.train.N;
  const perEpoch = batchesPerEpoch(data.train, sampling, t.batchSize);
  const total = t.steps > 0 ? t.steps : t.epochs * perEpoch;
  const warnings: string[] = [];
  if (t.batchSize > samplesPerEpoch) {
    warnings.push(
      `batch size ${t.batchSize} is larger than the training set (${samplesPerEpoch} ` +
        `${sampling === "random-slice-per-volume" ? "volumes" : "images"} per epoch): every ` +
        `step trains on one partial batch of ${samplesPerEpoch}`,
    );
  }
  const { first, mean, n } = await timeSteps(config, data, o);
  return {
    samplesPerEpoch,
    perEpoch,
    total,
    firstStepSeconds: first,
    stepSeconds: mean,
    timedSteps: n,
    totalSeconds: first + mean * Math.max(0, total - 1),
    warnings,
  };
}

/** Runs real optimiser steps on the run's first batch; the networks are disposed after. */
async function timeSteps(config: RunConfig, data: TrainData, o: EstimateOptions) {
  const t = config.train;
  const maxSteps = o.maxSteps ?? 3, budget = o.budgetSeconds ?? 5;
  const order = epochOrder(data.train, config.data.sampling, t.seed, 0);
  const x = batchTensor(data.train, order.slice(0, t.batchSize), config.data.sliceShape[0]);
  const lpipsNet = await loadLpips(config);
  const m = buildRunModules(config);
  const lpips = lpipsNet ? (a: Tensor, b: Tensor) => lpipsNet.forward(a, b) : undefined;
  const step = async (i: number) => {
    const t0 = performance.now();
    const terms = trainStep(m as StepModels, t, x, i, 0, lpips);
    for (const v of Object.values(terms)) v.dispose();
    await sync();
    return (performance.now() - t0) / 1000;
  };
  try {
    m.model.train();
    const first = await step(0);
    if (first > 4 * budget) return { first, mean: first, n: 0 }; // a slow adapter: one step
    const times: number[] = [];
    while (times.length < maxSteps && (times.length === 0 || sum(times) < budget)) {
      times.push(await step(times.length + 1));
    }
    return { first, mean: sum(times) / times.length, n: times.length };
  } finally {
    x.dispose();
    m.model.dispose();
    m.disc?.dispose();
    m.perceptual?.dispose();
    m.opt.dispose();
    m.discOpt?.dispose();
    lpipsNet?.dispose();
  }
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** The dry run's lines: steps, time per step on `adapter`, time to the end (not the warnings). */
export function describeEstimate(e: RunEstimate, batchSize: number, adapter: string): string[] {
  const per = (s: number) => (s < 1 ? `${(s * 1000).toFixed(0)}ms` : formatSeconds(s));
  const how = e.timedSteps === 0
    ? "one step, kernel compilation included"
    : `mean of ${e.timedSteps} timed step${e.timedSteps === 1 ? "" : "s"}; the first, ` +
      `compiling the kernels, took ${per(e.firstStepSeconds)}`;
  return [
    `steps: ${e.perEpoch} per epoch (${e.samplesPerEpoch} samples, batch ${batchSize}), ` +
    `${e.total} in all`,
    `time: about ${per(e.stepSeconds)} per step on ${adapter} (${how}), about ` +
    `${formatSeconds(e.totalSeconds)} to the end (steps alone; validation adds to it)`,
  ];
}
