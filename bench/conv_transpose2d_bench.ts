// convTranspose2d forward, input gradient and weight gradient for both gather variants at the
// decoder's upsampling shapes (batch 1; NEURAD_BENCH_SIZE=gpu: batch 8, wider maps). FLOPs per
// pass = 2·N·Cin·H·W·Cout·k² (the useful multiply-adds; the stride holes are not counted).
// On llvmpipe each bench takes ~0.1 s/iter. Run: deno bench -A bench/conv_transpose2d_bench.ts

import { conv2d } from "../src/kernels/conv2d.ts";
import { convTranspose2d } from "../src/kernels/conv_transpose2d.ts";
import { convWeightGrad } from "../src/kernels/conv_gather.ts";
import { getDevice, randn } from "../src/mod.ts";
import { benchConvPasses, type ConvPass } from "./_conv_passes.ts";
import { GPU_SIZES } from "./_throughput.ts";

await getDevice();
const B = GPU_SIZES ? 8 : 1;
// [label, Cin, Cout, H, W, k, stride, padding, outputPadding]
const SHAPES: [string, number, number, number, number, number, number, number, number][] = GPU_SIZES
  ? [
    ["up k5s2p2op1 256→128 24×20", 256, 128, 24, 20, 5, 2, 2, 1],
    ["up k4s2p1 128→64 48×40", 128, 64, 48, 40, 4, 2, 1, 0],
  ]
  : [
    ["up k5s2p2op1 64→32 24×20", 64, 32, 24, 20, 5, 2, 2, 1],
    ["up k4s2p1 32→16 48×40", 32, 16, 48, 40, 4, 2, 1, 0],
  ];

for (const [label, ci, co, h, w, k, s, p, op] of SHAPES) {
  const x = randn([B, ci, h, w]), wt = randn([ci, co, k, k]), bias = randn([co]);
  const ho = (h - 1) * s - 2 * p + k + op, wo = (w - 1) * s - 2 * p + k + op;
  const g = randn([B, co, ho, wo]);
  const flops = 2 * B * ci * h * w * co * k * k;
  const passes: ConvPass[] = [
    [
      "forward",
      (v) => convTranspose2d(x, wt, bias, { stride: s, padding: p, outputPadding: op, variant: v }),
      true,
    ],
    // The input gradient of convTranspose2d is conv2d of dY with the same weight.
    ["input grad", (v) => conv2d(g, wt, null, { stride: s, padding: p, variant: v }), true],
    ["weight grad", () => convWeightGrad(x, g, k, s, p), false],
  ];
  benchConvPasses("convTranspose2d", `${label} B${B}`, flops, passes);
}
