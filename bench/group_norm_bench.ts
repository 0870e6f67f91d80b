// groupNorm / groupNormSilu forward and backward at the VQGAN's shapes (32 groups, eps 1e-6;
// NEURAD_BENCH_SIZE=gpu: batch 8, wider maps). Bytes moved, f32: forward reads x three times
// (mean pass, variance pass, normalise pass) and writes y: 16 B/element; backward reads x and dY
// twice (sums pass, input pass) and writes dx: 20 B/element. Prints GB/s at the end.
// Run: deno bench -A bench/group_norm_bench.ts

import { groupNorm, groupNormSilu } from "../src/kernels/group_norm.ts";
import { deviceInfo, getDevice, randn, sync, type Tensor } from "../src/mod.ts";
import { record } from "./_throughput.ts";

await getDevice();
const gpu = Deno.env.get("NEURAD_BENCH_SIZE") === "gpu";
const B = gpu ? 8 : 1;
const SHAPES: [number, number, number][] = gpu
  ? [[128, 96, 80], [256, 48, 40], [512, 12, 10]]
  : [[64, 48, 40], [128, 24, 20], [128, 12, 10]];
const adapter = deviceInfo().description;

for (const [c, h, w] of SHAPES) {
  const n = B * c * h * w;
  for (const [label, op] of [["groupNorm", groupNorm], ["groupNormSilu", groupNormSilu]] as const) {
    const weight = randn([c]), bias = randn([c]);
    const x = randn([B, c, h, w]);
    const name = `${label} forward [${B}, ${c}, ${h}, ${w}] (${((16 * n) / 1e6).toFixed(1)} MB)`;
    Deno.bench({
      group: `forward ${c}×${h}×${w}`,
      name,
      n: gpu ? 50 : 10,
      warmup: 1,
      async fn(b) {
        b.start();
        const t0 = performance.now();
        const y = op(x, 32, weight, bias, 1e-6);
        await sync();
        record(`${name} [${adapter}]`, 16 * n, "GB/s", performance.now() - t0);
        b.end();
        y.dispose();
      },
    });
    const bname = `${label} backward [${B}, ${c}, ${h}, ${w}] (${((20 * n) / 1e6).toFixed(1)} MB)`;
    Deno.bench({
      group: `backward ${c}×${h}×${w}`,
      name: bname,
      n: gpu ? 50 : 10,
      warmup: 1,
      async fn(b) {
        const xg = randn([B, c, h, w], { requiresGrad: true });
        const y: Tensor = op(xg, 32, weight, bias, 1e-6);
        const g = randn(y.shape);
        await sync();
        b.start();
        const t0 = performance.now();
        y.backward(g);
        await sync();
        record(`${bname} [${adapter}]`, 20 * n, "GB/s", performance.now() - t0);
        b.end();
        for (const t of [xg, y, g]) t.dispose();
      },
    });
  }
}
