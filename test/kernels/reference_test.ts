// Engine kernels against naive TypeScript loops at awkward and large shapes: both matmul
// variants, the reduction paths (short rows, one workgroup per row, two-pass split), argmax
// ties, grids beyond 65,535 workgroups, and the counter-based RNG (bits and determinism).

import { scope } from "../../src/mod.ts";
import * as nd from "../../src/mod.ts";
import { _mm2d } from "../../src/kernels/matmul.ts";
import { assertClose, hostRandom, setup } from "../helpers.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

function naiveMatmul(a: Float32Array, b: Float32Array, M: number, K: number, N: number) {
  const c = new Float32Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let k = 0; k < K; k++) {
      const av = a[i * K + k];
      for (let j = 0; j < N; j++) c[i * N + j] += av * b[k * N + j];
    }
  }
  return c;
}

for (const variant of ["tiled", "tiled-scalar", "register"] as const) {
  // Shapes with K, N multiples of 4 take the vec4 kernel under "tiled".
  for (
    const [M, K, N] of [[95, 79, 33], [1, 17, 1], [64, 64, 64], [130, 3, 67], [97, 36, 132], [
      3,
      4,
      4,
    ]]
  ) {
    Deno.test({
      ...opts,
      name: `matmul (${variant}) matches a naive loop at ${M}×${K}·${K}×${N}`,
      async fn() {
        using _testScope = scope(); // what the test makes is freed when it ends (tests run one at a time)
        await setup();
        const a = hostRandom(M * K, M + K), b = hostRandom(K * N, K + N + 1);
        const ta = nd.Tensor.from(a, [M, K]), tb = nd.Tensor.from(b, [K, N]);
        const c = _mm2d(ta, tb, variant);
        assertClose(await c.toArray(), naiveMatmul(a, b, M, K, N), { name: `matmul ${variant}` });
        for (const t of [ta, tb, c]) t.dispose();
      },
    });
  }
}

for (const [rows, len] of [[300, 7], [5, 1000], [3, 70001], [1, 1]]) {
  Deno.test({
    ...opts,
    name: `sum/amax/argmax rows match naive loops for [${rows}, ${len}]`,
    async fn() {
      using _testScope = scope(); // what the test makes is freed when it ends (tests run one at a time)
      await setup();
      const x = hostRandom(rows * len, rows * 7 + len);
      const t = nd.Tensor.from(x, [rows, len]);
      const s = nd.sum(t, 1), m = nd.amax(t, 1), am = nd.argmax(t, 1);
      const es = new Float32Array(rows), em = new Float32Array(rows), ea = new Int32Array(rows);
      for (let r = 0; r < rows; r++) {
        let acc = 0, best = -Infinity, bi = 0;
        for (let k = 0; k < len; k++) {
          const v = x[r * len + k];
          acc += v;
          if (v > best) [best, bi] = [v, k];
        }
        [es[r], em[r], ea[r]] = [acc, best, bi];
      }
      assertClose(await s.toArray(), es, { atol: 1e-5 * Math.sqrt(len), name: "sum" });
      assertClose(await m.toArray(), em, { atol: 0, name: "amax" });
      assertClose(await am.toArray(), ea, { atol: 0, name: "argmax" });
      for (const v of [t, s, m, am]) v.dispose();
    },
  });
}

Deno.test({
  ...opts,
  name: "argmax() and argmin() break ties to the lowest index",
  async fn() {
    using _testScope = scope(); // what the test makes is freed when it ends (tests run one at a time)
    await setup();
    const t = nd.Tensor.from([1, 5, 5, 0, 5, -2, -2, 3, 3, 3, 3, 3], [3, 4]);
    assertClose(await nd.argmax(t, 1).toArray(), [1, 0, 0], { atol: 0 });
    assertClose(await nd.argmin(t, 1).toArray(), [3, 1, 0], { atol: 0 });
    assertClose(await nd.argmax(t).toArray(), [1], { atol: 0 });
  },
});

Deno.test({
  ...opts,
  name: "elementwise ops cover grids beyond 65,535 workgroups",
  async fn() {
    using _testScope = scope(); // what the test makes is freed when it ends (tests run one at a time)
    await setup();
    const n = 65535 * 256 + 1000;
    const a = nd.arange(0, n);
    const b = nd.addScalar(a, 1);
    const y = await b.toArray();
    for (const i of [0, 1, 65535 * 256 - 1, 65535 * 256, n - 1]) {
      if (y[i] !== Math.fround(i + 1)) throw new Error(`index ${i}: ${y[i]}`);
    }
    a.dispose();
    b.dispose();
  },
});

