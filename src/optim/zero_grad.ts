// zeroGrad for a set of parameters (shared by Module.zeroGrad and the optimisers): free the
// gradients (torch's set_to_none, the default) or zero them in place, keeping their buffers.

import { fill_ } from "../kernels/fill.ts";
import type { Tensor } from "../core/tensor.ts";

/** Frees (setToNone) or zeroes in place the gradients of `params`. */
export function zeroGradOf(params: Iterable<Tensor>, setToNone: boolean) {
  for (const p of params) {
    if (!p.grad) continue;
    if (setToNone) {
      p.grad.dispose();
      p.grad = null;
    } else fill_(p.grad, 0);
  }
}
