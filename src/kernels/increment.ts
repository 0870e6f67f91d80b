// Wrapper of shaders/increment_i32.wgsl: in-place integer increments of i32 tensors (counters
// such as BatchNorm's num_batches_tracked) without a readback.

import src from "../../shaders/increment_i32.wgsl" with { type: "text" };
import { dispatch, type KernelSpec } from "../core/dispatch.ts";
import type { Tensor } from "../core/tensor.ts";

const SPEC: KernelSpec = { name: "increment_i32", code: src, inputs: 0, outputs: 1 };

/** t += delta elementwise, in place (i32 tensors of at most 65,535 × 64 elements). */
export function incrementInt_(t: Tensor, delta = 1): Tensor {
  if (t.dtype !== "i32") {
    throw new Error(`neurad: incrementInt_ needs an i32 tensor, not ${t.dtype}`);
  }
  const n = t.size;
  if (n === 0) return t;
  if (n > 65535 * 64) throw new Error("neurad: incrementInt_ supports at most 4,194,240 elements");
  const p = new Int32Array([n, delta, 0, 0]);
  dispatch(SPEC, new Uint32Array(p.buffer), [t.buffer], [Math.ceil(n / 64), 1, 1]);
  return t;
}
