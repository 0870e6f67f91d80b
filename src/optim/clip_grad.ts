// Global-norm gradient clipping (torch.nn.utils.clip_grad_norm_) computed on the GPU: the total
// 2-norm over every gradient, the factor min(1, maxNorm / (norm + 1e-6)) and the in-place scaling
// of each gradient all stay on the device (no readback). As torch returns total_norm as a tensor,
// the norm comes back as a new one-element tensor that the caller owns (and disposes).

import { noGrad } from "../core/autograd.ts";
import { mapElementwise } from "../kernels/elementwise.ts";
import { scaleByTensor_ } from "../core/inplace_update.ts";
import { add } from "../kernels/binary.ts";
import { sum } from "../kernels/reduce.ts";
import { square } from "../kernels/unary.ts";
import { zeros } from "../kernels/fill.ts";
import type { Tensor } from "../core/tensor.ts";

/**
 * The 2-norm of all the gradients of `params` together, as a new one-element tensor the caller
 * disposes (0 when no parameter has a gradient).
 */
export function gradNorm(params: Iterable<Tensor>): Tensor {
  return noGrad(() => {
    let total: Tensor | null = null;
    for (const p of params) {
      if (!p.grad) continue;
      const sq = square(p.grad);
      const s = sum(sq);
      sq.dispose();
      if (total) {
        const t2: Tensor = add(total, s);
        total.dispose();
        s.dispose();
        total = t2;
      } else total = s;
    }
    if (!total) return zeros([]);
    const norm = mapElementwise("sqrt", [total], {
      params: "a: f32, b: f32, c: f32",
      expr: "sqrt(a)",
    });
    total.dispose();
    return norm;
  });
}

/**
 * Scales every gradient in place by min(1, maxNorm / (norm + 1e-6)), so that their global 2-norm
 * is at most maxNorm (maxNorm = 0 zeroes them, as in torch). Returns the total norm before
 * clipping, as torch does: a new one-element GPU tensor that the caller owns; read it only when
 * needed (reading waits for the GPU), and dispose it.
 *
 * @example
 * ```ts
 * loss.backward();
 * using norm = clipGradNorm_(model.parameters(), 1.0); // disposed at the end of the block
 * opt.step();
 * if (logThisStep) console.log("grad norm", await norm.item());
 * ```
 */
export function clipGradNorm_(params: Iterable<Tensor>, maxNorm: number): Tensor {
  if (!(maxNorm >= 0)) throw new Error(`neurad: clipGradNorm_ needs maxNorm >= 0, got ${maxNorm}`);
  const list = [...params];
  const norm = gradNorm(list);
  const coef = mapElementwise("clip_coef", [norm], {
    params: "a: f32, b: f32, c: f32",
    expr: "min(1.0, s0 / (a + 1e-6))",
    s0: maxNorm,
  });
  for (const p of list) if (p.grad) scaleByTensor_(p.grad, coef);
  coef.dispose();
  return norm;
}
