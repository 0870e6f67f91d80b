// nearestCode() (both kernel variants) against a float64 brute force: random, clustered and
// tied data, awkward shapes, NaN rows, grids over 65,535 workgroups; embedding(), segmentSum()
// and bincount() against host references, with a finite-difference gradcheck and a leak check.

import { deepStrictEqual as assertEquals } from "node:assert";
import { scope, Tensor } from "../../src/mod.ts";
import { nearestCode, type NearestCodeVariant } from "../../src/kernels/nearest_code.ts";
import { embedding, segmentSum } from "../../src/kernels/embedding.ts";
import { bincount } from "../../src/kernels/bincount.ts";
import { assertClose, assertNoLeak, gradcheck, hostRandom, setup } from "../helpers.ts";

const VARIANTS: NearestCodeVariant[] = ["register", "tiled"];

/** Squared distances of row n to every code, in float64. */
function hostDistances(z: Float32Array, e: Float32Array, n: number, K: number, D: number) {
  const out = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    let s = 0;
    for (let d = 0; d < D; d++) s += (z[n * D + d] - e[k * D + d]) ** 2;
    out[k] = s;
  }
  return out;
}

async function run(
  z: Float32Array,
  e: Float32Array,
  N: number,
  K: number,
  D: number,
  v: NearestCodeVariant,
) {
  const zt = Tensor.from(z, [N, D]), et = Tensor.from(e, [K, D]);
  const { indices, distances } = nearestCode(zt, et, v);
  const idx = await indices.toArray() as Int32Array;
  const dist = await distances.toArray() as Float32Array;
  for (const t of [zt, et, indices, distances]) t.dispose();
  return { idx, dist };
}

/**
 * Checks GPU indices against the float64 argmin: an index may differ only where its true
 * distance is within f32 rounding of the minimum; distances must match the chosen code's.
 */
async function checkBruteForce(
  N: number,
  K: number,
  D: number,
  seed: number,
  v: NearestCodeVariant,
) {
  const z = hostRandom(N * D, seed), e = hostRandom(K * D, seed + 1).map((x) => x * 0.7);
  const { idx, dist } = await run(z, e, N, K, D, v);
  const want = new Float64Array(N);
  let exact = 0;
  for (let n = 0; n < N; n++) {
    const ds = hostDistances(z, e, n, K, D);
    let best = 0;
    for (let k = 1; k < K; k++) if (ds[k] < ds[best]) best = k;
    const scale = 2 * D; // ‖z‖² + ‖e‖² bound: the f32 expansion's rounding is relative to it
    if (idx[n] !== best && !(ds[idx[n]] - ds[best] <= 1e-5 * scale)) {
      throw new Error(
        `${v} N=${N} K=${K} D=${D}: row ${n} got code ${idx[n]} (d ${
          ds[idx[n]]
        }), nearest ${best} (d ${ds[best]})`,
      );
    }
    if (idx[n] === best) exact++;
    want[n] = ds[idx[n]];
  }
  if (exact < N * 0.98) throw new Error(`${v}: only ${exact}/${N} indices equal the argmin`);
  assertClose(dist, want, { atol: 2e-5 * 2 * D, name: `${v} distances N=${N} K=${K} D=${D}` });
}

