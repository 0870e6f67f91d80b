// Sequential container (torch.nn.Sequential): children registered as "0", "1", ... and applied
// in order, so weight keys carry PyTorch's indices (e.g. "Enc.3.weight"). Intermediates are
// freed as the pass goes.

import { reshape } from "../kernels/movement.ts";
import type { Tensor } from "../tensor.ts";
import { Module } from "./module.ts";

/** A module with a one-tensor forward. */
export interface TensorLayer extends Module {
  forward(x: Tensor): Tensor;
}

export class Sequential extends Module {
  readonly layers: TensorLayer[];

  constructor(layers: TensorLayer[]) {
    super();
    this.layers = layers;
    layers.forEach((m, i) => this.registerModule(String(i), m));
  }

  forward(x: Tensor): Tensor {
    let h = x;
    for (const m of this.layers) {
      const next = m.forward(h);
      if (h !== x) h.dispose();
      h = next;
    }
    return h === x ? reshape(x, x.shape) : h;
  }
}
