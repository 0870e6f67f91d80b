// Wrapper of shaders/softmax.wgsl: softmax and logSoftmax along a dim, with gradients
// (softmax: y·(g − Σ g·y); logSoftmax: g − exp(y)·Σ g), composed from elementwise ops. Owns
// the kernel's parameter block. The kernel walks its row three times in one invocation; rows
// too long for llvmpipe's loop budget (65,535 loop passes per invocation, src/core/dispatch.ts:
// rows over 21,844) are done instead as max and sum reductions (which split long rows) around
// elementwise passes, the same formula.

import src from "../../shaders/softmax.wgsl" with { type: "text" };
import { record } from "../core/autograd.ts";
import {
  dispatch,
  grid1d,
  type KernelSpec,
  LOOP_ITERATION_LIMIT,
  loopCost,
} from "../core/dispatch.ts";
import { normDim, numel } from "../core/shape.ts";
import { Tensor } from "../core/tensor.ts";
import { paramBlock } from "../core/uniforms.ts";
import { mul, sub } from "./binary.ts";
import { sum } from "./reduce.ts";
import { exp } from "./unary.ts";
import { mapElementwise } from "./elementwise.ts";
import { reduce } from "./reduce_core.ts";

const SOFTMAX_PARAMS = paramBlock("SoftmaxParams", { rows: "u32", len: "u32", inner: "u32" });
type SoftmaxSpec = KernelSpec<typeof SOFTMAX_PARAMS.fields>;

const SOFTMAX: SoftmaxSpec = {
  name: "softmax",
  params: SOFTMAX_PARAMS,
  code: src.replaceAll("LOG_FLAG", "false"),
  inputs: 1,
  outputs: 1,
};
const LOG_SOFTMAX: SoftmaxSpec = {
  name: "log_softmax",
  params: SOFTMAX_PARAMS,
  code: src.replaceAll("LOG_FLAG", "true"),
  inputs: 1,
  outputs: 1,
};

/** The kernel's loop passes: three walks over the row (max, sum of exponentials, write). */
const kernelLoops = (len: number) => 3 * loopCost(len);

function run(x: Tensor, dim: number, spec: SoftmaxSpec): Tensor {
  const d = normDim(dim, x.ndim);
  const len = x.shape[d] ?? 1;
  const inner = numel(x.shape.slice(d + 1));
  const rows = numel(x.shape.slice(0, d)) * inner;
  if (rows * len && kernelLoops(len) > LOOP_ITERATION_LIMIT) {
    return composed(x, d, spec === LOG_SOFTMAX);
  }
  const y = Tensor.empty(x.shape);
  if (rows * len) {
    dispatch(
      spec,
      { rows, len, inner },
      [x.buffer, y.buffer],
      grid1d(Math.ceil(rows / 64)),
      kernelLoops(len),
    );
  }
  return y;
}

/** The kernel's formula from reductions and elementwise passes (records no graph). */
function composed(x: Tensor, d: number, log: boolean): Tensor {
  const m = reduce(x, "max", d, true).out;
  const e = mapElementwise("softmax_exp", [x, m], { params: PARAMS, expr: "exp(a - b)" });
  const s = reduce(e, "sum", d, true).out;
  const y = log
    ? mapElementwise("log_softmax_out", [x, m, s], { params: PARAMS, expr: "a - b - log(c)" })
    : mapElementwise("softmax_out", [e, s], { params: PARAMS, expr: "a / b" });
  for (const t of [m, e, s]) t.dispose();
  return y;
}

const PARAMS = "a: f32, b: f32, c: f32";

/** F.softmax(x, dim). */
export function softmax(x: Tensor, dim: number): Tensor {
  const y = run(x, dim, SOFTMAX);
  return record("softmax", [x], y, [y], (g, [ys]) => {
    const gy = mul(g, ys);
    return [sub(gy, mul(ys, sum(gy, dim, true)))];
  });
}

/** F.log_softmax(x, dim). */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  const y = run(x, dim, LOG_SOFTMAX);
  return record("logSoftmax", [x], y, [y], (g, [ys]) => [sub(g, mul(exp(ys), sum(g, dim, true)))]);
}
