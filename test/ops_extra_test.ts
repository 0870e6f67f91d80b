// The ops added for the models: batched matmul reading transposed operands (against a naive
// host loop, gradients against the copy-transposed path and finite differences), seeded dropout
// (mask statistics, scaling, backward = mask; in eval a new handle on the input's values that
// the caller may dispose without touching the input), and logsumexp (host reference, −inf rows,
// gradient check).

import * as nd from "../src/mod.ts";
import { Tensor } from "../src/mod.ts";
import { assertClose, gradcheck, hostRandom, setup } from "./helpers.ts";
import { ok, strictEqual, throws } from "node:assert";

const test = (name: string, fn: () => Promise<void> | void) =>
  Deno.test({
    name,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      await setup();
      await fn();
    },
  });

const arr = async (t: Tensor) => await t.toArray() as Float32Array;

/** Host op(A)·op(B) for A [Ba, r, c], B [Bb, r, c] broadcast over one batch dim (Ba or Bb 1). */
function hostMatmulT(
  a: Float32Array,
  aShape: number[],
  b: Float32Array,
  bShape: number[],
  tA: boolean,
  tB: boolean,
): Float32Array {
  const [Ba, a0, a1] = aShape, [Bb, b0, b1] = bShape;
  const [M, K] = tA ? [a1, a0] : [a0, a1];
  const N = tB ? b0 : b1;
  const Bt = Math.max(Ba, Bb);
  const out = new Float32Array(Bt * M * N);
  for (let z = 0; z < Bt; z++) {
    const ao = (Ba === 1 ? 0 : z) * a0 * a1, bo = (Bb === 1 ? 0 : z) * b0 * b1;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) {
          s += a[ao + (tA ? k * a1 + i : i * a1 + k)] * b[bo + (tB ? j * b1 + k : k * b1 + j)];
        }
        out[(z * M + i) * N + j] = s;
      }
    }
  }
  return out;
}

test("matmul with transposeA/transposeB matches a host loop and the copy-transposed gradients", async () => {
  for (const [tA, tB] of [[true, false], [false, true], [true, true]] as const) {
    // Awkward sizes, a broadcast batch (1 vs 3), M = 7, K = 5, N = 9.
    const aShape = tA ? [1, 5, 7] : [1, 7, 5], bShape = tB ? [3, 9, 5] : [3, 5, 9];
    const ad = hostRandom(35, 3), bd = hostRandom(135, 4);
    const a = Tensor.from(ad, aShape, { requiresGrad: true });
    const b = Tensor.from(bd, bShape, { requiresGrad: true });
    const y = nd.matmulTransposed(a, b, { transposeA: tA, transposeB: tB });
    strictEqual(y.shape.join(), "3,7,9");
    const name = `tA ${tA} tB ${tB}`;
    assertClose(await arr(y), hostMatmulT(ad, aShape, bd, bShape, tA, tB), { name });
    const r = Tensor.from(hostRandom(y.size, 5), y.shape);
    nd.tidy(() => nd.sum(nd.mul(y, r)).backward());
    // The same product through explicit (copying) transposes, whose gradients are torch-checked.
    const a2 = Tensor.from(ad, aShape, { requiresGrad: true });
    const b2 = Tensor.from(bd, bShape, { requiresGrad: true });
    const y2 = nd.tidy(() =>
      nd.matmul(tA ? nd.transpose(a2, 1, 2) : a2, tB ? nd.transpose(b2, 1, 2) : b2)
    );
    nd.tidy(() => nd.sum(nd.mul(y2, r)).backward());
    assertClose(await arr(a.grad!), await arr(a2.grad!), { name: `${name} dA` });
    assertClose(await arr(b.grad!), await arr(b2.grad!), { name: `${name} dB` });
    for (const t of [a, b, y, r, a2, b2, y2]) t.dispose();
  }
  await gradcheck(
    (q, k) => nd.matmulTransposed(q, k, { transposeA: true }), // attention's qᵀk on [B, C, HW]
    [{ data: hostRandom(2 * 3 * 5, 8), shape: [2, 3, 5] }, {
      data: hostRandom(2 * 3 * 4, 9),
      shape: [2, 3, 4],
    }],
  );
  throws(
    () => nd.tidy(() => nd.matmulTransposed(nd.zeros([3]), nd.zeros([3, 2]), { transposeA: true })),
    /at least 2/,
  );
  throws(
    () =>
      nd.tidy(() => nd.matmulTransposed(nd.zeros([2, 3]), nd.zeros([3, 4]), { transposeA: true })),
    /do not match/,
  );
});

