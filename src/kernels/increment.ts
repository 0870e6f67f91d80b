// In-place integer increments of i32 tensors (counters such as BatchNorm's num_batches_tracked)
// without a readback: an i32 map on the elementwise kernel (elementwise.ts) into a scratch
// tensor, copied back in order with the other GPU work.

import { copyBuffer } from "../core/dispatch.ts";
import type { Tensor } from "../core/tensor.ts";
import { mapElementwise } from "./elementwise.ts";

/** t += delta elementwise, in place (i32 tensors; wraps modulo 2³² like i32 arithmetic). */
export function incrementInt_(t: Tensor, delta = 1): Tensor {
  if (t.dtype !== "i32") {
    throw new Error(`neurad: incrementInt_ needs an i32 tensor, not ${t.dtype}`);
  }
  if (t.size === 0) return t;
  const next = mapElementwise("increment_i32", [t], {
    params: "a: i32, b: i32, c: i32",
    expr: "a + s0",
    s0: delta,
  });
  copyBuffer(next.buffer, 0, t.buffer, 0, t.size * 4);
  next.dispose();
  return t;
}
