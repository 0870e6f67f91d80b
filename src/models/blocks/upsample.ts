// Upsample (taming-transformers, with_conv): nearest-neighbour ×2, then conv 3×3 padding 1.
// Key: conv.

import { interpolate } from "../../kernels/interpolate.ts";
import { tidy } from "../../core/scope.ts";
import type { Tensor } from "../../core/tensor.ts";
import { Conv2d } from "../../nn/conv2d.ts";
import { Module } from "../../nn/module.ts";

export class Upsample extends Module {
  readonly conv: Conv2d;

  constructor(readonly channels: number) {
    super();
    this.conv = new Conv2d(channels, channels, 3, { padding: 1 });
  }

  forward(x: Tensor): Tensor {
    return tidy(() => this.conv.forward(interpolate(x, { scaleFactor: 2, mode: "nearest" })));
  }
}
