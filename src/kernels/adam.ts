// Wrapper of shaders/adam.wgsl: the fused in-place Adam/AdamW update, over one parameter
// (adamStep) or up to 8 per dispatch (adamStepMulti): the same kernel, generated per slot count.
// Owns the kernel's parameter block.

import src from "../../shaders/adam.wgsl" with { type: "text" };
import { rt } from "../core/device.ts";
import { dispatch, grid1d, type KernelSpec } from "../core/dispatch.ts";
import type { Tensor } from "../core/tensor.ts";
import { paramBlock } from "../core/uniforms.ts";
import { cachedSpec } from "./kernel_cache.ts";

/** Most parameters one dispatch updates (the slot arrays of the block hold this many). */
const MAX_SLOTS = 8;

const ADAM = paramBlock("AdamParams", {
  decoupled: "u32",
  lr: "f32",
  beta1: "f32",
  beta2: "f32",
  eps: "f32",
  weightDecay: "f32",
  gradScale: "f32",
  size: "array<vec4<u32>, 2>",
  bc1: "array<vec4<f32>, 2>",
  sqrtBc2: "array<vec4<f32>, 2>",
});

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
function multiSpec(slots: number): KernelSpec<typeof ADAM.fields> {
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
    const cases = Array.from({ length: slots }, (_, k) => {
      const at = `[${k >> 2}][${k & 3}]`;
      return `  if (i < params.size${at}) {
    let r = update(P${k}[i], G${k}[i], M${k}[i], V${k}[i], params.bc1${at}, params.sqrtBc2${at});
    P${k}[i] = r.x;
    M${k}[i] = r.y;
    V${k}[i] = r.z;
  }`;
    }).join("\n");
    return {
      name: slots === 1 ? "adam_step" : "adam_multi",
      params: ADAM,
      code: src.replace("SLOT_BINDINGS", lines.join("\n")).replace("SLOT_CASES", cases),
      inputs: slots,
      outputs: 3 * slots,
    };
  });
}

/** Parameters per dispatch: 4 storage buffers each (WebGPU guarantees 8: at least 2), at most 8. */
export function adamSlots(): number {
  return Math.min(
    MAX_SLOTS,
    Math.floor(rt().device.limits.maxStorageBuffersPerShaderStage / 4),
  );
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

/** One dispatch updating every item (at most MAX_SLOTS, none empty). */
function dispatchSlots(chunk: readonly AdamItem[], h: AdamHyper) {
  const most = Math.max(...chunk.map((it) => it.param.size));
  const params = {
    decoupled: h.decoupled,
    lr: h.lr,
    beta1: h.beta1,
    beta2: h.beta2,
    eps: h.eps,
    weightDecay: h.weightDecay,
    gradScale: h.gradScale ?? 1,
    size: chunk.map((it) => it.param.size),
    bc1: chunk.map((it) => 1 - h.beta1 ** it.t),
    sqrtBc2: chunk.map((it) => Math.sqrt(1 - h.beta2 ** it.t)),
  };
  const buffers = [
    ...chunk.map((it) => it.grad.buffer),
    ...chunk.flatMap((it) => [it.param.buffer, it.expAvg.buffer, it.expAvgSq.buffer]),
  ];
  dispatch(multiSpec(chunk.length), params, buffers, grid1d(Math.ceil(most / 256)), 0); // no loop
}
