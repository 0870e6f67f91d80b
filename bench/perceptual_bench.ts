// VGG16 features (to conv3_3, the second study's score network) and LPIPS (the first study's
// VQGAN loss), forward, with GFLOP/s from the conv FLOPs (2·Cin·Cout·9·H·W per conv) and img/s.
// llvmpipe (default): batch 1 at 3×64×64 for VGG and 1×95×79 for LPIPS; NEURAD_BENCH_SIZE=gpu:
// batch 16 at the studies' test sizes (3×128×128, 1×95×79). Random weights (speed only).
// Run: deno bench -A bench/perceptual_bench.ts

import { getDevice, noGrad, rand, tidy } from "../src/mod.ts";
import { createModel } from "../src/app.ts";
import type { Tensor } from "../src/mod.ts";
import type { Lpips, Vgg16Features } from "../src/app.ts";
import { GPU_SIZES, throughputBench } from "./_throughput.ts";

await getDevice();
const CFG = [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512];

/** Conv FLOPs of VGG16 up to `convs` convolutions at H×W (pools halve the size). */
function vggFlops(h: number, w: number, convs: number): number {
  let c = 3, f = 0, n = 0;
  for (const v of CFG) {
    if (n === convs) break;
    if (v === 0) {
      h = Math.floor(h / 2);
      w = Math.floor(w / 2);
      continue;
    }
    f += 2 * c * v * 9 * h * w;
    c = v;
    n++;
  }
  return f;
}

const B = GPU_SIZES ? 16 : 1;
const S = GPU_SIZES ? 128 : 64;
let vgg: Vgg16Features, xv: Tensor;
throughputBench({
  group: "perceptual",
  name: `vgg16-features to conv3_3, ${B}×3×${S}×${S}`,
  work: B * vggFlops(S, S, 7),
  unit: "GFLOP/s",
  n: GPU_SIZES ? 10 : 3,
  setup() {
    vgg = createModel<Vgg16Features>("vgg16-features", { upTo: "conv3_3" });
    xv = rand([B, 3, S, S]);
  },
  run() {
    noGrad(() => tidy(() => vgg.forward(xv))).dispose();
  },
});

let lp: Lpips, a: Tensor, b: Tensor;
throughputBench({
  group: "perceptual",
  name: `lpips (VGG16 to relu5_3, both images), ${B}×1×95×79`,
  work: 2 * B * vggFlops(95, 79, 13),
  unit: "GFLOP/s",
  n: GPU_SIZES ? 10 : 2,
  setup() {
    lp = createModel<Lpips>("lpips");
    a = rand([B, 1, 95, 79]);
    b = rand([B, 1, 95, 79]);
  },
  run() {
    noGrad(() => tidy(() => lp.forward(a, b))).dispose();
  },
});
