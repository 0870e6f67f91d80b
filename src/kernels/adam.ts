// Wrapper of shaders/adam.wgsl: one fused in-place Adam/AdamW update of a parameter.

import src from "../../shaders/adam.wgsl" with { type: "text" };
import { dispatch, grid1d, type KernelSpec } from "../dispatch.ts";
import type { Tensor } from "../tensor.ts";

const SPEC: KernelSpec = { name: "adam_step", code: src, inputs: 1, outputs: 3 };

export interface AdamHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** true: AdamW's decoupled decay; false: Adam's L2 term added to the gradient. */
  decoupled: boolean;
  /** Multiplies the gradient first (gradient clipping / loss scaling); 1 normally. */
  gradScale?: number;
}

/** In place: param, expAvg, expAvgSq updated for step `t` (1-based). */
export function adamStep(
  param: Tensor,
  grad: Tensor,
  expAvg: Tensor,
  expAvgSq: Tensor,
  t: number,
  h: AdamHyper,
) {
  const n = param.size;
  if (grad.size !== n || expAvg.size !== n || expAvgSq.size !== n) {
    throw new Error(`neurad: adamStep sizes differ (param ${n}, grad ${grad.size})`);
  }
  const p = new ArrayBuffer(40);
  const u = new Uint32Array(p);
  const f = new Float32Array(p);
  u[0] = n;
  u[1] = h.decoupled ? 1 : 0;
  f[2] = h.lr;
  f[3] = h.beta1;
  f[4] = h.beta2;
  f[5] = h.eps;
  f[6] = h.weightDecay;
  f[7] = 1 - h.beta1 ** t;
  f[8] = Math.sqrt(1 - h.beta2 ** t);
  f[9] = h.gradScale ?? 1;
  if (n) {
    dispatch(
      SPEC,
      u,
      [grad.buffer, param.buffer, expAvg.buffer, expAvgSq.buffer],
      grid1d(Math.ceil(n / 256)),
    );
  }
}
