// Every engine op against PyTorch fixtures (test/fixtures/engine.safetensors, made by
// tools/fixtures/engine_fixtures.py): forward value and the gradient of every input.

import { scope } from "../../src/mod.ts";
import * as nd from "../../src/mod.ts";
import type { Tensor } from "../../src/mod.ts";
import { assertClose, fixture, setup, toTensor } from "../helpers.ts";

type Op = (...xs: Tensor[]) => Tensor;

const CASES: Record<string, Op> = {
  neg: nd.neg,
  exp: nd.exp,
  log: nd.log,
  sqrt: nd.sqrt,
  rsqrt: nd.rsqrt,
  abs: nd.abs,
  square: nd.square,
  relu: nd.relu,
  leakyRelu: (x) => nd.leakyRelu(x, 0.2),
  sigmoid: nd.sigmoid,
  tanh: nd.tanh,
  silu: nd.silu,
  softplus: nd.softplus,
  clamp: (x) => nd.clamp(x, -0.5, 0.4),
  powScalar3: (x) => nd.pow(x, 3),
  powScalar2_5: (x) => nd.pow(x, 2.5),
  add: nd.add,
  sub: nd.sub,
  mul: nd.mul,
  mulBroadcast: nd.mul,
  div: nd.div,
  divBroadcast: nd.div,
  pow: nd.pow,
  maximum: nd.maximum,
  minimum: nd.minimum,
  bceWithLogits: (x, t) => nd.binaryCrossEntropyWithLogits(x, t, { reduction: "none" }),
  where: (c, a, b) => nd.where(c, a, b),
  sumDims: (x) => nd.sum(x, [0, 2]),
  sumAll: (x) => nd.sum(x),
  meanKeep: (x) => nd.mean(x, 1, true),
  amaxLast: (x) => nd.amax(x, -1),
  amaxTies: (x) => nd.amax(x, 1),
  aminMid: (x) => nd.amin(x, [0, 2]),
  varDim: (x) => nd.variance(x, 1),
  varAllPop: (x) => nd.variance(x, undefined, { correction: 0 }),
  argmax: (x) => nd.argmax(x, 1),
  argminFlat: (x) => nd.argmin(x),
  matmul: nd.matmul,
  matmulOdd: nd.matmul,
  matmulBatched: nd.matmul,
  matmulBroadcast: nd.matmul,
  matmulVec: nd.matmul,
  matmulMatVec: nd.matmul,
  softmax: (x) => nd.softmax(x, 1),
  logSoftmax: (x) => nd.logSoftmax(x, -1),
  permute: (x) => nd.permute(x, [2, 0, 1]),
  transpose: (x) => nd.transpose(x, 0, 1),
  slice: (x) => nd.slice(x, 1, 1, 4),
  sliceStep: (x) => nd.slice(x, 2, 1, undefined, 2),
  cat: (a, b) => nd.cat([a, b], 1),
  pad: (x) => nd.pad(x, [1, 2, 0, 1], 0.5),
  expand: (x) => nd.expand(x, [2, 3, 4]),
  reshape: (x) => nd.reshape(x, [4, -1]),
  mseLoss: (a, b) => nd.mseLoss(a, b),
  mseLossSum: (a, b) => nd.mseLoss(a, b, { reduction: "sum" }),
  l1Loss: (a, b) => nd.l1Loss(a, b),
  bceLoss: (a, b) => nd.binaryCrossEntropyWithLogits(a, b),
  hingeD: nd.hingeDiscriminatorLoss,
  vanillaD: nd.vanillaDiscriminatorLoss,
  genLoss: nd.generatorHingeLoss,
  kl: (mu, lv) => nd.klDivNormal(mu, lv),
};

for (const [name, op] of Object.entries(CASES)) {
  Deno.test({
    name: `${name}() matches PyTorch, forward and backward`,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      using _testScope = scope(); // what the test makes is freed when it ends (tests run one at a time)
      await setup();
      const fx = await fixture("engine");
      const inputs: Tensor[] = [];
      for (let i = 0; fx.has(`${name}.in${i}`); i++) {
        inputs.push(toTensor(fx.get(`${name}.in${i}`)!, true));
      }
      const y = op(...inputs);
      const expected = fx.get(`${name}.out`)!;
      if (y.shape.join() !== expected.shape.join()) {
        throw new Error(`${name}: shape [${y.shape}] != PyTorch [${expected.shape}]`);
      }
      const got = await y.toArray();
      if (y.dtype === "i32") assertClose(got, expected.data as Int32Array, { atol: 0, name });
      else assertClose(got, expected.data as Float32Array, { name: `${name} forward` });
      if (fx.has(`${name}.gout`)) {
        y.backward(toTensor(fx.get(`${name}.gout`)!));
        for (let i = 0; i < inputs.length; i++) {
          const ref = fx.get(`${name}.grad${i}`);
          if (!ref) continue;
          if (!inputs[i].grad) throw new Error(`${name}: no gradient for input ${i}`);
          assertClose(await inputs[i].grad!.toArray(), ref.data as Float32Array, {
            name: `${name} grad ${i}`,
          });
        }
      }
      for (const t of [...inputs, y]) t.dispose();
    },
  });
}

for (const [name, Opt] of [["adam", nd.Adam], ["adamw", nd.AdamW]] as const) {
  Deno.test({
    name: `${Opt.name}.step() matches torch.optim.${Opt.name} over 3 steps`,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      using _testScope = scope(); // what the test makes is freed when it ends (tests run one at a time)
      await setup();
      const fx = await fixture("engine");
      const p = toTensor(fx.get(`${name}.p0`)!, true);
      const opt = new Opt([p], { lr: 0.01, betas: [0.9, 0.99], eps: 1e-8, weightDecay: 0.1 });
      for (let i = 0; i < 3; i++) {
        p.grad = toTensor(fx.get(`${name}.g${i}`)!);
        opt.step();
        opt.zeroGrad();
      }
      assertClose(await p.toArray(), fx.get(`${name}.p3`)!.data as Float32Array, { name });
      opt.dispose();
      p.dispose();
    },
  });
}
