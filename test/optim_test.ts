// Optimisers: LR schedules and AdamW over two parameter groups with GPU global-norm clipping
// against PyTorch (fixtures from tools/fixtures/optim_fixtures.py), SGD with momentum, Nesterov,
// dampening, weight decay, maximize and two groups against PyTorch (tools/fixtures/
// sgd_fixtures.py), zeroGrad({ setToNone }), and optimiser state saved and loaded by name.

import * as nd from "../src/mod.ts";
import { Tensor } from "../src/mod.ts";
import { assertClose, fixture, setup, toTensor } from "./helpers.ts";
import { ok, strictEqual, throws } from "node:assert";

const test = (name: string, fn: () => Promise<void> | void) =>
  Deno.test({
    name,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      await setup();
      // The test's own tensors (inputs, outputs, throwaways) are disposed when it ends; the
      // tests run one at a time, so this scope stays innermost across their awaits.
      using _ = nd.scope();
      await fn();
    },
  });

const param = (m: nd.Module, name: string) => new Map(m.namedParameters()).get(name)!;
const arr = async (t: Tensor) => await t.toArray() as Float32Array;

test("LR schedules match torch.optim.lr_scheduler (StepLR, cosine, LinearLR, warm-up then cosine)", async () => {
  const f = await fixture("optim");
  const cases: [string, nd.LrSchedule][] = [
    ["step", nd.stepLr({ stepSize: 3, gamma: 0.5 })],
    ["cosine", nd.cosineLr({ totalSteps: 10, minFactor: 0.1 })],
    ["linear", nd.linearWarmup({ warmupSteps: 4, startFactor: 0.2 })],
    [
      "warmup_cosine",
      nd.linearWarmup({ warmupSteps: 3, startFactor: 0.1, after: nd.cosineLr({ totalSteps: 6 }) }),
    ],
  ];
  const p = Tensor.from([0], [1], { requiresGrad: true });
  for (const [name, schedule] of cases) {
    const opt = new nd.Adam([p], { lr: 1 });
    const sched = new nd.LrScheduler(opt, schedule);
    const seq = [opt.lr];
    for (let i = 0; i < 12; i++) {
      sched.step();
      seq.push(opt.lr);
    }
    assertClose(seq, f.get(`sched.${name}`)!.data, { atol: 1e-6, name });
  }
  strictEqual(nd.constantLr()(100), 1);
  p.dispose();
});

test("AdamW with two parameter groups, GPU global-norm clipping and a schedule matches PyTorch", async () => {
  const f = await fixture("optim");
  const w0 = toTensor(f.get("groups.w0")!, true), w1 = toTensor(f.get("groups.w1")!, true);
  const t0 = toTensor(f.get("groups.t0")!), t1 = toTensor(f.get("groups.t1")!);
  const opt = new nd.AdamW([
    { params: [w0], lr: 0.01, betas: [0.8, 0.99], weightDecay: 0.1 },
    { params: [w1], lr: 0.05 },
  ]);
  strictEqual(opt.paramGroups[1].weightDecay, 1e-2);
  const sched = new nd.LrScheduler(
    opt,
    nd.linearWarmup({ warmupSteps: 2, startFactor: 0.5, after: nd.cosineLr({ totalSteps: 3 }) }),
  );
  const norms: nd.Tensor[] = [];
  for (let k = 0; k < 4; k++) {
    opt.zeroGrad();
    const loss = nd.tidy(() =>
      nd.add(nd.sum(nd.square(nd.sub(w0, t0))), nd.sum(nd.mul(nd.powScalar(w1, 3), t1)))
    );
    loss.backward();
    loss.dispose();
    norms.push(nd.clipGradNorm_([w0, w1], 0.5)); // a GPU tensor: nothing read back here
    opt.step();
    sched.step();
    assertClose(await arr(w0), f.get(`groups.w0.step${k}`)!.data, { name: `w0 step ${k}` });
    assertClose(await arr(w1), f.get(`groups.w1.step${k}`)!.data, { name: `w1 step ${k}` });
  }
  const got = await Promise.all(norms.map((n) => n.item()));
  assertClose(got, f.get("groups.norms")!.data, { name: "pre-clip norms" });
  for (const t of [w0, w1, t0, t1, ...norms]) t.dispose();
  opt.dispose();
});

