// The optimiser base (torch.optim.Optimizer): parameter groups with their own hyperparameters
// (lr, betas, eps, weight decay), parameter names (from Module.namedParameters(), so state is
// saved and loaded by name), zeroGrad({ setToNone }), and the per-parameter state store.

import type { Tensor } from "../core/tensor.ts";
import { zeroGradOf } from "./zero_grad.ts";

export type NamedParams = Iterable<[string, Tensor]>;
export type ParamsLike = Iterable<Tensor> | NamedParams;

/** Hyperparameters any group may override. */
export interface GroupHyper {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
}

/** One entry of the list form: its parameters plus the hyperparameters it overrides. */
export interface ParamGroupSpec extends Partial<GroupHyper> {
  params: ParamsLike;
  /** The group's key in saved state (default: its index). */
  name?: string;
}

export interface ParamGroup extends GroupHyper {
  name: string;
  params: Tensor[];
  /** Parameter names within the group (from namedParameters, else "0", "1", ...). */
  names: string[];
  /** The lr the group was built with; schedules scale this. */
  initialLr: number;
}

function isGroupSpecList(p: unknown): p is ParamGroupSpec[] {
  return Array.isArray(p) && p.length > 0 && typeof p[0] === "object" && p[0] !== null &&
    "params" in p[0];
}

function named(params: ParamsLike): [string, Tensor][] {
  const out: [string, Tensor][] = [];
  let i = 0;
  for (const p of params as Iterable<Tensor | [string, Tensor]>) {
    out.push(Array.isArray(p) ? [p[0], p[1]] : [String(i), p]);
    i++;
  }
  return out;
}

export abstract class Optimizer {
  readonly paramGroups: ParamGroup[] = [];

  constructor(params: ParamsLike | ParamGroupSpec[], defaults: GroupHyper) {
    const specs = isGroupSpecList(params) ? params : [{ params }];
    const seen = new Set<Tensor>();
    specs.forEach((spec, gi) => {
      const pairs = named(spec.params);
      for (const [n, t] of pairs) {
        if (seen.has(t)) throw new Error(`neurad: parameter ${n} appears in two groups`);
        seen.add(t);
      }
      const lr = spec.lr ?? defaults.lr;
      this.paramGroups.push({
        name: spec.name ?? String(gi),
        params: pairs.map(([, t]) => t),
        names: pairs.map(([n]) => n),
        lr,
        initialLr: lr,
        betas: spec.betas ?? defaults.betas,
        eps: spec.eps ?? defaults.eps,
        weightDecay: spec.weightDecay ?? defaults.weightDecay,
      });
    });
    const keys = new Set<string>();
    for (const g of this.paramGroups) {
      for (const n of g.names) {
        const k = `${g.name}.${n}`;
        if (keys.has(k)) throw new Error(`neurad: optimiser parameter name ${k} repeats`);
        keys.add(k);
      }
    }
  }

  /** Every parameter of every group. */
  get params(): Tensor[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /** The first group's learning rate; setting it sets every group's (and their initial lr). */
  get lr(): number {
    return this.paramGroups[0]?.lr ?? 0;
  }
  set lr(v: number) {
    for (const g of this.paramGroups) g.lr = g.initialLr = v;
  }

  /** Frees every parameter's gradient (setToNone, the default) or zeroes it in place. */
  zeroGrad(o: { setToNone?: boolean } = {}) {
    zeroGradOf(this.params, o.setToNone ?? true);
  }

  abstract step(): void;
  abstract dispose(): void;
}
