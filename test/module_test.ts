// The Module API: fields register children, parameters and buffers in assignment order (torch's
// __setattr__), replacing or nulling a registered field frees what it held, # fields and plain
// tensors stay unregistered; Sequential runs a layer's fused kernel with the next layer through
// forwardFused; loadStateDict copies into the existing parameters (an optimiser built earlier
// keeps updating the model), strict loading lists every problem in one error and loads nothing,
// non-strict loading returns the missing and unexpected keys, only num_batches_tracked may be
// let through (allowMissingNumBatchesTracked); BatchNorm2d keeps num_batches_tracked;
// requiresGrad_ / apply / train / eval reach every submodule; copy_ broadcasts and refuses
// differentiable use.

import * as nd from "../src/mod.ts";
import { Tensor } from "../src/mod.ts";
import { buffer, parameter } from "../src/nn/module.ts";
import type { TensorLayer } from "../src/nn/sequential.ts";
import { assertClose, setup } from "./helpers.ts";
import { deepStrictEqual, ok, strictEqual, throws } from "node:assert";

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

const arr = async (t: Tensor) => await t.toArray() as Float32Array;
const keys = (m: nd.Module) => [...m.stateDict().keys()];

class Net extends nd.Module {
  conv = new nd.Conv2d(2, 3, 3, { padding: 1 });
  bn = new nd.BatchNorm2d(3);
  head = new nd.Linear(3, 1);
  forward(x: Tensor): Tensor {
    return nd.tidy(() => this.head.forward(nd.mean(this.bn.forward(this.conv.forward(x)), [2, 3])));
  }
}

/** Fields declared in one order and assigned in another; a plain tensor and a # field. */
class Declared extends nd.Module {
  second: nd.Linear | null;
  first: nd.Conv2d | null;
  scale: Tensor | null;
  stats: Tensor | null;
  plain: Tensor | null;
  #hidden: nd.Linear;
  constructor() {
    super();
    this.first = new nd.Conv2d(1, 2, 1);
    this.stats = buffer(nd.zeros([2]));
    this.scale = parameter(nd.ones([2]));
    this.second = new nd.Linear(2, 2);
    this.plain = nd.ones([3]);
    this.#hidden = new nd.Linear(1, 1);
  }
  get hidden(): nd.Linear {
    return this.#hidden;
  }
}

test("fields register children, parameters and buffers in assignment order, not declaration order", () => {
  const m = new Declared();
  deepStrictEqual(keys(m), [
    "scale",
    "first.weight",
    "first.bias",
    "second.weight",
    "second.bias",
    "stats",
  ]);
  deepStrictEqual([...m.namedChildren()].map(([n]) => n), ["first", "second"]);
  deepStrictEqual(m.buffers(), [m.stats]);
  strictEqual(m.parameters()[0], m.scale, "the field is the registered tensor");
  ok(m.scale!.requiresGrad && !m.stats!.requiresGrad);
  ok(!m.modules().includes(m.hidden), "# fields are not registered");
  ok(!m.stateDict().has("plain"), "an unmarked tensor is a plain attribute");
  m.dispose();
  ok(!m.plain!.isDisposed, "plain attributes are not owned");
  ok(m.scale!.isDisposed && m.first!.weight.isDisposed);
  m.plain!.dispose();
  m.hidden.dispose();
});

test("replacing or nulling a registered field frees the old value and keeps the key's place", () => {
  const m = new Declared();
  const oldScale = m.scale!, oldStats = m.stats!, oldFirst = m.first!;
  m.scale = parameter(nd.full([2], 3));
  ok(oldScale.isDisposed, "replaced parameter disposed");
  strictEqual(keys(m)[0], "scale");
  strictEqual(m.stateDict().get("scale"), m.scale);
  m.stats = nd.full([2], 5); // an unmarked tensor on a buffer's name replaces the buffer
  ok(oldStats.isDisposed);
  strictEqual(m.stateDict().get("stats"), m.stats);
  m.first = new nd.Conv2d(1, 2, 1);
  ok(oldFirst.weight.isDisposed, "replaced child disposed");
  deepStrictEqual(keys(m).slice(1, 3), ["first.weight", "first.bias"], "same place");
  const second = m.second!;
  m.second = null;
  ok(second.weight.isDisposed);
  deepStrictEqual(keys(m), ["scale", "first.weight", "first.bias", "stats"]);
  throws(() => (m.scale = nd.ones([2])), /Declared\.scale is a parameter/);
  throws(() => ((m as unknown as { first: number }).first = 3), /is a child module/);
  throws(() => ((m as unknown as { self: unknown }).self = m), /its own child/);
  const first = m.first;
  delete (m as unknown as { first?: unknown }).first;
  ok(first.weight.isDisposed, "delete unregisters and frees");
  deepStrictEqual(keys(m), ["scale", "stats"]);
  m.dispose();
  m.plain!.dispose();
  m.hidden.dispose();
});

