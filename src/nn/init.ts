// Parameter initialisers with torch.nn.init's semantics (fan computation included), and the
// default initialisation of PyTorch's Conv/Linear layers: weight kaiming-uniform with a = √5
// (i.e. U(±1/√fanIn)), bias U(±1/√fanIn).

import { normal_, uniform_ } from "../kernels/random.ts";
import type { Tensor } from "../core/tensor.ts";

export type Nonlinearity = "linear" | "relu" | "leaky_relu" | "tanh" | "sigmoid";

/** torch.nn.init._calculate_fan_in_and_fan_out: dims 1 and 0 times the receptive field. */
export function fanInAndFanOut(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) throw new Error("neurad: fan in/out needs a tensor of at least 2 dims");
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1] * receptive, fanOut: shape[0] * receptive };
}

/** torch.nn.init.calculate_gain. */
export function calculateGain(nonlinearity: Nonlinearity, param = 0.01): number {
  switch (nonlinearity) {
    case "relu":
      return Math.SQRT2;
    case "leaky_relu":
      return Math.sqrt(2 / (1 + param * param));
    case "tanh":
      return 5 / 3;
    default:
      return 1;
  }
}

export interface KaimingOptions {
  a?: number;
  mode?: "fanIn" | "fanOut";
  nonlinearity?: Nonlinearity;
}

function kaimingStd(t: Tensor, o: KaimingOptions): number {
  const { fanIn, fanOut } = fanInAndFanOut(t.shape);
  const gain = calculateGain(o.nonlinearity ?? "leaky_relu", o.a ?? 0);
  return gain / Math.sqrt(o.mode === "fanOut" ? fanOut : fanIn);
}

/** torch.nn.init.kaiming_uniform_ (in place). */
export function kaimingUniform_(t: Tensor, o: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, o);
  return uniform_(t, -bound, bound);
}

/** torch.nn.init.kaiming_normal_ (in place). */
export function kaimingNormal_(t: Tensor, o: KaimingOptions = {}): Tensor {
  return normal_(t, 0, kaimingStd(t, o));
}

/** torch.nn.init.xavier_uniform_ (in place). */
export function xavierUniform_(t: Tensor, gain = 1): Tensor {
  const { fanIn, fanOut } = fanInAndFanOut(t.shape);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -bound, bound);
}

/** PyTorch's Conv*d / Linear reset_parameters(): weight and (optional) bias, in place. */
export function defaultLayerInit_(weight: Tensor, bias: Tensor | null) {
  kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias) {
    const { fanIn } = fanInAndFanOut(weight.shape);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform_(bias, -bound, bound);
  }
}