test("zeroGrad({ setToNone: false }) zeroes in place and keeps the buffer; the default frees", async () => {
  const w = Tensor.from([1, 2, 3], [3], { requiresGrad: true });
  const opt = new nd.Adam([w]);
  nd.sum(nd.square(w)).backward();
  const buf = w.grad!.buffer;
  opt.zeroGrad({ setToNone: false });
  ok(w.grad!.buffer === buf);
  assertClose(await arr(w.grad!), [0, 0, 0]);
  nd.sum(nd.square(w)).backward(); // accumulates into the same buffer
  ok(w.grad!.buffer === buf);
  assertClose(await arr(w.grad!), [2, 4, 6]);
  opt.zeroGrad();
  strictEqual(w.grad, null);
  w.dispose();
});

test("optimiser state is saved and loaded by parameter name (order-independent, checked)", async () => {
  const a = new nd.Linear(3, 2), b = new nd.Linear(3, 2);
  b.loadStateDict(a.stateDict());
  const x = Tensor.from([1, -2, 0.5, 0.3, 0.1, -1], [2, 3]);
  const train = (m: nd.Linear, opt: nd.Adam) => {
    opt.zeroGrad();
    const l = nd.tidy(() => nd.mean(nd.square(m.forward(x))));
    l.backward();
    l.dispose();
    opt.step();
  };
  const optA = new nd.Adam(a.namedParameters(), { lr: 0.1 });
  for (let i = 0; i < 2; i++) train(a, optA);
  const sd = optA.stateDict();
  strictEqual([...sd.tensors.keys()].sort().join(), "0.bias.m,0.bias.v,0.weight.m,0.weight.v");
  // b's optimiser lists the parameters in the other order: names, not positions, match them.
  b.loadStateDict(a.stateDict());
  const optB = new nd.Adam([["bias", param(b, "bias")], ["weight", param(b, "weight")]], {
    lr: 0.1,
  });
  optB.loadStateDict(sd);
  train(a, optA);
  train(b, optB);
  assertClose(await arr(param(b, "weight")), await arr(param(a, "weight")), { atol: 1e-7 });
  assertClose(await arr(param(b, "bias")), await arr(param(a, "bias")), { atol: 1e-7 });
  const bad = new Map([["0.weight.m", Tensor.from([1, 2], [2])], ["0.nope.v", nd.zeros([1])]]);
  throws(() => optB.loadStateDict({ tensors: bad, meta: {} }), /unexpected 0\.nope\.v/);
  for (const t of [x, ...bad.values()]) t.dispose();
  for (const o of [optA, optB]) o.dispose();
  for (const m of [a, b]) m.dispose();
});

/** The fixtures' loss: sum((w - t)^2) + sum(w^3 * t), summed over the pairs, times sign. */
function sgdLoss(pairs: [Tensor, Tensor][], sign = 1): Tensor {
  return nd.tidy(() => {
    const terms = pairs.map(([w, t]) =>
      nd.add(nd.sum(nd.square(nd.sub(w, t))), nd.sum(nd.mul(nd.powScalar(w, 3), t)))
    );
    return nd.mulScalar(terms.reduce((a, b) => nd.add(a, b)), sign);
  });
}

function sgdStep(opt: nd.SGD, pairs: [Tensor, Tensor][], sign = 1) {
  opt.zeroGrad();
  const loss = sgdLoss(pairs, sign);
  loss.backward();
  loss.dispose();
  opt.step();
}

const SGD_CASES: [string, nd.SgdOptions & { lr: number }, number][] = [
  ["plain", { lr: 0.1 }, 1],
  ["momentum", { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 }, 1],
  ["nesterov", { lr: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.05 }, 1],
  ["maximize", { lr: 0.02, momentum: 0.5, maximize: true }, -1],
];

