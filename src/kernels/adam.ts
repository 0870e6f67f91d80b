// Wrapper of shaders/adam.wgsl: the fused in-place Adam/AdamW update, over one parameter
// (adamStep) or up to 8 per dispatch (adamStepMulti): the same kernel, generated per slot count.

import src from "../../shaders/adam.wgsl" with { type: "text" };
import { rt } from "../core/device.ts";
import { dispatch, grid1d, type KernelSpec } from "../core/dispatch.ts";
import type { Tensor } from "../core/tensor.ts";
import { cachedSpec } from "./kernel_cache.ts";

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
  checkSizes({ param, grad, expAvg, expAvgSq, t });
  if (param.size) dispatchSlots([{ param, grad, expAvg, expAvgSq, t }], h);
}

/** One parameter of a multi-tensor step: its tensors and its own (already advanced) step. */
export interface AdamItem {
  param: Tensor;
  grad: Tensor;
  expAvg: Tensor;
  expAvgSq: Tensor;
  t: number;
}

/** adam.wgsl for `slots` parameters. */
function multiSpec(slots: number): KernelSpec {
  return cachedSpec("adam", `multi|${slots}`, () => {
    const bind = (b: number, access: string, name: string) =>
      `@group(0) @binding(${b}) var<storage, ${access}> ${name}: array<f32>;`;
    const lines: string[] = [];
    for (let k = 0; k < slots; k++) lines.push(bind(1 + k, "read", `G${k}`));
    for (let k = 0; k < slots; k++) {
      const b = 1 + slots + 3 * k;
      lines.push(
        bind(b, "read_write", `P${k}`),
        bind(b + 1, "read_write", `M${k}`),
        bind(b + 2, "read_write", `V${k}`),
      );
    }
    const cases = Array.from({ length: slots }, (_, k) =>
      `  if (i < params.slots[${k}].x) {
    let r = update(P${k}[i], G${k}[i], M${k}[i], V${k}[i], bitcast<f32>(params.slots[${k}].y),
      bitcast<f32>(params.slots[${k}].z));
    P${k}[i] = r.x;
    M${k}[i] = r.y;
    V${k}[i] = r.z;
  }`).join("\n");
    return {
      name: slots === 1 ? "adam_step" : "adam_multi",
      code: src.replace("SLOT_BINDINGS", lines.join("\n")).replace("SLOT_CASES", cases),
      inputs: slots,
      outputs: 3 * slots,
    };
  });
}

/** Parameters per dispatch: 4 storage buffers each (WebGPU guarantees 8: at least 2), at most 8. */
export function adamSlots(): number {
  return Math.min(8, Math.floor(rt().device.limits.maxStorageBuffersPerShaderStage / 4));
}

/**
 * In place, the update of adamStep for every item, up to adamSlots() parameters per dispatch
 * (bit-identical to calling adamStep on each). Empty tensors are skipped.
 */
export function adamStepMulti(items: readonly AdamItem[], h: AdamHyper) {
  items.forEach(checkSizes);
  const slots = adamSlots();
  // Largest first, so each dispatch holds tensors of similar size: its grid is sized for the
  // largest slot, and the other slots' lanes past their size do nothing.
  const live = items.filter((it) => it.param.size > 0).sort((a, b) => b.param.size - a.param.size);
  for (let c = 0; c < live.length; c += slots) dispatchSlots(live.slice(c, c + slots), h);
}

function checkSizes(it: AdamItem) {
  const n = it.param.size;
  if (it.grad.size !== n || it.expAvg.size !== n || it.expAvgSq.size !== n) {
    throw new Error(`neurad: adamStep sizes differ (param ${n}, grad ${it.grad.size})`);
  }
}

/** One dispatch updating every item (at most 8, none empty). */
function dispatchSlots(chunk: readonly AdamItem[], h: AdamHyper) {
  const buf = new ArrayBuffer(32 + 8 * 16);
  const u = new Uint32Array(buf), f = new Float32Array(buf);
  u[0] = h.decoupled ? 1 : 0;
  f[1] = h.lr;
  f[2] = h.beta1;
  f[3] = h.beta2;
  f[4] = h.eps;
  f[5] = h.weightDecay;
  f[6] = h.gradScale ?? 1;
  let most = 0;
  chunk.forEach((it, k) => {
    u[8 + 4 * k] = it.param.size;
    f[9 + 4 * k] = 1 - h.beta1 ** it.t;
    f[10 + 4 * k] = Math.sqrt(1 - h.beta2 ** it.t);
    most = Math.max(most, it.param.size);
  });
  const buffers = [
    ...chunk.map((it) => it.grad.buffer),
    ...chunk.flatMap((it) => [it.param.buffer, it.expAvg.buffer, it.expAvgSq.buffer]),
  ];
  dispatch(multiSpec(chunk.length), u, buffers, grid1d(Math.ceil(most / 256)));
}
