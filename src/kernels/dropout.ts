// dropout (torch.nn.functional.dropout): in training, each element is kept with probability
// 1 - p and scaled by 1 / (1 - p), else zeroed; the mask comes from the seeded counter-based
// generator (random.ts: manualSeed makes it reproducible). In eval (or with p = 0) it is the
// identity, returned as a new handle (a view sharing x's storage, in the graph), never x itself:
// the caller owns and disposes the result without touching x. Forward and backward are one
// elementwise pass each over (x or g, uniform draws).

import { record } from "../core/autograd.ts";
import type { Tensor } from "../core/tensor.ts";
import { mapElementwise } from "./elementwise.ts";
import { rand } from "./random.ts";

const PARAMS = "a: f32, b: f32, c: f32";
const EXPR = "select(0.0, a * s0, b >= s1)";

/**
 * y = x · mask / (1 − p) with mask ~ Bernoulli(1 − p) when training; otherwise a new handle on
 * x's values (a view: no copy, gradients flow through it).
 */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  if (!(p >= 0 && p <= 1)) {
    throw new Error(`neurad: dropout probability must be in [0, 1], got ${p}`);
  }
  if (!training || p === 0) return x.view(x.shape);
  const u = rand(x.shape);
  const scale = p === 1 ? 0 : 1 / (1 - p);
  const y = mapElementwise("dropout", [x, u], { params: PARAMS, expr: EXPR, s0: scale, s1: p });
  const out = record("dropout", [x], y, [u], (g, [su]) => [
    mapElementwise("dropout_backward", [g, su], { params: PARAMS, expr: EXPR, s0: scale, s1: p }),
  ]);
  u.dispose();
  return out;
}
