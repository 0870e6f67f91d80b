// Stochastic gradient descent with momentum (torch.optim.SGD semantics and defaults: heavy-ball
// momentum with dampening, Nesterov momentum as Sutskever et al. 2013 reformulated, L2 weight
// decay added to the gradient, maximize) as a subclass of the optimiser base. Per parameter, in
// place, from existing GPU kernels (no readback):
//   d ← ±g·gradScale + wd·p;   buf ← d on the first update, else μ·buf + (1 − dampening)·d
//   d ← d + μ·buf (Nesterov) or buf;   p ← p − lr·d
// State: the slot `momentum` (checkpoint key optim.<group>.<param>.momentum) when μ ≠ 0.

import { assign_, axpby_ } from "../core/inplace_update.ts";
import type { Tensor } from "../core/tensor.ts";
import { mapElementwise } from "../kernels/elementwise.ts";
import {
  type GroupHyper,
  Optimizer,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamGroupSpec,
  type ParamsLike,
  type StepItem,
} from "./optimizer.ts";

/** SGD's hyperparameters (any group may override them). */
export interface SgdGroupHyper extends GroupHyper {
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  /** Ascend the objective instead of descending it. */
  maximize: boolean;
}

export type SgdOptions = Partial<SgdGroupHyper>;
export type SgdStateDict = OptimizerStateDict<SgdGroupHyper>;

const MOMENTUM_SLOT = ["momentum"] as const;

export class SGD extends Optimizer<SgdGroupHyper> {
  /** lr has no default, as in torch: an SGD without one is a mistake. */
  constructor(
    params: ParamsLike | ParamGroupSpec<SgdGroupHyper>[],
    o: SgdOptions & { lr: number },
  ) {
    super(params, {
      lr: o.lr,
      momentum: o.momentum ?? 0,
      dampening: o.dampening ?? 0,
      weightDecay: o.weightDecay ?? 0,
      nesterov: o.nesterov ?? false,
      maximize: o.maximize ?? false,
    });
  }

  protected override validateGroup(h: SgdGroupHyper) {
    const bad = (what: string) => new Error(`neurad: SGD needs ${what}`);
    if (!(h.lr >= 0)) throw bad(`lr >= 0, got ${h.lr}`);
    if (!(h.momentum >= 0)) throw bad(`momentum >= 0, got ${h.momentum}`);
    if (!(h.weightDecay >= 0)) throw bad(`weightDecay >= 0, got ${h.weightDecay}`);
    if (h.nesterov && (h.momentum <= 0 || h.dampening !== 0)) {
      throw bad("momentum > 0 and dampening 0 for Nesterov momentum");
    }
  }

  protected slotsOf(g: ParamGroup<SgdGroupHyper>): readonly string[] {
    return g.momentum !== 0 ? MOMENTUM_SLOT : [];
  }

  protected updateGroup(g: ParamGroup<SgdGroupHyper>, items: StepItem[], gradScale: number) {
    for (const it of items) {
      if (it.param.size === 0) continue;
      const d = direction(g, it, gradScale);
      const step = g.momentum !== 0 ? withMomentum(g, it, d) : d;
      axpby_(it.param, 1, step, -g.lr);
      if (d !== it.grad) d.dispose();
    }
  }
}

/** ±g·gradScale + wd·p: a new tensor, or the gradient itself when that is all it is. */
function direction(g: SgdGroupHyper, it: StepItem, gradScale: number): Tensor {
  const s = (g.maximize ? -1 : 1) * gradScale;
  if (s === 1 && g.weightDecay === 0 && !g.nesterov) return it.grad;
  return mapElementwise("sgd_direction", [it.grad, it.param], {
    params: "a: f32, b: f32, c: f32",
    expr: "s0 * a + s1 * b",
    s0: s,
    s1: g.weightDecay,
  });
}

/** Advances the momentum buffer by `d`; returns the step direction (d is updated if Nesterov). */
function withMomentum(g: SgdGroupHyper, it: StepItem, d: Tensor): Tensor {
  const buf = it.state.slots.momentum;
  if (it.state.step === 1) assign_(buf, d);
  else axpby_(buf, g.momentum, d, 1 - g.dampening);
  if (!g.nesterov) return buf;
  axpby_(d, 1, buf, g.momentum);
  return d;
}
