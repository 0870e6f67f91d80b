// Wrapper of shaders/codebook_counts.wgsl: torch.bincount for code indices, as f32 counts (the
// code-usage histogram of the vector quantiser; exact up to 2^24 per code). Owns the kernel's
// parameter block.

import src from "../../shaders/codebook_counts.wgsl" with { type: "text" };
import { dispatch, grid1d } from "../core/dispatch.ts";
import { Tensor } from "../core/tensor.ts";
import { paramBlock } from "../core/uniforms.ts";

const CODEBOOK_COUNTS = paramBlock("CodebookCountsParams", { N: "u32", K: "u32" });
const COUNTS = {
  name: "codebook_counts",
  params: CODEBOOK_COUNTS,
  code: src,
  inputs: 1,
  outputs: 1,
};

/** counts[k] = #{n : indices[n] = k} for k < length (f32 [length]); other indices are ignored. */
export function bincount(indices: Tensor, length: number): Tensor {
  if (indices.dtype !== "i32" || indices.ndim !== 1) {
    throw new Error(`neurad: bincount needs int32 indices of shape [N], got ${indices}`);
  }
  const out = Tensor.empty([length]);
  if (length) {
    dispatch(
      COUNTS,
      { N: indices.size, K: length },
      [indices.buffer, out.buffer],
      grid1d(Math.ceil(length / 64)),
    );
  }
  return out;
}
