// The layers of src/nn/layers.ts: PyTorch's default initialisation (bounds and spread), parameter
// and state-dict names, train()/eval(), and forward passes equal to the functional ops on
// fixture cases (loaded through loadStateDict, as a PyTorch checkpoint would be).

import {
  BatchNorm2d,
  Conv2d,
  ConvTranspose2d,
  GroupNorm,
  LeakyReLU,
  Linear,
  ReLU,
  Sigmoid,
  SiLU,
  Tanh,
  Upsample,
} from "../../src/nn/layers.ts";
import { conv2d } from "../../src/kernels/conv2d.ts";
import { convTranspose2d } from "../../src/kernels/conv_transpose2d.ts";
import { manualSeed, scope, Tensor } from "../../src/mod.ts";
import { assertClose, fixture, hostRandom, setup, toTensor } from "../helpers.ts";
import { cfgOf } from "../kernels/_fixture_cases.ts";
import { deepStrictEqual, ok } from "node:assert";

const test = (name: string, fn: () => Promise<void>) =>
  Deno.test({
    name,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      await setup();
      // The test's own tensors (inputs, outputs, throwaways) are disposed when it ends; the
      // tests run one at a time, so this scope stays innermost across their awaits.
      using _ = scope();
      await fn();
    },
  });

/** A layer's registered tensor by name. */
const param = (m: { stateDict(): Map<string, Tensor> }, name: string) => m.stateDict().get(name)!;

/** Asserts values lie in ±bound and fill it like U(−bound, bound): extremes and variance. */
async function assertUniform(t: Tensor, bound: number, label: string) {
  const v = await t.toArray() as Float32Array;
  let max = 0, sq = 0, mean = 0;
  for (const x of v) {
    max = Math.max(max, Math.abs(x));
    sq += x * x;
    mean += x;
  }
  ok(max <= bound * (1 + 1e-6), `${label}: |value| ${max} exceeds the bound ${bound}`);
  if (v.length >= 1000) {
    ok(max > 0.95 * bound, `${label}: max |value| ${max} far below the bound ${bound}`);
    const variance = sq / v.length;
    ok(Math.abs(variance / (bound * bound / 3) - 1) < 0.1, `${label}: variance ${variance}`);
    ok(Math.abs(mean / v.length) < 0.05 * bound, `${label}: mean ${mean / v.length}`);
  }
}

test("Conv2d() initialises like PyTorch: kaiming-uniform(a=√5) weight, U(±1/√fanIn) bias", async () => {
  manualSeed(1);
  const c = new Conv2d(32, 64, 3, { padding: 1 });
  deepStrictEqual([...c.stateDict().keys()], ["weight", "bias"]);
  deepStrictEqual(c.weight.shape, [64, 32, 3, 3]);
  await assertUniform(c.weight, 1 / Math.sqrt(32 * 9), "weight");
  await assertUniform(c.bias!, 1 / Math.sqrt(32 * 9), "bias");
  ok(c.weight.requiresGrad && c.parameters().length === 2);
  const nb = new Conv2d(3, 4, 1, { bias: false });
  deepStrictEqual([...nb.stateDict().keys()], ["weight"]);
  c.dispose();
  nb.dispose();
});

test("ConvTranspose2d() initialises with fan-in = out·k² and has weight [in, out, k, k]", async () => {
  manualSeed(2);
  const c = new ConvTranspose2d(64, 32, 4, { stride: 2, padding: 1 });
  deepStrictEqual(c.weight.shape, [64, 32, 4, 4]);
  await assertUniform(c.weight, 1 / Math.sqrt(32 * 16), "weight");
  await assertUniform(c.bias!, 1 / Math.sqrt(32 * 16), "bias");
  c.dispose();
});

test("Linear() initialises like PyTorch and computes x·Wᵀ + b with gradients", async () => {
  manualSeed(3);
  const l = new Linear(300, 40);
  await assertUniform(param(l, "weight"), 1 / Math.sqrt(300), "weight");
  const x = Tensor.from(hostRandom(2 * 300, 5), [2, 300], { requiresGrad: true });
  const y = l.forward(x);
  deepStrictEqual(y.shape, [2, 40]);
  const [w, b, xv, yv] = [
    await param(l, "weight").toArray(),
    await param(l, "bias").toArray(),
    await x.toArray(),
    await y.toArray(),
  ];
  const ref = new Float32Array(80);
  for (let n = 0; n < 2; n++) {
    for (let o = 0; o < 40; o++) {
      let s = b[o];
      for (let i = 0; i < 300; i++) s += xv[n * 300 + i] * w[o * 300 + i];
      ref[n * 40 + o] = s;
    }
  }
  assertClose(yv, ref, { name: "linear" });
  y.backward(Tensor.from(new Float32Array(80).fill(1), [2, 40]));
  const gb = await param(l, "bias").grad!.toArray();
  assertClose(gb, new Float32Array(40).fill(2), { name: "dbias" });
  l.dispose();
});

