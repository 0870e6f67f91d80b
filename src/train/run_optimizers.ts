// The optimisers of a run and their learning-rate schedule, from its training config: Adam,
// AdamW or SGD for the model (lr, betas or momentum, weight decay) and the same kind for the
// discriminator (discLr, discBetas, no weight decay given), and one LrScheduler per optimiser
// following train.lrSchedule, stepped once per training step (its step is saved in checkpoints).

import type { Module } from "../nn/module.ts";
import { Adam, AdamW } from "../optim/adam.ts";
import {
  constantLr,
  cosineLr,
  linearWarmup,
  type LrSchedule,
  LrScheduler,
  stepLr,
} from "../optim/lr_scheduler.ts";
import type { Optimizer } from "../optim/optimizer.ts";
import { SGD } from "../optim/sgd.ts";
import type { LrScheduleConfig, TrainConfig } from "./run_config.ts";

/** One optimiser over `params` as group `name` (weightDecay undefined: the optimiser's default). */
function makeOptimizer(
  t: TrainConfig,
  name: string,
  params: Module,
  o: { lr: number; betas: [number, number]; weightDecay?: number },
): Optimizer {
  const groups = [{ name, params: params.namedParameters() }];
  if (t.optimizer === "sgd") {
    return new SGD(groups, {
      lr: o.lr,
      momentum: t.momentum,
      nesterov: t.nesterov,
      weightDecay: o.weightDecay,
    });
  }
  const Opt = t.optimizer === "adamw" ? AdamW : Adam;
  return new Opt(groups, { lr: o.lr, betas: o.betas, weightDecay: o.weightDecay });
}

/** The model's optimiser (group "model") and the discriminator's (group "disc"). */
export function buildOptimizers(t: TrainConfig, model: Module, disc?: Module) {
  const opt = makeOptimizer(t, "model", model, {
    lr: t.lr,
    betas: t.betas,
    weightDecay: t.weightDecay,
  });
  const discOpt = disc
    ? makeOptimizer(t, "disc", disc, { lr: t.discLr, betas: t.discBetas })
    : undefined;
  return { opt, discOpt };
}

/** The factor schedule of train.lrSchedule for a run of `runSteps` optimiser steps. */
export function lrScheduleOf(s: LrScheduleConfig, runSteps: number): LrSchedule {
  const cosineSteps = s.totalSteps || Math.max(1, runSteps - s.warmupSteps);
  const main = s.name === "step"
    ? stepLr({ stepSize: s.stepSize, gamma: s.gamma })
    : s.name === "cosine"
    ? cosineLr({ totalSteps: cosineSteps, minFactor: s.minFactor })
    : constantLr();
  if (s.warmupSteps === 0) return main;
  return linearWarmup({
    warmupSteps: s.warmupSteps,
    startFactor: s.warmupStartFactor,
    after: main,
  });
}

/** One scheduler per optimiser, all at step 0 (restore them with setStep when resuming). */
export function buildSchedulers(
  s: LrScheduleConfig,
  runSteps: number,
  optimizers: (Optimizer | undefined)[],
): LrScheduler[] {
  const schedule = lrScheduleOf(s, runSteps);
  return optimizers.filter((o) => o !== undefined).map((o) => new LrScheduler(o, schedule));
}
