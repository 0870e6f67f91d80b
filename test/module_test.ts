// Module API traps of issue 9: loadStateDict copies into the existing parameters (an optimiser
// built earlier keeps updating the model), strict loading lists every problem in one error and
// loads nothing then, BatchNorm2d keeps num_batches_tracked, requiresGrad_ / apply / train /
// eval reach every submodule, copy_ broadcasts and refuses differentiable use.

import * as nd from "../src/mod.ts";
import { Tensor } from "../src/mod.ts";
import { assertClose, setup } from "./helpers.ts";
import { ok, strictEqual, throws } from "node:assert";

const test = (name: string, fn: () => Promise<void> | void) =>
  Deno.test({
    name,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      await setup();
      await fn();
    },
  });

const arr = async (t: Tensor) => await t.toArray() as Float32Array;

class Net extends nd.Module {
  conv = this.registerModule("conv", new nd.Conv2d(2, 3, 3, { padding: 1 }));
  bn = this.registerModule("bn", new nd.BatchNorm2d(3));
  head = this.registerModule("head", new nd.Linear(3, 1));
  forward(x: Tensor): Tensor {
    return nd.tidy(() => this.head.forward(nd.mean(this.bn.forward(this.conv.forward(x)), [2, 3])));
  }
}

test("loadStateDict copies into the existing parameters: an optimiser built earlier keeps working", async () => {
  const net = new Net(), other = new Net();
  const opt = new nd.Adam(net.namedParameters(), { lr: 0.1 });
  const w = new Map(net.namedParameters()).get("head.weight")!;
  const loaded = other.stateDict();
  net.loadStateDict(loaded);
  ok(new Map(net.namedParameters()).get("head.weight") === w, "parameter object replaced");
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
  assertClose(await arr(new Map(net.namedParameters()).get("conv.bias")!), good, { atol: 0 });
  // Non-strict: missing and unexpected keys are ignored, shapes still checked.
  sd.set("head.weight", nd.zeros([1, 3]));
  net.loadStateDict(sd, { strict: false });
  assertClose(await arr(new Map(net.namedParameters()).get("conv.bias")!), [9, 9, 9]);
  net.dispose();
  for (const k of ["conv.bias", "head.weight", "extra.weight"]) sd.get(k)!.dispose();
});

test("BatchNorm2d counts num_batches_tracked in training and loads a PyTorch-style state dict strictly", async () => {
  const bn = new nd.BatchNorm2d(2);
  const x = nd.randn([3, 2, 4, 4]);
  bn.forward(x).dispose();
  bn.forward(x).dispose();
  bn.eval().forward(x).dispose();
  const n = bn.stateDict().get("num_batches_tracked")!;
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
    if (m instanceof nd.Linear) {
      nd.noGrad(() => nd.copy_(new Map(m.namedParameters()).get("weight")!, nd.full([1], 0.5)));
    }
  });
  assertClose(await arr(new Map(net.namedParameters()).get("head.weight")!), [0.5, 0.5, 0.5]);
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
