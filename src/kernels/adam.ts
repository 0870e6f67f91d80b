// Wrappers of shaders/adam.wgsl (one fused in-place Adam/AdamW update of a parameter) and
// shaders/adam_multi.wgsl (the same update over up to 8 parameters per dispatch).

import src from "../../shaders/adam.wgsl" with { type: "text" };
import multiSrc from "../../shaders/adam_multi.wgsl" with { type: "text" };
import { rt } from "../device.ts";
import { dispatch, grid1d, type KernelSpec } from "../dispatch.ts";
import type { Tensor } from "../tensor.ts";
import { cachedSpec } from "./kernel_cache.ts";

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

/** One parameter of a multi-tensor step: its tensors and its own (already advanced) step. */
export interface AdamItem {
  param: Tensor;
  grad: Tensor;
  expAvg: Tensor;
  expAvgSq: Tensor;
  t: number;
}

/** adam_multi.wgsl for `slots` parameters. */
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
      name: "adam_multi",
      code: multiSrc.replace("SLOT_BINDINGS", lines.join("\n")).replace("SLOT_CASES", cases),
      inputs: slots,
      outputs: 3 * slots,
    };
  });
}

/** Parameters per multi-tensor dispatch: 4 storage buffers each, at most 8. */
export function adamSlots(): number {
  return Math.min(8, Math.floor(rt().device.limits.maxStorageBuffersPerShaderStage / 4));
}

/**
 * In place, the update of adamStep for every item, up to adamSlots() parameters per dispatch
 * (bit-identical to calling adamStep on each). Empty tensors are skipped.
 */
export function adamStepMulti(items: readonly AdamItem[], h: AdamHyper) {
  const slots = adamSlots();
  // Largest first, so each dispatch holds tensors of similar size: its grid is sized for the
  // largest slot, and the other slots' lanes past their size only return.
  const live = items.filter((it) => it.param.size > 0).sort((a, b) => b.param.size - a.param.size);
  for (const it of live) {
    const n = it.param.size;
    if (it.grad.size !== n || it.expAvg.size !== n || it.expAvgSq.size !== n) {
      throw new Error(`neurad: adamStep sizes differ (param ${n}, grad ${it.grad.size})`);
    }
  }
  if (slots < 2) {
    for (const it of live) adamStep(it.param, it.grad, it.expAvg, it.expAvgSq, it.t, h);
    return;
  }
  for (let c = 0; c < live.length; c += slots) {
    const chunk = live.slice(c, c + slots);
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
    const [gx, gy] = grid1d(Math.ceil(most / 256));
    dispatch(multiSpec(chunk.length), u, buffers, [gx, gy, 1]);
  }
}
