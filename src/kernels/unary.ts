// Unary elementwise ops and activations, forward and derivative side by side in one table:
// `f` is the forward expression of a (with scalars s0, s1); `d` the input gradient over
// x (input), y (output) and g (upstream gradient). Both run through elementwise.ts.

import { record } from "../core/autograd.ts";
import type { Tensor } from "../core/tensor.ts";
import { mapElementwise } from "./elementwise.ts";

interface UnaryDef {
  f: string;
  d: string;
}

const OPS = {
  neg: { f: "-a", d: "-g" },
  exp: { f: "exp(a)", d: "g * y" },
  log: { f: "log(a)", d: "g / x" },
  sqrt: { f: "sqrt(a)", d: "g * 0.5 / y" },
  rsqrt: { f: "inverseSqrt(a)", d: "-0.5 * g * y * y * y" },
  abs: { f: "abs(a)", d: "g * sign(x)" },
  relu: { f: "nanMax(a, 0.0)", d: "select(0.0, g, x > 0.0)" },
  leakyRelu: { f: "select(a * s0, a, a > 0.0)", d: "select(g * s0, g, x > 0.0)" },
  sigmoid: { f: "sigm(a)", d: "g * y * (1.0 - y)" },
  // GL drivers return ±1 for tanh(NaN): the NaN is passed through explicitly.
  tanh: { f: "select(tanh(nanClamp(a, -20.0, 20.0)), a, isNan(a))", d: "g * (1.0 - y * y)" },
  silu: { f: "a * sigm(a)", d: "g * sigm(x) * (1.0 + x * (1.0 - sigm(x)))" },
  softplus: { f: "max(a, 0.0) + log(1.0 + exp(-abs(a)))", d: "g * sigm(x)" },
  clamp: { f: "nanClamp(a, s0, s1)", d: "select(0.0, g, x >= s0 && x <= s1)" },
  powScalar: { f: "powf(a, s0)", d: "select(g * s0 * powf(x, s0 - 1.0), 0.0, s0 == 0.0)" },
  addScalar: { f: "a + s0", d: "g" },
  mulScalar: { f: "a * s0", d: "g * s0" },
  square: { f: "a * a", d: "2.0 * g * x" },
} satisfies Record<string, UnaryDef>;

function unary(name: keyof typeof OPS, x: Tensor, s0 = 0, s1 = 0): Tensor {
  const def: UnaryDef = OPS[name];
  const y = mapElementwise(name, [x], { params: "a: f32, b: f32, c: f32", expr: def.f, s0, s1 });
  const needX = /\bx\b/.test(def.d), needY = /\by\b/.test(def.d);
  const save = [...(needX ? [x] : []), ...(needY ? [y] : [])];
  return record(name, [x], y, save, (g, saved) => {
    const sx = needX ? saved[0] : g;
    const sy = needY ? saved[needX ? 1 : 0] : g;
    if (def.d === "g") return [g.view(g.shape)];
    return [
      mapElementwise(`${name}_backward`, [sx, sy, g], {
        params: "x: f32, y: f32, g: f32",
        expr: def.d,
        s0,
        s1,
      }),
    ];
  });
}

export const neg = (x: Tensor) => unary("neg", x);
export const exp = (x: Tensor) => unary("exp", x);
export const log = (x: Tensor) => unary("log", x);
export const sqrt = (x: Tensor) => unary("sqrt", x);
export const rsqrt = (x: Tensor) => unary("rsqrt", x);
export const abs = (x: Tensor) => unary("abs", x);
export const square = (x: Tensor) => unary("square", x);
export const relu = (x: Tensor) => unary("relu", x);
/** F.leaky_relu(x, negative_slope = 0.01). */
export const leakyRelu = (x: Tensor, negativeSlope = 0.01) => unary("leakyRelu", x, negativeSlope);
export const sigmoid = (x: Tensor) => unary("sigmoid", x);
export const tanh = (x: Tensor) => unary("tanh", x);
/** x * sigmoid(x) (a.k.a. swish). */
export const silu = (x: Tensor) => unary("silu", x);
/** log(1 + exp(x)), computed stably (beta 1). */
export const softplus = (x: Tensor) => unary("softplus", x);
/** torch.clamp(x, min, max); gradient passes where min <= x <= max. */
export const clamp = (x: Tensor, min = -Infinity, max = Infinity) =>
  unary("clamp", x, Math.max(min, -3.4028234663852886e38), Math.min(max, 3.4028234663852886e38));
export const powScalar = (x: Tensor, exponent: number) => unary("powScalar", x, exponent);
export const addScalar = (x: Tensor, s: number) => unary("addScalar", x, s);
export const mulScalar = (x: Tensor, s: number) => unary("mulScalar", x, s);
