// Conv2d layer (torch.nn.Conv2d, square kernels, zero padding, groups 1): weight
// [out, in, k, k] and bias [out] with PyTorch's default initialisation.

import { type ConvActivation } from "../kernels/conv_gather.ts";
import { conv2d } from "../kernels/conv2d.ts";
import { Tensor } from "../core/tensor.ts";
import { defaultLayerInit_ } from "./init.ts";
import { Module, parameter } from "./module.ts";

export interface Conv2dLayerOptions {
  stride?: number;
  padding?: number;
  bias?: boolean;
}

export class Conv2d extends Module {
  readonly stride: number;
  readonly padding: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    o: Conv2dLayerOptions = {},
  ) {
    super();
    this.stride = o.stride ?? 1;
    this.padding = o.padding ?? 0;
    const weight = Tensor.empty([outChannels, inChannels, kernelSize, kernelSize]);
    const bias = o.bias ?? true ? Tensor.empty([outChannels]) : null;
    defaultLayerInit_(weight, bias);
    this.weight = parameter(weight);
    this.bias = bias && parameter(bias);
  }

  get hasBias(): boolean {
    return this.bias !== null;
  }

  /** conv2d(x); with `activation`, the bias and activation run fused in the same pass. */
  forward(x: Tensor, activation: ConvActivation = "none", negativeSlope = 0.01): Tensor {
    return conv2d(x, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding,
      activation,
      negativeSlope,
    });
  }
}