test("dropout is seeded, keeps 1 − p of the elements scaled by 1/(1 − p), and is off in eval", async () => {
  const n = 4096, p = 0.3;
  const xd = hostRandom(n, 11).map((v) => v + 2); // no zeros in x
  const x = Tensor.from(xd, [64, 64], { requiresGrad: true });
  nd.manualSeed(42);
  const y = nd.dropout(x, p);
  nd.manualSeed(42);
  const y2 = nd.noGrad(() => nd.dropout(x, p));
  const yv = await arr(y), y2v = await arr(y2);
  strictEqual(yv.join(), y2v.join(), "same seed, same mask");
  let kept = 0;
  for (let i = 0; i < n; i++) {
    if (yv[i] !== 0) {
      kept++;
      ok(Math.abs(yv[i] - xd[i] / (1 - p)) < 1e-5, `kept value ${i} not scaled by 1/(1-p)`);
    }
  }
  // 4096 Bernoulli(0.7) draws: the kept fraction lies within 5 sigma (0.036) of 0.7.
  ok(Math.abs(kept / n - (1 - p)) < 0.036, `kept fraction ${kept / n}`);
  nd.tidy(() => nd.sum(y).backward()); // dy/dx = mask / (1 − p)
  const g = await arr(x.grad!);
  for (let i = 0; i < n; i++) {
    const expect = yv[i] === 0 ? 0 : 1 / (1 - p);
    if (Math.abs(g[i] - expect) > 1e-5) throw new Error(`dropout grad ${i}: ${g[i]} vs ${expect}`);
  }
  const all = nd.dropout(x, 1);
  assertClose(await arr(all), new Float32Array(n));
  throws(() => nd.dropout(x, 1.5), /\[0, 1\]/);
  for (const t of [x, y, y2, all]) t.dispose();
});

test("dropout in eval or with p = 0 returns a new handle: disposing it leaves the input intact", async () => {
  const n = 256;
  const xd = hostRandom(n, 5);
  const before = nd.memoryStats().liveBuffers;
  const x = Tensor.from(xd, [16, 16], { requiresGrad: true });
  const outs = [
    nd.dropout(x, 0.5, false),
    nd.dropout(x, 0),
    new nd.Dropout(0.5).eval().forward(x),
    nd.noGrad(() => nd.dropout(x, 0.3, false)),
  ];
  for (const [i, y] of outs.entries()) {
    ok(y !== x, `result ${i} must not be the input itself`);
    assertClose(await arr(y), xd, { name: `result ${i}` });
  }
  // The identity stays in the graph: d(sum y)/dx = 1 for each of the three recorded results.
  for (const y of outs.slice(0, 3)) {
    const l = nd.sum(y);
    l.backward();
    l.dispose();
  }
  ok(outs[3].gradFn === null, "under noGrad nothing is recorded");
  assertClose(await arr(x.grad!), new Float32Array(n).fill(3), { name: "x.grad" });
  for (const y of outs) y.dispose();
  ok(!x.isDisposed, "disposing the results must not dispose the input");
  assertClose(await arr(x), xd, { name: "x after its results were disposed" });
  x.dispose();
  strictEqual(nd.memoryStats().liveBuffers, before, "every buffer freed");
});

test("logsumexp matches a float64 host reference (−inf rows too) and passes a gradient check", async () => {
  const rows = 5, cols = 7;
  const d = hostRandom(rows * cols, 21).map((v) => v * 30); // large values: needs the max shift
  d.fill(-Infinity, 2 * cols, 3 * cols); // an all −inf row
  d[4 * cols + 1] = -Infinity;
  const x = Tensor.from(d, [rows, cols]);
  const expect = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const row = [...d.subarray(r * cols, (r + 1) * cols)];
    const m = Math.max(...row);
    expect[r] = m === -Infinity
      ? -Infinity
      : m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
  }
  const y = nd.logsumexp(x, 1);
  strictEqual(y.shape.join(), "5");
  const got = await arr(y);
  strictEqual(got[2], -Infinity);
  assertClose(got.filter((_, i) => i !== 2), expect.filter((_, i) => i !== 2), {
    rtol: 1e-6,
    atol: 1e-5,
  });
  strictEqual(nd.tidy(() => nd.logsumexp(x, [0, 1], true).shape.join()), "1,1");
  await gradcheck((t) => nd.logsumexp(t, 0), [{ data: hostRandom(4 * 3, 22), shape: [4, 3] }], {
    directions: 4,
  });
  for (const t of [x, y]) t.dispose();
});
