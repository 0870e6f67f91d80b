// Adam and AdamW (torch.optim semantics and defaults) over parameter groups: fused WGSL updates,
// up to 8 parameters per dispatch (kernels/adam.ts), no readback; moment estimates and step counts per
// parameter, saved and loaded by "<group>.<parameter name>" (checkpoint keys optim.<...>.m/v).

import { type AdamHyper, type AdamItem, adamStepMulti } from "../kernels/adam.ts";
import { zeros } from "../kernels/fill.ts";
import { copy_ } from "../kernels/copy.ts";
import { noGrad } from "../core/autograd.ts";
import { untrack } from "../core/scope.ts";
import type { Tensor } from "../core/tensor.ts";
import { type GroupHyper, Optimizer, type ParamGroupSpec, type ParamsLike } from "./optimizer.ts";

export type AdamOptions = Partial<GroupHyper>;

interface AdamState {
  m: Tensor;
  v: Tensor;
  step: number;
}

/** What stateDict() returns: the moment tensors (the optimiser's own) and JSON metadata. */
export interface AdamStateDict {
  /** `<group>.<param name>.m` and `.v`; owned by the optimiser (do not dispose). */
  tensors: Map<string, Tensor>;
  /** Step counts by `<group>.<param name>`, and each group's hyperparameters. */
  meta: { steps: Record<string, number>; groups: (GroupHyper & { name: string })[] };
}

export class Adam extends Optimizer {
  protected decoupled = false;
  #state = new Map<Tensor, AdamState>();
  #steps = 0;

  constructor(params: ParamsLike | ParamGroupSpec[], o: AdamOptions = {}) {
    super(params, {
      lr: o.lr ?? 1e-3,
      betas: o.betas ?? [0.9, 0.999],
      eps: o.eps ?? 1e-8,
      weightDecay: o.weightDecay ?? 0,
    });
  }

  /** Number of step() calls. */
  get stepCount(): number {
    return this.#steps;
  }

  /** One update of every parameter that has a gradient (no readback). */
  step(gradScale = 1) {
    this.#steps++;
    for (const g of this.paramGroups) {
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
      const items: AdamItem[] = [];
      for (const p of g.params) {
        if (!p.grad) continue;
        const s = this.#stateOf(p);
        s.step++;
        items.push({ param: p, grad: p.grad, expAvg: s.m, expAvgSq: s.v, t: s.step });
      }
      adamStepMulti(items, h);
    }
  }

  #stateOf(p: Tensor): AdamState {
    let s = this.#state.get(p);
    if (!s) {
      s = { m: zeros(p.shape), v: zeros(p.shape), step: 0 };
      untrack(s.m);
      untrack(s.v);
      this.#state.set(p, s);
    }
    return s;
  }

  stateDict(): AdamStateDict {
    const tensors = new Map<string, Tensor>();
    const steps: Record<string, number> = {};
    for (const g of this.paramGroups) {
      g.params.forEach((p, i) => {
        const s = this.#state.get(p);
        if (!s) return;
        const key = `${g.name}.${g.names[i]}`;
        tensors.set(`${key}.m`, s.m);
        tensors.set(`${key}.v`, s.v);
        steps[key] = s.step;
      });
    }
    const groups = this.paramGroups.map((g) => ({
      name: g.name,
      lr: g.lr,
      betas: g.betas,
      eps: g.eps,
      weightDecay: g.weightDecay,
    }));
    return { tensors, meta: { steps, groups } };
  }

  /**
   * Copies saved moments into this optimiser's state by name (the caller keeps what it passed).
   * Every saved key must name a parameter of this optimiser with the same shape; hyperparameters
   * in `meta.groups` are restored when given.
   */
  loadStateDict(sd: { tensors: Map<string, Tensor>; meta: Partial<AdamStateDict["meta"]> }) {
    const byKey = new Map<string, Tensor>();
    for (const g of this.paramGroups) {
      g.params.forEach((p, i) => byKey.set(`${g.name}.${g.names[i]}`, p));
    }
    const problems: string[] = [];
    for (const [k, t] of sd.tensors) {
      const m = /^(.*)\.(m|v)$/.exec(k);
      const p = m && byKey.get(m[1]);
      if (!p) problems.push(`unexpected ${k}`);
      else if (p.shape.join() !== t.shape.join()) {
        problems.push(`${k} [${t.shape.join(", ")}] vs parameter [${p.shape.join(", ")}]`);
      } else if (!sd.tensors.has(`${m[1]}.${m[2] === "m" ? "v" : "m"}`)) {
        problems.push(`${k} without its ${m[2] === "m" ? "v" : "m"}`);
      }
    }
    if (problems.length) {
      throw new Error(
        `neurad: optimiser state does not fit: ${problems.slice(0, 8).join("; ")}${
          problems.length > 8 ? `; … ${problems.length - 8} more` : ""
        }`,
      );
    }
    noGrad(() => {
      for (const [k, t] of sd.tensors) {
        const [, key, which] = /^(.*)\.(m|v)$/.exec(k)!;
        const s = this.#stateOf(byKey.get(key)!);
        copy_(which === "m" ? s.m : s.v, t);
        s.step = sd.meta.steps?.[key] ?? s.step;
      }
    });
    for (const saved of sd.meta.groups ?? []) {
      const g = this.paramGroups.find((x) => x.name === saved.name);
      if (!g) continue;
      g.lr = saved.lr;
      g.betas = saved.betas;
      g.eps = saved.eps;
      g.weightDecay = saved.weightDecay;
    }
  }

  dispose() {
    for (const s of this.#state.values()) {
      s.m.dispose();
      s.v.dispose();
    }
    this.#state.clear();
  }
}

/** AdamW: decoupled weight decay (default 1e-2, as torch.optim.AdamW). */
export class AdamW extends Adam {
  constructor(params: ParamsLike | ParamGroupSpec[], o: AdamOptions = {}) {
    super(params, { ...o, weightDecay: o.weightDecay ?? 1e-2 });
    this.decoupled = true;
  }
}
