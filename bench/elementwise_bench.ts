// Elementwise throughput in GB/s: contiguous add (8 bytes read + 4 written per element),
// broadcast add of a row vector (strided index path), and unary silu (4 read + 4 written).

import { add, randn, silu, Tensor } from "../src/mod.ts";
import { GPU_SIZES, throughputBench } from "./_throughput.ts";

const sizes = GPU_SIZES ? [1 << 20, 1 << 24] : [1 << 16, 1 << 20];

for (const n of sizes) {
  let a: Tensor, b: Tensor, row: Tensor;
  const setup = () => {
    a ??= randn([n / 256, 256]);
    b ??= randn([n / 256, 256]);
    row ??= randn([256]);
  };
  const reps = n <= 1 << 16 ? 32 : 4;
  throughputBench({
    group: `elementwise ${n}`,
    name: `add contiguous n=${n}`,
    work: 12 * n,
    unit: "GB/s",
    setup,
    run: () => add(a, b).dispose(),
    reps,
    baseline: true,
  });
  throughputBench({
    group: `elementwise ${n}`,
    name: `add broadcast [n/256,256]+[256] n=${n}`,
    work: 8 * n,
    unit: "GB/s",
    setup,
    run: () => add(a, row).dispose(),
    reps,
  });
  throughputBench({
    group: `elementwise ${n}`,
    name: `silu n=${n}`,
    work: 8 * n,
    unit: "GB/s",
    setup,
    run: () => silu(a).dispose(),
    reps,
  });
}
