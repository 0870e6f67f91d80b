// Kernels at arguments just past llvmpipe's loop limit, against naive float64 references in
// TypeScript. llvmpipe ends every loop of an invocation once 65,535 loop passes have run in it
// (src/core/dispatch.ts, LOOP_ITERATION_LIMIT), silently; each case here would run more than that
// in one invocation if its wrapper did not split the work, so on llvmpipe a wrapper that forgot
// would return a wrong answer here. The signal sits at the end of every long loop (the codes,
// rows, columns and reduction positions the cut would drop), so a cut shows as a large error.
// Other dims are small to keep the file quick. The 2D and 3D median filters of the studies'
// post-processing run on the CPU (src/eval/postprocess/median_filter.ts), so they have no case.

import { deepStrictEqual, ok } from "node:assert";
import * as nd from "../../src/mod.ts";
import { _mm2d, type MatmulVariant } from "../../src/kernels/matmul.ts";
import { assertClose, hostRandom, setup } from "../helpers.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

/** Reads tensors back, then disposes them. */
async function take(...ts: nd.Tensor[]): Promise<Float32Array[]> {
  const out = await Promise.all(ts.map((t) => t.toArray() as Promise<Float32Array>));
  for (const t of ts) t.dispose();
  return out;
}

for (const [K, D] of [[1024, 256], [4096, 64], [8192, 256], [16384, 256]]) {
  for (const variant of ["register", "tiled"] as const) {
    Deno.test({
      ...opts,
      name: `nearestCode ${variant} K=${K} D=${D}: codes to the last one are found, no near-ties`,
      async fn() {
        await setup();
        const e = hostRandom(K * D, K + D);
        // Each row is a code plus a little noise; the targets include the last codes.
        const targets = [K - 1, K - 2, K - 13, K - 64, K - 65, K >> 1, 3, 0];
        for (let i = 0; targets.length < 24; i++) targets.push((i * 7919 + 11) % K);
        const N = targets.length;
        const noise = hostRandom(N * D, 5);
        const z = new Float32Array(N * D);
        targets.forEach((k, n) => {
          for (let d = 0; d < D; d++) z[n * D + d] = e[k * D + d] + 0.02 * noise[n * D + d];
        });
        const want: number[] = [], wantDist: number[] = [];
        for (let n = 0; n < N; n++) {
          let best = -1, bestD = Infinity, second = Infinity;
          for (let k = 0; k < K; k++) {
            let s = 0;
            for (let d = 0; d < D; d++) s += (z[n * D + d] - e[k * D + d]) ** 2;
            if (s < bestD) [second, best, bestD] = [bestD, k, s];
            else if (s < second) second = s;
          }
          ok(second - bestD > 0.1 * D, `row ${n}: nearest codes nearly tie`);
          want.push(best);
          wantDist.push(bestD);
        }
        deepStrictEqual(want, targets);
        const zt = nd.Tensor.from(z, [N, D]), et = nd.Tensor.from(e, [K, D]);
        const r = nd.nearestCode(zt, et, variant);
        const [idx, dist] = await take(r.indices, r.distances);
        zt.dispose();
        et.dispose();
        deepStrictEqual(Array.from(idx), want);
        assertClose(dist, wantDist, { atol: 1e-3, rtol: 1e-3, name: "distances" });
      },
    });
  }
}

Deno.test({
  ...opts,
  name: "reductions over one row of 2^20 elements: sum, mean, amax, amin, argmax, argmin",
  async fn() {
    await setup();
    const n = 1 << 20;
    const x = hostRandom(n, 3);
    x[n - 1] = 9; // the largest and the smallest sit at the end of the row
    x[n - 2] = -9;
    let s = 0;
    for (const v of x) s += v;
    const t = nd.Tensor.from(x, [1, n]);
    const [sum, mean, mx, mn, am, an] = await take(
      nd.sum(t, 1),
      nd.mean(t, -1),
      nd.amax(t, 1),
      nd.amin(t, 1),
      nd.argmax(t, 1),
      nd.argmin(t, 1),
    );
    t.dispose();
    assertClose(sum, [s], { atol: 2e-2, name: "sum" });
    assertClose(mean, [s / n], { atol: 1e-7, name: "mean" });
    deepStrictEqual([mx[0], mn[0], am[0], an[0]], [9, -9, n - 1, n - 2]);
  },
});

