// chandru25-discriminator: the second study's patch discriminator (Chandru 2025; docs/models.md): conv k4
// s2 p1 3→64 + LReLU(0.2); conv k4 s2 p1 64→128 + BN + LReLU(0.2); conv k4 s1 p0 128→1. At
// 64×64 input it gives 13×13 patch logits. The study applies a sigmoid and BCE; forward returns
// the logits (N, 1, h, w), as the Discriminator interface asks (use BCE-with-logits). Keys are
// the study's (net.0, net.2, net.3, net.5); 136,641 parameters at full width.

import type { Tensor } from "../../core/tensor.ts";
import { Conv2d } from "../../nn/conv2d.ts";
import { BatchNorm2d } from "../../nn/batch_norm2d.ts";
import { LeakyReLU } from "../../nn/activations.ts";
import { Module } from "../../nn/module.ts";
import type { Discriminator, StudyMode } from "../types.ts";
import { Sequential } from "../../nn/sequential.ts";
import {
  checkOptionNames,
  type CommonModelOptions,
  resolveMode,
  resolveWidth,
  scaleChannels,
} from "../model_options.ts";

const NAME = "chandru25-discriminator";

/** Both modes use the same network; widthMultiplier scales the 64 and 128 channels. */
export type Chandru25DiscriminatorOptions = CommonModelOptions;

export class Chandru25Discriminator extends Module implements Discriminator {
  readonly mode: StudyMode;
  readonly net: Sequential;

  constructor(o: Chandru25DiscriminatorOptions = {}) {
    super();
    checkOptionNames(NAME, o, []);
    this.mode = resolveMode(NAME, o.mode);
    const m = resolveWidth(NAME, o.widthMultiplier);
    const a = scaleChannels(64, m), b = scaleChannels(128, m);
    this.net = new Sequential([
      new Conv2d(3, a, 4, { stride: 2, padding: 1 }),
      new LeakyReLU(0.2),
      new Conv2d(a, b, 4, { stride: 2, padding: 1 }),
      new BatchNorm2d(b),
      new LeakyReLU(0.2),
      new Conv2d(b, 1, 4),
    ]);
  }

  forward(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== 3 || x.shape[2] < 16 || x.shape[3] < 16) {
      throw new Error(`neurad: ${NAME} expects [N, 3, H ≥ 16, W ≥ 16], got ${x}`);
    }
    return this.net.forward(x);
  }
}
