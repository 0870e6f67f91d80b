// GroupNorm layer (torch.nn.GroupNorm): per-channel weight (ones) and bias (zeros) when affine;
// forwardSilu runs silu(norm(x)) fused, as VQGAN's ResnetBlocks use it.

import { fill_ } from "../kernels/fill.ts";
import { groupNorm, groupNormSilu } from "../kernels/group_norm.ts";
import { Tensor } from "../core/tensor.ts";
import { Module } from "./module.ts";

export interface GroupNormOptions {
  eps?: number;
  affine?: boolean;
}

export class GroupNorm extends Module {
  readonly eps: number;
  readonly affine: boolean;

  constructor(readonly numGroups: number, readonly numChannels: number, o: GroupNormOptions = {}) {
    super();
    if (numChannels % numGroups) {
      throw new Error(
        `neurad: GroupNorm: ${numChannels} channels do not split into ${numGroups} groups`,
      );
    }
    this.eps = o.eps ?? 1e-5;
    this.affine = o.affine ?? true;
    if (this.affine) {
      this.registerParameter("weight", fill_(Tensor.empty([numChannels]), 1));
      this.registerParameter("bias", fill_(Tensor.empty([numChannels]), 0));
    }
  }

  #affine(): [Tensor | null, Tensor | null] {
    return this.affine ? [this.tensor("weight"), this.tensor("bias")] : [null, null];
  }

  forward(x: Tensor): Tensor {
    return groupNorm(x, this.numGroups, ...this.#affine(), this.eps);
  }

  /** silu(forward(x)) in one fused pass. */
  forwardSilu(x: Tensor): Tensor {
    return groupNormSilu(x, this.numGroups, ...this.#affine(), this.eps);
  }
}
