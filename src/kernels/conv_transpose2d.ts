// convTranspose2d (F.conv_transpose2d, groups 1, dilation 1, square kernels) with gradients for
// input, weight [Cin, Cout, k, k] and bias. Its forward pass is conv2d's input gradient and its
// input gradient is conv2d's forward pass: both run on the shared gather kernel; the weight
// gradient is the shared split-reduction kernel with the roles of x and dY swapped.

import { record } from "../core/autograd.ts";
import type { Tensor } from "../core/tensor.ts";
import { sum } from "./reduce.ts";
import { convGather, type ConvVariant, convWeightGrad } from "./conv_gather.ts";
import { checkConvShapes, flippedAccess, weightAccess } from "./conv2d.ts";

export interface ConvTranspose2dOptions {
  stride?: number;
  padding?: number;
  outputPadding?: number;
  variant?: ConvVariant;
}

/**
 * F.conv_transpose2d(x, weight, bias, stride, padding, output_padding): x [N, Cin, H, W],
 * weight [Cin, Cout, k, k], output [N, Cout, (H−1)·stride − 2·padding + k + outputPadding, …].
 */
export function convTranspose2d(
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null = null,
  o: ConvTranspose2dOptions = {},
): Tensor {
  const stride = o.stride ?? 1, padding = o.padding ?? 0, outputPadding = o.outputPadding ?? 0;
  const [Cin, Cout, k] = weight.shape;
  checkConvShapes("convTranspose2d", x, weight, bias, Cout);
  const [, C, H, W] = x.shape;
  if (C !== Cin) {
    throw new Error(`neurad: convTranspose2d input has ${C} channels, weight expects ${Cin}`);
  }
  if (outputPadding >= stride && outputPadding > 0) {
    throw new Error("neurad: convTranspose2d outputPadding must be smaller than stride");
  }
  const Ho = (H - 1) * stride - 2 * padding + k + outputPadding;
  const Wo = (W - 1) * stride - 2 * padding + k + outputPadding;
  if (Ho < 1 || Wo < 1) throw new Error("neurad: convTranspose2d output would be empty");
  const y = convGather({
    x,
    weight,
    access: flippedAccess(weightAccess(Cout, k, false), k),
    bias,
    cout: Cout,
    ho: Ho,
    wo: Wo,
    k,
    convStride: 1,
    inStride: stride,
    pad: k - 1 - padding,
    variant: o.variant,
  });
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record("convTranspose2d", inputs, y, [x, weight], (g, [sx, sw], needs) => {
    let gx: Tensor | null = null, gw: Tensor | null = null, gb: Tensor | null = null;
    if (needs[0]) {
      // dx = conv2d(g, weight read as [Cin, Cout, k, k] with Cin as the output channel).
      gx = convGather({
        x: g,
        weight: sw,
        access: weightAccess(Cout, k, true),
        bias: null,
        cout: Cin,
        ho: H,
        wo: W,
        k,
        convStride: stride,
        inStride: 1,
        pad: padding,
        variant: o.variant,
      });
    }
    if (needs[1]) gw = convWeightGrad(sx, g, k, stride, padding);
    if (needs[2]) gb = sum(g, [0, 2, 3]);
    return [gx, gw, gb].slice(0, inputs.length);
  });
}
