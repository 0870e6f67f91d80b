// neurad vs TF.js 4.22 WebGPU on the same adapter, in one process: the three conv
// shapes of the speed goal (BENCHMARKS.md), each pass (forward, input gradient, weight gradient), timed alternately
// (neurad, TF.js, neurad, …) so drift in the shared machine's load hits both alike. neurad runs
// its own kernels exactly as conv2d's backward calls them (NCHW); TF.js runs its native NHWC
// kernels (Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter), without bias. Each timed call is
// one op plus a sync (neurad: onSubmittedWorkDone; TF.js: a one-element readback), so both
// carry the same ~12 ms sync floor of Deno's WebGPU. Prints the median ms of each and the
// ratio TF.js / neurad (> 1: neurad faster) and GFLOP/s (2·N·Cout·Ho·Wo·Cin·k² per pass).
// Run: deno run -A bench/peers/conv_peers_bench.ts [iterations=5]
// (also runs under `deno bench -A bench/peers/`, one Deno.bench per shape and pass).

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-webgpu";
import { deviceInfo, getDevice, randn, sync, type Tensor } from "../../src/mod.ts";
import { conv2d, flippedAccess, weightAccess } from "../../src/kernels/conv2d.ts";
import { convGather, convWeightGrad } from "../../src/kernels/conv_gather.ts";

/** [label, N, Cin, H, W, k, stride, padding, Cout] */
type Shape = [string, number, number, number, number, number, number, number, number];
export const SHAPES: Shape[] = [
  ["[4,32,64,64] k3 →64", 4, 32, 64, 64, 3, 1, 1, 64],
  ["[8,32,48,40] k5 s2 →64", 8, 32, 48, 40, 5, 2, 2, 64],
  ["[8,128,24,20] k3 →128", 8, 128, 24, 20, 3, 1, 1, 128],
];
export const PASSES = ["forward", "input grad", "weight grad"] as const;
type Pass = typeof PASSES[number];

await getDevice();
await tf.setBackend("webgpu");
await tf.ready();

/** Waits for `y`: reads back one element (submit + onSubmittedWorkDone alone returns early). */
async function tfSync(y: tf.Tensor) {
  const one = tf.slice(y, new Array(y.rank).fill(0), new Array(y.rank).fill(1));
  await one.data();
  one.dispose();
}

interface Case {
  label: string;
  pass: Pass;
  flops: number;
  neurad: () => Tensor;
  tfjs: () => tf.Tensor;
}

function makeCases([label, N, C, H, W, k, s, p, Co]: Shape): Case[] {
  const Ho = Math.floor((H + 2 * p - k) / s) + 1, Wo = Math.floor((W + 2 * p - k) / s) + 1;
  const flops = 2 * N * Co * Ho * Wo * C * k * k;
  const x = randn([N, C, H, W]), w = randn([Co, C, k, k]), g = randn([N, Co, Ho, Wo]);
  const tx = tf.randomNormal([N, H, W, C]) as tf.Tensor4D;
  const tw = tf.randomNormal([k, k, C, Co]) as tf.Tensor4D;
  const tg = tf.randomNormal([N, Ho, Wo, Co]) as tf.Tensor4D;
  const pad = [[0, 0], [p, p], [p, p], [0, 0]] as [[0, 0], [number, number], [number, number], [
    0,
    0,
  ]];
  const conv = { strides: [s, s] as [number, number], pad, dataFormat: "NHWC" as const };
  return [
    {
      label,
      pass: "forward",
      flops,
      neurad: () => conv2d(x, w, null, { stride: s, padding: p }),
      tfjs: () => tf.conv2d(tx, tw, s, pad),
    },
    {
      label,
      pass: "input grad",
      flops,
      // Exactly what conv2d's backward records for dx.
      neurad: () =>
        convGather({
          x: g,
          weight: w,
          access: flippedAccess(weightAccess(C, k, false), k),
          bias: null,
          cout: C,
          ho: H,
          wo: W,
          k,
          convStride: 1,
          inStride: s,
          pad: k - 1 - p,
        }),
      tfjs: () =>
        tf.engine().runKernel("Conv2DBackpropInput", { dy: tg, filter: tw }, {
          ...conv,
          inputShape: [N, H, W, C],
        }) as tf.Tensor,
    },
    {
      label,
      pass: "weight grad",
      flops,
      neurad: () => convWeightGrad(g, x, k, s, p),
      tfjs: () =>
        tf.engine().runKernel("Conv2DBackpropFilter", { x: tx, dy: tg }, {
          ...conv,
          filterShape: [k, k, C, Co],
        }) as tf.Tensor,
    },
  ];
}

async function timeNeurad(c: Case): Promise<number> {
  const t0 = performance.now();
  const y = c.neurad();
  await sync();
  const dt = performance.now() - t0;
  y.dispose();
  return dt;
}

async function timeTfjs(c: Case): Promise<number> {
  const t0 = performance.now();
  const y = c.tfjs();
  await tfSync(y);
  const dt = performance.now() - t0;
  y.dispose();
  return dt;
}

const median = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];

/** Alternates neurad and TF.js `iters` times after one warm-up each; medians in ms. */
export async function compare(c: Case, iters: number) {
  await timeNeurad(c);
  await timeTfjs(c);
  const a: number[] = [], b: number[] = [];
  for (let i = 0; i < iters; i++) {
    a.push(await timeNeurad(c));
    b.push(await timeTfjs(c));
  }
  return { neurad: median(a), tfjs: median(b) };
}

const cases = SHAPES.flatMap(makeCases);

if (import.meta.main) {
  const iters = Number(Deno.args[0] ?? 5);
  const info = deviceInfo();
  console.log(`adapter: ${info.description} (${info.backend}), ${iters} alternating iterations`);
  console.log(
    "shape                    pass          neurad ms  TF.js ms  TF.js/neurad  neurad GFLOP/s",
  );
  for (const c of cases) {
    const r = await compare(c, iters);
    console.log(
      `${c.label.padEnd(24)} ${c.pass.padEnd(12)} ${r.neurad.toFixed(1).padStart(10)} ${
        r.tfjs.toFixed(1).padStart(9)
      } ${(r.tfjs / r.neurad).toFixed(2).padStart(13)} ${
        (c.flops / r.neurad / 1e6).toFixed(2).padStart(15)
      }`,
    );
  }
} else {
  for (const c of cases) {
    Deno.bench({
      group: `${c.label} ${c.pass}`,
      name: "neurad",
      baseline: true,
      n: 5,
      warmup: 1,
      async fn(b) {
        b.start();
        c.neurad().dispose();
        await sync();
        b.end();
      },
    });
    Deno.bench({
      group: `${c.label} ${c.pass}`,
      name: "tfjs-webgpu",
      n: 5,
      warmup: 1,
      async fn(b) {
        b.start();
        const y = c.tfjs();
        await tfSync(y);
        y.dispose();
        b.end();
      },
    });
  }
}
