// Shape and movement ops with their gradients: reshape/view (no copy), permute, transpose,
// expand, slice, cat, pad, squeeze/unsqueeze, flatten. Copies go through strided_copy.ts.

import { record } from "../core/autograd.ts";
import { formatShape, normDim, numel, type Shape, stridesOf } from "../core/shape.ts";
import { Tensor } from "../core/tensor.ts";
import { stridedCopy } from "./strided_copy.ts";
import { full, zeros } from "./fill.ts";
import { sumToShape } from "./reduce_core.ts";

/** torch.reshape: a view sharing storage; one dim may be -1. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const s = [...shape];
  const neg = s.indexOf(-1);
  if (neg >= 0) {
    const rest = numel(s.filter((_, i) => i !== neg));
    if (rest === 0 || x.size % rest) {
      throw new Error(`neurad: cannot reshape ${formatShape(x.shape)} to ${formatShape(shape)}`);
    }
    s[neg] = x.size / rest;
  }
  if (numel(s) !== x.size) {
    throw new Error(`neurad: cannot reshape ${formatShape(x.shape)} to ${formatShape(shape)}`);
  }
  const out = x.alias(s);
  return record("reshape", [x], out, [], (g) => [g.alias(x.shape)]);
}

export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  const s = normDim(startDim, x.ndim), e = normDim(endDim, x.ndim);
  const shape = [...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normDim(dim, x.ndim + 1);
  return reshape(x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)]);
}

export function squeeze(x: Tensor, dim?: number): Tensor {
  if (dim === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const d = normDim(dim, x.ndim);
  return x.shape[d] === 1 ? reshape(x, x.shape.filter((_, i) => i !== d)) : reshape(x, x.shape);
}

/** torch.permute: materialised in the new order. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== x.ndim) {
    throw new Error(`neurad: permute of a ${x.ndim}-d tensor needs ${x.ndim} dims`);
  }
  const p = dims.map((d) => normDim(d, x.ndim));
  if (new Set(p).size !== p.length) throw new Error(`neurad: permute dims [${dims}] repeat`);
  const shape = p.map((d) => x.shape[d]);
  const out = Tensor.empty(shape, x.dtype);
  const xs = stridesOf(x.shape);
  stridedCopy(x, { offset: 0, strides: p.map((d) => xs[d]) }, out, {
    offset: 0,
    strides: stridesOf(shape),
  }, shape);
  const inv = new Array<number>(p.length);
  p.forEach((d, i) => (inv[d] = i));
  return record("permute", [x], out, [], (g) => [permute(g, inv)]);
}

export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const p = [...x.shape.keys()];
  const a = normDim(dim0, x.ndim), b = normDim(dim1, x.ndim);
  [p[a], p[b]] = [p[b], p[a]];
  return permute(x, p);
}

/** torch.expand / broadcast_to: size-1 dims repeated (materialised); -1 keeps a dim. */
export function expand(x: Tensor, shape: Shape): Tensor {
  const off = shape.length - x.ndim;
  if (off < 0) {
    throw new Error(`neurad: cannot expand ${formatShape(x.shape)} to ${formatShape(shape)}`);
  }
  const target = shape.map((d, i) => (d === -1 ? x.shape[i - off] : d));
  const xs = stridesOf(x.shape);
  const strides = target.map((d, i) => {
    const j = i - off;
    if (j < 0) return 0;
    if (x.shape[j] === d) return x.shape[j] === 1 ? 0 : xs[j];
    if (x.shape[j] === 1) return 0;
    throw new Error(`neurad: cannot expand ${formatShape(x.shape)} to ${formatShape(shape)}`);
  });
  const out = Tensor.empty(target, x.dtype);
  stridedCopy(x, { offset: 0, strides }, out, { offset: 0, strides: stridesOf(target) }, target);
  return record("expand", [x], out, [], (g) => [sumToShape(g, x.shape)]);
}

