// Optimisers over parameter tensors: Adam and AdamW (torch.optim semantics and defaults), with
// zeroGrad, per-step state kept on the GPU, state export for checkpoints, and dispose.

import { type AdamHyper, adamStep } from "./kernels/adam.ts";
import { zeros } from "./kernels/fill.ts";
import { untrack } from "./scope.ts";
import type { Tensor } from "./tensor.ts";

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

export class Adam {
  readonly params: Tensor[];
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  #t = 0;
  protected decoupled = false;
  #state = new Map<Tensor, { m: Tensor; v: Tensor }>();

  constructor(params: Iterable<Tensor>, o: AdamOptions = {}) {
    this.params = [...params];
    this.lr = o.lr ?? 1e-3;
    this.betas = o.betas ?? [0.9, 0.999];
    this.eps = o.eps ?? 1e-8;
    this.weightDecay = o.weightDecay ?? 0;
  }

  /** Number of steps taken. */
  get stepCount(): number {
    return this.#t;
  }

  /** One update of every parameter that has a gradient (no readback). */
  step(gradScale = 1) {
    this.#t++;
    const h: AdamHyper = {
      lr: this.lr,
      beta1: this.betas[0],
      beta2: this.betas[1],
      eps: this.eps,
      weightDecay: this.weightDecay,
      decoupled: this.decoupled,
      gradScale,
    };
    for (const p of this.params) {
      if (!p.grad) continue;
      let s = this.#state.get(p);
      if (!s) {
        s = { m: zeros(p.shape), v: zeros(p.shape) };
        untrack(s.m);
        untrack(s.v);
        this.#state.set(p, s);
      }
      adamStep(p, p.grad, s.m, s.v, this.#t, h);
    }
  }

  /** Frees every parameter's gradient (set to null, as torch's set_to_none). */
  zeroGrad() {
    for (const p of this.params) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** The moment estimates, keyed by parameter index (for checkpoints). */
  stateTensors(): Map<number, { m: Tensor; v: Tensor }> {
    const out = new Map<number, { m: Tensor; v: Tensor }>();
    this.params.forEach((p, i) => {
      const s = this.#state.get(p);
      if (s) out.set(i, s);
    });
    return out;
  }

  /** Installs moment estimates (from a checkpoint); takes ownership of the tensors. */
  loadStateTensors(state: Map<number, { m: Tensor; v: Tensor }>, step: number) {
    this.#t = step;
    for (const [i, s] of state) {
      const p = this.params[i];
      const old = this.#state.get(p);
      old?.m.dispose();
      old?.v.dispose();
      untrack(s.m);
      untrack(s.v);
      this.#state.set(p, s);
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
  constructor(params: Iterable<Tensor>, o: AdamOptions = {}) {
    super(params, { ...o, weightDecay: o.weightDecay ?? 1e-2 });
    this.decoupled = true;
  }
}
