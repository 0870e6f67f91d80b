// The reduction kernels (shaders/reduce_rows*.wgsl, shaders/reduce_arg.wgsl) and the ops at
// the bottom of the op graph: sum (its backward broadcasts by a strided copy) and sumToShape,
// the one place where broadcasting is undone in backward passes. Imports no other op module,
// so movement.ts and binary.ts can use sumToShape without an import cycle; the other
// reductions (mean, amax, amin, var, argmax, argmin) live in reduce.ts. Owns the reduction
// kernels' parameter blocks. Every kernel here loops over the reduced elements, so each dispatch
// is sized to llvmpipe's loop budget (65,535 loop passes per invocation, src/core/dispatch.ts):
// long rows and long strided runs are split into partial results that a further pass combines.

import { cachedSpec } from "./kernel_cache.ts";
import rowsSrc from "../../shaders/reduce_rows.wgsl" with { type: "text" };
import smallSrc from "../../shaders/reduce_rows_small.wgsl" with { type: "text" };
import argSrc from "../../shaders/reduce_arg.wgsl" with { type: "text" };
import stridedSrc from "../../shaders/reduce_strided.wgsl" with { type: "text" };
import { deviceInfo } from "../core/device.ts";
import { record } from "../core/autograd.ts";
import { dispatch, grid1d, LOOP_ITERATION_LIMIT, loopCost, splitLoop } from "../core/dispatch.ts";
import { broadcastStrides, normDims, numel, type Shape, stridesOf } from "../core/shape.ts";
import { Tensor } from "../core/tensor.ts";
import { paramBlock } from "../core/uniforms.ts";
import { stridedCopy } from "./strided_copy.ts";

export type ReduceOp = "sum" | "max" | "min";
// [combine(a, b), identity]. NaN propagates as in torch.amax: a NaN operand wins (the prelude's
// nanMax / nanMin, which test NaN on the bits: llvmpipe folds `x != x` to false).
const COMBINE: Record<ReduceOp, [string, string]> = {
  sum: ["a + b", "0.0"],
  max: ["nanMax(a, b)", "-infF32()"],
  min: ["nanMin(a, b)", "infF32()"],
};

/** Row reductions: `rows` rows of `len`, split into `splits` chunks of `chunk` columns. */
const REDUCE_ROWS = paramBlock("ReduceRowsParams", {
  rows: "u32",
  len: "u32",
  chunk: "u32",
  splits: "u32",
});
/** Strided reductions: see StridedLayout; `splits` chunks of `chunk` reduced rows. */
const REDUCE_STRIDED = paramBlock("ReduceStridedParams", {
  R0: "u32",
  K: "u32",
  R1: "u32",
  K2: "u32",
  chunk: "u32",
  splits: "u32",
});
/** Arg-reductions of `rows` rows of `len`, split into `splits` chunks of `chunk` columns. */
const REDUCE_ARG = paramBlock("ReduceArgParams", {
  rows: "u32",
  len: "u32",
  chunk: "u32",
  splits: "u32",
});

const ROWS_SOURCES = { rows: rowsSrc, small: smallSrc };
const STRIDED_SOURCES = {
  columns: stridedSrc.replaceAll("MODE", "0u"),
  planes: stridedSrc.replaceAll("MODE", "1u"),
};

function combined(src: string, op: ReduceOp): string {
  return src.replaceAll("COMBINE", COMBINE[op][0]).replaceAll("INIT", COMBINE[op][1]);
}

function rowsSpec(kind: keyof typeof ROWS_SOURCES, op: ReduceOp) {
  return cachedSpec("reduce", kind + op, () => ({
    name: `reduce_${kind}_${op}`,
    params: REDUCE_ROWS,
    code: combined(ROWS_SOURCES[kind], op),
    inputs: 1,
    outputs: 1,
  }));
}

function stridedSpec(kind: keyof typeof STRIDED_SOURCES, op: ReduceOp) {
  return cachedSpec("reduce", kind + op, () => ({
    name: `reduce_${kind}_${op}`,
    params: REDUCE_STRIDED,
    code: combined(STRIDED_SOURCES[kind], op),
    inputs: 1,
    outputs: 1,
  }));
}

export type ArgOp = "argmax" | "argmin";

function argSpec(op: ArgOp, indexed: boolean) {
  return cachedSpec("reduce", `${op}|${indexed}`, () => ({
    name: op,
    params: REDUCE_ARG,
    code: argSrc.replaceAll("BETTER", op === "argmax" ? "a > b" : "a < b")
      .replaceAll("INDEXED_FLAG", String(indexed)),
    inputs: 2,
    outputs: 2,
  }));
}

