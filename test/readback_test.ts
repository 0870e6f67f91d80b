// Batched readback (readBuffers / Tensor.toArrays): many tensors of mixed dtypes and odd sizes,
// including results of ops not yet submitted, come back exactly and in order in one round trip,
// across staging chunks too, and leave no live buffer behind.

import { deepStrictEqual, strictEqual } from "node:assert";
import * as nd from "../src/mod.ts";
import { Tensor } from "../src/mod.ts";
import { readBuffers } from "../src/core/dispatch.ts";
import { memoryStats } from "../src/core/memory.ts";
import { setup } from "./helpers.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

function ramp(n: number, k: number): number[] {
  return Array.from({ length: n }, (_, i) => (i * 7 + k) % 101 - 50);
}

Deno.test({
  ...opts,
  name: "Tensor.toArrays reads mixed dtypes and odd sizes, pending results included, in order",
  async fn() {
    await setup();
    const live0 = memoryStats().liveBuffers;
    const a = Tensor.from(ramp(95 * 79, 1), [95, 79]);
    const b = Tensor.from(ramp(3, 2), [3], { dtype: "i32" });
    const c = Tensor.from(ramp(1, 3).map(Math.abs), [1], { dtype: "u32" });
    const d = nd.mulScalar(a, 0.5); // recorded, not yet submitted
    const [ha, hb, hc, hd] = await Tensor.toArrays([a, b, c, d]);
    strictEqual(ha instanceof Float32Array && hb instanceof Int32Array, true);
    strictEqual(hc instanceof Uint32Array, true);
    deepStrictEqual([...ha], ramp(95 * 79, 1));
    deepStrictEqual([...hb], ramp(3, 2));
    deepStrictEqual([...hc], ramp(1, 3).map(Math.abs));
    deepStrictEqual([...hd], ramp(95 * 79, 1).map((v) => v * 0.5));
    deepStrictEqual(await Tensor.toArrays([]), []);
    for (const t of [a, b, c, d]) t.dispose();
    strictEqual(memoryStats().liveBuffers, live0);
  },
});

Deno.test({
  ...opts,
  name:
    "readBuffers splits into staging chunks (one tensor larger than a chunk too) with the same bytes",
  async fn() {
    await setup();
    const ts = [5, 1, 40, 3, 2].map((n, k) => Tensor.from(ramp(n, k)));
    const list = ts.map((t) => ({ buffer: t.buffer, bytes: t.size * 4 }));
    const whole = await readBuffers(list);
    const chunked = await readBuffers(list, 16); // 4 floats a chunk: the 40-float one alone
    for (let i = 0; i < ts.length; i++) {
      deepStrictEqual([...new Float32Array(chunked[i])], [...new Float32Array(whole[i])]);
      deepStrictEqual([...new Float32Array(whole[i])], ramp(ts[i].size, i));
    }
    for (const t of ts) t.dispose();
  },
});
