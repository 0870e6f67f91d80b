// Finite-difference gradient checks of every differentiable engine op (float32 central
// differences along random directions, test/helpers.ts gradcheck).

import { scope } from "../../src/mod.ts";
import * as nd from "../../src/mod.ts";
import type { Tensor } from "../../src/mod.ts";
import { gradcheck, hostRandom, setup } from "../helpers.ts";

const P = (shape: number[], seed: number, lo = -1, hi = 1) => {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = hostRandom(n, seed).map((v) => lo + ((v + 1) / 2) * (hi - lo));
  return { data: d, shape };
};

const CASES: [string, (...x: Tensor[]) => Tensor, ReturnType<typeof P>[]][] = [
  ["exp", nd.exp, [P([2, 3], 1)]],
  ["log", nd.log, [P([2, 3], 2, 0.5, 2)]],
  ["sqrt", nd.sqrt, [P([2, 3], 3, 0.5, 2)]],
  ["rsqrt", nd.rsqrt, [P([2, 3], 4, 0.5, 2)]],
  ["sigmoid", nd.sigmoid, [P([2, 3], 5, -3, 3)]],
  ["tanh", nd.tanh, [P([2, 3], 6, -2, 2)]],
  ["silu", nd.silu, [P([2, 3], 7, -3, 3)]],
  ["softplus", nd.softplus, [P([2, 3], 8, -3, 3)]],
  ["leakyRelu", (x) => nd.leakyRelu(x, 0.1), [P([2, 3], 9, 0.1, 1)]],
  ["pow", nd.pow, [P([2, 3], 10, 0.5, 2), P([2, 3], 11)]],
  ["mul broadcast", nd.mul, [P([2, 1, 3], 12), P([4, 1], 13)]],
  ["div broadcast", nd.div, [P([2, 3], 14), P([3], 15, 0.5, 2)]],
  ["sub", nd.sub, [P([3], 16), P([2, 3], 17)]],
  ["where", (a, b) => nd.where(nd.gt(a, b), nd.mul(a, a), b), [P([2, 3], 67), P([3], 68)]],
  ["sum dims", (x) => nd.sum(x, [0, 2]), [P([2, 3, 4], 20)]],
  ["mean keepdim", (x) => nd.mean(x, -1, true), [P([2, 3, 4], 21)]],
  ["variance", (x) => nd.variance(x, 1), [P([2, 5, 3], 22)]],
  ["amax", (x) => nd.amax(x, 1), [P([3, 4], 23)]],
  ["matmul batched", nd.matmul, [P([2, 3, 4], 24), P([4, 5], 25)]],
  ["matmul batched, vec4 layout", nd.matmul, [P([2, 3, 8], 58), P([2, 8, 4], 59)]],
  ["softmax", (x) => nd.softmax(x, 1), [P([2, 4, 3], 26)]],
  ["logSoftmax", (x) => nd.logSoftmax(x, 0), [P([4, 3], 27)]],
  ["permute", (x) => nd.permute(x, [1, 2, 0]), [P([2, 3, 4], 28)]],
  ["slice+cat+pad", (x) => nd.pad(nd.cat([nd.slice(x, 1, 0, 2), x], 1), [1, 1]), [P([2, 3], 29)]],
  ["expand", (x) => nd.mul(nd.expand(x, [3, 2, 4]), nd.expand(x, [3, 2, 4])), [P([2, 1], 30)]],
  ["mseLoss", (a, b) => nd.mseLoss(a, b), [P([2, 3], 31), P([2, 3], 32)]],
  ["bceWithLogits", (a, b) => nd.binaryCrossEntropyWithLogits(a, b), [
    P([2, 3], 33, -3, 3),
    P([2, 3], 34, 0, 1),
  ]],
  ["klDivNormal", (a, b) => nd.klDivNormal(a, b), [P([2, 3], 35), P([2, 3], 36)]],
  ["hingeDiscriminatorLoss", nd.hingeDiscriminatorLoss, [
    P([2, 4], 37, -0.8, 0.8),
    P([2, 4], 38, -0.8, 0.8),
  ]],
  ["vanillaDiscriminatorLoss", nd.vanillaDiscriminatorLoss, [P([2, 4], 41), P([2, 4], 42)]],
  ["generatorHingeLoss", nd.generatorHingeLoss, [P([2, 4], 43)]],
  ["l1Loss", (a, b) => nd.l1Loss(a, b), [P([2, 3], 44, 0.5, 1), P([2, 3], 45, -1, 0)]],
  ["neg", nd.neg, [P([2, 3], 46)]],
  ["abs (away from 0)", nd.abs, [P([2, 3], 47, 0.2, 1)]],
  ["square", nd.square, [P([2, 3], 48)]],
  ["relu (away from 0)", nd.relu, [P([2, 3], 49, 0.2, 1)]],
  ["clamp (inside the bounds)", (x) => nd.clamp(x, -2, 2), [P([2, 3], 50)]],
  ["pow scalar", (x) => nd.pow(x, 3), [P([2, 3], 51)]],
  ["add/mul scalar", (x) => nd.mul(nd.add(x, 2), 3), [P([2, 3], 52)]],
  ["maximum/minimum", (a, b) => nd.add(nd.maximum(a, b), nd.minimum(a, b)), [
    P([2, 3], 53),
    P([3], 54),
  ]],
  ["amin", (x) => nd.amin(x, [0, 1]), [P([2, 3, 2], 55)]],
  ["reshape/transpose/stack", (x) => nd.stack([nd.transpose(nd.reshape(x, [3, 2]), 0, 1), x], 1), [
    P([2, 3], 56),
  ]],
  ["slice with step", (x) => nd.slice(x, 1, 0, 5, 2), [P([2, 5], 57)]],
];

