// ConvTranspose2d layer (torch.nn.ConvTranspose2d, square kernels, groups 1): weight
// [in, out, k, k] and bias [out] with PyTorch's default initialisation (fan-in = out·k²).

import { convTranspose2d } from "../kernels/conv_transpose2d.ts";
import { Tensor } from "../core/tensor.ts";
import { defaultLayerInit_ } from "./init.ts";
import { Module } from "./module.ts";

export interface ConvTranspose2dLayerOptions {
  stride?: number;
  padding?: number;
  outputPadding?: number;
  bias?: boolean;
}

export class ConvTranspose2d extends Module {
  readonly stride: number;
  readonly padding: number;
  readonly hasBias: boolean;
  readonly outputPadding: number;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    o: ConvTranspose2dLayerOptions = {},
  ) {
    super();
    this.stride = o.stride ?? 1;
    this.padding = o.padding ?? 0;
    this.outputPadding = o.outputPadding ?? 0;
    const weight = Tensor.empty([inChannels, outChannels, kernelSize, kernelSize]);
    const bias = o.bias ?? true ? Tensor.empty([outChannels]) : null;
    defaultLayerInit_(weight, bias);
    this.registerParameter("weight", weight);
    this.hasBias = bias !== null;
    if (bias) this.registerParameter("bias", bias);
  }

  get weight(): Tensor {
    return this.tensor("weight");
  }

  get bias(): Tensor | null {
    return this.hasBias ? this.tensor("bias") : null;
  }

  forward(x: Tensor): Tensor {
    return convTranspose2d(x, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding,
      outputPadding: this.outputPadding,
    });
  }
}
