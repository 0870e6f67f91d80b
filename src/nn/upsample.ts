// Upsample layer (torch.nn.Upsample): interpolate() with a fixed size or scale factor.

import { interpolate, type InterpolateOptions } from "../kernels/interpolate.ts";
import type { Tensor } from "../core/tensor.ts";
import { Module } from "./module.ts";

export class Upsample extends Module {
  constructor(readonly options: InterpolateOptions) {
    super();
  }

  forward(x: Tensor): Tensor {
    return interpolate(x, this.options);
  }
}
