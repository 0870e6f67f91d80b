// batchNorm (F.batch_norm) over x [N, C, ...]: batch statistics and the running-stat update in
// training, running statistics in eval; gradients for input, weight and bias. The same kernels as
// groupNorm with one statistic per channel (channel_norm.ts).

import { noGrad, record } from "../core/autograd.ts";
import { copyBuffer } from "../core/dispatch.ts";
import type { Tensor } from "../core/tensor.ts";
import { cat } from "./movement.ts";
import { mul } from "./binary.ts";
import { mapElementwise } from "./elementwise.ts";
import {
  type Affine,
  channelLayout,
  normApply,
  normBackwardInput,
  normBackwardSums,
  normStats,
} from "./channel_norm.ts";

/** running ← (1 − momentum)·running + momentum·stat·scale, in place (torch's update rule). */
function updateRunning(running: Tensor, stat: Tensor, momentum: number, scale: number) {
  noGrad(() => {
    const next = mapElementwise("batch_norm_running", [running, stat], {
      params: "a: f32, b: f32, c: f32",
      expr: "a * (1.0 - s0) + b * s1",
      s0: momentum,
      s1: momentum * scale,
    });
    copyBuffer(next.buffer, 0, running.buffer, 0, running.size * 4);
    next.dispose();
  });
}

/**
 * F.batch_norm(x, runningMean, runningVar, weight, bias, training, momentum, eps). In training
 * the running statistics (if given) are updated in place with the unbiased batch variance.
 */
export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null = null,
  runningVar: Tensor | null = null,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  training = false,
  momentum = 0.1,
  eps = 1e-5,
): Tensor {
  const C = x.shape[1];
  if (x.ndim < 2) throw new Error(`neurad: batchNorm needs [N, C, ...], got [${x.shape}]`);
  for (const t of [runningMean, runningVar, weight, bias]) {
    if (t && (t.ndim !== 1 || t.shape[0] !== C)) {
      throw new Error(`neurad: batchNorm vectors must be [${C}]`);
    }
  }
  const l = channelLayout(x.shape);
  let mean: Tensor, v: Tensor;
  if (training) {
    if (l.M < 2) {
      throw new Error("neurad: batchNorm in training needs more than 1 value per channel");
    }
    ({ mean, var: v } = normStats(x, l));
    if (runningMean) updateRunning(runningMean, mean, momentum, 1);
    if (runningVar) updateRunning(runningVar, v, momentum, l.M / (l.M - 1));
  } else {
    if (!runningMean || !runningVar) {
      throw new Error("neurad: batchNorm in eval mode needs running stats");
    }
    mean = runningMean.view(runningMean.shape);
    v = runningVar.view(runningVar.shape);
  }
  const a: Affine = { weight, bias, eps, silu: false };
  const y = normApply(x, mean, v, l, a);
  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  const out = record(
    "batchNorm",
    inputs,
    y,
    [x, mean, v, ...inputs.slice(1)],
    (g, saved, needs) => {
      const [sx, sm, sv] = saved;
      const sa: Affine = {
        weight: weight ? saved[3] : null,
        bias: bias ? saved[weight ? 4 : 3] : null,
        eps,
        silu: false,
      };
      const { sumGX, sumG } = normBackwardSums(sx, g, sm, sv, l, sa);
      const grads: (Tensor | null)[] = [null];
      if (needs[0]) {
        // In training the batch statistics depend on x: S1 = w·Σ g, S2 = w·Σ g·xhat per channel.
        const sums = training
          ? (sa.weight ? cat([mul(sumG, sa.weight), mul(sumGX, sa.weight)]) : cat([sumG, sumGX]))
          : null;
        grads[0] = normBackwardInput(sx, g, sm, sv, sums, l, sa);
      }
      if (weight) grads.push(needs[1] ? sumGX.view(sumGX.shape) : null);
      if (bias) grads.push(needs[weight ? 2 : 1] ? sumG.view(sumG.shape) : null);
      return grads;
    },
  );
  mean.dispose();
  v.dispose();
  return out;
}
