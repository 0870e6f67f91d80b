// avgPool2d and maxPool2d (F.avg_pool2d with count_include_pad, F.max_pool2d; square windows,
// ceil_mode off) with input gradients. maxPool2d saves the argmax of each window for its
// backward; both backward passes gather over the windows containing each input element. Owns
// the kernels' parameter block (one for both passes). Loop budget: an invocation walks a k × k
// window (forward) or the ⌈k / stride⌉² windows holding an input (backward), and llvmpipe cuts
// an invocation short after 65,535 loop passes (src/core/dispatch.ts): windows up to 254 × 254
// are accepted, larger ones refused (a global pooling is a mean or amax over the dims).

import forwardSrc from "../../shaders/pool2d_forward.wgsl" with { type: "text" };
import backwardSrc from "../../shaders/pool2d_backward.wgsl" with { type: "text" };
import { record } from "../core/autograd.ts";
import {
  dispatch,
  grid1d,
  type KernelSpec,
  LOOP_ITERATION_LIMIT,
  loopCost,
} from "../core/dispatch.ts";
import { Tensor } from "../core/tensor.ts";
import { paramBlock } from "../core/uniforms.ts";

type Mode = "avg" | "max";

/** `total` lanes (outputs forward, inputs backward) over [H, W] ↔ [Ho, Wo] windows. */
const POOL2D = paramBlock("Pool2dParams", {
  total: "u32",
  H: "u32",
  W: "u32",
  Ho: "u32",
  Wo: "u32",
  k: "u32",
  stride: "i32",
  pad: "i32",
});
type PoolSpec = KernelSpec<typeof POOL2D.fields>;

function specs(mode: Mode): { forward: PoolSpec; backward: PoolSpec } {
  const max = mode === "max";
  return {
    forward: {
      name: `${mode}_pool2d`,
      params: POOL2D,
      code: forwardSrc.replaceAll("MAX_FLAG", String(max))
        .replaceAll(
          "IDX_BINDING",
          max ? "@group(0) @binding(3) var<storage, read_write> Idx: array<i32>;" : "",
        )
        .replaceAll("STORE", max ? "Y[i] = best;\n  Idx[i] = bestIdx;" : "Y[i] = s / f32(k * k);"),
      inputs: 1,
      outputs: max ? 2 : 1,
    },
    backward: {
      name: `${mode}_pool2d_backward`,
      params: POOL2D,
      code: backwardSrc.replaceAll("MAX_FLAG", String(max)),
      inputs: 2,
      outputs: 1,
    },
  };
}
const SPECS = { avg: specs("avg"), max: specs("max") };

function pool(mode: Mode, x: Tensor, k: number, stride: number, padding: number): Tensor {
  if (x.ndim !== 4) throw new Error(`neurad: ${mode}Pool2d needs [N, C, H, W], got [${x.shape}]`);
  if (padding > k / 2) {
    throw new Error(`neurad: ${mode}Pool2d padding must be at most half the kernel`);
  }
  const [N, C, H, W] = x.shape;
  const Ho = Math.floor((H + 2 * padding - k) / stride) + 1;
  const Wo = Math.floor((W + 2 * padding - k) / stride) + 1;
  if (Ho < 1 || Wo < 1) {
    throw new Error(`neurad: ${mode}Pool2d input ${H}×${W} is smaller than the window`);
  }
  // Forward: the window's rows and columns. Backward: the windows holding an input element.
  const forwardLoops = loopCost(k, loopCost(k));
  const per = Math.ceil(k / stride);
  const backwardLoops = loopCost(per, loopCost(per));
  if (forwardLoops > LOOP_ITERATION_LIMIT) {
    throw new Error(`neurad: ${mode}Pool2d supports windows up to 254×254 (got ${k}×${k})`);
  }
  const y = Tensor.empty([N, C, Ho, Wo]);
  const idx = mode === "max" ? Tensor.empty([N, C, Ho, Wo], "i32") : null;
  const params = (total: number) => ({ total, H, W, Ho, Wo, k, stride, pad: padding });
  if (y.size) {
    dispatch(
      SPECS[mode].forward,
      params(y.size),
      [x.buffer, y.buffer, ...(idx ? [idx.buffer] : [])],
      grid1d(Math.ceil(y.size / 256)),
      forwardLoops,
    );
  }
  const out = record(`${mode}Pool2d`, [x], y, idx ? [idx] : [], (g, saved) => {
    const dx = Tensor.empty(x.shape);
    dispatch(
      SPECS[mode].backward,
      params(dx.size),
      [g.buffer, (saved[0] ?? g).buffer, dx.buffer],
      grid1d(Math.ceil(dx.size / 256)),
      backwardLoops,
    );
    return [dx];
  });
  idx?.dispose();
  return out;
}

/** F.avg_pool2d(x, kernelSize, stride = kernelSize, padding = 0), padded zeros counted. */
export function avgPool2d(x: Tensor, kernelSize: number, stride = kernelSize, padding = 0): Tensor {
  return pool("avg", x, kernelSize, stride, padding);
}

/** F.max_pool2d(x, kernelSize, stride = kernelSize, padding = 0); ties go to the first element. */
export function maxPool2d(x: Tensor, kernelSize: number, stride = kernelSize, padding = 0): Tensor {
  return pool("max", x, kernelSize, stride, padding);
}
