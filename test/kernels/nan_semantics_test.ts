// NaN propagates as in PyTorch through the ops whose WGSL builtins leave NaN implementation-
// defined (max, min, clamp) or whose test `x != x` llvmpipe folds away: torch.maximum / minimum,
// relu, clamp, tanh, max_pool2d (NaN anywhere in the window) return NaN for a NaN input. Before
// shaders/prelude.wgsl these dropped the NaN on llvmpipe (maximum(NaN, 0) gave 0), which would
// hide a diverging run from the trainer's NaN check.

import { scope } from "../../src/mod.ts";
import { deepStrictEqual as assertEquals } from "node:assert";
import * as nd from "../../src/mod.ts";
import { setup } from "../helpers.ts";

const N = NaN;
const arr = async (t: nd.Tensor) => Array.from(await t.toArray() as Float32Array);

Deno.test("NaN propagates through maximum, minimum, relu, clamp, tanh, sigmoid, leakyRelu", async () => {
  using _testScope = scope(); // what the test makes is freed when it ends (tests run one at a time)
  await setup();
  const a = nd.Tensor.from([N, 1, -2, 3], [4]);
  const b = nd.Tensor.from([0, N, 5, 3], [4]);
  // torch 1.13: torch.maximum(a, b) = [nan, nan, 5, 3], torch.minimum = [nan, nan, -2, 3].
  assertEquals(await arr(nd.maximum(a, b)), [N, N, 5, 3]);
  assertEquals(await arr(nd.minimum(a, b)), [N, N, -2, 3]);
  assertEquals(await arr(nd.relu(a)), [N, 1, 0, 3]);
  assertEquals(await arr(nd.clamp(a, -1, 1)), [N, 1, -1, 1]);
  const t = await arr(nd.tanh(a));
  assertEquals(Number.isNaN(t[0]) && Math.abs(t[1] - Math.tanh(1)) < 1e-6, true);
  assertEquals(Number.isNaN((await arr(nd.sigmoid(a)))[0]), true);
  assertEquals(Number.isNaN((await arr(nd.leakyRelu(a)))[0]), true);
});

Deno.test("conv2dBiasAct with relu keeps a NaN input's NaN (every conv variant)", async () => {
  using _testScope = scope(); // what the test makes is freed when it ends (tests run one at a time)
  await setup();
  for (const variant of ["direct", "gemm", "phased"] as const) {
    const x = nd.Tensor.from([N, 1, 2, 3, 4, 5, 6, 7, 8], [1, 1, 3, 3]);
    const w = nd.Tensor.from([1], [1, 1, 1, 1]);
    const y = await arr(nd.conv2dBiasAct(x, w, null, "relu", { variant }));
    assertEquals(Number.isNaN(y[0]) && y[1] === 1 && y[8] === 8, true, `${variant}: ${y}`);
  }
});

Deno.test("maxPool2d: a NaN anywhere in the window wins, as torch's max_pool2d", async () => {
  using _testScope = scope(); // what the test makes is freed when it ends (tests run one at a time)
  await setup();
  for (const at of [0, 1, 4, 5]) { // every position of the first 2×2 window
    const v = Array.from({ length: 16 }, (_, i) => i + 1);
    v[at] = N;
    const y = await arr(nd.maxPool2d(nd.Tensor.from(v, [1, 1, 4, 4]), 2));
    assertEquals(y, [N, 8, 14, 16], `NaN at ${at}`);
  }
});

Deno.test("pow follows torch.pow at zero, negative and NaN bases and NaN exponents", async () => {
  using _testScope = scope(); // what the test makes is freed when it ends (tests run one at a time)
  await setup();
  const I = Infinity;
  const base = nd.Tensor.from([-2, -8, 0, 0, 0, -0, -0, -0, N, N, 1, 2, -3], [13]);
  const expo = nd.Tensor.from([0.5, 1 / 3, 0, 2, -1, -1, 3, -2, 0, 2, N, N, 3], [13]);
  // torch 1.13 (float32): torch.pow(base, expo).
  const want = [N, N, 1, 0, I, -I, -0, I, 1, N, 1, N, -27];
  const got = await arr(nd.pow(base, expo));
  assertEquals(
    got.map((v) => Object.is(v, -0) ? "-0" : v),
    want.map((v) => Object.is(v, -0) ? "-0" : v),
  );
  const halves = await arr(nd.powScalar(nd.Tensor.from([-4, 4, 0], [3]), 0.5));
  assertEquals(halves, [N, 2, 0]);
});
