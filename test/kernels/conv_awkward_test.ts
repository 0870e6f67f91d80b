// conv2d() forward, input gradient and weight gradient against naive TypeScript loops at awkward
// shapes (95×79 maps, odd channel counts, stride 2 and 3, padding, batch 1 and 2, 1 output
// channel, k7, over 32 input channels), every gather variant: the phased kernel's phase split,
// the register-block edges of it and of the weight-gradient tile in particular.

import { conv2d } from "../../src/kernels/conv2d.ts";
import type { ConvVariant } from "../../src/kernels/conv_gather.ts";
import * as nd from "../../src/mod.ts";
import { Tensor } from "../../src/mod.ts";
import { assertClose, hostRandom, setup } from "../helpers.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

interface Conv {
  N: number;
  C: number;
  H: number;
  W: number;
  Co: number;
  k: number;
  s: number;
  p: number;
}

/** y, dx and dw of y = conv2d(x, w) with upstream gradient gy, by the definition. */
function naiveConv(
  { N, C, H, W, Co, k, s, p }: Conv,
  x: Float32Array,
  w: Float32Array,
  gy: Float32Array,
) {
  const Ho = Math.floor((H + 2 * p - k) / s) + 1, Wo = Math.floor((W + 2 * p - k) / s) + 1;
  const y = new Float32Array(N * Co * Ho * Wo);
  const dx = new Float32Array(x.length), dw = new Float32Array(w.length);
  for (let n = 0; n < N; n++) {
    for (let co = 0; co < Co; co++) {
      for (let oy = 0; oy < Ho; oy++) {
        for (let ox = 0; ox < Wo; ox++) {
          const yi = ((n * Co + co) * Ho + oy) * Wo + ox;
          let acc = 0;
          for (let ci = 0; ci < C; ci++) {
            for (let kh = 0; kh < k; kh++) {
              const iy = oy * s - p + kh;
              if (iy < 0 || iy >= H) continue;
              for (let kw = 0; kw < k; kw++) {
                const ix = ox * s - p + kw;
                if (ix < 0 || ix >= W) continue;
                const xi = ((n * C + ci) * H + iy) * W + ix;
                const wi = ((co * C + ci) * k + kh) * k + kw;
                acc += x[xi] * w[wi];
                dx[xi] += gy[yi] * w[wi];
                dw[wi] += gy[yi] * x[xi];
              }
            }
          }
          y[yi] = acc;
        }
      }
    }
  }
  return { y, dx, dw };
}

const CASES: [string, Conv][] = [
  ["95×79 k3 s1 p1, 3→5, batch 1", { N: 1, C: 3, H: 95, W: 79, Co: 5, k: 3, s: 1, p: 1 }],
  ["95×79 k5 s2 p2, 4→33, batch 1", { N: 1, C: 4, H: 95, W: 79, Co: 33, k: 5, s: 2, p: 2 }],
  ["95×79 k4 s2 p1, 2→1, batch 2", { N: 2, C: 2, H: 95, W: 79, Co: 1, k: 4, s: 2, p: 1 }],
  ["13×11 k3 s2 p0, 6→17, batch 2", { N: 2, C: 6, H: 13, W: 11, Co: 17, k: 3, s: 2, p: 0 }],
  ["9×7 k3 s3 p2, 5→40, batch 1", { N: 1, C: 5, H: 9, W: 7, Co: 40, k: 3, s: 3, p: 2 }],
  ["17×15 k7 s1 p3, 3→6, batch 2", { N: 2, C: 3, H: 17, W: 15, Co: 6, k: 7, s: 1, p: 3 }],
  ["11×9 k3 s1 p1, 37→9, batch 1", { N: 1, C: 37, H: 11, W: 9, Co: 9, k: 3, s: 1, p: 1 }],
];

for (const variant of ["phased", "direct", "gemm"] as ConvVariant[]) {
  for (const [label, c] of CASES) {
    Deno.test({
      ...opts,
      name: `conv2d() matches naive loops, forward and gradients: ${label} (${variant})`,
      async fn() {
        await setup();
        const hx = hostRandom(c.N * c.C * c.H * c.W, 1);
        const hw = hostRandom(c.Co * c.C * c.k * c.k, 2);
        const Ho = Math.floor((c.H + 2 * c.p - c.k) / c.s) + 1;
        const Wo = Math.floor((c.W + 2 * c.p - c.k) / c.s) + 1;
        const hg = hostRandom(c.N * c.Co * Ho * Wo, 3);
        const { y, dx, dw } = naiveConv(c, hx, hw, hg);
        const x = Tensor.from(hx, [c.N, c.C, c.H, c.W], { requiresGrad: true });
        const w = Tensor.from(hw, [c.Co, c.C, c.k, c.k], { requiresGrad: true });
        const out = conv2d(x, w, null, { stride: c.s, padding: c.p, variant });
        const g = Tensor.from(hg, out.shape);
        out.backward(g);
        const tol = { atol: 1e-4, rtol: 1e-4 };
        assertClose(await out.toArray(), y, tol);
        assertClose(await x.grad!.toArray(), dx, tol);
        assertClose(await w.grad!.toArray(), dw, tol);
        for (const t of [x, w, out, g]) t.dispose();
        nd.flush();
      },
    });
  }
}
