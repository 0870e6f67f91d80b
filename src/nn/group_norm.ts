// GroupNorm layer (torch.nn.GroupNorm): per-channel weight (ones) and bias (zeros) when affine;
// forwardSilu runs silu(norm(x)) fused, as VQGAN's ResnetBlocks use it, and a Sequential runs a
// GroupNorm followed by a SiLU that way (forwardFused).

import { fill_ } from "../kernels/fill.ts";
import { groupNorm, groupNormSilu } from "../kernels/group_norm.ts";
import { Tensor } from "../core/tensor.ts";
import { SiLU } from "./activations.ts";
import { Module, parameter } from "./module.ts";

export interface GroupNormOptions {
  eps?: number;
  affine?: boolean;
}

export class GroupNorm extends Module {
  readonly eps: number;
  readonly affine: boolean;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;

  constructor(readonly numGroups: number, readonly numChannels: number, o: GroupNormOptions = {}) {
    super();
    if (numChannels % numGroups) {
      throw new Error(
        `neurad: GroupNorm: ${numChannels} channels do not split into ${numGroups} groups`,
      );
    }
    this.eps = o.eps ?? 1e-5;
    this.affine = o.affine ?? true;
    this.weight = this.affine ? parameter(fill_(Tensor.empty([numChannels]), 1)) : null;
    this.bias = this.affine ? parameter(fill_(Tensor.empty([numChannels]), 0)) : null;
  }

  forward(x: Tensor): Tensor {
    return groupNorm(x, this.numGroups, this.weight, this.bias, this.eps);
  }

  /** silu(forward(x)) in one fused pass. */
  forwardSilu(x: Tensor): Tensor {
    return groupNormSilu(x, this.numGroups, this.weight, this.bias, this.eps);
  }

  /** next.forward(forward(x)) in one pass when `next` is a SiLU; null otherwise. */
  forwardFused(next: Module, x: Tensor): Tensor | null {
    return next instanceof SiLU ? this.forwardSilu(x) : null;
  }
}
