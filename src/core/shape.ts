// Shape arithmetic shared by every op: element counts, row-major strides, NumPy broadcasting,
// dimension normalisation, and coalescing of dimensions for strided kernels.

export type Shape = readonly number[];

export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major (C-contiguous) strides in elements. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** A shape as messages print it: `[4, 32, 64, 64]` (symbolic dimensions too: `[N, 1, 64, 64]`). */
export function formatShape(shape: readonly (number | string)[]): string {
  return `[${shape.join(", ")}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** NumPy broadcasting of several shapes; throws naming both shapes when incompatible. */
export function broadcastShapes(...shapes: Shape[]): number[] {
  const nd = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(nd).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = nd - s.length + i;
      const d = s[i];
      if (out[o] === 1) out[o] = d;
      else if (d !== 1 && d !== out[o]) {
        throw new Error(
          `neurad: shapes [${shapes.map((x) => x.join(",")).join("] and [")}] do not broadcast`,
        );
      }
    }
  }
  return out;
}

/** Strides to read a tensor of `shape` as if broadcast to `target` (0 where broadcast). */
export function broadcastStrides(shape: Shape, target: Shape): number[] {
  const st = stridesOf(shape);
  const off = target.length - shape.length;
  return target.map((_, i) => {
    const j = i - off;
    return j < 0 || shape[j] === 1 ? 0 : st[j];
  });
}

/** Normalises a possibly negative dimension index. */
export function normDim(dim: number, ndim: number): number {
  const d = dim < 0 ? dim + ndim : dim;
  if (!Number.isInteger(d) || d < 0 || d >= Math.max(ndim, 1)) {
    throw new Error(`neurad: dimension ${dim} out of range for a ${ndim}-d tensor`);
  }
  return d;
}

/** Sorted unique normalised dims; undefined/empty means all dims. */
export function normDims(dims: number | readonly number[] | undefined, ndim: number): number[] {
  if (dims === undefined) return [...Array(ndim).keys()];
  const list = typeof dims === "number" ? [dims] : dims;
  if (list.length === 0) return [...Array(ndim).keys()];
  return [...new Set(list.map((d) => normDim(d, ndim)))].sort((a, b) => a - b);
}

/**
 * Merges adjacent dimensions that every operand walks contiguously (stride[i] = stride[i+1] *
 * shape[i+1] for all), and drops size-1 dims, so kernels loop over as few dims as possible.
 */
export function coalesce(
  shape: Shape,
  strides: number[][],
): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, k) => outStrides[k][last] === s[i] * shape[i])) {
      outShape[last] *= shape[i];
      strides.forEach((s, k) => (outStrides[k][last] = s[i]));
    } else {
      outShape.push(shape[i]);
      strides.forEach((s, k) => outStrides[k].push(s[i]));
    }
  }
  if (outShape.length === 0) return { shape: [1], strides: strides.map(() => [0]) };
  return { shape: outShape, strides: outStrides };
}