for (const v of VARIANTS) {
  Deno.test({
    name: `nearestCode() ${v} matches brute force on random data of awkward shapes`,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      using _testScope = scope(); // what the test makes is freed when it ends (tests run one at a time)
      await setup();
      const shapes: [number, number, number][] = [
        [1, 1, 1],
        [3, 2, 1],
        [257, 5, 3],
        [320, 64, 32],
        [100, 67, 17],
        [513, 130, 33],
        [70, 256, 256],
        [65, 1030, 8],
      ];
      let seed = 10;
      for (const [N, K, D] of shapes) await checkBruteForce(N, K, D, seed += 2, v);
    },
  });

  Deno.test({
    name: `nearestCode() ${v} resolves exact ties to the lowest index`,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      using _testScope = scope(); // what the test makes is freed when it ends (tests run one at a time)
      await setup();
      // 1) Duplicate codebook rows of arbitrary (non-dyadic) values, duplicates placed in other
      // register blocks and other 64-code tiles than their originals: the chosen code must
      // always be the first occurrence, so duplicates must produce bitwise-equal distances.
      const D = 19, U = 70, K = 150, N = 400;
      const uniq = hostRandom(U * D, 3);
      const e = new Float32Array(K * D);
      const first = new Int32Array(K);
      const firstOf = new Map<number, number>();
      for (let k = 0; k < K; k++) {
        const u = (k * 37) % U; // a permutation with repeats: codes k and k' share rows
        e.set(uniq.subarray(u * D, (u + 1) * D), k * D);
        if (!firstOf.has(u)) firstOf.set(u, k);
        first[k] = firstOf.get(u)!;
      }
      const z = hostRandom(N * D, 4);
      const { idx } = await run(z, e, N, K, D, v);
      for (let n = 0; n < N; n++) {
        if (idx[n] !== first[idx[n]]) {
          throw new Error(`row ${n}: code ${idx[n]} is a later duplicate of ${first[idx[n]]}`);
        }
      }
      // 2) Points exactly equidistant from several codes (dyadic values: every product and sum
      // is exact): midpoints, centres of squares, and points on symmetry planes.
      const D2 = 4, K2 = 9;
      const codes = new Float32Array(K2 * D2);
      for (let k = 0; k < K2; k++) {
        codes[k * D2] = (k % 3) * 0.5;
        codes[k * D2 + 1] = Math.floor(k / 3) * 0.5;
        codes[k * D2 + 2] = 0.25;
        codes[k * D2 + 3] = -0.75;
      }
      const pts: number[] = [];
      for (let a = -1; a <= 5; a++) {
        for (let b = -1; b <= 5; b++) {
          pts.push(a * 0.125, b * 0.125, 0.25 + (a - b) * 0.0625, -0.75);
        }
      }
      const N2 = pts.length / D2;
      const z2 = Float32Array.from(pts);
      const got = await run(z2, codes, N2, K2, D2, v);
      let ties = 0;
      for (let n = 0; n < N2; n++) {
        const ds = hostDistances(z2, codes, n, K2, D2);
        let best = 0;
        for (let k = 1; k < K2; k++) if (ds[k] < ds[best]) best = k;
        if (ds.filter((x) => x === ds[best]).length > 1) ties++;
        assertEquals(got.idx[n], best, `row ${n} (${pts.slice(n * D2, n * D2 + 2)})`);
        assertEquals(got.dist[n], ds[best], `distance of row ${n}`);
      }
      if (ties < 10) throw new Error(`only ${ties} tied rows: the test lost its point`);
    },
  });

  Deno.test({
    name: `nearestCode() ${v} finds the generating centre of clustered data; NaN rows get code 0`,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      using _testScope = scope(); // what the test makes is freed when it ends (tests run one at a time)
      await setup();
      const K = 67, D = 24, N = 1000;
      const centres = hostRandom(K * D, 21).map((x) => 4 * x);
      const noise = hostRandom(N * D, 22);
      const z = new Float32Array(N * D), truth = new Int32Array(N);
      for (let n = 0; n < N; n++) {
        truth[n] = (n * 13) % K;
        for (let d = 0; d < D; d++) {
          z[n * D + d] = centres[truth[n] * D + d] + 0.01 * noise[n * D + d];
        }
      }
      z[5 * D + 3] = NaN;
      const { idx, dist } = await run(z, centres, N, K, D, v);
      for (let n = 0; n < N; n++) {
        if (n === 5) continue;
        assertEquals(idx[n], truth[n], `row ${n}`);
        if (!(dist[n] >= 0 && dist[n] < 0.01 * D)) throw new Error(`row ${n}: distance ${dist[n]}`);
      }
      assertEquals(idx[5], 0);
      assertEquals(Number.isNaN(dist[5]), true);
    },
  });
}

