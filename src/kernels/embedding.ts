// Row gather with gradient (F.embedding) and its adjoint, the per-segment row sum
// (torch index_add_ / TF unsorted_segment_sum), over shaders/gather_rows.wgsl and
// shaders/codebook_scatter_sum.wgsl. The vector quantiser gathers codebook rows with these and
// sums its EMA cluster statistics with segmentSum. Owns both kernels' parameter blocks. The
// segment sum walks the rows in one loop per invocation: past llvmpipe's loop budget (65,535
// passes, see src/core/dispatch.ts) the rows are split and the partial sums added.

import gatherSrc from "../../shaders/gather_rows.wgsl" with { type: "text" };
import scatterSrc from "../../shaders/codebook_scatter_sum.wgsl" with { type: "text" };
import { record } from "../core/autograd.ts";
import { dispatch, grid1d, loopCost, splitLoop } from "../core/dispatch.ts";
import { Tensor } from "../core/tensor.ts";
import { paramBlock } from "../core/uniforms.ts";
import { sum } from "./reduce_core.ts";

/** N rows of indices, K rows (segments) of the table, D values per row. */
const SEGMENT_ROWS = paramBlock("SegmentRowsParams", { N: "u32", K: "u32", D: "u32" });
/** SEGMENT_ROWS and the rows each split of the sum walks. */
const SEGMENT_SUM = paramBlock("SegmentSumParams", { N: "u32", K: "u32", D: "u32", chunk: "u32" });
const GATHER = {
  name: "gather_rows",
  params: SEGMENT_ROWS,
  code: gatherSrc,
  inputs: 2,
  outputs: 1,
};
const SCATTER = {
  name: "codebook_scatter_sum",
  params: SEGMENT_SUM,
  code: scatterSrc,
  inputs: 2,
  outputs: 1,
};

function checkIndices(indices: Tensor, who: string) {
  if (indices.dtype !== "i32" || indices.ndim !== 1) {
    throw new Error(`neurad: ${who} needs int32 indices of shape [N], got ${indices}`);
  }
}

/**
 * out[k, :] = Σ_{n : indices[n] = k} values[n, :] for k < numSegments, summed in increasing n
 * (deterministic). values [N, D] f32, indices int32 [N]; indices outside [0, numSegments) are
 * dropped. Records no gradient.
 */
export function segmentSum(values: Tensor, indices: Tensor, numSegments: number): Tensor {
  checkIndices(indices, "segmentSum");
  const [N, D] = values.shape;
  if (values.ndim !== 2 || indices.shape[0] !== N) {
    throw new Error(`neurad: segmentSum needs values [N, D] and indices [N], got ${values}`);
  }
  if (numSegments * D === 0) return Tensor.empty([numSegments, D]);
  // One loop pass per row of the split.
  const { splits, chunk } = splitLoop(N, loopCost);
  const partial = Tensor.empty([splits, numSegments, D]);
  dispatch(
    SCATTER,
    { N, K: numSegments, D, chunk },
    [values.buffer, indices.buffer, partial.buffer],
    [...grid1d(Math.ceil((numSegments * D) / 64)), splits],
    loopCost(chunk),
  );
  const out = splits === 1 ? partial.view([numSegments, D]) : sum(partial, 0);
  partial.dispose();
  return out;
}

/**
 * F.embedding: rows of weight [K, D] picked by int32 indices [N] -> [N, D]. The gradient of
 * weight is the segment sum of the output gradient; indices get none. Indices must lie in
 * [0, K) (out-of-range ones read row 0 and receive no gradient).
 */
export function embedding(indices: Tensor, weight: Tensor): Tensor {
  checkIndices(indices, "embedding");
  if (weight.ndim !== 2) throw new Error(`neurad: embedding needs a [K, D] weight, got ${weight}`);
  const [K, D] = weight.shape, N = indices.shape[0];
  const out = Tensor.empty([N, D]);
  if (N * D) {
    dispatch(
      GATHER,
      { N, K, D },
      [weight.buffer, indices.buffer, out.buffer],
      grid1d(Math.ceil((N * D) / 256)),
      0, // no loop
    );
  }
  return record("embedding", [weight], out, [indices], (g, [idx]) => [segmentSum(g, idx, K)]);
}
