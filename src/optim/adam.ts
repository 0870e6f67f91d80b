// Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019), torch.optim semantics and
// defaults, as subclasses of the optimiser base: fused WGSL updates, up to 8 parameters per
// dispatch (kernels/adam.ts), no readback; per parameter the moment slots m and v (checkpoint
// keys optim.<group>.<param>.m/v) and the base's step count for the bias corrections.

import { type AdamHyper, type AdamItem, adamStepMulti } from "../kernels/adam.ts";
import {
  type GroupHyper,
  Optimizer,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamGroupSpec,
  type ParamsLike,
  type StepItem,
} from "./optimizer.ts";

/** Adam's hyperparameters (any group may override them). */
export interface AdamGroupHyper extends GroupHyper {
  betas: [number, number];
  eps: number;
  weightDecay: number;
}

export type AdamOptions = Partial<AdamGroupHyper>;
export type AdamStateDict = OptimizerStateDict<AdamGroupHyper>;

const SLOTS = ["m", "v"] as const;

export class Adam extends Optimizer<AdamGroupHyper> {
  protected decoupled = false;

  constructor(params: ParamsLike | ParamGroupSpec<AdamGroupHyper>[], o: AdamOptions = {}) {
    super(params, {
      lr: o.lr ?? 1e-3,
      betas: o.betas ?? [0.9, 0.999],
      eps: o.eps ?? 1e-8,
      weightDecay: o.weightDecay ?? 0,
    });
  }

  protected slotsOf(): readonly string[] {
    return SLOTS;
  }

  protected updateGroup(g: ParamGroup<AdamGroupHyper>, items: StepItem[], gradScale: number) {
    const h: AdamHyper = {
      lr: g.lr,
      beta1: g.betas[0],
      beta2: g.betas[1],
      eps: g.eps,
      weightDecay: g.weightDecay,
      decoupled: this.decoupled,
      gradScale,
    };
    // Up to 8 parameters per dispatch (adamStepMulti), bit-identical to one per parameter.
    const batch: AdamItem[] = items.map(({ param, grad, state }) => ({
      param,
      grad,
      expAvg: state.slots.m,
      expAvgSq: state.slots.v,
      t: state.step,
    }));
    adamStepMulti(batch, h);
  }
}

/** AdamW: decoupled weight decay (default 1e-2, as torch.optim.AdamW). */
export class AdamW extends Adam {
  constructor(params: ParamsLike | ParamGroupSpec<AdamGroupHyper>[], o: AdamOptions = {}) {
    super(params, { ...o, weightDecay: o.weightDecay ?? 1e-2 });
    this.decoupled = true;
  }
}