test("registerModule / registerParameter / registerBuffer take runtime names and set the field", () => {
  class Dynamic extends nd.Module {
    legacy = this.registerModule("legacy", new nd.Linear(1, 1)); // registered once
    constructor(names: string[]) {
      super();
      for (const n of names) this.registerParameter(n, nd.zeros([1]));
      this.registerBuffer("count", nd.zeros([1]));
      this.registerModule("0", new nd.GroupNorm(1, 2));
    }
  }
  const m = new Dynamic(["alpha", "beta"]);
  deepStrictEqual(keys(m), [
    "alpha",
    "beta",
    "legacy.weight",
    "legacy.bias",
    "0.weight",
    "0.bias",
    "count",
  ]);
  const rec = m as unknown as Record<string, unknown>;
  strictEqual(rec.alpha, m.stateDict().get("alpha"));
  strictEqual(rec["0"], m.children()[1]);
  m.dispose();
});

test("Sequential runs a layer's forwardFused with the next layer, else each forward", async () => {
  const calls: string[] = [];
  class Twice extends nd.Module implements TensorLayer {
    forward(x: Tensor): Tensor {
      calls.push("twice");
      return nd.mulScalar(x, 2);
    }
    forwardFused(next: nd.Module, x: Tensor): Tensor | null {
      if (!(next instanceof PlusOne)) return null;
      calls.push("fused");
      return nd.addScalar(nd.mulScalar(x, 2), 1);
    }
  }
  class PlusOne extends nd.Module implements TensorLayer {
    forward(x: Tensor): Tensor {
      calls.push("plus");
      return nd.addScalar(x, 1);
    }
  }
  const x = Tensor.from([1, 2], [2]);
  const seq = new nd.Sequential([new Twice(), new PlusOne(), new Twice(), new Twice()]);
  assertClose(await arr(seq.forward(x)), [12, 20]);
  deepStrictEqual(calls, ["fused", "twice", "twice"]);
  // GroupNorm + SiLU: one fused pass with the unfused values.
  const gn = new nd.GroupNorm(2, 4);
  nd.noGrad(() => nd.copy_(gn.weight!, Tensor.from([1, 2, 3, 4], [4])));
  const fused = new nd.Sequential([gn, new nd.SiLU()]);
  const silu = fused.layers[1];
  let siluCalls = 0;
  const plain = silu.forward.bind(silu);
  (silu as unknown as Record<string, unknown>).forward = (t: Tensor) => (siluCalls++, plain(t));
  const y = nd.randn([2, 4, 3, 3]);
  const out = await arr(fused.forward(y));
  strictEqual(siluCalls, 0, "the SiLU ran inside the GroupNorm pass");
  assertClose(out, await arr(nd.silu(gn.forward(y))), { atol: 1e-5 });
  strictEqual(gn.forwardFused(new nd.ReLU(), y), null, "no fused kernel for other layers");
  fused.dispose();
});

test("loadStateDict copies into the existing parameters: an optimiser built earlier keeps working", async () => {
  const net = new Net(), other = new Net();
  const opt = new nd.Adam(net.namedParameters(), { lr: 0.1 });
  const w = new Map(net.namedParameters()).get("head.weight")!;
  const loaded = other.stateDict();
  net.loadStateDict(loaded);
  ok(new Map(net.namedParameters()).get("head.weight") === w, "parameter object replaced");
  ok(net.head.weight === w, "the field still holds the parameter");
  assertClose(await arr(w), await arr(loaded.get("head.weight")!), { atol: 0 });
  const x = nd.randn([2, 2, 5, 4]);
  const l = nd.tidy(() => nd.sum(net.forward(x)));
  l.backward();
  opt.step();
  const after = await arr(w);
  const before = await arr(loaded.get("head.weight")!);
  ok(
    after.some((v, i) => Math.abs(v - before[i]) > 1e-3),
    "the optimiser no longer updates the model",
  );
  for (const t of [x, l]) t.dispose();
  opt.dispose();
  net.dispose();
  other.dispose();
});

