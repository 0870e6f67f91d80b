// ResnetBlock (taming-transformers): GroupNorm(32 groups unless told, eps 1e-6) → swish → conv 3×3 → GroupNorm →
// swish → conv 3×3, added to the input, or to a 1×1 `nin_shortcut` of it when the channel count
// changes. Keys: norm1, conv1, norm2, conv2, nin_shortcut (taming's; the first study's code
// calls them block.0.gn, block.2, block.3.gn, block.5, channel_up).

import { add } from "../../kernels/binary.ts";
import { tidy } from "../../core/scope.ts";
import type { Tensor } from "../../core/tensor.ts";
import { Conv2d } from "../../nn/conv2d.ts";
import { GroupNorm } from "../../nn/group_norm.ts";
import { Module } from "../../nn/module.ts";

/** taming's Normalize(): GroupNorm with 32 groups (or `groups`), eps 1e-6, affine. */
export function normalize(channels: number, groups = 32): GroupNorm {
  return new GroupNorm(groups, channels, { eps: 1e-6 });
}

export class ResnetBlock extends Module {
  readonly norm1: GroupNorm;
  readonly conv1: Conv2d;
  readonly norm2: GroupNorm;
  readonly conv2: Conv2d;
  readonly nin_shortcut: Conv2d | null;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number = inChannels,
    readonly groups = 32,
  ) {
    super();
    this.norm1 = normalize(inChannels, groups);
    this.conv1 = new Conv2d(inChannels, outChannels, 3, { padding: 1 });
    this.norm2 = normalize(outChannels, groups);
    this.conv2 = new Conv2d(outChannels, outChannels, 3, { padding: 1 });
    this.nin_shortcut = inChannels === outChannels ? null : new Conv2d(inChannels, outChannels, 1);
  }

  forward(x: Tensor): Tensor {
    return tidy(() => {
      const h = this.conv2.forward(
        this.norm2.forwardSilu(this.conv1.forward(this.norm1.forwardSilu(x))),
      );
      return add(this.nin_shortcut ? this.nin_shortcut.forward(x) : x, h);
    });
  }
}
