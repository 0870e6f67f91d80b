// interpolate (F.interpolate on [N, C, H, W]: "nearest" and "bilinear", with size or
// scaleFactor, alignCorners) with its input gradient. The per-axis source indices and weights
// follow PyTorch 1.13's CPU rules in float32 (scale = 1/scaleFactor when a factor is given,
// else in/out) and live in a small table (shaders/interpolate.wgsl), built and uploaded once per
// (sizes, factors, mode, alignCorners) and device, then reused: a model's Upsample layers call
// interpolate with the same arguments every step, and an upload is a staging buffer and a copy.
// Owns the kernel's parameter block.

import src from "../../shaders/interpolate.wgsl" with { type: "text" };
import { record } from "../core/autograd.ts";
import { rt } from "../core/device.ts";
import { dispatch, grid1d } from "../core/dispatch.ts";
import { Tensor } from "../core/tensor.ts";
import { paramBlock } from "../core/uniforms.ts";

const f32 = Math.fround;
/** `total` lanes over [H, W] ↔ [Ho, Wo], and where each part of the table starts. */
const INTERPOLATE = paramBlock("InterpolateParams", {
  total: "u32",
  H: "u32",
  W: "u32",
  Ho: "u32",
  Wo: "u32",
  yOut: "u32",
  xOut: "u32",
  yIn: "u32",
  xIn: "u32",
});
const FORWARD = {
  name: "interpolate",
  params: INTERPOLATE,
  code: src.replaceAll("BACKWARD_FLAG", "false"),
  inputs: 2,
  outputs: 1,
};
const BACKWARD = {
  name: "interpolate_backward",
  params: INTERPOLATE,
  code: src.replaceAll("BACKWARD_FLAG", "true"),
  inputs: 2,
  outputs: 1,
};

export type InterpolateMode = "nearest" | "bilinear";

export interface InterpolateOptions {
  size?: number | [number, number];
  scaleFactor?: number | [number, number];
  mode?: InterpolateMode;
  /** Bilinear only: map corner pixel centres onto each other (default false). */
  alignCorners?: boolean;
}

/** Per output index (i0, i1, w0, w1), then per input index [lo, hi) of the outputs reading it. */
function axisTable(
  inSize: number,
  outSize: number,
  factor: number | undefined,
  mode: InterpolateMode,
  alignCorners: boolean,
): { out: number[]; inv: number[] } {
  const out: number[] = [];
  const scale = factor !== undefined ? f32(1 / factor) : f32(inSize / outSize);
  for (let o = 0; o < outSize; o++) {
    if (mode === "nearest") {
      const i = Math.min(Math.floor(f32(o * scale)), inSize - 1);
      out.push(i, i, 1, 0);
      continue;
    }
    let src: number;
    if (alignCorners) {
      src = outSize > 1 ? f32(o * f32((inSize - 1) / (outSize - 1))) : 0;
    } else {
      src = Math.max(f32(f32(scale * (o + 0.5)) - 0.5), 0);
    }
    const i0 = Math.floor(src);
    const i1 = i0 < inSize - 1 ? i0 + 1 : i0;
    const w1 = f32(src - i0);
    out.push(i0, i1, f32(1 - w1), w1);
  }
  const inv = new Array<number>(2 * inSize);
  for (let i = 0; i < inSize; i++) {
    let lo = outSize, hi = 0;
    for (let o = 0; o < outSize; o++) {
      if (out[4 * o] === i || out[4 * o + 1] === i) {
        lo = Math.min(lo, o);
        hi = o + 1;
      }
    }
    inv[2 * i] = Math.min(lo, hi);
    inv[2 * i + 1] = hi;
  }
  return { out, inv };
}

const pair = (v: number | [number, number]): [number, number] => typeof v === "number" ? [v, v] : v;

/** Index tables per device, by their arguments (outside the pool: not live tensor memory). */
const tables = new WeakMap<GPUDevice, Map<string, GPUBuffer>>();
const MAX_TABLES = 256;

function cachedTable(key: string, make: () => Float32Array): GPUBuffer {
  const device = rt().device;
  let byKey = tables.get(device);
  if (!byKey) tables.set(device, byKey = new Map());
  let buffer = byKey.get(key);
  if (!buffer) {
    const data = make();
    if (byKey.size >= MAX_TABLES) {
      // Dropped, not destroyed: commands recorded with it may not have run yet; the GC frees it.
      byKey.delete(byKey.keys().next().value!);
    }
    buffer = device.createBuffer({
      label: "interpolate table",
      size: Math.max(16, data.byteLength),
      usage: GPUBufferUsage.STORAGE,
      mappedAtCreation: true,
    });
    new Float32Array(buffer.getMappedRange(0, data.byteLength)).set(data);
    buffer.unmap();
    byKey.set(key, buffer);
  }
  return buffer;
}

/** F.interpolate(x, size | scale_factor, mode, align_corners) for 4-d x. */
export function interpolate(x: Tensor, o: InterpolateOptions): Tensor {
  const mode = o.mode ?? "nearest";
  if (x.ndim !== 4) throw new Error(`neurad: interpolate needs [N, C, H, W], got [${x.shape}]`);
  if ((o.size === undefined) === (o.scaleFactor === undefined)) {
    throw new Error("neurad: interpolate needs exactly one of size and scaleFactor");
  }
  if (mode === "nearest" && o.alignCorners !== undefined) {
    throw new Error("neurad: alignCorners applies only to bilinear interpolation");
  }
  const [N, C, H, W] = x.shape;
  const factors = o.scaleFactor !== undefined ? pair(o.scaleFactor) : undefined;
  const [Ho, Wo] = o.size !== undefined
    ? pair(o.size)
    : [Math.floor(H * factors![0]), Math.floor(W * factors![1])];
  if (Ho < 1 || Wo < 1) throw new Error("neurad: interpolate output would be empty");
  const align = o.alignCorners ?? false;
  const table = cachedTable(
    [H, Ho, factors?.[0], W, Wo, factors?.[1], mode, align].join("|"),
    () => {
      const ty = axisTable(H, Ho, factors?.[0], mode, align);
      const tx = axisTable(W, Wo, factors?.[1], mode, align);
      return new Float32Array([...ty.out, ...tx.out, ...ty.inv, ...tx.inv]);
    },
  );
  const offsets = { yOut: 0, xOut: 4 * Ho, yIn: 4 * (Ho + Wo), xIn: 4 * (Ho + Wo) + 2 * H };
  const params = (total: number) => ({ total, H, W, Ho, Wo, ...offsets });
  const y = Tensor.empty([N, C, Ho, Wo]);
  if (y.size) {
    dispatch(
      FORWARD,
      params(y.size),
      [x.buffer, table, y.buffer],
      grid1d(Math.ceil(y.size / 256)),
    );
  }
  return record("interpolate", [x], y, [], (g) => {
    const dx = Tensor.empty(x.shape);
    dispatch(
      BACKWARD,
      params(dx.size),
      [g.buffer, table, dx.buffer],
      grid1d(Math.ceil(dx.size / 256)),
    );
    return [dx];
  });
}
