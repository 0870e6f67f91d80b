// copy_(dst, src): the public in-place copy (torch.Tensor.copy_), src broadcast to dst's shape,
// any dtype (raw 32-bit words, so dtypes must match). Not differentiable: copying into a leaf
// that requires grad is refused while grad mode is on (as torch), so parameter and buffer
// updates (loadStateDict, EMA codebooks) run under noGrad. Layers use this, never dispatch().

import { isGradEnabled } from "../core/autograd.ts";
import { broadcastStrides, formatShape, stridesOf } from "../core/shape.ts";
import type { Tensor } from "../core/tensor.ts";
import { stridedCopy } from "./strided_copy.ts";

/** Copies src's values into dst in place (src broadcasts to dst's shape); returns dst. */
export function copy_(dst: Tensor, src: Tensor): Tensor {
  if (dst.dtype !== src.dtype) {
    throw new Error(`neurad: copy_ from ${src.dtype} into ${dst.dtype}`);
  }
  if (isGradEnabled() && (dst.requiresGrad || src.requiresGrad)) {
    throw new Error(
      "neurad: copy_ involving a tensor that requires grad is not differentiable: wrap it in noGrad()",
    );
  }
  const off = dst.ndim - src.ndim;
  if (off < 0 || src.shape.some((d, i) => d !== 1 && d !== dst.shape[i + off])) {
    throw new Error(
      `neurad: copy_ cannot broadcast ${formatShape(src.shape)} to ${formatShape(dst.shape)}`,
    );
  }
  const strides = broadcastStrides(src.shape, dst.shape);
  if (src.buffer === dst.buffer) {
    if (src.size === dst.size) return dst; // the same storage: nothing to copy
    throw new Error("neurad: copy_ between overlapping views of one storage");
  }
  stridedCopy(
    src,
    { offset: 0, strides },
    dst,
    { offset: 0, strides: stridesOf(dst.shape) },
    dst.shape,
  );
  return dst;
}