/** Loop passes of a 64-lane row kernel whose lanes walk `chunk` columns: the walk, the tree. */
const rowsLoops = (chunk: number) => loopCost(Math.ceil(chunk / 64)) + loopCost(6);

/** Columns per split when long rows are split. */
const CHUNK = 4096;

/**
 * Index of the max (argmax) or min of each row of a contiguous [rows, len] tensor, as int32
 * [rows]: rows too long for one workgroup's loop budget go in splits whose candidates a further
 * pass (or more) compares with their indices.
 */
export function argRows(x: Tensor, rows: number, len: number, op: ArgOp): Tensor {
  let values = x, indices: Tensor | null = null;
  for (;;) {
    const { splits, chunk } = splitLoop(len, rowsLoops, 64);
    const ov = Tensor.empty([rows * splits]), oi = Tensor.empty([rows * splits], "i32");
    dispatch(
      argSpec(op, indices !== null),
      { rows, len, chunk, splits },
      [values.buffer, (indices ?? values).buffer, ov.buffer, oi.buffer],
      grid1d(rows * splits),
      rowsLoops(chunk),
    );
    if (values !== x) values.dispose();
    indices?.dispose();
    [values, indices, len] = [ov, oi, splits];
    if (splits === 1) break;
  }
  values.dispose();
  return indices!;
}

/**
 * Reduces a contiguous [rows, len] tensor along its rows: one pass, or partials over column
 * splits (rows too long for a lane's loop budget, or few long rows that would leave a GPU idle)
 * reduced by a further pass.
 */
function reduceRows(x: Tensor, rows: number, len: number, op: ReduceOp): Tensor {
  if (rows === 0) return Tensor.empty([0]);
  if (len === 0) throw new Error(`neurad: ${op} over an empty dimension`);
  if (len <= 32 && rows >= 256) {
    const out = Tensor.empty([rows]);
    dispatch(
      rowsSpec("small", op),
      { rows, len, chunk: len, splits: 1 },
      [x.buffer, out.buffer],
      grid1d(Math.ceil(rows / 64)),
      loopCost(len),
    );
    return out;
  }
  if ((len > 4 * CHUNK && rows < 1024) || rowsLoops(len) > LOOP_ITERATION_LIMIT) {
    const splits = Math.ceil(len / CHUNK);
    const partial = Tensor.empty([rows, splits]);
    dispatch(
      rowsSpec("rows", op),
      { rows, len, chunk: CHUNK, splits },
      [x.buffer, partial.buffer],
      grid1d(rows * splits),
      rowsLoops(CHUNK),
    );
    const out = reduceRows(partial, rows, splits, op);
    partial.dispose();
    return out;
  }
  const out = Tensor.empty([rows]);
  dispatch(
    rowsSpec("rows", op),
    { rows, len, chunk: len, splits: 1 },
    [x.buffer, out.buffer],
    grid1d(rows),
    rowsLoops(len),
  );
  return out;
}

export interface Plan {
  dims: number[];
  rows: number;
  len: number;
  keptShape: number[];
  keepdimShape: number[];
}