Deno.test({
  ...opts,
  name: "argmax and argmin over one row of 2^22 + 5 elements find the last ones",
  async fn() {
    await setup();
    const n = (1 << 22) + 5;
    const x = hostRandom(n, 4);
    x[n - 3] = 5;
    x[n - 1] = -5;
    const t = nd.Tensor.from(x, [n]);
    const [am, an] = await take(nd.argmax(t), nd.argmin(t));
    t.dispose();
    deepStrictEqual([am[0], an[0]], [n - 3, n - 1]);
  },
});

Deno.test({
  ...opts,
  name: "sum and amax over the outer and inner dims of [22000, 8, 2] (a bias-gradient layout)",
  async fn() {
    await setup();
    const [R0, K, R1] = [22000, 8, 2];
    const x = hostRandom(R0 * K * R1, 6);
    for (let k = 0; k < K; k++) x[((R0 - 1) * K + k) * R1 + 1] = 50 + k; // last rows dominate
    const sums = new Float64Array(K), maxs = new Array(K).fill(-Infinity);
    for (let a = 0; a < R0; a++) {
      for (let k = 0; k < K; k++) {
        for (let b = 0; b < R1; b++) {
          const v = x[(a * K + k) * R1 + b];
          sums[k] += v;
          maxs[k] = Math.max(maxs[k], v);
        }
      }
    }
    const t = nd.Tensor.from(x, [R0, K, R1]);
    const [s, m] = await take(nd.sum(t, [0, 2]), nd.amax(t, [0, 2]));
    t.dispose();
    assertClose(s, sums, { atol: 2e-2, name: "sum" });
    deepStrictEqual(Array.from(m), maxs);
  },
});

Deno.test({
  ...opts,
  name: "sum over dim 0 of [65600, 256] (one column per lane, 65,600 rows each)",
  async fn() {
    await setup();
    const [R, C] = [65600, 256];
    const x = new Float32Array(R * C);
    for (let c = 0; c < C; c++) {
      x[c] = 1;
      x[(R - 1) * C + c] = c; // the last row carries the signal
      x[(R - 40) * C + c] = 0.5;
    }
    const t = nd.Tensor.from(x, [R, C]);
    const [s] = await take(nd.sum(t, 0));
    t.dispose();
    assertClose(s, Array.from({ length: C }, (_, c) => 1.5 + c), { atol: 1e-5, name: "sum" });
  },
});

for (const variant of ["tiled", "tiled-scalar", "register"] as MatmulVariant[]) {
  Deno.test({
    ...opts,
    name: `matmul (${variant}) with K = 2^17 sums the whole reduction`,
    async fn() {
      await setup();
      const [M, K, N] = [3, 1 << 17, 4];
      const a = hostRandom(M * K, 8), b = hostRandom(K * N, 9);
      for (let i = 0; i < M; i++) a[i * K + K - 1] = 30 + i; // the last k dominates
      for (let j = 0; j < N; j++) b[(K - 1) * N + j] = 2 + j;
      const want = new Float64Array(M * N);
      for (let i = 0; i < M; i++) {
        for (let k = 0; k < K; k++) {
          const av = a[i * K + k];
          for (let j = 0; j < N; j++) want[i * N + j] += av * b[k * N + j];
        }
      }
      const at = nd.Tensor.from(a, [M, K]), bt = nd.Tensor.from(b, [K, N]);
      const [c] = await take(_mm2d(at, bt, variant));
      at.dispose();
      bt.dispose();
      assertClose(c, want, { atol: 0.05, name: `C (${variant})` });
    },
  });
}

