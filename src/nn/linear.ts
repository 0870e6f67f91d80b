// Linear layer (torch.nn.Linear): y = x·Wᵀ + b over the last dim, weight [out, in] and bias
// [out] with PyTorch's default initialisation.

import { add } from "../kernels/binary.ts";
import { matmulTransposed } from "../kernels/matmul.ts";
import { Tensor } from "../core/tensor.ts";
import { defaultLayerInit_ } from "./init.ts";
import { Module } from "./module.ts";

export class Linear extends Module {
  readonly hasBias: boolean;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    o: { bias?: boolean } = {},
  ) {
    super();
    const weight = Tensor.empty([outFeatures, inFeatures]);
    const bias = o.bias ?? true ? Tensor.empty([outFeatures]) : null;
    defaultLayerInit_(weight, bias);
    this.registerParameter("weight", weight);
    this.hasBias = bias !== null;
    if (bias) this.registerParameter("bias", bias);
  }

  forward(x: Tensor): Tensor {
    // x·Wᵀ reading W through strides (no transposed copy, forward or backward).
    const y = matmulTransposed(x, this.tensor("weight"), { transposeB: true });
    if (!this.hasBias) return y;
    const out = add(y, this.tensor("bias"));
    y.dispose();
    return out;
  }
}
