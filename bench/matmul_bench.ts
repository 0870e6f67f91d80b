// matmul throughput, every kernel variant, square sizes 256..2048 (one 2048³ product takes
// about 4 s on llvmpipe, so the big sizes run only a couple of iterations there).
// Work: 2·M·N·K FLOPs per product. Then the transposed layouts of the backward pass.

import { Tensor } from "../src/mod.ts";
import { randn } from "../src/mod.ts";
import { _mm2d, type MatmulVariant } from "../src/kernels/matmul.ts";
import { GPU_SIZES, throughputBench } from "./_throughput.ts";

const sizes = [256, 512, 1024, 2048];

for (const n of sizes) {
  for (const variant of ["register", "tiled-scalar", "tiled"] as MatmulVariant[]) {
    let a: Tensor, b: Tensor;
    throughputBench({
      group: `matmul ${n}`,
      name: `${variant} ${n}×${n}·${n}×${n}`,
      work: 2 * n ** 3,
      unit: "GFLOP/s",
      setup() {
        a = randn([n, n]);
        b = randn([n, n]);
      },
      run() {
        _mm2d(a, b, variant).dispose();
      },
      reps: n <= 256 ? 8 : 1,
      n: n >= 1024 ? (GPU_SIZES ? 20 : 2) : undefined,
      warmup: n >= 1024 ? 1 : undefined,
      baseline: variant === "register",
    });
  }
}

// The backward pass's transposed operands (dA = dC·Bᵀ, dB = Aᵀ·dC): strided scalar loads
// ("tiled-scalar") against the vec4 kernel for that layout ("tiled").
for (const [tA, tB] of [[true, false], [false, true]]) {
  const n = GPU_SIZES ? 2048 : 512;
  for (const variant of ["tiled-scalar", "tiled"] as MatmulVariant[]) {
    let a: Tensor, b: Tensor;
    const label = `${tA ? "Aᵀ" : "A"}·${tB ? "Bᵀ" : "B"}`;
    throughputBench({
      group: `matmul ${label} ${n}`,
      name: `${variant} ${label} ${n}³`,
      work: 2 * n ** 3,
      unit: "GFLOP/s",
      setup() {
        a = randn([n, n]);
        b = randn([n, n]);
      },
      run() {
        _mm2d(a, b, variant, { transposeA: tA, transposeB: tB }).dispose();
      },
      reps: 1,
      baseline: variant === "tiled-scalar",
    });
  }
}