Deno.test({
  ...opts,
  name: "conv2d weight gradient over 2 × 65,536 and 1 × 70,000 positions",
  async fn() {
    await setup();
    for (const [H, W] of [[2, 65536], [1, 70000]]) {
      const x = hostRandom(H * W, 10), g = hostRandom(H * W, 11);
      for (let i = 1; i <= 8; i++) g[H * W - i] = 40; // the last output columns dominate
      // dW[kh, kw] = Σ_{oy, ox} g[oy, ox] · x[oy − 1 + kh, ox − 1 + kw] (3×3, stride 1, pad 1).
      const want = new Float64Array(9);
      for (let kh = 0; kh < 3; kh++) {
        for (let kw = 0; kw < 3; kw++) {
          let s = 0;
          for (let oy = 0; oy < H; oy++) {
            const iy = oy - 1 + kh;
            if (iy < 0 || iy >= H) continue;
            for (let ox = 0; ox < W; ox++) {
              const ix = ox - 1 + kw;
              if (ix >= 0 && ix < W) s += g[oy * W + ox] * x[iy * W + ix];
            }
          }
          want[kh * 3 + kw] = s;
        }
      }
      const xt = nd.Tensor.from(x, [1, 1, H, W]);
      const wt = nd.Tensor.from(new Float32Array(9), [1, 1, 3, 3], { requiresGrad: true });
      const gt = nd.Tensor.from(g, [1, 1, H, W]);
      nd.tidy(() => nd.sum(nd.mul(nd.conv2d(xt, wt, null, { padding: 1 }), gt)).backward());
      const [dw] = await take(wt.grad!);
      for (const t of [xt, wt, gt]) t.dispose();
      assertClose(dw, want, { atol: 0.05, name: `dW over ${H}×${W}` });
    }
  },
});

Deno.test({
  ...opts,
  name: "conv2d with 13,500 input channels (every gather variant) matches a direct sum",
  async fn() {
    await setup();
    // Past every variant's split point (phased 3×3 with 4 channels × 8 positions: about 13,100).
    const [Cin, Cout, H, W] = [13500, 5, 4, 3];
    const x = hostRandom(Cin * H * W, 12), w = hostRandom(Cout * Cin * 9, 13);
    for (let i = 0; i < H * W; i++) x[(Cin - 1) * H * W + i] = 20; // the last channel dominates
    const bias = [0.5, -1, 2, 0, 3];
    const want = new Float64Array(Cout * H * W);
    for (let co = 0; co < Cout; co++) {
      for (let oy = 0; oy < H; oy++) {
        for (let ox = 0; ox < W; ox++) {
          let s = bias[co];
          for (let ci = 0; ci < Cin; ci++) {
            for (let kh = 0; kh < 3; kh++) {
              for (let kw = 0; kw < 3; kw++) {
                const iy = oy - 1 + kh, ix = ox - 1 + kw;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                s += x[(ci * H + iy) * W + ix] * w[((co * Cin + ci) * 3 + kh) * 3 + kw];
              }
            }
          }
          want[(co * H + oy) * W + ox] = Math.max(s, 0);
        }
      }
    }
    const xt = nd.Tensor.from(x, [1, Cin, H, W]), wt = nd.Tensor.from(w, [Cout, Cin, 3, 3]);
    const bt = nd.Tensor.from(bias, [Cout]);
    for (const variant of ["direct", "gemm", "phased"] as const) {
      const [y] = await take(nd.conv2dBiasAct(xt, wt, bt, "relu", { padding: 1, variant }));
      assertClose(y, want, { atol: 0.05, rtol: 1e-4, name: `conv2d ${variant}` });
    }
    for (const t of [xt, wt, bt]) t.dispose();
  },
});

Deno.test({
  ...opts,
  name: "segmentSum and bincount with K = 1,024 codes over 65,600 rows (codebook EMA statistics)",
  async fn() {
    await setup();
    const [N, K, D] = [65600, 1024, 3];
    const v = hostRandom(N * D, 14);
    const idx = new Int32Array(N);
    for (let n = 0; n < N; n++) idx[n] = (n * 37) % K;
    for (let n = N - 50; n < N; n++) idx[n] = K - 1; // the last rows all go to the last code
    const sums = new Float64Array(K * D), counts = new Float64Array(K);
    for (let n = 0; n < N; n++) {
      counts[idx[n]]++;
      for (let d = 0; d < D; d++) sums[idx[n] * D + d] += v[n * D + d];
    }
    const vt = nd.Tensor.from(v, [N, D]);
    const it = nd.Tensor.from(idx, [N], { dtype: "i32" });
    const [s, c] = await take(nd.segmentSum(vt, it, K), nd.bincount(it, K));
    vt.dispose();
    it.dispose();
    assertClose(s, sums, { atol: 1e-3, name: "segment sums" });
    deepStrictEqual(Array.from(c), Array.from(counts));
  },
});