/** x[..., start:end, ...] along `dim` (torch.narrow / basic slicing, step >= 1). */
export function slice(x: Tensor, dim: number, start: number, end?: number, step = 1): Tensor {
  const d = normDim(dim, x.ndim);
  const n = x.shape[d];
  const clampIdx = (v: number) => Math.min(n, Math.max(0, v < 0 ? v + n : v));
  const s = clampIdx(start), e = clampIdx(end ?? n);
  if (!Number.isInteger(step) || step < 1) {
    throw new Error("neurad: slice() step must be a positive integer");
  }
  const len = Math.max(0, Math.ceil((e - s) / step));
  const shape = [...x.shape];
  shape[d] = len;
  const xs = stridesOf(x.shape);
  const out = Tensor.empty(shape, x.dtype);
  const inStrides = [...xs];
  inStrides[d] *= step;
  stridedCopy(x, { offset: s * xs[d], strides: inStrides }, out, {
    offset: 0,
    strides: stridesOf(shape),
  }, shape);
  return record("slice", [x], out, [], (g) => {
    const gx = zeros(x.shape);
    stridedCopy(g, { offset: 0, strides: stridesOf(shape) }, gx, {
      offset: s * xs[d],
      strides: inStrides,
    }, shape);
    return [gx];
  });
}

/** torch.cat along `dim`. */
export function cat(tensors: Tensor[], dim = 0): Tensor {
  if (!tensors.length) throw new Error("neurad: cat() needs at least one tensor");
  const ref = tensors[0];
  const d = normDim(dim, ref.ndim);
  for (const t of tensors) {
    if (t.ndim !== ref.ndim || t.shape.some((v, i) => i !== d && v !== ref.shape[i])) {
      throw new Error(
        `neurad: cat() shapes ${
          tensors.map((t) => formatShape(t.shape)).join(" ")
        } differ outside dim ${d}`,
      );
    }
  }
  const shape = [...ref.shape];
  shape[d] = tensors.reduce((a, t) => a + t.shape[d], 0);
  const out = Tensor.empty(shape, ref.dtype);
  const os = stridesOf(shape);
  const starts: number[] = [];
  let at = 0;
  for (const t of tensors) {
    starts.push(at);
    stridedCopy(t, { offset: 0, strides: stridesOf(t.shape) }, out, {
      offset: at * os[d],
      strides: os,
    }, t.shape);
    at += t.shape[d];
  }
  return record(
    "cat",
    tensors,
    out,
    [],
    (g) => tensors.map((t, i) => slice(g, d, starts[i], starts[i] + t.shape[d])),
  );
}

export const concat = cat;

/** torch.stack: cat of unsqueezed tensors. */
export function stack(tensors: Tensor[], dim = 0): Tensor {
  return cat(tensors.map((t) => unsqueeze(t, dim)), dim);
}

/**
 * torch.nn.functional.pad with constant mode: `pads` = [left, right, top, bottom, ...] from the
 * last dim backwards, each >= 0.
 */
export function pad(x: Tensor, pads: readonly number[], value = 0): Tensor {
  if (pads.length % 2 || pads.length / 2 > x.ndim) {
    throw new Error("neurad: pad() needs pairs for at most ndim dims");
  }
  if (pads.some((p) => p < 0 || !Number.isInteger(p))) {
    throw new Error("neurad: pad() sizes must be integers >= 0");
  }
  const shape = [...x.shape];
  const before = new Array<number>(x.ndim).fill(0);
  for (let k = 0; k < pads.length / 2; k++) {
    const d = x.ndim - 1 - k;
    before[d] = pads[2 * k];
    shape[d] += pads[2 * k] + pads[2 * k + 1];
  }
  const out = full(shape, value, { dtype: x.dtype });
  const os = stridesOf(shape);
  const offset = before.reduce((a, b, i) => a + b * os[i], 0);
  stridedCopy(x, { offset: 0, strides: stridesOf(x.shape) }, out, { offset, strides: os }, x.shape);
  return record("pad", [x], out, [], (g) => {
    const gx = Tensor.empty(x.shape);
    stridedCopy(
      g,
      { offset, strides: os },
      gx,
      { offset: 0, strides: stridesOf(x.shape) },
      x.shape,
    );
    return [gx];
  });
}

/** A contiguous copy (all tensors are contiguous; this cuts storage sharing). */
export function clone(x: Tensor): Tensor {
  const out = Tensor.empty(x.shape, x.dtype);
  const s = stridesOf(x.shape);
  stridedCopy(x, { offset: 0, strides: s }, out, { offset: 0, strides: s }, x.shape);
  return record("clone", [x], out, [], (g) => [g.view(g.shape)]);
}
