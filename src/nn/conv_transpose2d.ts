// ConvTranspose2d layer (torch.nn.ConvTranspose2d, square kernels, groups 1): weight
// [in, out, k, k] and bias [out] with PyTorch's default initialisation (fan-in = out·k²).

import { convTranspose2d } from "../kernels/conv_transpose2d.ts";
import { Tensor } from "../core/tensor.ts";
import { defaultLayerInit_ } from "./init.ts";
import { Module, parameter } from "./module.ts";

export interface ConvTranspose2dLayerOptions {
  stride?: number;
  padding?: number;
  outputPadding?: number;
  bias?: boolean;
}

export class ConvTranspose2d extends Module {
  readonly stride: number;
  readonly padding: number;
  readonly outputPadding: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;

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
    this.weight = parameter(weight);
    this.bias = bias && parameter(bias);
  }

  get hasBias(): boolean {
    return this.bias !== null;
  }

  forward(x: Tensor): Tensor {
    return convTranspose2d(x, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding,
      outputPadding: this.outputPadding,
    });
  }
}
