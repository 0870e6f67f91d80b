// conv2d() against PyTorch fixtures (test/fixtures/conv.safetensors, made by
// tools/fixtures/conv_fixtures.py) with both kernel variants, forward and all gradients; the
// fused bias + activation epilogue; finite-difference gradchecks on tiny shapes.

import { conv2d, conv2dBiasAct } from "../../src/kernels/conv2d.ts";
import type { ConvVariant } from "../../src/kernels/conv_gather.ts";
import * as nd from "../../src/mod.ts";
import { leakyRelu, relu, scope, type Tensor } from "../../src/mod.ts";
import {
  assertClose,
  assertNoLeak,
  fixture,
  gradcheck,
  hostRandom,
  setup,
  toTensor,
} from "../helpers.ts";
import { caseNames, cfgOf, checkCase } from "./_fixture_cases.ts";

const f = await fixture("conv");
const VARIANTS: ConvVariant[] = ["direct", "gemm", "phased"];

for (const variant of VARIANTS) {
  for (const name of caseNames(f, "conv.")) {
    const [stride, padding] = cfgOf(f, name);
    Deno.test({
      name: `conv2d() matches PyTorch: ${name.slice(5)} (${variant})`,
      sanitizeResources: false,
      sanitizeOps: false,
      async fn() {
        using _testScope = scope(); // what the test makes is freed when it ends (tests run one at a time)
        await setup();
        await checkCase(f, name, 3, (x, w, b) => conv2d(x!, w!, b, { stride, padding, variant }));
      },
    });
  }
}

// The fused epilogue against the unfused ops on one fixture case, values and all gradients.
for (const activation of ["relu", "leakyRelu"] as const) {
  for (const variant of VARIANTS) {
    Deno.test({
      name: `conv2dBiasAct() equals ${activation}(conv2d()) with gradients (${variant})`,
      sanitizeResources: false,
      sanitizeOps: false,
      async fn() {
        using _testScope = scope(); // what the test makes is freed when it ends (tests run one at a time)
        await setup();
        const name = "conv.odd_k5s2p1";
        const [stride, padding] = cfgOf(f, name);
        const o = { stride, padding, variant };
        const unfused = (x: Tensor, w: Tensor, b: Tensor) => {
          const y = conv2d(x, w, b, o);
          return activation === "relu" ? relu(y) : leakyRelu(y, 0.2);
        };
        const fused = (x: Tensor, w: Tensor, b: Tensor) =>
          conv2dBiasAct(x, w, b, activation, { ...o, negativeSlope: 0.2 });
        const run = async (op: typeof fused) => {
          const xs = [0, 1, 2].map((i) => toTensor(f.get(`${name}.in${i}`)!, true));
          const y = op(xs[0], xs[1], xs[2]);
          const gout = toTensor(f.get(`${name}.gout`)!);
          y.backward(gout);
          const out = [await y.toArray(), ...await Promise.all(xs.map((x) => x.grad!.toArray()))];
          for (const t of [...xs, y, gout]) t.dispose();
          return out;
        };
        const [a, b] = [await run(fused), await run(unfused)];
        a.forEach((v, i) =>
          assertClose(v, b[i], { name: `${activation} ${["y", "dx", "dw", "db"][i]}` })
        );
      },
    });
  }
}

for (const variant of VARIANTS) {
  Deno.test({
    name: `conv2d() passes gradcheck with stride 2, padding 1, bias (${variant})`,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      using _testScope = scope(); // what the test makes is freed when it ends (tests run one at a time)
      await setup();
      await gradcheck(
        (x, w, b) => conv2d(x, w, b, { stride: 2, padding: 1, variant }),
        [
          { data: hostRandom(2 * 2 * 5 * 4, 1), shape: [2, 2, 5, 4] },
          { data: hostRandom(3 * 2 * 3 * 3, 2), shape: [3, 2, 3, 3] },
          { data: hostRandom(3, 3), shape: [3] },
        ],
      );
    },
  });
}

Deno.test({
  name: "conv2d() forward and backward leave no GPU buffers behind",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    using _testScope = scope(); // what the test makes is freed when it ends (tests run one at a time)
    await setup();
    const name = "conv.odd_k5s2p1";
    const [stride, padding] = cfgOf(f, name);
    await assertNoLeak("conv2d", async () => {
      using _testScope = scope(); // what the test makes is freed when it ends (tests run one at a time)
      const xs = [0, 1, 2].map((i) => toTensor(f.get(`${name}.in${i}`)!, true));
      const y = conv2d(xs[0], xs[1], xs[2], { stride, padding, activation: "relu" });
      const g = toTensor(f.get(`${name}.gout`)!);
      y.backward(g);
      await xs[0].grad!.toArray();
      for (const t of [...xs, y, g]) t.dispose();
    });
  },
});

Deno.test({
  name: "conv2d() (implicit GEMM) folds more than 65,535 column tiles into the grid's z",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    using _testScope = scope(); // what the test makes is freed when it ends (tests run one at a time)
    await setup();
    const n = 2100; // 2100² outputs = 68,907 tiles of 64 columns
    const x = nd.arange(0, n * n);
    const xv = x.view([1, 1, n, n]);
    const w = nd.Tensor.from([2], [1, 1, 1, 1]), b = nd.Tensor.from([1], [1]);
    const y = nd.conv2d(xv, w, b, { variant: "gemm" });
    const a = await y.toArray();
    for (const i of [0, 1, 65535 * 64 - 1, 65535 * 64, n * n - 1]) {
      if (a[i] !== Math.fround(2 * i + 1)) throw new Error(`output ${i}: ${a[i]}`);
    }
    for (const t of [x, xv, w, b, y]) t.dispose();
  },
});
