// Downsample (taming-transformers, with_conv): zero-pad right and bottom by 1, then conv 3×3
// stride 2 without padding: H → ⌊(H − 2)/2⌋ + 1 (95 → 47, 79 → 39). Key: conv.

import { pad } from "../../kernels/movement.ts";
import { tidy } from "../../core/scope.ts";
import type { Tensor } from "../../core/tensor.ts";
import { Conv2d } from "../../nn/conv2d.ts";
import { Module } from "../../nn/module.ts";

export class Downsample extends Module {
  readonly conv: Conv2d;

  constructor(readonly channels: number) {
    super();
    this.conv = new Conv2d(channels, channels, 3, { stride: 2 });
  }

  forward(x: Tensor): Tensor {
    return tidy(() => this.conv.forward(pad(x, [0, 1, 0, 1])));
  }
}