test("SGD matches torch.optim.SGD over 5 steps: plain, momentum + dampening + weight decay, Nesterov, maximize", async () => {
  const f = await fixture("sgd");
  for (const [name, o, sign] of SGD_CASES) {
    const w = toTensor(f.get(`${name}.w0`)!, true), t = toTensor(f.get(`${name}.t0`)!);
    const opt = new nd.SGD([w], o);
    for (let k = 0; k < 5; k++) {
      sgdStep(opt, [[w, t]], sign);
      assertClose(await arr(w), f.get(`${name}.w0.step${k}`)!.data, { name: `${name} step ${k}` });
    }
    const sd = opt.stateDict();
    if (o.momentum) {
      strictEqual([...sd.tensors.keys()].join(), "0.0.momentum");
      assertClose(await arr(sd.tensors.get("0.0.momentum")!), f.get(`${name}.buf0`)!.data, {
        name: `${name} momentum buffer`,
      });
    } else strictEqual(sd.tensors.size, 0, "no momentum, no state tensors");
    strictEqual(sd.meta.steps["0.0"], 5);
    for (const x of [w, t]) x.dispose();
    opt.dispose();
  }
});

test("SGD over two parameter groups matches PyTorch; state loaded mid-run continues it exactly", async () => {
  const f = await fixture("sgd");
  const groups = (w0: Tensor, w1: Tensor): nd.ParamGroupSpec<nd.SgdGroupHyper>[] => [
    { name: "a", params: [["w", w0]], lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.1 },
    { name: "b", params: [["w", w1]], lr: 0.1, momentum: 0.5, dampening: 0.5 },
  ];
  const w0 = toTensor(f.get("groups.w0")!, true), w1 = toTensor(f.get("groups.w1")!, true);
  const t0 = toTensor(f.get("groups.t0")!), t1 = toTensor(f.get("groups.t1")!);
  const pairs: [Tensor, Tensor][] = [[w0, t0], [w1, t1]];
  const optA = new nd.SGD(groups(w0, w1), { lr: 1 });
  strictEqual(optA.paramGroups[1].nesterov, false);
  for (let k = 0; k < 2; k++) sgdStep(optA, pairs);
  // A fresh optimiser over copies of the parameters takes over after step 2.
  const c0 = toTensor({ ...f.get("groups.w0")!, data: await arr(w0) }, true);
  const c1 = toTensor({ ...f.get("groups.w1")!, data: await arr(w1) }, true);
  const optB = new nd.SGD(groups(c0, c1), { lr: 1 });
  const sd = optA.stateDict();
  strictEqual([...sd.tensors.keys()].sort().join(), "a.w.momentum,b.w.momentum");
  strictEqual(sd.meta.groups[1].dampening, 0.5);
  optB.loadStateDict(sd);
  strictEqual(optB.stepCount, 2);
  const pairsB: [Tensor, Tensor][] = [[c0, t0], [c1, t1]];
  for (let k = 2; k < 5; k++) {
    sgdStep(optA, pairs);
    sgdStep(optB, pairsB);
    for (const [i, w] of [[0, w0], [1, w1], [0, c0], [1, c1]] as const) {
      assertClose(await arr(w), f.get(`groups.w${i}.step${k}`)!.data, { name: `w${i} step ${k}` });
    }
  }
  assertClose(await arr(optB.stateDict().tensors.get("a.w.momentum")!), f.get("groups.buf0")!.data);
  assertClose(await arr(optB.stateDict().tensors.get("b.w.momentum")!), f.get("groups.buf1")!.data);
  const bad = new Map([["a.w.m", nd.zeros([3, 4])]]);
  throws(() => optB.loadStateDict({ tensors: bad, meta: {} }), /unexpected a\.w\.m/);
  for (const t of [w0, w1, t0, t1, c0, c1, ...bad.values()]) t.dispose();
  for (const o of [optA, optB]) o.dispose();
});

test("SGD refuses what torch.optim.SGD refuses", () => {
  const w = Tensor.from([1, 2], [2], { requiresGrad: true });
  throws(() => new nd.SGD([w], { lr: 0.1, nesterov: true }), /Nesterov/);
  throws(
    () => new nd.SGD([w], { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }),
    /Nesterov/,
  );
  throws(() => new nd.SGD([w], { lr: -1 }), /lr >= 0/);
  throws(() => new nd.SGD([w], { lr: 0.1, momentum: -0.5 }), /momentum >= 0/);
  throws(() => new nd.SGD([{ params: [w], weightDecay: -1 }], { lr: 0.1 }), /weightDecay >= 0/);
  w.dispose();
});
