// zeros, ones, full, arange, fill_ and their *Like variants: generators on the elementwise
// kernel (elementwise.ts), OUT[i] = start + i·step in the tensor's own element type (f32, i32 or
// u32; integer steps wrap modulo 2³² like the integer arithmetic they are).

import type { Shape } from "../core/shape.ts";
import { type DType, Tensor } from "../core/tensor.ts";
import { mapElementwise } from "./elementwise.ts";

const START_STEP: Record<DType, string> = {
  f32: "s0 + f32(i) * s1",
  i32: "s0 + i32(i) * s1",
  u32: "s0 + i * s1",
};

function fillInto(t: Tensor, start: number, step: number): Tensor {
  return mapElementwise(`fill_${t.dtype}`, [], {
    params: "",
    expr: START_STEP[t.dtype],
    s0: start,
    s1: step,
    dtype: t.dtype,
    out: t,
  });
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
