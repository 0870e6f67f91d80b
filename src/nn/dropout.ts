// Dropout layer (torch.nn.Dropout): dropout(x, p) in training mode, the identity in eval mode.

import { dropout } from "../kernels/dropout.ts";
import type { Tensor } from "../core/tensor.ts";
import { Module } from "./module.ts";

export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p <= 1)) throw new Error(`neurad: Dropout p must be in [0, 1], got ${p}`);
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training);
  }
}
