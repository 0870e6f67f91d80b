// interpolate (F.interpolate on [N, C, H, W]: "nearest" and "bilinear", with size or
// scaleFactor, alignCorners) with its input gradient. The per-axis source indices and weights
// follow PyTorch 1.13's CPU rules in float32 (scale = 1/scaleFactor when a factor is given,
// else in/out) and live in a small table (shaders/interpolate.wgsl), built and uploaded once per
// (sizes, factors, mode, alignCorners) and device, then reused: a model's Upsample layers call
// interpolate with the same arguments every step, and an upload is a staging buffer and a copy.
// Owns the kernels' parameter block. Loop budget: the gradient of an input sums over the
// outputs that read it, (rows) × (columns) loop passes in one invocation, which llvmpipe cuts
// short past 65,535 (src/core/dispatch.ts); for such large upsampling factors it runs as a
// column pass and a row pass instead (one loop each, the same sums in the same order).

import src from "../../shaders/interpolate.wgsl" with { type: "text" };
import backwardSrc from "../../shaders/interpolate_backward.wgsl" with { type: "text" };
import { record } from "../core/autograd.ts";
import { rt } from "../core/device.ts";
import { dispatch, grid1d, LOOP_ITERATION_LIMIT, loopCost } from "../core/dispatch.ts";
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
  code: src,
  inputs: 2,
  outputs: 1,
};
const backward = (name: string, mode: number) => ({
  name,
  params: INTERPOLATE,
  code: backwardSrc.replaceAll("MODE_ID", `${mode}u`),
  inputs: 2,
  outputs: 1,
});
const BACKWARD = backward("interpolate_backward", 1);
const BACKWARD_COLUMNS = backward("interpolate_backward_columns", 2);
const BACKWARD_ROWS = backward("interpolate_backward_rows", 3);

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

/** An uploaded table and the most outputs reading one input, per axis (its loop trip counts). */
interface Table {
  buffer: GPUBuffer;
  spanY: number;
  spanX: number;
}

/** Index tables per device, by their arguments (outside the pool: not live tensor memory). */
const tables = new WeakMap<GPUDevice, Map<string, Table>>();
const MAX_TABLES = 256;

function cachedTable(
  key: string,
  make: () => { data: Float32Array; spanY: number; spanX: number },
): Table {
  const device = rt().device;
  let byKey = tables.get(device);
  if (!byKey) tables.set(device, byKey = new Map());
  let table = byKey.get(key);
  if (!table) {
    const { data, spanY, spanX } = make();
    if (byKey.size >= MAX_TABLES) {
      // Dropped, not destroyed: commands recorded with it may not have run yet; the GC frees it.
      byKey.delete(byKey.keys().next().value!);
    }
    const buffer = device.createBuffer({
      label: "interpolate table",
      size: Math.max(16, data.byteLength),
      usage: GPUBufferUsage.STORAGE,
      mappedAtCreation: true,
    });
    new Float32Array(buffer.getMappedRange(0, data.byteLength)).set(data);
    buffer.unmap();
    table = { buffer, spanY, spanX };
    byKey.set(key, table);
  }
  return table;
}

/** The most outputs that read one input along an axis: max over inputs of hi − lo. */
function span(inv: number[]): number {
  let m = 0;
  for (let i = 0; i < inv.length; i += 2) m = Math.max(m, inv[i + 1] - inv[i]);
  return m;
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
      return {
        data: new Float32Array([...ty.out, ...tx.out, ...ty.inv, ...tx.inv]),
        spanY: span(ty.inv),
        spanX: span(tx.inv),
      };
    },
  );
  const offsets = { yOut: 0, xOut: 4 * Ho, yIn: 4 * (Ho + Wo), xIn: 4 * (Ho + Wo) + 2 * H };
  const params = (total: number) => ({ total, H, W, Ho, Wo, ...offsets });
  const y = Tensor.empty([N, C, Ho, Wo]);
  if (y.size) {
    dispatch(
      FORWARD,
      params(y.size),
      [x.buffer, table.buffer, y.buffer],
      grid1d(Math.ceil(y.size / 256)),
      0, // no loop
    );
  }
  return record("interpolate", [x], y, [], (g) => {
    const dx = Tensor.empty(x.shape);
    const fused = loopCost(table.spanY, loopCost(table.spanX));
    const grid = (n: number) => grid1d(Math.ceil(n / 256));
    if (fused <= LOOP_ITERATION_LIMIT) {
      dispatch(
        BACKWARD,
        params(dx.size),
        [g.buffer, table.buffer, dx.buffer],
        grid(dx.size),
        fused,
      );
      return [dx];
    }
    // Columns, then rows: one loop each (an axis of over 65,534 outputs per input is refused).
    const t = Tensor.empty([N, C, Ho, W]);
    dispatch(
      BACKWARD_COLUMNS,
      params(t.size),
      [g.buffer, table.buffer, t.buffer],
      grid(t.size),
      loopCost(table.spanX),
    );
    dispatch(
      BACKWARD_ROWS,
      params(dx.size),
      [t.buffer, table.buffer, dx.buffer],
      grid(dx.size),
      loopCost(table.spanY),
    );
    t.dispose();
    return [dx];
  });
}
