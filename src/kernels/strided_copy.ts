// Wrapper of shaders/strided_copy.wgsl: copies a strided region of one buffer into a strided
// region of another, coalescing dims first. Movement ops (movement.ts) are all built on it.

import src from "../../shaders/strided_copy.wgsl" with { type: "text" };
import { dispatch, grid1d, type KernelSpec } from "../core/dispatch.ts";
import { coalesce, numel, type Shape } from "../core/shape.ts";
import type { Tensor } from "../core/tensor.ts";

const SPEC: KernelSpec = { name: "strided_copy", code: src, inputs: 1, outputs: 1 };

export interface Region {
  offset: number;
  strides: number[];
}

/** For every index over `shape`: dst[dstR.offset + idx·dstR.strides] = src[srcR.offset + idx·srcR.strides]. */
export function stridedCopy(src: Tensor, srcR: Region, dst: Tensor, dstR: Region, shape: Shape) {
  const n = numel(shape);
  if (n === 0) return;
  const c = coalesce(shape, [srcR.strides, dstR.strides]);
  if (c.shape.length > 8) throw new Error("neurad: strided copies support at most 8 dims");
  const u = new Uint32Array(4 + 24);
  u[0] = n;
  u[1] = c.shape.length;
  u[2] = srcR.offset;
  u[3] = dstR.offset;
  c.shape.forEach((d, i) => {
    u[4 + i] = d;
    u[12 + i] = c.strides[0][i];
    u[20 + i] = c.strides[1][i];
  });
  dispatch(SPEC, u, [src.buffer, dst.buffer], grid1d(Math.ceil(n / 256)));
}
