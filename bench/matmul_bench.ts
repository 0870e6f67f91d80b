// matmul throughput, every kernel variant, square sizes 256..2048 (one 2048³ product takes
// about 4 s on llvmpipe, so the big sizes run only a couple of iterations there), then the
// transposed layouts of the backward pass (dA = dC·Bᵀ, dB = Aᵀ·dC): strided scalar loads
// ("tiled-scalar") against the vec4 kernel for that layout ("tiled").
// Work: 2·M·N·K FLOPs per product.

import { Tensor } from "../src/mod.ts";
import { randn } from "../src/mod.ts";
import { _mm2d, type MatmulVariant } from "../src/kernels/matmul.ts";
import { GPU_SIZES, throughputBench } from "./_throughput.ts";

/** One n³ product of `variant` with A and/or B read transposed. */
function benchProduct(group: string, n: number, variant: MatmulVariant, tA = false, tB = false) {
  let a: Tensor, b: Tensor;
  const layout = tA || tB ? `${tA ? "Aᵀ" : "A"}·${tB ? "Bᵀ" : "B"} ` : "";
  throughputBench({
    group,
    name: `${variant} ${layout}${n}×${n}·${n}×${n}`,
    work: 2 * n ** 3,
    unit: "GFLOP/s",
    setup() {
      a = randn([n, n]);
      b = randn([n, n]);
    },
    run() {
      _mm2d(a, b, variant, { transposeA: tA, transposeB: tB }).dispose();
    },
    reps: n <= 256 ? 8 : 1,
    n: n >= 1024 ? (GPU_SIZES ? 20 : 2) : undefined,
    warmup: n >= 1024 ? 1 : undefined,
    baseline: variant === (layout ? "tiled-scalar" : "register"),
  });
}

for (const n of [256, 512, 1024, 2048]) {
  for (const variant of ["register", "tiled-scalar", "tiled"] as MatmulVariant[]) {
    benchProduct(`matmul ${n}`, n, variant);
  }
}
for (const [tA, tB] of [[true, false], [false, true]]) {
  const n = GPU_SIZES ? 2048 : 512;
  for (const variant of ["tiled-scalar", "tiled"] as MatmulVariant[]) {
    benchProduct(`matmul ${tA ? "Aᵀ·B" : "A·Bᵀ"} ${n}`, n, variant, tA, tB);
  }
}
