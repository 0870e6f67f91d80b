// Sequential container (torch.nn.Sequential): children registered as "0", "1", ... and applied
// in order, so weight keys carry PyTorch's indices (e.g. "Enc.3.weight"). A layer that has a
// fused kernel for itself and the layer after it (forwardFused, e.g. GroupNorm followed by SiLU)
// runs the pair in one pass. Intermediates are freed as the pass goes.

import { reshape } from "../kernels/movement.ts";
import type { Tensor } from "../core/tensor.ts";
import { Module } from "./module.ts";

/** A module with a one-tensor forward. */
export interface TensorLayer extends Module {
  forward(x: Tensor): Tensor;
  /**
   * next.forward(this.forward(x)) in one fused pass, or null when this layer has no fused
   * kernel for `next` (optional).
   */
  forwardFused?(next: Module, x: Tensor): Tensor | null;
}

export class Sequential extends Module {
  readonly layers: readonly TensorLayer[];

  constructor(layers: TensorLayer[]) {
    super();
    this.layers = [...layers];
    layers.forEach((m, i) => this.registerModule(String(i), m));
  }

  forward(x: Tensor): Tensor {
    let h = x;
    const n = this.layers.length;
    for (let i = 0; i < n; i++) {
      const m = this.layers[i];
      const fused = i + 1 < n ? m.forwardFused?.(this.layers[i + 1], h) ?? null : null;
      const next = fused ?? m.forward(h);
      if (fused) i++;
      if (h !== x && next !== h) h.dispose();
      h = next;
    }
    return h === x ? reshape(x, x.shape) : h;
  }
}
