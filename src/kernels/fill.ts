// Wrapper of shaders/fill.wgsl: zeros, ones, full, arange and their *Like variants.

import src from "../../shaders/fill.wgsl" with { type: "text" };
import { dispatch, grid1d, type KernelSpec } from "../core/dispatch.ts";
import type { Shape } from "../core/shape.ts";
import { type DType, Tensor } from "../core/tensor.ts";

const FLOAT: KernelSpec = {
  name: "fill_f32",
  code: src.replaceAll("IS_FLOAT_FLAG", "true"),
  inputs: 0,
  outputs: 1,
};
const INT: KernelSpec = {
  name: "fill_int",
  code: src.replaceAll("IS_FLOAT_FLAG", "false"),
  inputs: 0,
  outputs: 1,
};

function fillInto(t: Tensor, start: number, step: number): Tensor {
  const n = t.size;
  if (n === 0) return t;
  const p = new ArrayBuffer(16);
  const u = new Uint32Array(p);
  const f = new Float32Array(p);
  u[0] = n;
  if (t.dtype === "f32") {
    f[2] = start;
    f[3] = step;
    dispatch(FLOAT, u, [t.buffer], grid1d(Math.ceil(n / 256)));
  } else {
    u[1] = start >>> 0;
    f[3] = step;
    dispatch(INT, u, [t.buffer], grid1d(Math.ceil(n / 256)));
  }
  return t;
}

export interface CreateOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

function create(shape: Shape, start: number, step: number, o: CreateOptions): Tensor {
  const t = fillInto(Tensor.empty(shape, o.dtype ?? "f32"), start, step);
  if (o.requiresGrad) t.requiresGrad = true;
  return t;
}

export function full(shape: Shape, value: number, o: CreateOptions = {}): Tensor {
  return create(shape, value, 0, o);
}

export function zeros(shape: Shape, o: CreateOptions = {}): Tensor {
  return create(shape, 0, 0, o);
}

export function ones(shape: Shape, o: CreateOptions = {}): Tensor {
  return create(shape, 1, 0, o);
}

export function zerosLike(t: Tensor): Tensor {
  return zeros(t.shape, { dtype: t.dtype });
}

export function onesLike(t: Tensor): Tensor {
  return ones(t.shape, { dtype: t.dtype });
}

export function fullLike(t: Tensor, value: number): Tensor {
  return full(t.shape, value, { dtype: t.dtype });
}

/** torch.arange(start, end, step): values start, start+step, ... < end (f32 unless dtype). */
export function arange(start: number, end?: number, step = 1, o: CreateOptions = {}): Tensor {
  if (end === undefined) [start, end] = [0, start];
  if (step === 0) throw new Error("neurad: arange() step must be non-zero");
  const n = Math.max(0, Math.ceil((end - start) / step));
  return create([n], start, step, o);
}

/** Overwrites a tensor's values in place (no autograd). */
export function fill_(t: Tensor, value: number): Tensor {
  return fillInto(t, value, 0);
}
