// Registers a convolution's three passes (forward, input gradient, weight gradient) as
// throughput benches, the gather passes once per kernel variant (direct and implicit GEMM).

import type { ConvVariant } from "../src/kernels/conv_gather.ts";
import type { Tensor } from "../src/mod.ts";
import { GPU_SIZES, throughputBench } from "./_throughput.ts";

/** [pass name, the op, whether it runs on the gather kernel (so has variants)]. */
export type ConvPass = [string, (v: ConvVariant) => Tensor, boolean];

export function benchConvPasses(op: string, label: string, flops: number, passes: ConvPass[]) {
  for (const [pass, fn, gather] of passes) {
    for (const variant of gather ? ["direct", "gemm"] as const : ["direct"] as const) {
      throughputBench({
        group: `${op} ${pass}`,
        name: `${label} ${gather ? variant : "split"} (${(flops / 1e6).toFixed(1)} MFLOP)`,
        work: flops,
        unit: "GFLOP/s",
        setup() {},
        run: () => fn(variant).dispose(),
        // Two calls per timed iteration halve the ~12 ms sync floor of llvmpipe.
        reps: GPU_SIZES ? 10 : 2,
        n: GPU_SIZES ? 20 : 3,
        warmup: 1,
      });
    }
  }
}
