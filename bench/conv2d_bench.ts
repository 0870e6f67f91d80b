// conv2d forward, input gradient (a transposed conv on the same gather kernel) and weight
// gradient (split reduction), for both kernel variants, at the models' layer shapes (batch 1;
// NEURAD_BENCH_SIZE=gpu: batch 8 and wider maps for real GPUs). FLOPs per pass = 2·N·Cout·Ho·Wo·
// Cin·k² (the same for all three passes). On llvmpipe (~1 GFLOP/s) each bench takes ~0.1 s/iter.
// Run: deno bench -A bench/conv2d_bench.ts (prints GFLOP/s at the end).

import { conv2d } from "../src/kernels/conv2d.ts";
import { convTranspose2d } from "../src/kernels/conv_transpose2d.ts";
import { convWeightGrad } from "../src/kernels/conv_gather.ts";
import { getDevice, randn } from "../src/mod.ts";
import { benchConvPasses, type ConvPass } from "./_conv_passes.ts";
import { GPU_SIZES } from "./_throughput.ts";

await getDevice();
const B = GPU_SIZES ? 8 : 1;
// [label, Cin, Cout, H, W, k, stride, padding]
const SHAPES: [string, number, number, number, number, number, number, number][] = GPU_SIZES
  ? [
    ["enc k3 128→128 96×80", 128, 128, 96, 80, 3, 1, 1],
    ["down k5s2 128→256 96×80", 128, 256, 96, 80, 5, 2, 2],
    ["disc k4s2 64→128 96×80", 64, 128, 96, 80, 4, 2, 1],
    ["mid k3 256→256 24×20", 256, 256, 24, 20, 3, 1, 1],
  ]
  : [
    ["enc k3 32→64 48×40", 32, 64, 48, 40, 3, 1, 1],
    ["down k5s2 64→64 48×40", 64, 64, 48, 40, 5, 2, 2],
    ["disc k4s2 32→64 48×40", 32, 64, 48, 40, 4, 2, 1],
    ["mid k3 128→128 12×10", 128, 128, 12, 10, 3, 1, 1],
  ];

for (const [label, ci, co, h, w, k, s, p] of SHAPES) {
  const x = randn([B, ci, h, w]), wt = randn([co, ci, k, k]), bias = randn([co]);
  const ho = Math.floor((h + 2 * p - k) / s) + 1, wo = Math.floor((w + 2 * p - k) / s) + 1;
  const g = randn([B, co, ho, wo]);
  const flops = 2 * B * co * ho * wo * ci * k * k;
  const op = h - ((ho - 1) * s - 2 * p + k); // restores H (conv's size rounding)
  const passes: ConvPass[] = [
    ["forward", (v) => conv2d(x, wt, bias, { stride: s, padding: p, variant: v }), true],
    [
      "input grad",
      (v) => convTranspose2d(g, wt, null, { stride: s, padding: p, outputPadding: op, variant: v }),
      true,
    ],
    ["weight grad", () => convWeightGrad(g, x, k, s, p), false],
  ];
  benchConvPasses("conv2d", `${label} B${B}`, flops, passes);
}
