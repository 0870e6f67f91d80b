// Forward FLOPs of a model per sample, from one summary() pass: 2·MACs of every Conv2d,
// ConvTranspose2d and Linear at the output shapes it produced, plus the two batched matmuls
// of every applied AttnBlock (qᵀk and v·attnᵀ: 4·c·n²). Norms, activations and the quantiser
// are left out (a few percent). Forward+backward is counted as 3× forward, the usual convention.

import { summary } from "../src/nn/summary.ts";
import { AttnBlock } from "../src/nn/attn_block.ts";
import { Conv2d } from "../src/nn/conv2d.ts";
import { ConvTranspose2d } from "../src/nn/conv_transpose2d.ts";
import { Linear } from "../src/nn/linear.ts";
import type { Module } from "../src/nn/module.ts";

export function forwardFlops(model: Module, inputShape: [number, number, number]): number {
  const { rows } = summary(model, inputShape);
  const byName = new Map(model.namedModules());
  let flops = 0;
  for (const r of rows) {
    const m = byName.get(r.layer), s = r.outputShape;
    if (!s || !r.applied) continue;
    const [, c, h, w] = s;
    if (m instanceof Conv2d) flops += 2 * m.inChannels * m.kernelSize ** 2 * c * h * w;
    else if (m instanceof ConvTranspose2d) {
      const hin = (h + 2 * m.padding - m.kernelSize - m.outputPadding) / m.stride + 1;
      const win = (w + 2 * m.padding - m.kernelSize - m.outputPadding) / m.stride + 1;
      flops += 2 * m.inChannels * m.outChannels * m.kernelSize ** 2 * hin * win;
    } else if (m instanceof Linear) flops += 2 * m.inFeatures * m.outFeatures;
  }
  for (const r of rows) {
    const m = byName.get(r.layer.replace(/\.(norm|q|k|v|proj_out)$/, ""));
    if (r.layer.endsWith(".q") && m instanceof AttnBlock && r.outputShape) {
      const [, c, h, w] = r.outputShape;
      flops += 4 * c * (h * w) ** 2;
    }
  }
  return flops;
}
