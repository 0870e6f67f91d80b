// Learning-rate schedules as factors of each group's initial lr (torch.optim.lr_scheduler's
// closed forms): constant, step decay (StepLR), cosine annealing (CosineAnnealingLR), linear
// warm-up (LinearLR) and warm-up followed by another schedule (SequentialLR). An LrScheduler
// applies one to an optimiser; call its step() after each optimiser step, as in torch.

import type { Optimizer } from "./optimizer.ts";

/** lr factor at scheduler step t (0 before the first step()). */
export type LrSchedule = (t: number) => number;

export function constantLr(factor = 1): LrSchedule {
  return () => factor;
}

/** StepLR: the lr is multiplied by gamma every stepSize steps. */
export function stepLr(o: { stepSize: number; gamma?: number }): LrSchedule {
  if (!(o.stepSize >= 1)) throw new Error("neurad: stepLr needs stepSize >= 1");
  const gamma = o.gamma ?? 0.1;
  return (t) => gamma ** Math.floor(t / o.stepSize);
}

/**
 * CosineAnnealingLR: from 1 down to minFactor (torch's eta_min / base lr) over totalSteps,
 * 0.5·(1 + cos(π t / T)); it keeps following the cosine past T, as torch's closed form does.
 */
export function cosineLr(o: { totalSteps: number; minFactor?: number }): LrSchedule {
  if (!(o.totalSteps >= 1)) throw new Error("neurad: cosineLr needs totalSteps >= 1");
  const min = o.minFactor ?? 0;
  return (t) => min + (1 - min) * 0.5 * (1 + Math.cos(Math.PI * t / o.totalSteps));
}

/**
 * Linear warm-up (LinearLR from startFactor to 1 over warmupSteps), then `after` (started at
 * its own step 0, as SequentialLR), or constant 1.
 */
export function linearWarmup(
  o: { warmupSteps: number; startFactor?: number; after?: LrSchedule },
): LrSchedule {
  if (!(o.warmupSteps >= 0)) throw new Error("neurad: linearWarmup needs warmupSteps >= 0");
  const s = o.startFactor ?? 1 / 3; // torch.optim.lr_scheduler.LinearLR's default
  const after = o.after ?? constantLr();
  return (t) => t < o.warmupSteps ? s + (1 - s) * t / o.warmupSteps : after(t - o.warmupSteps);
}

/** Applies a schedule to every group of an optimiser: lr = initialLr · schedule(t). */
export class LrScheduler {
  #t = 0;
  constructor(readonly optimizer: Optimizer, readonly schedule: LrSchedule) {
    this.#apply();
  }

  /** Scheduler steps taken (restore with setStep when resuming). */
  get lastStep(): number {
    return this.#t;
  }

  /** The current lr of each group. */
  get lrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  step() {
    this.#t++;
    this.#apply();
  }

  setStep(t: number) {
    this.#t = t;
    this.#apply();
  }

  #apply() {
    const f = this.schedule(this.#t);
    for (const g of this.optimizer.paramGroups) g.lr = g.initialLr * f;
  }
}
