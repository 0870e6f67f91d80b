// groupNorm / groupNormSilu forward and backward at the VQGAN's shapes (32 groups, eps 1e-6;
// NEURAD_BENCH_SIZE=gpu: batch 8, wider maps). Bytes moved, f32: forward reads x three times
// (mean pass, variance pass, normalise pass) and writes y: 16 B/element; backward reads x and dY
// twice (sums pass, input pass) and writes dx: 20 B/element (the tiny per-group ops ignored);
// it is timed together with its forward pass (36 B/element).
// On llvmpipe the ~12 ms sync floor dominates these small maps; reps amortise part of it.
// Run: deno bench -A bench/group_norm_bench.ts (prints GB/s at the end).

import { groupLayout, normStats, statsParts } from "../src/kernels/channel_norm.ts";
import { groupNorm, groupNormSilu } from "../src/kernels/group_norm.ts";
import { getDevice, noGrad, randn, tidy } from "../src/mod.ts";
import { GPU_SIZES, throughputBench } from "./_throughput.ts";

await getDevice();
const B = GPU_SIZES ? 8 : 1;
const SHAPES: [number, number, number][] = GPU_SIZES
  ? [[128, 96, 80], [256, 48, 40], [512, 12, 10]]
  : [[64, 48, 40], [128, 24, 20], [128, 12, 10]];
const reps = GPU_SIZES ? 20 : 8;

for (const [c, h, w] of SHAPES) {
  const n = B * c * h * w;
  const label = `[${B}, ${c}, ${h}, ${w}]`;
  const weight = randn([c]), bias = randn([c]);
  const x = randn([B, c, h, w]), g = randn([B, c, h, w]);
  for (
    const [opName, op] of [["groupNorm", groupNorm], ["groupNormSilu", groupNormSilu]] as const
  ) {
    throughputBench({
      group: `${opName} forward`,
      name: `${label} (${((16 * n) / 1e6).toFixed(1)} MB)`,
      work: 16 * n,
      unit: "GB/s",
      setup() {},
      run: () => noGrad(() => op(x, 32, weight, bias, 1e-6)).dispose(),
      reps,
    });
    throughputBench({
      group: `${opName} forward+backward`,
      name: `${label} (${((36 * n) / 1e6).toFixed(1)} MB)`,
      work: 36 * n,
      unit: "GB/s",
      setup() {},
      run() {
        const xg = x.detach();
        xg.requiresGrad = true;
        tidy(() => op(xg, 32, weight, bias, 1e-6)).backward(g);
        xg.grad?.dispose();
        xg.dispose();
      },
      reps,
    });
  }
}

// The statistics pass alone at batch 1 (32 segments of a 128-channel map): one workgroup per
// segment against the split into parts (what discrete GPUs get, statsParts) with its merge
// pass. Reads x twice: 8 B/element.
{
  const [c, h, w] = GPU_SIZES ? [128, 96, 80] : [128, 95, 79];
  const n = c * h * w;
  const x = randn([1, c, h, w]);
  const l = groupLayout(x.shape, 32);
  const split = Math.max(2, statsParts(l.stats, l.M, false));
  for (const parts of [1, split]) {
    throughputBench({
      group: "groupNorm statistics, batch 1",
      name: `[1, ${c}, ${h}, ${w}] ${parts === 1 ? "one workgroup per group" : `${parts} parts`}`,
      work: 8 * n,
      unit: "GB/s",
      setup() {},
      run() {
        const s = normStats(x, l, parts);
        s.mean.dispose();
        s.var.dispose();
      },
      reps,
    });
  }
}
