// The small building blocks of the second study's networks (Chandru 2025), named as its PyTorch
// modules are so state-dict keys match: `ResidualBlock` (x + BN(conv3×3(ReLU(BN(conv3×3(x))))),
// keys block.0/1/3/4) and `ConvBnRelu` (conv + BN + ReLU, keys 0/1).

import type { Tensor } from "../../core/tensor.ts";
import { tidy } from "../../core/scope.ts";
import { add } from "../../kernels/binary.ts";
import { relu } from "../../kernels/unary.ts";
import { Module } from "../../nn/module.ts";
import { Conv2d } from "../../nn/conv2d.ts";
import { BatchNorm2d, type BatchNorm2dOptions } from "../../nn/batch_norm2d.ts";
import { ReLU } from "../../nn/activations.ts";
import { Sequential } from "../../nn/sequential.ts";

/** conv3×3 (bias) → BN → ReLU → conv3×3 (bias) → BN, plus the input: the study's ResidualBlock. */
export class ResidualBlock extends Module {
  readonly block: Sequential;

  constructor(channels: number) {
    super();
    this.block = new Sequential([
      new Conv2d(channels, channels, 3, { padding: 1 }),
      new BatchNorm2d(channels),
      new ReLU(),
      new Conv2d(channels, channels, 3, { padding: 1 }),
      new BatchNorm2d(channels),
    ]);
  }

  forward(x: Tensor): Tensor {
    return tidy(() => add(x, this.block.forward(x)));
  }
}

/**
 * conv k×k (stride 1, "same" padding, bias) → BN → ReLU: one stage of the perceptual net. The
 * study's nn.Sequential(conv, bn, relu), so the conv and the BN are fields 0 and 1 (its keys).
 */
export class ConvBnRelu extends Module {
  readonly 0: Conv2d;
  readonly 1: BatchNorm2d;

  constructor(inC: number, outC: number, k: number, bn: BatchNorm2dOptions = {}) {
    super();
    this[0] = new Conv2d(inC, outC, k, { padding: (k - 1) / 2 });
    this[1] = new BatchNorm2d(outC, bn);
  }

  forward(x: Tensor): Tensor {
    return tidy(() => relu(this[1].forward(this[0].forward(x))));
  }
}
