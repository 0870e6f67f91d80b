// nearestCode throughput, both kernel variants. Work: 2·N·K·D FLOPs per call (the z·e dot
// products; the ‖e‖² pass adds K·D and the argmin N·K compares, not counted). N = B·h·w:
// 16·5·4 = 320 and 16·24·20 = 7680 latent vectors (a batch of 16 at VQGAN scale), and 10^6.
// Default (llvmpipe, about a minute): N = 320 and 7680 with a few K, D, and 10^6 at K = 64,
// D = 32. NEURAD_BENCH_SIZE=gpu:
// N ∈ {320, 7680, 10^6} × K ∈ {64, 128, 256, 512, 1024} × D ∈ {32, 64, 128, 256}, skipping
// sizes whose z exceeds the adapter's storage-binding limit (10^6 × D > 32 on 128 MiB).

import { deviceInfo, getDevice, randn, type Tensor } from "../src/mod.ts";
import { nearestCode, type NearestCodeVariant } from "../src/kernels/nearest_code.ts";
import { GPU_SIZES, throughputBench } from "./_throughput.ts";

await getDevice();
const limit = deviceInfo().limits.maxStorageBufferBindingSize;

const cases: [number, number, number][] = [];
if (GPU_SIZES) {
  for (const N of [320, 7680, 1_000_000]) {
    for (const K of [64, 128, 256, 512, 1024]) {
      for (const D of [32, 64, 128, 256]) if (N * D * 4 <= limit) cases.push([N, K, D]);
    }
  }
} else {
  for (const [K, D] of [[64, 32], [256, 64], [1024, 256]]) cases.push([320, K, D]);
  for (const [K, D] of [[64, 32], [128, 64], [256, 128], [512, 64], [1024, 256]]) {
    cases.push([7680, K, D]);
  }
  cases.push([1_000_000, 64, 32]); // 4.1 GFLOP: the 10^6 scale, at the smallest codebook
}

for (const [N, K, D] of cases) {
  const flops = 2 * N * K * D;
  for (const variant of ["register", "tiled"] as NearestCodeVariant[]) {
    let z: Tensor, e: Tensor;
    throughputBench({
      group: `nearestCode N=${N} K=${K} D=${D}`,
      name: `${variant} (${(flops / 1e9).toFixed(3)} GFLOP)`,
      work: flops,
      unit: "GFLOP/s",
      setup() {
        z = randn([N, D]);
        e = randn([K, D]);
      },
      run() {
        const r = nearestCode(z, e, variant);
        r.indices.dispose();
        r.distances.dispose();
      },
      reps: flops < 2e8 ? 4 : 1,
      n: flops > 1e9 && !GPU_SIZES ? 2 : undefined,
      warmup: flops > 1e9 && !GPU_SIZES ? 1 : undefined,
      baseline: variant === "register",
    });
  }
}