// Threefry-2x32, 20 rounds: an independent host implementation of the kernel's generator.
function threefry(k0: number, k1: number, c0: number, c1: number): [number, number] {
  const rot = [13, 15, 26, 6, 17, 29, 16, 24];
  const ks = [k0 >>> 0, k1 >>> 0, (k0 ^ k1 ^ 0x1bd11bda) >>> 0];
  let x0 = (c0 + ks[0]) >>> 0, x1 = (c1 + ks[1]) >>> 0;
  for (let i = 0; i < 5; i++) {
    for (let j = 0; j < 4; j++) {
      x0 = (x0 + x1) >>> 0;
      const r = rot[(i % 2) * 4 + j];
      x1 = ((x1 << r) | (x1 >>> (32 - r))) >>> 0;
      x1 = (x1 ^ x0) >>> 0;
    }
    x0 = (x0 + ks[(i + 1) % 3]) >>> 0;
    x1 = (x1 + ks[(i + 2) % 3] + i + 1) >>> 0;
  }
  return [x0, x1];
}

Deno.test({
  ...opts,
  name: "rand() produces the Threefry-2x32 bits of a host reference; same seed, same bits",
  async fn() {
    using _testScope = scope(); // what the test makes is freed when it ends (tests run one at a time)
    await setup();
    nd.manualSeed(42);
    const a = await nd.rand([1000]).toArray();
    const expected = new Float32Array(1000);
    for (let i = 0; i < 1000; i++) expected[i] = (threefry(42, 0, i, 0)[0] >>> 8) / 16777216;
    assertClose(a, expected, { atol: 0, name: "rand bits" });
    nd.manualSeed(42);
    const b = await nd.rand([1000]).toArray();
    assertClose(b, a, { atol: 0, name: "determinism" });
    const c = await nd.rand([1000]).toArray();
    if (c.every((v, i) => v === a[i])) {
      throw new Error("second call repeated the first call's numbers");
    }
  },
});

Deno.test({
  ...opts,
  name: "randn() has mean 0 and std 1 and is deterministic per seed",
  async fn() {
    using _testScope = scope(); // what the test makes is freed when it ends (tests run one at a time)
    await setup();
    nd.manualSeed(7);
    const x = await nd.randn([200000]).toArray();
    let m = 0, v = 0;
    for (const e of x) m += e;
    m /= x.length;
    for (const e of x) v += (e - m) ** 2;
    const sd = Math.sqrt(v / x.length);
    if (Math.abs(m) > 0.01 || Math.abs(sd - 1) > 0.01) throw new Error(`mean ${m}, std ${sd}`);
    nd.manualSeed(7);
    const y = await nd.randn([200000]).toArray();
    if (!y.every((e, i) => Object.is(e, x[i]))) {
      throw new Error("randn not bit-identical for the same seed");
    }
  },
});

Deno.test({
  ...opts,
  name: "amax/amin/argmax propagate NaN as PyTorch does",
  async fn() {
    using _testScope = scope(); // what the test makes is freed when it ends (tests run one at a time)
    await setup();
    const t = nd.Tensor.from([1, NaN, 2, 0, 3, -1], [2, 3]);
    const mx = await nd.amax(t, 1).toArray(), mn = await nd.amin(t, 1).toArray();
    if (!Number.isNaN(mx[0]) || mx[1] !== 3 || !Number.isNaN(mn[0]) || mn[1] !== -1) {
      throw new Error(`amax ${mx}, amin ${mn}`);
    }
    assertClose(await nd.argmax(t, 1).toArray(), [1, 1], { atol: 0, name: "argmax" });
    const big = new Float32Array(70001).fill(1);
    big[50000] = NaN; // the two-pass split path too
    if (!Number.isNaN(await nd.amax(nd.Tensor.from(big)).item())) {
      throw new Error("split path lost NaN");
    }
  },
});

Deno.test({
  ...opts,
  name: "matmul handles more than 65,535 batch entries (grid folded over y and z)",
  async fn() {
    using _testScope = scope(); // what the test makes is freed when it ends (tests run one at a time)
    await setup();
    const batch = 70000;
    const a = hostRandom(batch * 2 * 3, 5), b = hostRandom(3 * 2, 6);
    const ta = nd.Tensor.from(a, [batch, 2, 3]), tb = nd.Tensor.from(b, [3, 2]);
    for (const variant of ["tiled", "register"]) {
      Deno.env.set("NEURAD_MATMUL", variant);
      const c = nd.matmul(ta, tb);
      const got = await c.toArray();
      for (const i of [0, 1, 65535, 65536, batch - 1]) {
        const ref = naiveMatmul(a.subarray(i * 6, i * 6 + 6), b, 2, 3, 2);
        assertClose(got.subarray(i * 4, i * 4 + 4), ref, { name: `${variant} batch ${i}` });
      }
      c.dispose();
    }
    Deno.env.delete("NEURAD_MATMUL");
    ta.dispose();
    tb.dispose();
  },
});
