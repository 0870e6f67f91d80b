// Split normalisation statistics (group_norm_stats with parts + _combine, the path discrete GPUs
// take for few, long segments: groupNorm at batch 1–2, batchNorm): against a float64 loop and
// the one-workgroup kernel, for groupNorm and batchNorm layouts, odd sizes, several part counts
// (the last part shorter), a large mean; and when statsParts splits.

import { deepStrictEqual, ok } from "node:assert";
import {
  channelLayout,
  groupLayout,
  normStats,
  statsParts,
} from "../../src/kernels/channel_norm.ts";
import { Tensor } from "../../src/core/tensor.ts";
import { hostRandom, setup } from "../helpers.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

/** float64 mean and biased variance of each segment of a layout. */
function reference(x: Float32Array, l: ReturnType<typeof groupLayout>) {
  const mean: number[] = [], v: number[] = [];
  for (let s = 0; s < l.stats; s++) {
    const vals: number[] = [];
    for (let c = 0; c < l.chunks; c++) {
      for (let e = 0; e < l.len; e++) vals.push(x[s * l.segStride + c * l.chunkStride + e]);
    }
    const m = vals.reduce((a, b) => a + b, 0) / vals.length;
    mean.push(m);
    v.push(vals.reduce((a, b) => a + (b - m) ** 2, 0) / vals.length);
  }
  return { mean, v };
}

function close(got: Float32Array, want: number[], rtol: number, what: string) {
  got.forEach((g, i) => {
    const w = want[i];
    ok(Math.abs(g - w) <= rtol * Math.max(1, Math.abs(w)), `${what}[${i}]: ${g} vs ${w}`);
  });
}

const cases: [string, number[], (shape: number[]) => ReturnType<typeof groupLayout>, number][] = [
  ["groupNorm [1, 64, 95, 79] G 32", [1, 64, 95, 79], (s) => groupLayout(s, 32), 0],
  ["groupNorm [2, 12, 33, 17] G 4", [2, 12, 33, 17], (s) => groupLayout(s, 4), 0],
  ["batchNorm [3, 5, 41, 29]", [3, 5, 41, 29], (s) => channelLayout(s), 0],
  ["groupNorm, mean 1000 [1, 8, 64, 48] G 2", [1, 8, 64, 48], (s) => groupLayout(s, 2), 1000],
];

for (const [name, shape, layout, offset] of cases) {
  Deno.test({
    ...opts,
    name: `normStats split into parts matches float64 and the one-pass kernel: ${name}`,
    async fn() {
      await setup();
      const n = shape.reduce((a, b) => a * b, 1);
      const host = Float32Array.from(hostRandom(n, 11), (r) => offset + 3 * r - 1);
      const x = Tensor.from(host, shape);
      const l = layout(shape);
      const ref = reference(host, l);
      const one = normStats(x, l, 1);
      const [m1, v1] = await Tensor.toArrays([one.mean, one.var]);
      for (const parts of [2, 3, 7]) {
        const split = normStats(x, l, parts);
        const [m, v] = await Tensor.toArrays([split.mean, split.var]);
        close(m as Float32Array, ref.mean, 1e-5, `mean (${parts} parts)`);
        close(v as Float32Array, ref.v, offset ? 1e-3 : 1e-5, `var (${parts} parts)`);
        close(m as Float32Array, [...m1], 1e-5, `mean vs one pass (${parts} parts)`);
        split.mean.dispose();
        split.var.dispose();
      }
      close(v1 as Float32Array, ref.v, offset ? 1e-3 : 1e-5, "var (one pass)");
      for (const t of [x, one.mean, one.var]) t.dispose();
    },
  });
}

Deno.test("statsParts: splits few long segments on GPUs only", () => {
  deepStrictEqual(statsParts(32, 4 * 95 * 79, false), 7); // GroupNorm(32) of 128 ch, batch 1
  deepStrictEqual(statsParts(32, 4 * 95 * 79, true), 1); // CPU adapter
  deepStrictEqual(statsParts(2048, 1 << 20, false), 1); // enough segments already
  deepStrictEqual(statsParts(32, 3000, false), 1); // too short to pay a second pass
  deepStrictEqual(statsParts(1, 1 << 24, false), 1024);
});
