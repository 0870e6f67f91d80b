// groupNorm (F.group_norm) and groupNormSilu (silu(groupNorm(x)) in one pass, the pre-activation
// of every VQGAN ResnetBlock conv), with gradients for input, weight and bias. Forward: one
// statistics pass, one fused normalise pass. Backward: per-(n, c) sums, tiny per-group
// combinations with ordinary ops, then one elementwise input-gradient pass (channel_norm.ts).

import { record } from "../core/autograd.ts";
import type { Tensor } from "../core/tensor.ts";
import { cat, reshape } from "./movement.ts";
import { mul } from "./binary.ts";
import { sum } from "./reduce.ts";
import {
  type Affine,
  groupLayout,
  normApply,
  normBackwardInput,
  normBackwardSums,
  normStats,
} from "./channel_norm.ts";

function run(
  x: Tensor,
  numGroups: number,
  weight: Tensor | null,
  bias: Tensor | null,
  eps: number,
  silu: boolean,
): Tensor {
  const [N, C] = x.shape;
  if (x.ndim < 2 || C % numGroups !== 0) {
    throw new Error(
      `neurad: groupNorm needs [N, C, ...] with C divisible by ${numGroups}, got [${x.shape}]`,
    );
  }
  for (const t of [weight, bias]) {
    if (t && (t.ndim !== 1 || t.shape[0] !== C)) {
      throw new Error(`neurad: groupNorm affine must be [${C}]`);
    }
  }
  const l = groupLayout(x.shape, numGroups);
  const a: Affine = { weight, bias, eps, silu };
  const { mean, var: v } = normStats(x, l);
  const y = normApply(x, mean, v, l, a);
  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  const out = record(silu ? "groupNormSilu" : "groupNorm", inputs, y, [
    x,
    mean,
    v,
    ...inputs.slice(1),
  ], (g, saved, needs) => {
    const [sx, sm, sv] = saved;
    const sa: Affine = {
      weight: weight ? saved[3] : null,
      bias: bias ? saved[weight ? 4 : 3] : null,
      eps,
      silu,
    };
    const { sumGX, sumG } = normBackwardSums(sx, g, sm, sv, l, sa);
    const grads: (Tensor | null)[] = [null];
    if (needs[0]) {
      // S1 = Σ gz·w and S2 = Σ gz·w·xhat over each group's channels.
      const perGroup = (t: Tensor) => {
        const nc = reshape(t, [N, C]);
        const weighted = sa.weight ? mul(nc, sa.weight) : nc;
        return reshape(sum(reshape(weighted, [N, numGroups, C / numGroups]), 2), [N * numGroups]);
      };
      const sums = cat([perGroup(sumG), perGroup(sumGX)]);
      grads[0] = normBackwardInput(sx, g, sm, sv, sums, l, sa);
    }
    if (weight) grads.push(needs[1] ? sum(reshape(sumGX, [N, C]), 0) : null);
    if (bias) grads.push(needs[weight ? 2 : 1] ? sum(reshape(sumG, [N, C]), 0) : null);
    return grads;
  });
  mean.dispose();
  v.dispose();
  return out;
}

/** F.group_norm(x, numGroups, weight, bias, eps) over x [N, C, ...]. */
export function groupNorm(
  x: Tensor,
  numGroups: number,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  eps = 1e-5,
): Tensor {
  return run(x, numGroups, weight, bias, eps, false);
}

/** silu(groupNorm(x, ...)) fused into the normalise pass (and its backward). */
export function groupNormSilu(
  x: Tensor,
  numGroups: number,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  eps = 1e-5,
): Tensor {
  return run(x, numGroups, weight, bias, eps, true);
}