test("Conv2d() and ConvTranspose2d() forward equal the functional ops on loaded weights", async () => {
  const f = await fixture("conv");
  for (
    const [name, make] of [
      ["conv.down_k4s2p1", () => new Conv2d(16, 32, 4, { stride: 2, padding: 1 })],
      [
        "convT.up_k5s2p2op1",
        () => new ConvTranspose2d(64, 16, 5, { stride: 2, padding: 2, outputPadding: 1 }),
      ],
    ] as const
  ) {
    const layer = make();
    layer.loadStateDict(
      new Map([
        ["weight", toTensor(f.get(`${name}.in1`)!)],
        ["bias", toTensor(f.get(`${name}.in2`)!)],
      ]),
    );
    const x = toTensor(f.get(`${name}.in0`)!);
    assertClose(await layer.forward(x).toArray(), f.get(`${name}.out`)!.data, { name });
    const [s, p, op] = cfgOf(f, name);
    const direct = name.startsWith("convT")
      ? convTranspose2d(x, param(layer, "weight"), param(layer, "bias"), {
        stride: s,
        padding: p,
        outputPadding: op,
      })
      : conv2d(x, param(layer, "weight"), param(layer, "bias"), { stride: s, padding: p });
    assertClose(await direct.toArray(), f.get(`${name}.out`)!.data, { name: `${name} functional` });
    layer.dispose();
  }
});

test("GroupNorm() has ones/zeros affine and matches PyTorch on loaded weights (plain and SiLU)", async () => {
  const f = await fixture("norm");
  const gn = new GroupNorm(32, 64, { eps: 1e-6 });
  assertClose(await param(gn, "weight").toArray(), new Float32Array(64).fill(1));
  assertClose(await param(gn, "bias").toArray(), new Float32Array(64));
  const name = "gn.silu_c64";
  gn.loadStateDict(
    new Map([
      ["weight", toTensor(f.get(`${name}.in1`)!)],
      ["bias", toTensor(f.get(`${name}.in2`)!)],
    ]),
  );
  const x = toTensor(f.get(`${name}.in0`)!);
  assertClose(await gn.forwardSilu(x).toArray(), f.get(`${name}.out`)!.data, { name });
  const silu = new SiLU().forward(gn.forward(x));
  assertClose(await silu.toArray(), f.get(`${name}.out`)!.data, { name: "unfused" });
  gn.dispose();
});

test("BatchNorm2d() updates running stats in train() and uses them in eval()", async () => {
  const f = await fixture("norm");
  const bn = new BatchNorm2d(32);
  deepStrictEqual([...bn.stateDict().keys()], [
    "weight",
    "bias",
    "running_mean",
    "running_var",
    "num_batches_tracked",
  ]);
  for (const name of ["bn.train_c32", "bn.eval_c32"]) {
    bn.loadStateDict(
      new Map([
        ["weight", toTensor(f.get(`${name}.in1`)!)],
        ["bias", toTensor(f.get(`${name}.in2`)!)],
        ["running_mean", toTensor(f.get(`${name}.runningMeanBefore`)!)],
        ["running_var", toTensor(f.get(`${name}.runningVarBefore`)!)],
        ["num_batches_tracked", Tensor.from([0], [], { dtype: "i32" })],
      ]),
    );
    const training = cfgOf(f, name)[0] === 1;
    if (training) bn.train();
    else bn.eval();
    ok(bn.training === training);
    const y = bn.forward(toTensor(f.get(`${name}.in0`)!));
    assertClose(await y.toArray(), f.get(`${name}.out`)!.data, { name });
    assertClose(
      await bn.stateDict().get("running_var")!.toArray(),
      f.get(`${name}.runningVar`)!.data,
    );
    assertClose(
      await bn.stateDict().get("running_mean")!.toArray(),
      f.get(`${name}.runningMean`)!.data,
    );
  }
  bn.dispose();
});

test("Upsample() matches PyTorch's bilinear 5×4 → 80×64", async () => {
  const f = await fixture("resample");
  const name = "interp.vqgan_5x4_to_80x64";
  const up = new Upsample({ size: [80, 64], mode: "bilinear", alignCorners: false });
  const y = up.forward(toTensor(f.get(`${name}.in0`)!));
  assertClose(await y.toArray(), f.get(`${name}.out`)!.data, { name });
});

test("activation layers compute relu, leakyRelu, silu, sigmoid, tanh", async () => {
  const xs = [-2, -0.5, 0, 0.5, 3];
  const x = Tensor.from(xs, [5]);
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  const cases: [{ forward(t: Tensor): Tensor }, (v: number) => number][] = [
    [new ReLU(), (v) => Math.max(v, 0)],
    [new LeakyReLU(0.2), (v) => (v > 0 ? v : 0.2 * v)],
    [new SiLU(), (v) => v * sig(v)],
    [new Sigmoid(), sig],
    [new Tanh(), Math.tanh],
  ];
  for (const [m, ref] of cases) {
    assertClose(await m.forward(x).toArray(), xs.map(ref), { name: m.constructor.name });
  }
});
