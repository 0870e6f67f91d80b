// Wrapper of shaders/codebook_counts.wgsl: torch.bincount for code indices, as f32 counts (the
// code-usage histogram of the vector quantiser; exact up to 2^24 per code). Owns the kernel's
// parameter block. A lane walks the indices in one loop: past llvmpipe's loop budget (65,535
// passes, see src/core/dispatch.ts) the indices are split and the partial counts added.

import src from "../../shaders/codebook_counts.wgsl" with { type: "text" };
import { dispatch, grid1d, loopCost, splitLoop } from "../core/dispatch.ts";
import { Tensor } from "../core/tensor.ts";
import { paramBlock } from "../core/uniforms.ts";
import { sum } from "./reduce_core.ts";

const CODEBOOK_COUNTS = paramBlock("CodebookCountsParams", { N: "u32", K: "u32", chunk: "u32" });
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
  if (!length) return Tensor.empty([0]);
  const N = indices.size;
  const { splits, chunk } = splitLoop(N, loopCost); // one loop pass per index of the split
  const partial = Tensor.empty([splits, length]);
  dispatch(
    COUNTS,
    { N, K: length, chunk },
    [indices.buffer, partial.buffer],
    [...grid1d(Math.ceil(length / 64)), splits],
    loopCost(chunk),
  );
  const out = splits === 1 ? partial.view([length]) : sum(partial, 0);
  partial.dispose();
  return out;
}
