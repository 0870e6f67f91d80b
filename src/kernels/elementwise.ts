// Wrapper of shaders/elementwise.wgsl: runs an elementwise expression over 1-3 broadcast
// inputs, or over the output index alone (a generator: fill, arange), for f32, i32 and u32
// tensors alike. Owns the kernel's parameter block, bindings and grid. Ops with derivatives
// build on this in unary.ts / binary.ts; their derivative expressions run through the same kernel.

import { cachedSpec } from "./kernel_cache.ts";
import src from "../../shaders/elementwise.wgsl" with { type: "text" };
import { dispatch, grid1d, type KernelSpec, loopCost } from "../core/dispatch.ts";
import { broadcastShapes, broadcastStrides, coalesce, numel, type Shape } from "../core/shape.ts";
import { type DType, Tensor } from "../core/tensor.ts";
import { type ParamBlock, paramBlock } from "../core/uniforms.ts";

const MAX_DIMS = 8;

function elementwiseBlock<T extends DType>(dtype: T) {
  return paramBlock(`Elementwise_${dtype}`, {
    n: "u32",
    ndim: "u32",
    s0: dtype,
    s1: dtype,
    shape: "array<vec4<u32>, 2>",
    strideA: "array<vec4<u32>, 2>",
    strideB: "array<vec4<u32>, 2>",
    strideC: "array<vec4<u32>, 2>",
  });
}
type ElementwiseFields = ReturnType<typeof elementwiseBlock<DType>>["fields"];

/** The parameter block per element type (s0 and s1 take the element type). */
const ELEMENTWISE: Record<DType, ParamBlock<ElementwiseFields>> = {
  f32: elementwiseBlock("f32"),
  i32: elementwiseBlock("i32"),
  u32: elementwiseBlock("u32"),
};

function spec(
  name: string,
  dtype: DType,
  arity: number,
  params: string,
  expr: string,
  contiguous: boolean,
): KernelSpec<ElementwiseFields> {
  return cachedSpec("elementwise", `${dtype}|${arity}|${params}|${expr}|${contiguous}`, () => {
    const inputs = arity ? ["A", "B", "C"] : [];
    const bindings = inputs.map((v, k) =>
      `@group(0) @binding(${1 + k}) var<storage, read> ${v}: array<${dtype}>;`
    );
    const args = (idx: string[]) => [...inputs.map((v, k) => `${v}[${idx[k]}]`), "i"].join(", ");
    return {
      name,
      params: ELEMENTWISE[dtype],
      code: src
        .replaceAll("INPUT_BINDINGS", bindings.join("\n"))
        .replaceAll("OUT_BINDING", String(1 + inputs.length))
        .replaceAll("ELEM_TYPE", dtype)
        .replaceAll("OP_PARAMS", [params, "i: u32"].filter((p) => p.trim()).join(", "))
        .replaceAll("OP_EXPR", expr)
        .replaceAll("CONTIGUOUS_ARGS", args(["i", "i", "i"]))
        .replaceAll("STRIDED_ARGS", args(["ia", "ib", "ic"]))
        .replaceAll("CONTIGUOUS_FLAG", String(contiguous)),
      inputs: inputs.length,
      outputs: 1,
    };
  });
}

export interface MapOptions {
  /**
   * WGSL parameter list of `op`, one per input element, e.g. "a: f32, b: f32, c: f32" (maps
   * always take three: a 1- or 2-input map repeats its last input); "" for a generator. The
   * expression may also read `i: u32`, the output element's linear index.
   */
  params: string;
  /** WGSL expression over the parameters, i and the scalars s0, s1 (of the element type). */
  expr: string;
  s0?: number;
  s1?: number;
  /** Output shape (defaults to the broadcast of the inputs' shapes; required without inputs). */
  shape?: Shape;
  /** Element type of a generator's output (default: `out`'s, else f32); a map's is its inputs'. */
  dtype?: DType;
  /** Writes into this existing tensor (of the output's shape and type) instead of a new one. */
  out?: Tensor;
}

/**
 * out = expr(inputs..., i) elementwise, broadcasting the inputs NumPy-style; every input and the
 * output share one element type (f32, i32 or u32). With no inputs, out = expr(i) over `shape`.
 */
export function mapElementwise(name: string, inputs: Tensor[], o: MapOptions): Tensor {
  if (inputs.length > 3) throw new Error(`neurad: ${name} takes at most 3 inputs`);
  const dtype = inputs.length ? inputs[0].dtype : o.dtype ?? o.out?.dtype ?? "f32";
  for (const t of inputs) {
    if (t.dtype !== dtype) {
      throw new Error(`neurad: ${name} needs inputs of one dtype, got ${dtype} and ${t.dtype}`);
    }
  }
  if (inputs.length && o.dtype && o.dtype !== dtype) {
    throw new Error(`neurad: ${name} maps ${dtype} inputs, not to ${o.dtype}`);
  }
  if (!inputs.length && !o.shape && !o.out) {
    throw new Error(`neurad: ${name} without inputs needs a shape`);
  }
  const outShape = o.shape
    ? [...o.shape]
    : o.out && !inputs.length
    ? [...o.out.shape]
    : broadcastShapes(...inputs.map((t) => t.shape));
  const out = o.out ?? Tensor.empty(outShape, dtype);
  if (o.out) {
    if (o.out.dtype !== dtype || numel(o.out.shape) !== numel(outShape)) {
      throw new Error(
        `neurad: ${name} writes ${dtype} [${outShape}], not into ${o.out.dtype} [${o.out.shape}]`,
      );
    }
    if (inputs.some((t) => t.buffer === o.out!.buffer)) {
      throw new Error(`neurad: ${name} cannot write into one of its inputs`);
    }
  }
  const n = numel(outShape);
  if (n === 0) return out;
  const c = coalesce(outShape, inputs.map((t) => broadcastStrides(t.shape, outShape)));
  if (c.shape.length > MAX_DIMS) {
    throw new Error(`neurad: ${name} supports at most ${MAX_DIMS} dims`);
  }
  const contiguous = c.shape.length === 1 && c.strides.every((s) => s[0] === 1);
  const stride = (k: number) => inputs.length ? c.strides[Math.min(k, inputs.length - 1)] : [];
  const buffers = inputs.length
    ? [0, 1, 2].map((k) => inputs[Math.min(k, inputs.length - 1)].buffer)
    : [];
  dispatch(
    spec(name, dtype, inputs.length, o.params, o.expr, contiguous),
    {
      n,
      ndim: c.shape.length,
      s0: o.s0 ?? 0,
      s1: o.s1 ?? 0,
      shape: c.shape,
      strideA: stride(0),
      strideB: stride(1),
      strideC: stride(2),
    },
    [...buffers, out.buffer],
    grid1d(Math.ceil(n / 256)),
    // The strided path walks the dims once (the contiguous one skips it: 1 dim, a bound).
    loopCost(c.shape.length),
  );
  return out;
}
