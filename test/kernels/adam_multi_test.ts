// The multi-tensor Adam step (shaders/adam.wgsl, 2-8 slots): bit-identical to one adamStep per
// parameter for Adam and AdamW, odd and empty sizes, chunks of every slot count (11 tensors:
// 8 + 3), different step counts per tensor, and a grad scale.

import { deepStrictEqual, ok } from "node:assert";
import { type AdamHyper, adamSlots, adamStep, adamStepMulti } from "../../src/kernels/adam.ts";
import { Tensor } from "../../src/core/tensor.ts";
import { hostRandom, setup } from "../helpers.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const SIZES = [1, 7, 256, 257, 1000, 0, 33, 4096, 95 * 79, 3, 600];

for (const decoupled of [false, true]) {
  Deno.test({
    ...opts,
    name: `adamStepMulti is bit-identical to adamStep per tensor (${decoupled ? "AdamW" : "Adam"})`,
    async fn() {
      await setup();
      ok(adamSlots() >= 2, `storage buffers allow ${adamSlots()} slots`);
      const h: AdamHyper = {
        lr: 3e-3,
        beta1: 0.5,
        beta2: 0.9,
        eps: 1e-8,
        weightDecay: 0.01,
        decoupled,
        gradScale: 0.75,
      };
      const make = (n: number, seed: number) =>
        ["p", "g", "m", "v"].map((_, j) =>
          Tensor.from(
            j === 3 ? hostRandom(n, seed + j).map(Math.abs) : hostRandom(n, seed + j),
            [n],
          )
        );
      const a = SIZES.map((n, i) => make(n, 10 * i));
      const b = SIZES.map((n, i) => make(n, 10 * i));
      SIZES.forEach((_, i) => {
        const [p, g, m, v] = a[i];
        adamStep(p, g, m, v, 1 + (i % 3), h);
      });
      adamStepMulti(
        b.map(([param, grad, expAvg, expAvgSq], i) => ({
          param,
          grad,
          expAvg,
          expAvgSq,
          t: 1 + (i % 3),
        })),
        h,
      );
      const [ha, hb] = await Promise.all([
        Tensor.toArrays(a.flatMap(([p, , m, v]) => [p, m, v])),
        Tensor.toArrays(b.flatMap(([p, , m, v]) => [p, m, v])),
      ]);
      ha.forEach((x, k) => {
        const bits = (t: ArrayLike<number>) => [...new Uint32Array(new Float32Array(t).buffer)];
        deepStrictEqual(bits(hb[k]), bits(x), `tensor ${Math.floor(k / 3)} part ${k % 3}`);
      });
      for (const t of [...a.flat(), ...b.flat()]) t.dispose();
    },
  });
}
