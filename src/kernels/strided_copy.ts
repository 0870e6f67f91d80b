// Wrapper of shaders/strided_copy.wgsl: copies a strided region of one buffer into a strided
// region of another, coalescing dims first. Movement ops (movement.ts) are all built on it.
// Owns the kernel's parameter block.

import src from "../../shaders/strided_copy.wgsl" with { type: "text" };
import { dispatch, grid1d, loopCost } from "../core/dispatch.ts";
import { coalesce, numel, type Shape } from "../core/shape.ts";
import type { Tensor } from "../core/tensor.ts";
import { paramBlock } from "../core/uniforms.ts";

const STRIDED_COPY = paramBlock("StridedCopyParams", {
  n: "u32",
  ndim: "u32",
  inOffset: "u32",
  outOffset: "u32",
  shape: "array<vec4<u32>, 2>",
  inStride: "array<vec4<u32>, 2>",
  outStride: "array<vec4<u32>, 2>",
});
const SPEC = { name: "strided_copy", params: STRIDED_COPY, code: src, inputs: 1, outputs: 1 };

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
  dispatch(
    SPEC,
    {
      n,
      ndim: c.shape.length,
      inOffset: srcR.offset,
      outOffset: dstR.offset,
      shape: c.shape,
      inStride: c.strides[0],
      outStride: c.strides[1],
    },
    [src.buffer, dst.buffer],
    grid1d(Math.ceil(n / 256)),
    loopCost(c.shape.length), // one pass over the (at most 8) dims
  );
}