export function plan(x: Tensor, dims?: number | readonly number[]): Plan {
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
export function asRows(x: Tensor, p: Plan): Tensor {
  const kept = [...x.shape.keys()].filter((i) => !p.dims.includes(i));
  const order = [...kept, ...p.dims];
  const trailing = order.every((v, i) => v === i);
  if (trailing) return x.alias([p.rows, p.len]);
  // A permuted copy (outside the graph: only the reduction kernels read it).
  const out = Tensor.empty([p.rows, p.len], x.dtype);
  const xs = stridesOf(x.shape);
  const shape = order.map((d) => x.shape[d]);
  stridedCopy(x, { offset: 0, strides: order.map((d) => xs[d]) }, out, {
    offset: 0,
    strides: stridesOf(shape),
  }, shape);
  return out;
}

/** A strided reduction's merged layout (see shaders/reduce_strided.wgsl). */
export interface StridedLayout {
  kind: "columns" | "planes";
  R0: number;
  K: number;
  R1: number;
  K2: number;
}

/**
 * The layout reducing `dims` of `shape` takes without a permuted copy: dims of equal role
 * merged (size-1 dims dropped), [R, K] or [K, R, K2] as columns, [R0, K, R1] as planes; null
 * when the reduced dims are trailing (a plain row reduction) or alternate more (a permuted copy).
 */
export function stridedLayout(
  shape: readonly number[],
  dims: readonly number[],
): StridedLayout | null {
  const runs: [number, boolean][] = [];
  shape.forEach((size, i) => {
    if (size === 1) return;
    const r = dims.includes(i);
    const last = runs[runs.length - 1];
    if (last && last[1] === r) last[0] *= size;
    else runs.push([size, r]);
  });
  const pattern = runs.map(([, r]) => (r ? "r" : "k")).join("");
  const [a, b, c] = runs.map(([size]) => size);
  if (pattern === "rk") return { kind: "columns", R0: a, K: 1, R1: 1, K2: b };
  if (pattern === "krk") return { kind: "columns", R0: b, K: a, R1: 1, K2: c };
  if (pattern === "rkr") return { kind: "planes", R0: a, K: b, R1: c, K2: 1 };
  return null;
}

/** Loop passes of a strided-reduction lane over `chunk` reduced rows (see reduce_strided.wgsl). */
function stridedLoops(kind: StridedLayout["kind"], chunk: number, R1: number): number {
  return kind === "columns"
    ? loopCost(chunk)
    : loopCost(chunk, loopCost(Math.ceil(R1 / 64))) + loopCost(6);
}

/**
 * The reduction of x for plan p through stridedLayout, or null (outputs [p.rows]); null too
 * when a single reduced row of a plane is over a lane's loop budget (the row path splits it).
 */
function reduceStrided(x: Tensor, p: Plan, op: ReduceOp): Tensor | null {
  const layout = stridedLayout(x.shape, p.dims);
  if (!layout) return null;
  const { kind, R0, K, R1, K2 } = layout;
  const cost = (chunk: number) => stridedLoops(kind, chunk, R1);
  if (cost(1) > LOOP_ITERATION_LIMIT) return null;
  const outs = K * K2;
  // Split the reduced rows when the outputs alone are too few lanes (columns) or workgroups
  // (planes) to fill the device (CPU adapters need far fewer), or when a lane's rows would
  // pass the loop budget.
  const cpu = deviceInfo().isFallbackAdapter;
  const want = kind === "columns" ? (cpu ? 256 : 16384) / outs : (cpu ? 8 : 512) / K;
  const minRows = kind === "columns" ? 16 : 1;
  let splits = Math.max(1, Math.min(Math.ceil(want), Math.floor(R0 / minRows)));
  splits = Math.max(splits, splitLoop(R0, cost).splits);
  const chunk = Math.ceil(R0 / splits);
  splits = Math.ceil(R0 / chunk);
  const partial = Tensor.empty([outs * splits]);
  const params = { R0, K, R1, K2, chunk, splits };
  const grid = kind === "columns" ? grid1d(Math.ceil((outs * splits) / 64)) : grid1d(K * splits);
  dispatch(stridedSpec(kind, op), params, [x.buffer, partial.buffer], grid, cost(chunk));
  if (splits === 1) return partial;
  const out = reduceRows(partial, outs, splits, op);
  partial.dispose();
  return out;
}

export function reduce(
  x: Tensor,
  op: ReduceOp,
  dims: number | readonly number[] | undefined,
  keepdim: boolean,
) {
  const p = plan(x, dims);
  if (p.rows > 0 && p.len === 0) throw new Error(`neurad: ${op} over an empty dimension`);
  let flat = p.rows > 0 ? reduceStrided(x, p, op) : null;
  if (!flat) {
    const rowsT = asRows(x, p);
    flat = reduceRows(rowsT, p.rows, p.len, op);
    rowsT.dispose();
  }
  const out = flat.view(keepdim ? p.keepdimShape : p.keptShape);
  flat.dispose();
  return { out, p };
}

/** torch.sum(x, dims, keepdim); all dims when dims is undefined or []. */
export function sum(x: Tensor, dims?: number | readonly number[], keepdim = false): Tensor {
  const { out, p } = reduce(x, "sum", dims, keepdim);
  return record("sum", [x], out, [], (g) => [broadcastCopy(g, p.keepdimShape, x.shape)]);
}

/** g (contiguous, read as `from`) broadcast to `to` by a strided copy (backward rules only). */
function broadcastCopy(g: Tensor, from: Shape, to: Shape): Tensor {
  const out = Tensor.empty(to);
  stridedCopy(g, { offset: 0, strides: broadcastStrides(from, to) }, out, {
    offset: 0,
    strides: stridesOf(to),
  }, to);
  return out;
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
