// logsumexp (torch.logsumexp): log Σ exp(x) over dims, stabilised by the (detached) maximum;
// rows that are all −inf give −inf, as torch. The gradient (softmax of x times g) comes from the
// ops it is built of.

import { noGrad } from "../core/autograd.ts";
import type { Tensor } from "../core/tensor.ts";
import { add, sub } from "./binary.ts";
import { mapElementwise } from "./elementwise.ts";
import { reshape } from "./movement.ts";
import { amax, sum } from "./reduce.ts";
import { exp, log } from "./unary.ts";
import { tidy } from "../core/scope.ts";
import { normDims } from "../core/shape.ts";

/** log(Σ exp(x)) over `dims` (all by default). */
export function logsumexp(x: Tensor, dims?: number | readonly number[], keepdim = false): Tensor {
  return tidy(() => {
    const m = noGrad(() => {
      const raw = amax(x, dims, true);
      // An infinite maximum would turn x − m into NaN: shift by 0 there instead.
      return mapElementwise("logsumexp_shift", [raw], {
        params: "a: f32, b: f32, c: f32",
        expr: "select(a, 0.0, abs(a) > 3.402823e38)",
      });
    });
    const y = add(log(sum(exp(sub(x, m)), dims, true)), m);
    if (keepdim) return y;
    const drop = new Set(normDims(dims, x.ndim));
    return reshape(y, x.shape.filter((_, i) => !drop.has(i)));
  });
}
