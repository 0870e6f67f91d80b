// Reductions over any set of axes with gradients: sum, mean, amax/max, amin/min, var; argmax
// and argmin (forward only); and sumToShape, the one place where broadcasting is undone in
// backward passes. The kernels, sum and sumToShape live in reduce_core.ts (below the other op
// modules in the import graph); this file adds the reductions built on other ops.

import { record } from "../core/autograd.ts";
import { Tensor } from "../core/tensor.ts";
import { div, eq, mul, sub } from "./binary.ts";
import { mulScalar } from "./unary.ts";
import { type ArgOp, argRows, asRows, plan, reduce, sum } from "./reduce_core.ts";

export { sum, sumToShape } from "./reduce_core.ts";

export function mean(x: Tensor, dims?: number | readonly number[], keepdim = false): Tensor {
  const p = plan(x, dims);
  const s = sum(x, dims, keepdim);
  const out = mulScalar(s, 1 / p.len);
  s.dispose();
  return out;
}

function extreme(
  x: Tensor,
  op: "max" | "min",
  dims: number | readonly number[] | undefined,
  keepdim: boolean,
) {
  const { out, p } = reduce(x, op, dims, keepdim);
  // Gradient split evenly among tied extremes (torch.amax / amin semantics).
  return record(op, [x], out, [x, out], (g, [xs, ys]) => {
    const mask = eq(xs, ys.view(p.keepdimShape));
    const count = sum(mask, p.dims, true);
    return [mul(mask, div(g.view(p.keepdimShape), count))];
  });
}

/** torch.amax: max over dims (gradient shared among ties). */
export function amax(x: Tensor, dims?: number | readonly number[], keepdim = false): Tensor {
  return extreme(x, "max", dims, keepdim);
}

export function amin(x: Tensor, dims?: number | readonly number[], keepdim = false): Tensor {
  return extreme(x, "min", dims, keepdim);
}

/** Values of the max over dims (torch.amax); use argmax for indices. */
export const max = amax;
export const min = amin;

/** torch.var with `correction` (1 = unbiased, the default; 0 = population). */
export function variance(
  x: Tensor,
  dims?: number | readonly number[],
  opts: { correction?: number; keepdim?: boolean } = {},
): Tensor {
  const p = plan(x, dims);
  const m = mean(x, p.dims, true);
  const d = sub(x, m);
  const sq = mul(d, d);
  const s = sum(sq, p.dims, opts.keepdim ?? false);
  const out = mulScalar(s, 1 / Math.max(0, p.len - (opts.correction ?? 1)));
  for (const t of [m, d, sq, s]) t.dispose();
  return out;
}

export { variance as var_ };

function arg(x: Tensor, op: ArgOp, dim: number | undefined, keepdim: boolean): Tensor {
  const p = plan(x, dim);
  if (p.len === 0) throw new Error("neurad: argmax/argmin over an empty dimension");
  const rowsT = asRows(x, p);
  const out = argRows(rowsT, p.rows, p.len, op);
  rowsT.dispose();
  const shaped = out.view(
    dim === undefined
      ? (keepdim ? x.shape.map(() => 1) : [])
      : keepdim
      ? p.keepdimShape
      : p.keptShape,
  );
  out.dispose();
  return shaped;
}

/** torch.argmax (int32 indices; over the flattened tensor when dim is undefined). */
export function argmax(x: Tensor, dim?: number, keepdim = false): Tensor {
  return arg(x, "argmax", dim, keepdim);
}

export function argmin(x: Tensor, dim?: number, keepdim = false): Tensor {
  return arg(x, "argmin", dim, keepdim);
}
