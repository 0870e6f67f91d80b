// Linear layer (torch.nn.Linear): y = x·Wᵀ + b over the last dim, weight [out, in] and bias
// [out] with PyTorch's default initialisation.

import { add } from "../kernels/binary.ts";
import { matmulTransposed } from "../kernels/matmul.ts";
import { Tensor } from "../core/tensor.ts";
import { defaultLayerInit_ } from "./init.ts";
import { Module, parameter } from "./module.ts";

export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    o: { bias?: boolean } = {},
  ) {
    super();
    const weight = Tensor.empty([outFeatures, inFeatures]);
    const bias = o.bias ?? true ? Tensor.empty([outFeatures]) : null;
    defaultLayerInit_(weight, bias);
    this.weight = parameter(weight);
    this.bias = bias && parameter(bias);
  }

  get hasBias(): boolean {
    return this.bias !== null;
  }

  forward(x: Tensor): Tensor {
    // x·Wᵀ reading W through strides (no transposed copy, forward or backward).
    const y = matmulTransposed(x, this.weight, { transposeB: true });
    if (!this.bias) return y;
    const out = add(y, this.bias);
    y.dispose();
    return out;
  }
}
