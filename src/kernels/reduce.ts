// Reductions over any set of axes with gradients: sum, mean, amax/max, amin/min, var; argmax
// and argmin (forward only); and sumToShape, the one place where broadcasting is undone in
// backward passes. Kernels: shaders/reduce_rows*.wgsl, shaders/reduce_arg.wgsl.

import rowsSrc from "../../shaders/reduce_rows.wgsl" with { type: "text" };
import smallSrc from "../../shaders/reduce_rows_small.wgsl" with { type: "text" };
import argSrc from "../../shaders/reduce_arg.wgsl" with { type: "text" };
import { record } from "../autograd.ts";
import { dispatch, grid1d, type KernelSpec } from "../dispatch.ts";
import { normDims, numel, type Shape } from "../shape.ts";
import { Tensor } from "../tensor.ts";
import { expand, permute } from "./movement.ts";
import { div, eq, mul, sub } from "./binary.ts";
import { mulScalar } from "./unary.ts";

type ReduceOp = "sum" | "max" | "min";
// [combine(a, b), identity]. NaN propagates as in torch.amax: a NaN operand wins. NaN is
// tested on the bits: llvmpipe folds `x != x` to false.
const COMBINE: Record<ReduceOp, [string, string]> = {
  sum: ["a + b", "0.0"],
  max: ["select(select(max(a, b), b, isNan(b)), a, isNan(a))", "bitcast<f32>(0xff800000u)"],
  min: ["select(select(min(a, b), b, isNan(b)), a, isNan(a))", "bitcast<f32>(0x7f800000u)"],
};

const specs = new Map<string, KernelSpec>();
function spec(kind: "rows" | "small", op: ReduceOp): KernelSpec {
  const key = kind + op;
  let s = specs.get(key);
  if (!s) {
    const code = (kind === "rows" ? rowsSrc : smallSrc).replaceAll("COMBINE", COMBINE[op][0])
      .replaceAll("INIT", COMBINE[op][1]);
    specs.set(key, s = { name: `reduce_${kind}_${op}`, code, inputs: 1, outputs: 1 });
  }
  return s;
}
const ARGMAX: KernelSpec = {
  name: "argmax",
  code: argSrc.replaceAll("BETTER", "a > b"),
  inputs: 1,
  outputs: 1,
};
const ARGMIN: KernelSpec = {
  name: "argmin",
  code: argSrc.replaceAll("BETTER", "a < b"),
  inputs: 1,
  outputs: 1,
};

const CHUNK = 4096;

/** Reduces a contiguous [rows, len] tensor along its rows (one or two passes). */
function reduceRows(x: Tensor, rows: number, len: number, op: ReduceOp): Tensor {
  const out = Tensor.empty([rows]);
  if (rows === 0) return out;
  if (len === 0) throw new Error(`neurad: ${op} over an empty dimension`);
  if (len <= 32 && rows >= 256) {
    dispatch(
      spec("small", op),
      new Uint32Array([rows, len, len, 1]),
      [x.buffer, out.buffer],
      grid1d(Math.ceil(rows / 64)),
    );
    return out;
  }
  if (len > 4 * CHUNK && rows < 1024) {
    const splits = Math.ceil(len / CHUNK);
    const partial = Tensor.empty([rows, splits]);
    dispatch(spec("rows", op), new Uint32Array([rows, len, CHUNK, splits]), [
      x.buffer,
      partial.buffer,
    ], grid1d(rows * splits));
    dispatch(spec("rows", op), new Uint32Array([rows, splits, splits, 1]), [
      partial.buffer,
      out.buffer,
    ], grid1d(rows));
    partial.dispose();
    return out;
  }
  dispatch(
    spec("rows", op),
    new Uint32Array([rows, len, len, 1]),
    [x.buffer, out.buffer],
    grid1d(rows),
  );
  return out;
}

interface Plan {
  dims: number[];
  rows: number;
  len: number;
  keptShape: number[];
  keepdimShape: number[];
}

function plan(x: Tensor, dims?: number | readonly number[]): Plan {
  const d = normDims(dims, x.ndim);
  const kept = [...x.shape.keys()].filter((i) => !d.includes(i));
  return {
    dims: d,
    rows: numel(kept.map((i) => x.shape[i])),
    len: numel(d.map((i) => x.shape[i])),
    keptShape: kept.map((i) => x.shape[i]),
    keepdimShape: x.shape.map((s, i) => (d.includes(i) ? 1 : s)),
  };
}

/** The [rows, len] layout of x for plan p: a view if the reduced dims are trailing, else a permuted copy. */
function asRows(x: Tensor, p: Plan): Tensor {
  const kept = [...x.shape.keys()].filter((i) => !p.dims.includes(i));
  const order = [...kept, ...p.dims];
  const trailing = order.every((v, i) => v === i);
  if (trailing) return x.alias([p.rows, p.len]);
  const plain = x.detach();
  const out = permute(plain, order);
  plain.dispose();
  return out;
}

function reduce(
  x: Tensor,
  op: ReduceOp,
  dims: number | readonly number[] | undefined,
  keepdim: boolean,
) {
  const p = plan(x, dims);
  const rowsT = asRows(x, p);
  const flat = reduceRows(rowsT, p.rows, p.len, op);
  rowsT.dispose();
  const out = flat.view(keepdim ? p.keepdimShape : p.keptShape);
  flat.dispose();
  return { out, p };
}

/** torch.sum(x, dims, keepdim); all dims when dims is undefined or []. */
export function sum(x: Tensor, dims?: number | readonly number[], keepdim = false): Tensor {
  const { out, p } = reduce(x, "sum", dims, keepdim);
  return record("sum", [x], out, [], (g) => [expand(g.view(p.keepdimShape), x.shape)]);
}

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

function arg(x: Tensor, specA: KernelSpec, dim: number | undefined, keepdim: boolean): Tensor {
  const p = plan(x, dim);
  const rowsT = asRows(x, p);
  const out = Tensor.empty([p.rows], "i32");
  if (p.len === 0) throw new Error("neurad: argmax/argmin over an empty dimension");
  dispatch(
    specA,
    new Uint32Array([p.rows, p.len, 0, 0]),
    [rowsT.buffer, out.buffer],
    grid1d(p.rows),
  );
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
  return arg(x, ARGMAX, dim, keepdim);
}

export function argmin(x: Tensor, dim?: number, keepdim = false): Tensor {
  return arg(x, ARGMIN, dim, keepdim);
}

/** Sums a (broadcast) gradient down to `shape`: the one place broadcasting is undone. */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (g.ndim === shape.length && g.shape.every((d, i) => d === shape[i])) return g.view(shape);
  const off = g.ndim - shape.length;
  const dims = [...g.shape.keys()].filter((i) =>
    i < off || (shape[i - off] === 1 && g.shape[i] !== 1)
  );
  if (!dims.length) return g.view(shape);
  const s = sum(g, dims, true);
  const out = s.view(shape);
  s.dispose();
  return out;
}
