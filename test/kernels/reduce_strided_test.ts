// Reductions over leading and middle dims read X in place (shaders/reduce_strided.wgsl: [R, K] and
// [K, R, K2] as columns, [R0, K, R1] as planes, with and without splits) and fall back to a
// permuted copy for other layouts: sum / amax / amin against naive float64 loops over every
// pattern, odd sizes, size-1 dims in between, keepdim, NaN propagation, and the gradient of a
// leading-dim sum.

import { scope } from "../../src/mod.ts";
import { deepStrictEqual, ok, strictEqual } from "node:assert";
import { stridedLayout } from "../../src/kernels/reduce_core.ts";
import * as nd from "../../src/mod.ts";
import { assertClose, hostRandom, setup } from "../helpers.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

/** Naive reduction of a row-major x over `dims` (kept dims in order). */
function naive(x: Float32Array, shape: number[], dims: number[], op: "sum" | "max" | "min") {
  const kept = shape.map((_, i) => i).filter((i) => !dims.includes(i));
  const outSize = kept.reduce((a, i) => a * shape[i], 1);
  const out = new Float64Array(outSize).fill(
    op === "sum" ? 0 : op === "max" ? -Infinity : Infinity,
  );
  const idx = new Array(shape.length).fill(0);
  for (let e = 0; e < x.length; e++) {
    let r = e;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d] = r % shape[d];
      r = Math.floor(r / shape[d]);
    }
    let o = 0;
    for (const i of kept) o = o * shape[i] + idx[i];
    const v = x[e];
    if (op === "sum") out[o] += v;
    else if (Number.isNaN(v) || Number.isNaN(out[o])) out[o] = NaN;
    else out[o] = op === "max" ? Math.max(out[o], v) : Math.min(out[o], v);
  }
  return out;
}

const cases: [number[], number[]][] = [
  [[7, 5], [0]], // [R, K] columns
  [[3, 5, 7, 2], [0, 2, 3]], // [R0, K, R1] planes (a conv bias gradient)
  [[2, 9, 95, 79], [0, 2, 3]], // planes, long rows, few outputs: splits
  [[5, 6, 7], [1]], // [K, R, K2] columns
  [[8, 4096], [0]], // split-K partials: many outputs
  [[3000, 3], [0]], // few outputs, many rows: column splits
  [[4, 1, 6, 1, 5], [0, 2]], // size-1 dims between: [R, K] after merging
  [[3, 4, 5, 6], [1, 3]], // [K, R, K, R]: the permuted-copy fallback
  [[3, 4, 5, 6], [0, 1]], // [R, K]: two leading dims merged
  [[2, 3, 4, 5], [0, 3]], // [R, K, R]: middle dims merged
];

for (const [shape, dims] of cases) {
  Deno.test({
    ...opts,
    name: `sum/amax/amin over dims [${dims}] of [${shape}] match naive loops`,
    async fn() {
      using _testScope = scope(); // what the test makes is freed when it ends (tests run one at a time)
      await setup();
      const n = shape.reduce((a, b) => a * b, 1);
      const host = hostRandom(n, n % 97 + dims.length);
      const x = nd.Tensor.from(host, shape);
      const len = dims.reduce((a, d) => a * shape[d], 1);
      for (const [op, f] of [["sum", nd.sum], ["max", nd.amax], ["min", nd.amin]] as const) {
        const y = f(x, dims, true);
        const want = naive(host, shape, dims, op);
        ok(y.shape.every((s, i) => s === (dims.includes(i) ? 1 : shape[i])), `${y.shape}`);
        assertClose(await y.toArray(), want, {
          atol: op === "sum" ? 2e-6 * Math.sqrt(len) : 0,
          rtol: op === "sum" ? 1e-5 : 0,
          name: `${op} [${dims}] of [${shape}]`,
        });
        y.dispose();
      }
      x.dispose();
    },
  });
}

Deno.test({
  ...opts,
  name: "strided reductions propagate NaN (amax/amin) and sum's gradient broadcasts back",
  async fn() {
    using _testScope = scope(); // what the test makes is freed when it ends (tests run one at a time)
    await setup();
    const host = hostRandom(3 * 4 * 5, 9);
    host[2 * 20 + 1 * 5 + 3] = NaN; // channel 1 of a [3, 4, 5] sum over [0, 2]
    const x = nd.Tensor.from(host, [3, 4, 5], { requiresGrad: true });
    const m = nd.amax(x, [0, 2]), n = nd.amin(x, [0, 2]);
    const [hm, hn] = await nd.Tensor.toArrays([m, n]);
    ok(Number.isNaN(hm[1]) && Number.isNaN(hn[1]) && [0, 2, 3].every((c) => !Number.isNaN(hm[c])));
    const w = nd.Tensor.from([1, 2, 3, 4, 5], [5]);
    const other = nd.Tensor.from(hostRandom(60, 2), [3, 4, 5]);
    // sum over the leading dim ([R, K] columns), then a weighted total: d/dx = w[last index].
    const s = nd.sum(nd.mul(nd.sum(nd.add(other, x), 0), w));
    s.backward();
    const g = await x.grad!.toArray();
    assertClose(g, Array.from({ length: 60 }, (_, i) => (i % 5) + 1), { atol: 0, name: "grad" });
    for (const t of [x, m, n, w, s, other]) t.dispose();
  },
});

Deno.test("stridedLayout: which reductions skip the permuted copy", () => {
  const kind = (shape: number[], dims: number[]) => stridedLayout(shape, dims)?.kind ?? null;
  deepStrictEqual(stridedLayout([7, 5], [0]), { kind: "columns", R0: 7, K: 1, R1: 1, K2: 5 });
  deepStrictEqual(stridedLayout([3, 5, 7, 2], [0, 2, 3]), {
    kind: "planes",
    R0: 3,
    K: 5,
    R1: 14,
    K2: 1,
  });
  deepStrictEqual(stridedLayout([5, 6, 7], [1]), { kind: "columns", R0: 6, K: 5, R1: 1, K2: 7 });
  strictEqual(kind([4, 1, 6, 1, 5], [0, 2]), "columns");
  strictEqual(kind([2, 3, 4, 5], [0, 3]), "planes");
  strictEqual(kind([3, 4, 5, 6], [1, 3]), null); // alternates more: permuted copy
  strictEqual(kind([3, 4, 5, 6], [2, 3]), null); // trailing: a plain row reduction
  strictEqual(kind([1, 4, 5], [0, 2]), null); // [1, K, R] is trailing once size 1 drops
});