for (const [name, f, inputs] of CASES) {
  Deno.test({
    name: `${name}: gradient matches finite differences`,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      using _testScope = scope(); // what the test makes is freed when it ends (tests run one at a time)
      await setup();
      await gradcheck(f, inputs);
    },
  });
}

Deno.test({
  name: "gradcheck() detects a wrong gradient",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    using _testScope = scope(); // what the test makes is freed when it ends (tests run one at a time)
    await setup();
    const { record } = await import("../../src/core/autograd.ts");
    // y = x² with a deliberately wrong backward (g·x instead of 2·g·x).
    const wrong = (x: Tensor) =>
      record("wrongSquare", [x], nd.square(x.detach()), [x], (g, [xs]) => [nd.mul(g, xs)]);
    let failed = false;
    try {
      await gradcheck(wrong, [P([2, 3], 40, 0.5, 1)]);
    } catch {
      failed = true;
    }
    if (!failed) throw new Error("gradcheck accepted a wrong gradient");
  },
});

Deno.test({
  name: "gradcheck() catches a gradient off by 5 % in a single element (random directions miss it)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    using _testScope = scope(); // what the test makes is freed when it ends (tests run one at a time)
    await setup();
    const { record } = await import("../../src/core/autograd.ts");
    const x = P([8, 8], 60, 0.5, 1);
    // y = x² whose backward scales element k's gradient by 1.05. k: an element of median |∂L/∂x|
    // (L = Σ y·r, r = the random weights gradcheck draws with its default seed).
    const r = hostRandom(64, 8);
    const mags = [...x.data.keys()].map((i) => Math.abs(2 * x.data[i] * r[i]));
    const k = [...mags.keys()].sort((a, b) => mags[a] - mags[b])[32];
    const scale = new Float32Array(64).fill(1);
    scale[k] = 1.05;
    const m = nd.Tensor.from(scale, [8, 8]);
    const offByFivePercent = (t: Tensor) =>
      record("square5", [t], nd.square(t.detach()), [t], (g, [ts]) => [
        nd.mul(nd.mul(nd.mulScalar(g, 2), ts), m),
      ]);
    let caught = "";
    try {
      await gradcheck(offByFivePercent, [x]);
    } catch (e) {
      caught = (e as Error).message;
    }
    if (!caught.includes(`element ${k}:`)) {
      throw new Error(`gradcheck missed the 5 % error in element ${k} (${caught || "passed"})`);
    }
    // The previous check (2 random directions only) lets it through.
    await gradcheck(offByFivePercent, [x], { coordinates: 0 });
    // The correct gradient passes.
    await gradcheck(nd.square, [x]);
    m.dispose();
  },
});
