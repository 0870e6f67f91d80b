// Row gather with gradient (F.embedding) and its adjoint, the per-segment row sum
// (torch index_add_ / TF unsorted_segment_sum), over shaders/gather_rows.wgsl and
// shaders/codebook_scatter_sum.wgsl, which share one parameter block. The vector quantiser
// gathers codebook rows with these.

import gatherSrc from "../../shaders/gather_rows.wgsl" with { type: "text" };
import scatterSrc from "../../shaders/codebook_scatter_sum.wgsl" with { type: "text" };
import { record } from "../core/autograd.ts";
import { dispatch, grid1d } from "../core/dispatch.ts";
import { Tensor } from "../core/tensor.ts";
import { paramBlock } from "../core/uniforms.ts";

/** N rows of indices, K rows (segments) of the table, D values per row. */
const SEGMENT_ROWS = paramBlock("SegmentRowsParams", { N: "u32", K: "u32", D: "u32" });
const GATHER = {
  name: "gather_rows",
  params: SEGMENT_ROWS,
  code: gatherSrc,
  inputs: 2,
  outputs: 1,
};
const SCATTER = {
  name: "codebook_scatter_sum",
  params: SEGMENT_ROWS,
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
  if (numSegments > 65535) throw new Error("neurad: segmentSum supports at most 65,535 segments");
  const out = Tensor.empty([numSegments, D]);
  if (numSegments * D === 0) return out;
  dispatch(SCATTER, { N, K: numSegments, D }, [
    values.buffer,
    indices.buffer,
    out.buffer,
  ], [numSegments, Math.ceil(D / 64)]);
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
    );
  }
  return record("embedding", [weight], out, [indices], (g, [idx]) => [segmentSum(g, idx, K)]);
}