test("loadStateDict assign: the fields hold the given tensors, requiresGrad kept, old ones freed", async () => {
  const net = new Net();
  net.conv.requiresGrad_(false);
  const oldW = net.conv.weight, oldMean = net.bn.running_mean!;
  const w = nd.full([3, 2, 3, 3], 0.5), mean = nd.full([3], 2);
  net.loadStateDict(new Map([["conv.weight", w], ["bn.running_mean", mean]]), {
    strict: false,
    assign: true,
  });
  strictEqual(net.conv.weight, w);
  strictEqual(net.bn.running_mean, mean);
  strictEqual(net.stateDict().get("conv.weight"), w);
  ok(!w.requiresGrad, "the frozen flag carries over");
  ok(oldW.isDisposed && oldMean.isDisposed);
  assertClose((await arr(w)).slice(0, 2), [0.5, 0.5]);
  net.dispose();
});

test("strict loadStateDict lists missing, unexpected and wrong-shape keys in one error, loads nothing", async () => {
  const net = new Net();
  const sd = new Map(net.stateDict());
  const good = await arr(sd.get("conv.bias")!);
  const fresh = Tensor.from([9, 9, 9], [3]);
  sd.set("conv.bias", fresh); // would load, but the dict is rejected as a whole
  sd.delete("bn.running_mean");
  sd.set("head.weight", nd.zeros([2, 3]));
  sd.set("extra.weight", nd.zeros([1]));
  let msg = "";
  try {
    net.loadStateDict(sd);
  } catch (e) {
    msg = (e as Error).message;
  }
  ok(/missing 1 key \[bn\.running_mean\]/.test(msg), msg);
  ok(/unexpected 1 key \[extra\.weight\]/.test(msg), msg);
  ok(/head\.weight \[2, 3\] vs model \[1, 3\]/.test(msg), msg);
  ok(!msg.includes("\n"), "one line");
  assertClose(await arr(net.conv.bias!), good, { atol: 0 });
  // Non-strict: the matching keys load, the others come back; shapes are still checked.
  throws(() => net.loadStateDict(sd, { strict: false }), /head\.weight \[2, 3\]/);
  sd.get("head.weight")!.dispose();
  sd.set("head.weight", nd.zeros([1, 3]));
  sd.delete("head.bias");
  const r = net.loadStateDict(sd, { strict: false });
  deepStrictEqual(r, {
    missingKeys: ["head.bias", "bn.running_mean"],
    unexpectedKeys: ["extra.weight"],
  });
  assertClose(await arr(net.conv.bias!), [9, 9, 9]);
  deepStrictEqual(net.loadStateDict(net.stateDict()), { missingKeys: [], unexpectedKeys: [] });
  net.dispose();
  for (const k of ["conv.bias", "head.weight", "extra.weight"]) sd.get(k)!.dispose();
});

test("allowMissingNumBatchesTracked lets only num_batches_tracked be missing, keeping its value", async () => {
  const net = new Net();
  const x = nd.randn([2, 2, 3, 3]);
  net.forward(x).dispose(); // training: num_batches_tracked = 1
  const old = new Map(net.stateDict());
  old.delete("bn.num_batches_tracked"); // a checkpoint from before torch counted batches
  throws(() => net.loadStateDict(old), /missing 1 key \[bn\.num_batches_tracked\]/);
  deepStrictEqual(net.loadStateDict(old, { allowMissingNumBatchesTracked: true }), {
    missingKeys: [],
    unexpectedKeys: [],
  });
  strictEqual(await net.bn.num_batches_tracked!.item(), 1);
  const noMean = new Map(old);
  noMean.delete("bn.running_mean");
  throws(
    () => net.loadStateDict(noMean, { allowMissingNumBatchesTracked: true }),
    /missing 1 key \[bn\.running_mean\]/,
  );
  const noWeight = new Map(old);
  noWeight.delete("head.weight");
  const r = net.loadStateDict(noWeight, { strict: false, allowMissingNumBatchesTracked: true });
  deepStrictEqual(r.missingKeys, ["head.weight"], "a missing parameter is always reported");
  strictEqual(
    net.loadStateDict(old, { strict: false }).missingKeys.join(),
    "bn.num_batches_tracked",
    "without the option it is reported like any key",
  );
  x.dispose();
  net.dispose();
});