Deno.test({
  ...opts,
  name: "softmax and logSoftmax over a row of 30,000",
  async fn() {
    await setup();
    const n = 30000;
    const x = hostRandom(n, 15);
    x[n - 1] = 12; // the last element holds most of the mass
    const m = Math.max(...x);
    let s = 0;
    for (const v of x) s += Math.exp(v - m);
    const t = nd.Tensor.from(x, [1, n]);
    const [y, ly] = await take(nd.softmax(t, -1), nd.logSoftmax(t, 1));
    t.dispose();
    assertClose(y, Array.from(x, (v) => Math.exp(v - m) / s), { atol: 1e-6, name: "softmax" });
    assertClose(ly, Array.from(x, (v) => v - m - Math.log(s)), { atol: 1e-4, name: "log" });
  },
});

Deno.test({
  ...opts,
  name: "interpolate's gradient from 1×2 up to 300×400 (each input read by 60,000 outputs)",
  async fn() {
    await setup();
    const g = hostRandom(300 * 400, 16);
    for (let ox = 0; ox < 400; ox++) g[299 * 400 + ox] = 3; // the last output row dominates
    for (const mode of ["nearest", "bilinear"] as const) {
      const x = nd.Tensor.from([1, 2], [1, 1, 1, 2], { requiresGrad: true });
      const gt = nd.Tensor.from(g, [1, 1, 300, 400]);
      nd.tidy(() => nd.sum(nd.mul(nd.interpolate(x, { size: [300, 400], mode }), gt)).backward());
      // Reference: the same weights the forward uses, read from a forward pass of unit inputs.
      const want = [0, 0];
      for (const i of [0, 1]) {
        const unit = nd.Tensor.from(i === 0 ? [1, 0] : [0, 1], [1, 1, 1, 2]);
        const [wts] = await take(nd.interpolate(unit, { size: [300, 400], mode }));
        unit.dispose();
        for (let o = 0; o < wts.length; o++) want[i] += wts[o] * g[o];
      }
      const [dx] = await take(x.grad!);
      x.dispose();
      gt.dispose();
      assertClose(dx, want, { atol: 1e-2, name: `dx (${mode})` });
    }
  },
});

Deno.test({
  ...opts,
  name: "batchNorm over 25,000 rows of 2 channels: statistics and gradients",
  async fn() {
    await setup();
    const [N, C] = [25000, 2];
    const x = hostRandom(N * C, 17);
    x[(N - 1) * C] = 40; // the last row shifts channel 0's statistics
    const r = hostRandom(N * C, 18);
    const xt = nd.Tensor.from(x, [N, C], { requiresGrad: true });
    const rt = nd.Tensor.from(r, [N, C]);
    const y = nd.tidy(() => {
      const out = nd.batchNorm(xt, null, null, null, null, true, 0.1, 1e-5);
      nd.sum(nd.mul(out, rt)).backward();
      return out;
    });
    const [yv, dx] = await take(y, xt.grad!);
    xt.dispose();
    rt.dispose();
    const wantY = new Float64Array(N * C), wantDx = new Float64Array(N * C);
    for (let c = 0; c < C; c++) {
      let mean = 0, v = 0, sr = 0, srx = 0;
      for (let n = 0; n < N; n++) mean += x[n * C + c] / N;
      for (let n = 0; n < N; n++) v += (x[n * C + c] - mean) ** 2 / N;
      const rstd = 1 / Math.sqrt(v + 1e-5);
      for (let n = 0; n < N; n++) {
        const xh = (x[n * C + c] - mean) * rstd;
        wantY[n * C + c] = xh;
        sr += r[n * C + c];
        srx += r[n * C + c] * xh;
      }
      for (let n = 0; n < N; n++) {
        const xh = wantY[n * C + c];
        wantDx[n * C + c] = rstd * (r[n * C + c] - (sr + xh * srx) / N);
      }
    }
    assertClose(yv, wantY, { atol: 2e-4, name: "y" });
    assertClose(dx, wantDx, { atol: 2e-4, name: "dx" });
  },
});
