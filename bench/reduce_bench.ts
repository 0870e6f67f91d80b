// Reductions over leading and middle dims: in place (shaders/reduce_strided.wgsl) against the
// old way, a permuted copy to trailing dims then a row reduction (what the conv bias and split-K
// weight gradients paid before). Shapes: a conv bias gradient, sum over [N, H, W] of
// [B, 64, 95, 79] (planes), and split-K partials, sum over the 8 splits of a 64×64×3×3 weight
// (columns). GB/s counts the input read once (4 B/element) for both, so the ratio is the speedup.
// Run: deno bench -A bench/reduce_bench.ts

import { permute, randn, sum, Tensor } from "../src/mod.ts";
import { GPU_SIZES, throughputBench } from "./_throughput.ts";

const B = GPU_SIZES ? 16 : 2;
const cases: [string, number[], number[], number[]][] = [
  [`conv bias grad [${B}, 64, 95, 79] over [0, 2, 3]`, [B, 64, 95, 79], [0, 2, 3], [1, 0, 2, 3]],
  ["split-K partials [8, 64·64·9] over [0]", [8, 64 * 64 * 9], [0], [1, 0]],
];
for (const [label, shape, dims, order] of cases) {
  let x: Tensor;
  const n = shape.reduce((a, b) => a * b, 1);
  const trailing = order.map((_, i) => i).slice(order.length - dims.length);
  for (
    const [how, run] of [
      ["in place", () => sum(x, dims).dispose()],
      ["permuted copy", () => {
        const p = permute(x, order);
        sum(p, trailing).dispose();
        p.dispose();
      }],
    ] as const
  ) {
    throughputBench({
      group: label,
      name: how,
      work: 4 * n,
      unit: "GB/s",
      setup() {
        x ??= randn(shape);
      },
      run,
      reps: 8,
      baseline: how === "permuted copy",
    });
  }
}
