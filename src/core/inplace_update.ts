// Wrapper of shaders/inplace_update.wgsl: in-place updates of existing f32 tensors (gradient
// accumulation, fills, same-size copies, scaling by a one-element GPU tensor). Imports no op and
// not the tensor module (it works on DeviceArray, the few fields it reads, which Tensor has), and
// creates no tensor, so the autograd engine can use it without an import cycle.

import { formatShape } from "./shape.ts";
import src from "../../shaders/inplace_update.wgsl" with { type: "text" };
import { dispatch, grid1d } from "./dispatch.ts";
import { paramBlock } from "./uniforms.ts";

/** What an in-place update reads of a tensor: its element type, shape, size and GPU buffer. */
export interface DeviceArray {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly size: number;
  readonly buffer: GPUBuffer;
}

const INPLACE_UPDATE = paramBlock("InplaceUpdateParams", {
  n: "u32",
  flags: "u32",
  alpha: "f32",
  beta: "f32",
});
const SPEC = { name: "inplace_update", params: INPLACE_UPDATE, code: src, inputs: 2, outputs: 1 };

const READ_DST = 1, READ_SRC = 2, SCALE_DST = 4;

function run<T extends DeviceArray>(
  dst: T,
  src: DeviceArray | null,
  s: DeviceArray | null,
  flags: number,
  a: number,
  b: number,
): T {
  if (dst.dtype !== "f32") throw new Error(`neurad: in-place update needs f32, got ${dst.dtype}`);
  const n = dst.size;
  if (src && src.size !== n) {
    throw new Error(
      `neurad: in-place update of ${formatShape(dst.shape)} from ${formatShape(src.shape)}`,
    );
  }
  if (src?.buffer === dst.buffer || s?.buffer === dst.buffer) {
    throw new Error("neurad: in-place update reads the tensor it writes (clone it first)");
  }
  if (s && s.size !== 1) throw new Error("neurad: in-place scale needs a one-element tensor");
  if (n === 0) return dst;
  // An unused binding gets the other read-only buffer (never the writable destination).
  const srcBuf = (src ?? s)!.buffer;
  const sBuf = (s ?? src)!.buffer;
  dispatch(
    SPEC,
    { n, flags, alpha: a, beta: b },
    [srcBuf, sBuf, dst.buffer],
    grid1d(Math.ceil(n / 256)),
    0, // inplace_update.wgsl has no loop
  );
  return dst;
}

/** dst += src (same element count), in place. */
export function addInPlace_<T extends DeviceArray>(dst: T, src: DeviceArray): T {
  return run(dst, src, null, READ_DST | READ_SRC, 1, 1);
}

/** dst = alpha·dst + beta·src, in place. */
export function axpby_<T extends DeviceArray>(
  dst: T,
  alpha: number,
  src: DeviceArray,
  beta: number,
): T {
  return run(dst, src, null, READ_DST | READ_SRC, alpha, beta);
}

/** dst = src (same element count, f32), in place. */
export function assign_<T extends DeviceArray>(dst: T, src: DeviceArray): T {
  return run(dst, src, null, READ_SRC, 0, 1);
}

/** dst *= s[0] where s is a one-element GPU tensor (no readback). */
export function scaleByTensor_<T extends DeviceArray>(dst: T, s: DeviceArray): T {
  return run(dst, null, s, READ_DST | SCALE_DST, 1, 0);
}
