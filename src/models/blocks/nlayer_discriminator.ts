// NLayerDiscriminator (PatchGAN; pix2pix / taming-transformers): conv k4 s2 p1 → LReLU(0.2);
// nLayers − 1 × [conv k4 s2 p1 (no bias) → BatchNorm → LReLU(0.2)] with filters doubling up to
// 8×; conv k4 s1 p1 (no bias) → BatchNorm → LReLU(0.2); conv k4 s1 p1 → 1 logit per patch.
// Weights: conv N(0, 0.02), BatchNorm γ N(1, 0.02), β 0 (taming's weights_init); conv biases
// keep PyTorch's default. Keys: <container>.<i>... (taming "main", the first study "model").

import { fill_ } from "../../kernels/fill.ts";
import { normal_ } from "../../kernels/random.ts";
import type { Tensor } from "../../core/tensor.ts";
import { LeakyReLU } from "../../nn/activations.ts";
import { BatchNorm2d } from "../../nn/batch_norm2d.ts";
import { Conv2d } from "../../nn/conv2d.ts";
import { Module } from "../../nn/module.ts";
import { Sequential, type TensorLayer } from "../../nn/sequential.ts";
import type { Discriminator } from "../types.ts";

export interface NLayerDiscriminatorOptions {
  inputChannels?: number;
  /** Filters of the first layer (ndf, default 64). */
  filters?: number;
  /** Default 3. */
  nLayers?: number;
  /** Name of the nn.Sequential holding the layers: "main" (taming, default) or "model". */
  container?: string;
}

export class NLayerDiscriminator extends Module implements Discriminator {
  /** The container, registered under its configurable name. */
  readonly #layers: Sequential;

  constructor(o: NLayerDiscriminatorOptions = {}) {
    super();
    const ndf = o.filters ?? 64, n = o.nLayers ?? 3;
    const layers: TensorLayer[] = [
      new Conv2d(o.inputChannels ?? 1, ndf, 4, { stride: 2, padding: 1 }),
      new LeakyReLU(0.2),
    ];
    let mult = 1;
    for (let i = 1; i <= n; i++) {
      const prev = mult;
      mult = Math.min(2 ** i, 8);
      layers.push(
        new Conv2d(ndf * prev, ndf * mult, 4, { stride: i < n ? 2 : 1, padding: 1, bias: false }),
        new BatchNorm2d(ndf * mult),
        new LeakyReLU(0.2),
      );
    }
    layers.push(new Conv2d(ndf * mult, 1, 4, { padding: 1 }));
    for (const m of layers) {
      if (m instanceof Conv2d) normal_(m.weight, 0, 0.02);
      if (m instanceof BatchNorm2d) {
        normal_(m.weight!, 1, 0.02);
        fill_(m.bias!, 0);
      }
    }
    this.#layers = this.registerModule(o.container ?? "main", new Sequential(layers));
  }

  forward(x: Tensor): Tensor {
    return this.#layers.forward(x);
  }
}
