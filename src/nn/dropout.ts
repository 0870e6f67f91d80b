// Dropout (torch.nn.Dropout): in training, zeroes each element with probability p and scales
// the survivors by 1/(1 − p); identity in eval mode or with p = 0.
// TODO(engine): switch to the engine's `dropout` op once it lands on main.

import { gt, mul } from "../kernels/binary.ts";
import { full } from "../kernels/fill.ts";
import { mulScalar } from "../kernels/unary.ts";
import { rand } from "../kernels/random.ts";
import { reshape } from "../kernels/movement.ts";
import { tidy } from "../scope.ts";
import type { Tensor } from "../tensor.ts";
import { Module } from "./module.ts";

export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p < 1)) throw new Error(`neurad: Dropout p must be in [0, 1), got ${p}`);
  }

  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return reshape(x, x.shape);
    return tidy(() => {
      const keepMask = mulScalar(gt(rand(x.shape), full([1], this.p)), 1 / (1 - this.p));
      return mul(x, keepMask);
    });
  }
}
