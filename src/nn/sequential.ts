// Sequential container (torch.nn.Sequential): children registered as "0", "1", ... and applied
// in order (a GroupNorm followed by a SiLU runs fused), so weight keys carry PyTorch's indices (e.g. "Enc.3.weight"). Intermediates are
// freed as the pass goes.

import { reshape } from "../kernels/movement.ts";
import type { Tensor } from "../core/tensor.ts";
import { Module } from "./module.ts";
import { GroupNorm } from "./group_norm.ts";
import { SiLU } from "./activations.ts";

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
    for (let i = 0; i < this.layers.length; i++) {
      const m = this.layers[i];
      // GroupNorm followed by SiLU runs as one fused pass.
      const fuse = m instanceof GroupNorm && this.layers[i + 1] instanceof SiLU;
      const next = fuse ? (m as GroupNorm).forwardSilu(h) : m.forward(h);
      if (fuse) i++;
      if (h !== x && next !== h) h.dispose();
      h = next;
    }
    return h === x ? reshape(x, x.shape) : h;
  }
}
