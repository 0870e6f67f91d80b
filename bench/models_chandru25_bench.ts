// Benchmarks of the second study's models (src/models/chandru25/) at full width and their
// real input shapes: forward, and forward + backward of a scalar loss, for the EMA VQGAN
// (corrected mode, so the encoder trains too), its patch discriminator, the random perceptual
// net and the DCGAN generator and discriminator. Prints img/s and GFLOP/s (convolution and
// codebook-search multiply-adds ×2; forward + backward counted as 3× the forward FLOPs, 2× for
// the frozen perceptual net).
// Batch 1 by default (llvmpipe is a CPU: full-width models take seconds per image there);
// NEURAD_BENCH_SIZE=gpu runs batch 16, the study's batch size.

import { getDevice, noGrad, rand, randn, sum, sync, type Tensor, tidy } from "../src/mod.ts";
import type { Module } from "../src/nn/module.ts";
import {
  Chandru25Dcgan,
  Chandru25DcganDiscriminator,
  Chandru25Discriminator,
  Chandru25Perceptual,
  Chandru25Vqgan,
} from "../src/models/chandru25/registry.ts";

const GPU = Deno.env.get("NEURAD_BENCH_SIZE") === "gpu";
const BATCH = GPU ? 16 : 1;

/** 2·Cin·Cout·k²·(output pixels) for a conv, (input pixels) for a transposed conv. */
const conv = (cin: number, cout: number, k: number, px: number) => 2 * cin * cout * k * k * px;

/** Forward FLOPs per image. */
const FLOPS = {
  vqgan: (c = 256, K = 1024, s = 64) => {
    const h = (s / 2) ** 2, q = (s / 4) ** 2;
    const res = (px: number) => 2 * conv(c, c, 3, px);
    const enc = conv(3, c, 4, h) + res(h) + conv(c, c, 4, q) + res(q);
    const dec = res(q) + conv(c, c, 4, q) + res(h) + conv(c, 3, 4, h);
    return enc + 2 * q * K * c + dec;
  },
  disc: () => conv(3, 64, 4, 32 * 32) + conv(64, 128, 4, 16 * 16) + conv(128, 1, 4, 13 * 13),
  perceptual: (s = 64) => {
    const px = s * s;
    const branch = (k: number) => conv(3, 64, k, px) + conv(64, 128, k, px) + conv(128, 256, k, px);
    return branch(3) + branch(5) + conv(3, 256, 1, px);
  },
  dcganG: () =>
    conv(100, 512, 4, 1) + conv(512, 256, 4, 16) + conv(256, 128, 4, 64) +
    conv(128, 64, 4, 256) + conv(64, 3, 4, 1024),
  dcganD: () =>
    conv(3, 64, 4, 1024) + conv(64, 128, 4, 256) + conv(128, 256, 4, 64) +
    conv(256, 512, 4, 16) + conv(512, 1, 4, 1),
};

interface Row {
  name: string;
  flops: number;
  seconds: number[];
}
const rows: Row[] = [];

function modelBench(
  name: string,
  make: () => Module,
  input: () => Tensor,
  run: (m: Module, x: Tensor) => Tensor,
  flopsPerImage: number,
  backwardFactor = 3,
) {
  for (const backward of [false, true]) {
    const label = `${name} ${backward ? "forward+backward" : "forward"} (batch ${BATCH})`;
    const row: Row = {
      name: label,
      flops: flopsPerImage * BATCH * (backward ? backwardFactor : 1),
      seconds: [],
    };
    rows.push(row);
    let m: Module | undefined, x: Tensor | undefined;
    const step = () => {
      if (backward) {
        const l = tidy(() => sum(run(m!, x!)));
        l.backward();
        l.dispose();
        m!.zeroGrad();
      } else noGrad(() => run(m!, x!).dispose());
    };
    Deno.bench({
      group: name,
      name: label,
      n: GPU ? 10 : 2,
      warmup: 1,
      async fn(b) {
        if (!m) {
          await getDevice();
          m = make();
          x = input();
          step(); // pipelines compiled outside the timed region
          await sync();
        }
        b.start();
        const t0 = performance.now();
        step();
        await sync();
        row.seconds.push((performance.now() - t0) / 1000);
        b.end();
      },
    });
  }
}

const image = (s = 64) => () => rand([BATCH, 3, s, s]);
const recon = (m: Module, x: Tensor) => (m as Chandru25Vqgan).forward(x).recon;
const call = (m: Module, x: Tensor) => (m as unknown as { forward(x: Tensor): Tensor }).forward(x);

modelBench("chandru25-vqgan", () => new Chandru25Vqgan(), image(), recon, FLOPS.vqgan());
modelBench(
  "chandru25-discriminator",
  () => new Chandru25Discriminator(),
  image(),
  call,
  FLOPS.disc(),
);
// Frozen weights: the backward pass computes the input gradient only (2× forward).
modelBench(
  "chandru25-perceptual",
  () => new Chandru25Perceptual(),
  () => rand([BATCH, 3, 64, 64], { requiresGrad: true }),
  call,
  FLOPS.perceptual(),
  2,
);
modelBench(
  "chandru25-dcgan G",
  () => new Chandru25Dcgan(),
  () => randn([BATCH, 100, 1, 1]),
  (m, z) => (m as Chandru25Dcgan).generate(z),
  FLOPS.dcganG(),
);
modelBench(
  "chandru25-dcgan D",
  () => new Chandru25DcganDiscriminator(),
  image(),
  call,
  FLOPS.dcganD(),
);

globalThis.addEventListener("unload", () => {
  if (!rows.some((r) => r.seconds.length)) return;
  console.log("\nchandru25 models (median of timed iterations):");
  for (const r of rows) {
    if (!r.seconds.length) continue;
    const s = [...r.seconds].sort((a, b) => a - b)[Math.floor(r.seconds.length / 2)];
    console.log(
      `  ${r.name.padEnd(52)} ${(s * 1e3).toFixed(1).padStart(9)} ms ${
        (BATCH / s).toFixed(2).padStart(8)
      } img/s ${(r.flops / s / 1e9).toFixed(2).padStart(7)} GFLOP/s`,
    );
  }
});
