// conv2d (F.conv2d with zero padding, square kernels, groups 1, dilation 1) with gradients for
// input, weight and bias, and an optional fused bias + activation epilogue. The input gradient
// is a transposed convolution and runs on the same gather kernel as the forward pass; the
// weight gradient is a split-reduction GEMM (conv_gather.ts).

import { record } from "../core/autograd.ts";
import { Tensor } from "../core/tensor.ts";
import { mapElementwise } from "./elementwise.ts";
import { sum } from "./reduce.ts";
import {
  type ConvActivation,
  convGather,
  type ConvVariant,
  convWeightGrad,
  type WeightAccess,
} from "./conv_gather.ts";

export interface Conv2dOptions {
  stride?: number;
  padding?: number;
  /** Fused epilogue applied after the bias (default "none"); see conv2dBiasAct. */
  activation?: ConvActivation;
  /** Negative slope of "leakyRelu" (default 0.01). */
  negativeSlope?: number;
  /** Kernel variant (default: per adapter, see convVariant()). */
  variant?: ConvVariant;
}

/** Gradient of the epilogue activation, read from the output y (valid for relu / leakyRelu). */
export function activationGrad(
  g: Tensor,
  y: Tensor,
  activation: ConvActivation,
  slope: number,
): Tensor {
  if (activation === "none") return g.view(g.shape);
  const expr = activation === "relu" ? "select(0.0, g, y > 0.0)" : "select(g * s0, g, y > 0.0)";
  return mapElementwise(`${activation}_grad`, [g, y], {
    params: "g: f32, y: f32, c: f32",
    expr,
    s0: slope,
  });
}

export function checkConvShapes(
  op: string,
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  cout: number,
) {
  const [, , kh, kw] = weight.shape;
  if (x.ndim !== 4 || weight.ndim !== 4 || kh !== kw) {
    throw new Error(
      `neurad: ${op} needs x [N, C, H, W] and a square weight, got [${x.shape}] and [${weight.shape}]`,
    );
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== cout)) {
    throw new Error(`neurad: ${op} bias must be [${cout}], got [${bias.shape}]`);
  }
}

/** A weight [d0, d1, k, k] read with its output channel along dim 0 (or dim 1). */
export function weightAccess(d1: number, k: number, outIsDim0: boolean): WeightAccess {
  const kk = k * k;
  return outIsDim0
    ? { base: 0, out: d1 * kk, in: kk, kh: k, kw: 1 }
    : { base: 0, out: kk, in: d1 * kk, kh: k, kw: 1 };
}

/** The same weight read flipped in kh and kw (for gathers that go through a transposed conv). */
export function flippedAccess(a: WeightAccess, k: number): WeightAccess {
  return { base: a.base + (k - 1) * (a.kh + a.kw), out: a.out, in: a.in, kh: -a.kh, kw: -a.kw };
}

/**
 * F.conv2d(x, weight, bias, stride, padding): x [N, Cin, H, W], weight [Cout, Cin, k, k],
 * bias [Cout] or null. With `activation`, returns act(conv + bias) in one pass.
 */
export function conv2d(
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null = null,
  o: Conv2dOptions = {},
): Tensor {
  const stride = o.stride ?? 1, padding = o.padding ?? 0;
  const activation = o.activation ?? "none", slope = o.negativeSlope ?? 0.01;
  const [Cout, Cin, k] = weight.shape;
  checkConvShapes("conv2d", x, weight, bias, Cout);
  const [, C, H, W] = x.shape;
  if (C !== Cin) throw new Error(`neurad: conv2d input has ${C} channels, weight expects ${Cin}`);
  const Ho = Math.floor((H + 2 * padding - k) / stride) + 1;
  const Wo = Math.floor((W + 2 * padding - k) / stride) + 1;
  if (Ho < 1 || Wo < 1) {
    throw new Error(`neurad: conv2d input ${H}×${W} is smaller than the kernel`);
  }
  const access = weightAccess(Cin, k, true);
  const y = convGather({
    x,
    weight,
    access,
    bias,
    cout: Cout,
    ho: Ho,
    wo: Wo,
    k,
    convStride: stride,
    inStride: 1,
    pad: padding,
    activation,
    slope,
    variant: o.variant,
  });
  const inputs = bias ? [x, weight, bias] : [x, weight];
  const save = activation === "none" ? [x, weight] : [x, weight, y];
  return record("conv2d", inputs, y, save, (g0, [sx, sw, sy], needs) => {
    const g = activationGrad(g0, sy ?? g0, activation, slope);
    let gx: Tensor | null = null, gw: Tensor | null = null, gb: Tensor | null = null;
    if (needs[0]) {
      // dx = convTranspose2d(g, weight): gather over dY with the flipped kernel.
      gx = convGather({
        x: g,
        weight: sw,
        access: flippedAccess(weightAccess(Cin, k, false), k),
        bias: null,
        cout: Cin,
        ho: H,
        wo: W,
        k,
        convStride: 1,
        inStride: stride,
        pad: k - 1 - padding,
        variant: o.variant,
      });
    }
    if (needs[1]) gw = convWeightGrad(g, sx, k, stride, padding);
    if (needs[2]) gb = sum(g, [0, 2, 3]);
    g.dispose();
    return [gx, gw, gb].slice(0, inputs.length);
  });
}

/** conv2d with its bias and activation fused into one pass (forward and backward exact). */
export function conv2dBiasAct(
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  activation: ConvActivation,
  o: Omit<Conv2dOptions, "activation"> = {},
): Tensor {
  return conv2d(x, weight, bias, { ...o, activation });
}
