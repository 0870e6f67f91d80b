// The same engine computations, run once by Deno's WebGPU and once by a browser's (Chromium's
// Tint compiler and its own adapter): forward values and gradients of the ops a model uses, on
// awkward shapes, and at sizes past llvmpipe's loop budget, where the wrappers split kernels and
// merge partial results. Written against the engine's public API object only, so the browser
// bundle and the Deno test call the very same code. Inputs come from a seeded hash, never from the
// GPU RNG.

import type * as Engine from "../../src/mod.ts";

type Nr = typeof Engine;

/** Deterministic values in [-1, 1) (mulberry32), the same in both runtimes. */
function data(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296 * 2 - 1;
  }
  return out;
}

const numel = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** Every case: name → flat values (outputs and gradients concatenated in a fixed order). */
export async function engineCases(nr: Nr): Promise<Record<string, number[]>> {
  await nr.getDevice();
  const out: Record<string, number[]> = {};
  const t = (shape: number[], seed: number, requiresGrad = false) =>
    nr.Tensor.from(data(numel(shape), seed), shape, { requiresGrad });
  /**
   * One case: `build` returns the tensors to compare (its intermediates are freed as it returns),
   * which are read back in order; then they and the case's `inputs` (with their gradients) are
   * freed.
   */
  const check = async (name: string, inputs: Engine.Tensor[], build: () => Engine.Tensor[]) => {
    const outs = nr.tidy(build);
    const arrays = await Promise.all(outs.map((x) => x.toArray()));
    out[name] = arrays.flatMap((a) => Array.from(a as Float32Array));
    for (const x of [...outs, ...inputs]) x.dispose();
  };
  const live0 = nr.memoryStats().liveBuffers;

  {
    const a = t([37, 53], 1, true), b = t([53, 29], 2, true);
    await check("matmul 37×53 · 53×29, forward and both gradients", [a, b], () => {
      const y = nr.matmul(a, b);
      nr.sum(nr.square(y)).backward();
      return [y, a.grad!, b.grad!];
    });
  }
  for (const [stride, padding] of [[1, 1], [2, 2], [3, 2]]) {
    const x = t([2, 5, 9, 7], 3, true), w = t([6, 5, 3, 3], 4, true), bias = t([6], 5, true);
    await check(
      `conv2d 2×5×9×7 k3 s${stride} p${padding} → 6, forward and gradients`,
      [x, w, bias],
      () => {
        const y = nr.conv2d(x, w, bias, { stride, padding });
        nr.sum(nr.mul(y, y)).backward();
        return [y, x.grad!, w.grad!, bias.grad!];
      },
    );
  }
  {
    const x = t([1, 4, 5, 6], 6, true), w = t([4, 3, 4, 4], 7, true);
    await check("convTranspose2d 1×4×5×6 k4 s2 p1 → 3, forward and gradients", [x, w], () => {
      const y = nr.convTranspose2d(x, w, null, { stride: 2, padding: 1 });
      nr.sum(nr.square(y)).backward();
      return [y, x.grad!, w.grad!];
    });
  }
  {
    const x = t([2, 8, 5, 3], 8, true), g = t([8], 9, true), b = t([8], 10, true);
    await check(
      "groupNorm + SiLU, 4 groups of 2 channels, forward and gradients",
      [x, g, b],
      () => {
        const y = nr.groupNormSilu(x, 4, g, b, 1e-6);
        nr.sum(nr.square(y)).backward();
        return [y, x.grad!, g.grad!, b.grad!];
      },
    );
  }
  {
    const x = t([3, 17], 11, true), w = t([3, 17], 12);
    await check("softmax over 17, forward and gradient", [x, w], () => {
      const y = nr.softmax(x, -1);
      nr.sum(nr.mul(y, w)).backward();
      return [y, x.grad!];
    });
  }
  await check("NaN and ±Infinity through tanh, sigmoid, relu, abs", [], () => {
    const x = nr.Tensor.from([NaN, -Infinity, -2, 0, 0.5, Infinity], [6]);
    return [nr.tanh(x), nr.sigmoid(x), nr.relu(x), nr.abs(x)];
  });
  {
    const x = t([4, 33, 5], 13);
    await check("sum, mean, amax, variance over middle, outer and last dims", [x], () => [
      nr.sum(x, 1),
      nr.mean(x, [0, 2]),
      nr.amax(x, -1),
      nr.variance(x, 1, { correction: 1 }),
    ]);
  }
  {
    // Rows shorter than a workgroup leave lanes at the identity (±Infinity, made at run time):
    // the row, small-row and strided reductions, with ±Infinity and NaN among the values.
    const x = t([5, 7, 3], 16, true);
    await check("amax / amin over last, middle and outer dims with ±Infinity and NaN", [x], () => {
      const special = nr.Tensor.from([Infinity, -Infinity, NaN, 2, -Infinity, -3, 0.5], [7, 1]);
      const ys = [
        nr.amax(x, -1),
        nr.amin(x, 1),
        nr.amax(x, [0, 2]),
        nr.amin(x, [0, 1]),
        nr.amax(special, 0),
        nr.amin(special, 0),
        nr.amax(nr.Tensor.from([-Infinity, -Infinity], [2]), 0),
        nr.amin(nr.Tensor.from([Infinity, Infinity], [2]), 0),
      ];
      nr.add(nr.sum(ys[0]), nr.sum(ys[1])).backward();
      return [...ys, x.grad!];
    });
  }
  {
    const x = t([300, 5], 17);
    await check("amax / amin of 300 rows of 5 (one lane per row), argmax, argmin", [x], () => [
      nr.amax(x, 1),
      nr.amin(x, 1),
      nr.argmax(x, 1),
      nr.argmin(x, 0),
    ]);
  }
  {
    // Padded windows start from −Infinity (made at run time); NaN in a window wins.
    const x = t([2, 3, 7, 6], 18, true);
    await check("maxPool2d k3 s2 p1 forward and gradient, NaN window, avgPool2d", [x], () => {
      const y = nr.maxPool2d(x, 3, 2, 1);
      nr.sum(nr.square(y)).backward();
      const withNan = nr.Tensor.from([NaN, 1, 2, 3, -Infinity, 4, 5, 6, 7], [1, 1, 3, 3]);
      return [y, x.grad!, nr.maxPool2d(withNan, 2, 1, 1), nr.avgPool2d(x, 2)];
    });
  }
  await check(
    "pow: negative bases with fractional exponents are NaN; zero and NaN cases",
    [],
    () => {
      // NaN for a negative base and a fractional exponent (made at run time), as torch.pow.
      const base = nr.Tensor.from([-2, -0.5, 0, 0, 1.5, 2, -3, -1, NaN, 1, -0, -0, 0], [13]);
      const expo = nr.Tensor.from([0.5, 2, 0, -1, 2.5, -0.5, 3, 1.5, 0, NaN, -1, 3, 2], [13]);
      return [nr.pow(base, expo), nr.powScalar(base, 0.5), nr.powScalar(base, 3)];
    },
  );
  for (const variant of ["register", "tiled"] as const) {
    const z = t([23, 8], 14), codes = t([19, 8], 15);
    await check(`nearestCode ${variant}: 23 vectors, 19 codes of 8, a NaN row`, [z, codes], () => {
      const nanRow = nr.Tensor.from(new Float32Array(8).fill(NaN), [1, 8]);
      const r = nr.nearestCode(z, codes, variant);
      const rn = nr.nearestCode(nanRow, codes, variant);
      return [r.indices, r.distances, rn.indices, rn.distances];
    });
  }
  for (const mode of ["nearest", "bilinear"] as const) {
    const x = t([2, 3, 5, 4], 19, true);
    await check(`interpolate ${mode} ×2 and to 3×7, forward and gradient`, [x], () => {
      const y = nr.interpolate(x, { scaleFactor: 2, mode });
      const y2 = nr.interpolate(x, { size: [3, 7], mode });
      nr.add(nr.sum(nr.square(y)), nr.sum(nr.square(y2))).backward();
      return [y, y2, x.grad!];
    });
  }
  {
    const p = t([37], 20), g = t([37], 21), m = t([37], 22), v0 = t([37], 23);
    const v = nr.abs(v0);
    await check("adamStep: two steps (Adam then AdamW) of 37 parameters", [p, g, m, v0, v], () => {
      for (const step of [1, 2]) {
        nr.adamStep(p, g, m, v, step, {
          lr: 0.01,
          beta1: 0.9,
          beta2: 0.999,
          eps: 1e-8,
          weightDecay: 0.1,
          decoupled: step === 2,
        });
      }
      return [p, m, v];
    });
  }
  // Past llvmpipe's loop budget (65,535 loop passes per invocation): the wrappers split these on
  // every adapter, so the browser runs the split kernels and their merges too.
  for (const variant of ["register", "tiled"] as const) {
    const [K, D] = variant === "register" ? [1024, 256] : [16384, 256];
    const codes = t([K, D], 30);
    await check(`nearestCode ${variant}: ${K} codes of ${D}, codebook split`, [codes], () => {
      const e = data(K * D, 30);
      const rows = [K - 1, K - 5, K >> 1, 7];
      const z = new Float32Array(rows.length * D);
      rows.forEach((k, n) => z.set(e.subarray(k * D, (k + 1) * D).map((v) => v + 0.01), n * D));
      const r = nr.nearestCode(nr.Tensor.from(z, [rows.length, D]), codes, variant);
      return [r.indices, r.distances];
    });
  }
  {
    const a = t([2, 1 << 17], 31), b = t([1 << 17, 3], 32);
    await check("matmul with K = 2^17 (split over K)", [a, b], () => [nr.matmul(a, b)]);
  }
  {
    const x = t([(1 << 22) + 5], 33);
    await check("argmax / argmin of 2^22 + 5 values (candidates merged)", [x], () => [
      nr.argmax(x),
      nr.argmin(x),
    ]);
  }
  {
    const x = t([22000, 8, 2], 34);
    await check("sum / amax over dims 0 and 2 of [22000, 8, 2] (split planes)", [x], () => [
      nr.sum(x, [0, 2]),
      nr.amax(x, [0, 2]),
    ]);
  }
  {
    const x = t([1, 4000, 4, 3], 35), w = t([5, 4000, 3, 3], 36), b = t([5], 37);
    await check(
      "conv2d with 4,000 input channels, every variant (channel splits)",
      [x, w, b],
      () =>
        (["direct", "gemm", "phased"] as const).map((variant) =>
          nr.conv2dBiasAct(x, w, b, "leakyRelu", { padding: 1, variant })
        ),
    );
  }
  {
    const x = t([1, 1, 1, 70000], 38), w = t([1, 1, 3, 3], 39, true), g = t([1, 1, 1, 70000], 40);
    await check("conv2d weight gradient over a row of 70,000 (column splits)", [x, w, g], () => {
      nr.sum(nr.mul(nr.conv2d(x, w, null, { padding: 1 }), g)).backward();
      return [w.grad!];
    });
  }
  {
    const [N, K, D] = [65600, 1024, 3];
    const v = t([N, D], 41);
    const idx = nr.Tensor.from(Int32Array.from({ length: N }, (_, n) => (n * 37) % K), [N], {
      dtype: "i32",
    });
    await check(
      "segmentSum and bincount over 65,600 rows, 1,024 codes (row splits)",
      [v, idx],
      () => [
        nr.segmentSum(v, idx, K),
        nr.bincount(idx, K),
      ],
    );
  }
  {
    const x = t([2, 30000], 42, true), w = t([2, 30000], 43);
    await check("softmax and logSoftmax over 30,000 (from reductions), gradient", [x, w], () => {
      const y = nr.softmax(x, -1);
      nr.sum(nr.mul(y, w)).backward();
      return [y, nr.logSoftmax(x, 1), x.grad!];
    });
  }
  {
    const x = t([1, 1, 1, 2], 44, true), g = t([1, 1, 300, 400], 45);
    await check("interpolate gradient from 300×400 to 1×2 (two passes)", [x, g], () => {
      nr.sum(nr.mul(nr.interpolate(x, { size: [300, 400], mode: "bilinear" }), g)).backward();
      return [x.grad!];
    });
  }
  {
    const x = t([25000, 2], 46, true), r = t([25000, 2], 47);
    await check("batchNorm over 25,000 rows, gradient (split statistics and sums)", [x, r], () => {
      const y = nr.batchNorm(x, null, null, null, null, true);
      nr.sum(nr.mul(y, r)).backward();
      return [y, x.grad!];
    });
  }
  await nr.flush();
  out["live buffers after every case freed"] = [nr.memoryStats().liveBuffers - live0];
  return out;
}
