// Wrapper of shaders/elementwise.wgsl: runs an elementwise expression over 1-3 broadcast
// inputs. Owns the kernel's bindings, uniform packing and grid. Ops with derivatives build on
// this in unary.ts / binary.ts; their derivative expressions run through the same kernel.

import { cachedSpec } from "./kernel_cache.ts";
import src from "../../shaders/elementwise.wgsl" with { type: "text" };
import { dispatch, grid1d, type KernelSpec } from "../core/dispatch.ts";
import { broadcastShapes, broadcastStrides, coalesce, numel, type Shape } from "../core/shape.ts";
import { Tensor } from "../core/tensor.ts";

const MAX_DIMS = 8;
function spec(name: string, params: string, expr: string, contiguous: boolean): KernelSpec {
  return cachedSpec("elementwise", `${params}|${expr}|${contiguous}`, () => ({
    name,
    code: src.replaceAll("OP_PARAMS", params).replaceAll("OP_EXPR", expr)
      .replaceAll("CONTIGUOUS_FLAG", String(contiguous)),
    inputs: 3,
    outputs: 1,
  }));
}

export interface MapOptions {
  /** WGSL parameter list of `op`, e.g. "a: f32, b: f32, c: f32". */
  params: string;
  /** WGSL expression over the parameters and the scalars s0, s1. */
  expr: string;
  s0?: number;
  s1?: number;
  /** Output shape (defaults to the broadcast of the inputs' shapes). */
  shape?: Shape;
}

/** out = expr(inputs...) elementwise, broadcasting the inputs NumPy-style. */
export function mapElementwise(name: string, inputs: Tensor[], o: MapOptions): Tensor {
  if (inputs.length < 1 || inputs.length > 3) throw new Error(`neurad: ${name} takes 1-3 inputs`);
  for (const t of inputs) {
    if (t.dtype !== "f32") throw new Error(`neurad: ${name} needs f32 tensors, got ${t.dtype}`);
  }
  const outShape = o.shape ? [...o.shape] : broadcastShapes(...inputs.map((t) => t.shape));
  const out = Tensor.empty(outShape);
  const n = numel(outShape);
  if (n === 0) return out;
  const c = coalesce(outShape, inputs.map((t) => broadcastStrides(t.shape, outShape)));
  if (c.shape.length > MAX_DIMS) {
    throw new Error(`neurad: ${name} supports at most ${MAX_DIMS} dims`);
  }
  const contiguous = c.shape.length === 1 && c.strides.every((s) => s[0] === 1);
  const p = new ArrayBuffer(16 + 4 * 32);
  const u = new Uint32Array(p);
  const f = new Float32Array(p);
  u[0] = n;
  u[1] = c.shape.length;
  f[2] = o.s0 ?? 0;
  f[3] = o.s1 ?? 0;
  for (let d = 0; d < c.shape.length; d++) {
    u[4 + d] = c.shape[d];
    for (let k = 0; k < 3; k++) u[12 + 8 * k + d] = c.strides[Math.min(k, inputs.length - 1)][d];
  }
  const buffers = [0, 1, 2].map((k) => inputs[Math.min(k, inputs.length - 1)].buffer);
  dispatch(
    spec(name, o.params, o.expr, contiguous),
    u,
    [...buffers, out.buffer],
    grid1d(Math.ceil(n / 256)),
  );
  return out;
}