Deno.test({
  name: "nearestCode() grids over 65,535 workgroups (tiled and register) match brute force",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    using _testScope = scope(); // what the test makes is freed when it ends (tests run one at a time)
    await setup();
    for (const [v, N] of [["tiled", 64 * 65535 + 100], ["register", 256 * 65535 + 300]] as const) {
      const z = hostRandom(N, 31);
      const e = Float32Array.from([-0.5, 0.25, 0.75]);
      const { idx } = await run(z, e, N, 3, 1, v);
      for (let n = 0; n < N; n++) {
        const want = z[n] <= -0.125 ? 0 : z[n] <= 0.5 ? 1 : 2;
        if (idx[n] !== want) throw new Error(`${v} row ${n}: got ${idx[n]}, want ${want}`);
      }
    }
  },
});

Deno.test({
  name: "embedding() gathers rows; its weight gradient is the segment sum; bincount() counts",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    using _testScope = scope(); // what the test makes is freed when it ends (tests run one at a time)
    await setup();
    const K = 7, D = 70, N = 45; // D > 64: two dim-blocks in the scatter kernel
    const w = hostRandom(K * D, 41);
    const idx = Int32Array.from({ length: N }, (_, n) => (n * n + 3) % (K - 1)); // code 6 unused
    const wt = Tensor.from(w, [K, D], { requiresGrad: true });
    const it = Tensor.from(idx, [N]);
    const out = embedding(it, wt);
    const g = hostRandom(N * D, 42);
    const gt = Tensor.from(g, [N, D]);
    out.backward(gt);
    const wantOut = new Float32Array(N * D), wantGrad = new Float64Array(K * D);
    for (let n = 0; n < N; n++) {
      for (let d = 0; d < D; d++) {
        wantOut[n * D + d] = w[idx[n] * D + d];
        wantGrad[idx[n] * D + d] += g[n * D + d];
      }
    }
    assertEquals(await out.toArray(), wantOut);
    assertClose(await wt.grad!.toArray(), wantGrad, { name: "weight grad" });
    // Out-of-range indices are dropped by segmentSum and bincount.
    const bad = Tensor.from(Int32Array.from([0, -1, 7, 2, 2, 100]), [6]);
    const vals = Tensor.from(hostRandom(6 * 3, 43), [6, 3]);
    const s = await segmentSum(vals, bad, 3).toArray();
    const v = await vals.toArray();
    assertClose(s, [v[0], v[1], v[2], 0, 0, 0, v[9] + v[12], v[10] + v[13], v[11] + v[14]]);
    const counts = bincount(it, K);
    const wantCounts = new Float32Array(K);
    for (const k of idx) wantCounts[k]++;
    assertEquals(await counts.toArray(), wantCounts);
    assertEquals(await bincount(bad, 3).toArray(), Float32Array.from([1, 0, 2]));
    for (const t of [wt, it, out, gt, bad, vals, counts]) t.dispose();
  },
});

Deno.test({
  name: "embedding() gradient matches finite differences",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    using _testScope = scope(); // what the test makes is freed when it ends (tests run one at a time)
    await setup();
    const idx = Tensor.from(Int32Array.from([2, 0, 2, 1, 2]), [5]);
    await gradcheck((w) => embedding(idx, w), [{ data: hostRandom(4 * 3, 51), shape: [4, 3] }]);
    idx.dispose();
  },
});

Deno.test({
  name: "nearestCode() and embedding() free everything they allocate",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    using _testScope = scope(); // what the test makes is freed when it ends (tests run one at a time)
    await setup();
    const z = Tensor.from(hostRandom(300 * 8, 61), [300, 8]);
    const e = Tensor.from(hostRandom(20 * 8, 62), [20, 8], { requiresGrad: true });
    await assertNoLeak("nearestCode + embedding", async () => {
      using _testScope = scope(); // what the test makes is freed when it ends (tests run one at a time)
      for (const v of VARIANTS) {
        const { indices, distances } = nearestCode(z, e, v);
        const q = embedding(indices, e);
        q.backward(z);
        await e.grad!.toArray();
        e.grad!.dispose();
        e.grad = null;
        for (const t of [indices, distances, q]) t.dispose();
      }
    });
    z.dispose();
    e.dispose();
  },
});