test("BatchNorm2d counts num_batches_tracked in training and loads a PyTorch-style state dict strictly", async () => {
  const bn = new nd.BatchNorm2d(2);
  const x = nd.randn([3, 2, 4, 4]);
  bn.forward(x).dispose();
  bn.forward(x).dispose();
  bn.eval().forward(x).dispose();
  const n = bn.stateDict().get("num_batches_tracked")!;
  strictEqual(n, bn.num_batches_tracked);
  strictEqual(n.dtype, "i32");
  strictEqual(n.shape.length, 0);
  strictEqual(await n.item(), 2);
  const torchLike = new Map([
    ["weight", nd.ones([2])],
    ["bias", nd.zeros([2])],
    ["running_mean", nd.zeros([2])],
    ["running_var", nd.ones([2])],
    ["num_batches_tracked", Tensor.from([7], [], { dtype: "i32" })],
  ]);
  bn.loadStateDict(torchLike);
  strictEqual(await n.item(), 7);
  for (const t of [x, ...torchLike.values()]) t.dispose();
  bn.dispose();
});

test("requiresGrad_, apply, train and eval reach every submodule", async () => {
  const net = new Net();
  const seen: string[] = [];
  net.apply((m) => seen.push(m.constructor.name));
  strictEqual(seen.join(), "Conv2d,BatchNorm2d,Linear,Net"); // children first, as torch
  net.eval();
  ok(net.modules().every((m) => !m.training));
  net.train();
  ok(net.modules().every((m) => m.training));
  net.conv.requiresGrad_(false);
  const x = nd.randn([2, 2, 5, 4]);
  const l = nd.tidy(() => nd.sum(net.forward(x)));
  l.backward();
  const grads = [...net.namedParameters()].map(([n, p]) => `${n}:${p.grad ? 1 : 0}`).join();
  strictEqual(
    grads,
    "conv.weight:0,conv.bias:0,bn.weight:1,bn.bias:1,head.weight:1,head.bias:1",
  );
  strictEqual(
    [...net.namedBuffers()].map(([n]) => n).join(),
    "bn.running_mean,bn.running_var,bn.num_batches_tracked",
  );
  // apply() for custom initialisation through copy_ under noGrad.
  net.apply((m) => {
    if (m instanceof nd.Linear) nd.noGrad(() => nd.copy_(m.weight, nd.full([1], 0.5)));
  });
  assertClose(await arr(net.head.weight), [0.5, 0.5, 0.5]);
  for (const t of [x, l]) t.dispose();
  net.dispose();
});

test("copy_ broadcasts, copies integer tensors and refuses differentiable use", async () => {
  const dst = nd.zeros([2, 3]);
  nd.copy_(dst, Tensor.from([1, 2, 3], [3]));
  assertClose(await arr(dst), [1, 2, 3, 1, 2, 3]);
  const di = Tensor.from([0, 0], [2], { dtype: "i32" });
  nd.copy_(di, Tensor.from([-5, 7], [2], { dtype: "i32" }));
  strictEqual([...await di.toArray()].join(), "-5,7");
  throws(() => nd.copy_(dst, Tensor.from([1, 2], [2])), /cannot broadcast \[2\] to \[2, 3\]/);
  throws(() => nd.copy_(dst, di), /from i32 into f32/);
  const p = Tensor.from([1, 2, 3], [3], { requiresGrad: true });
  throws(() => nd.copy_(p, Tensor.from([0, 0, 0], [3])), /noGrad/);
  nd.noGrad(() => nd.copy_(p, Tensor.from([4, 5, 6], [3])));
  assertClose(await arr(p), [4, 5, 6]);
  for (const t of [dst, di, p]) t.dispose();
});

Deno.test("Module.dispose() runs every child's own dispose(), freeing state kept outside the registry", async () => {
  await setup();
  let freed = 0;
  class Holder extends nd.Module {
    #outside = Tensor.from([1, 2, 3], [3]);
    lin = new nd.Linear(2, 2);
    override dispose() {
      this.#outside.dispose();
      freed++;
      super.dispose();
    }
  }
  class Outer extends nd.Module {
    inner = new Holder();
  }
  const before = nd.memoryStats().liveBuffers;
  const m = new Outer();
  m.dispose();
  ok(freed === 1, "the child's dispose() ran");
  ok(nd.memoryStats().liveBuffers === before, "nothing left alive");
});
