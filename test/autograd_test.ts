// autograd traps: grad() against torch.autograd.grad (a weight reached through two
// paths, intermediate inputs, gradOutputs), only needed inputs get gradients, view() stays in
// the graph, shape-checked backward(grad), iterative freeing of a 20,000-node chain, add/sub
// keep no operands alive, in-place leaf accumulation, noGrad/tidy refuse async functions,
// tidy keeps returned tensors at any nesting.

import * as nd from "../src/mod.ts";
import { Tensor } from "../src/mod.ts";
import { assertClose, fixture, setup, toTensor } from "./helpers.ts";
import { ok, strictEqual, throws } from "node:assert";

// Each test runs inside a scope that frees, when it ends, every tensor it made and did not
// dispose (the tests run one at a time, so a scope across their awaits takes only their own).
const test = (name: string, fn: () => Promise<void> | void) =>
  Deno.test({
    name,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      await setup();
      using _s = nd.scope();
      await fn();
    },
  });

const arr = async (t: Tensor) => await t.toArray() as Float32Array;

test("grad() matches torch.autograd.grad on an MLP (two paths to w, intermediate h, gradOutputs)", async () => {
  const f = await fixture("grad");
  const h_ = (k: string) => f.get(`mlp.${k}`)!;
  const [x, w1, w] = ["x", "w1", "w"].map((k) => toTensor(h_(k), true));
  const [t, s, go] = ["t", "s", "go"].map((k) => toTensor(h_(k)));
  const h = nd.tanh(nd.matmul(x, w1));
  const y1 = nd.matmul(h, w);
  const y2 = nd.matmul(nd.sigmoid(y1), w);
  const rec = nd.mean(nd.square(nd.sub(y2, t)));
  const gan = nd.add(nd.neg(nd.mean(nd.mul(y2, s))), nd.mulScalar(nd.sum(nd.square(y1)), 0.1));
  assertClose(await arr(rec), h_("rec").data, { name: "rec" });
  const [gw, gw1] = nd.grad(rec, [w, w1], { retainGraph: true });
  assertClose(await arr(gw), h_("rec_dw").data, { name: "rec dw" });
  assertClose(await arr(gw1), h_("rec_dw1").data, { name: "rec dw1" });
  const [gganW] = nd.grad(gan, [w], { retainGraph: true });
  assertClose(await arr(gganW), h_("gan_dw").data, { name: "gan dw" });
  const [gh] = nd.grad([rec, gan], [h], { retainGraph: true }); // outputs are summed
  assertClose(await arr(gh), h_("sum_dh").data, { name: "d(rec+gan)/dh" });
  const [gy2w, gy2x] = nd.grad(y2, [w, x], { gradOutputs: [go] });
  assertClose(await arr(gy2w), h_("y2_dw").data, { name: "y2 dw" });
  assertClose(await arr(gy2x), h_("y2_dx").data, { name: "y2 dx" });
  ok(w.grad === null && w1.grad === null && x.grad === null, "grad() must not touch .grad");
  // Without retainGraph the traversed nodes were freed.
  throws(() => nd.grad(y2, [w], { gradOutputs: [go] }), /second time/);
});

test("grad() of a VQGAN-style generator loss reaches the decoder's last weight, not the discriminator", async () => {
  const f = await fixture("grad");
  const c = (k: string, rg = true) => toTensor(f.get(`conv.${k}`)!, rg);
  const x = c("x", false);
  const [we, be, wl, bl, wd] = ["we", "be", "wl", "bl", "wd"].map((k) => c(k));
  const seen: boolean[][] = [];
  // A pass-through op that reports which inputs its backward was asked for.
  const spy = (a: Tensor, b: Tensor) =>
    nd.record("spy", [a, b], nd.noGrad(() => nd.clone(a)), [], (g, _, needs) => {
      seen.push([...needs]);
      return [needs[0] ? g.alias(g.shape) : null, null];
    });
  const rec = nd.conv2d(nd.silu(nd.conv2d(x, we, be, { padding: 1 })), wl, bl, { padding: 1 });
  const lrec = nd.l1Loss(rec, x);
  const lgan = nd.neg(nd.mean(nd.conv2d(spy(rec, wd), wd, null, { stride: 2 })));
  const [dRec] = nd.grad(lrec, wl, { retainGraph: true });
  const [dGan] = nd.grad(lgan, wl, { retainGraph: true });
  assertClose(await arr(dRec), f.get("conv.lrec_dwl")!.data, { name: "d lrec / d wl" });
  assertClose(await arr(dGan), f.get("conv.lgan_dwl")!.data, { name: "d lgan / d wl" });
  // The spy's second input (the discriminator weight) was not wanted, its first was.
  strictEqual(JSON.stringify(seen), JSON.stringify([[true, false]]));
  ok(wd.grad === null && wl.grad === null && we.grad === null, "no .grad written by grad()");
  // A backward over everything afterwards still works (graph retained) and fills .grad.
  nd.add(lrec, lgan).backward();
  ok(wd.grad !== null && we.grad !== null);
});

test("backward rules skip inputs that need no gradient (frozen weights, the network input)", async () => {
  const w = Tensor.from([1, 2, 3, 4], [2, 2], { requiresGrad: true });
  const frozen = Tensor.from([1, 0, 0, 1], [2, 2]);
  const x = Tensor.from([1, 2], [1, 2]);
  let needs: readonly boolean[] = [];
  const y = nd.record("probe", [x, w, frozen], nd.noGrad(() => nd.matmul(x, w)), [], (g, _, n) => {
    needs = n;
    return [null, nd.matmul(nd.transpose(x, 0, 1), g), null];
  });
  nd.sum(y).backward();
  strictEqual(JSON.stringify(needs), "[false,true,false]");
  assertClose(await arr(w.grad!), [1, 1, 2, 2]);
});

test("view() keeps the tensor in the graph; detach() cuts it", async () => {
  const x = Tensor.from([1, 2, 3, 4, 5, 6], [2, 3], { requiresGrad: true });
  const v = x.view([3, 2]);
  ok(v.requiresGrad && v.gradFn !== null, "view must record a node");
  nd.sum(nd.mul(v, Tensor.from([1, 2, 3, 4, 5, 6], [3, 2]))).backward();
  assertClose(await arr(x.grad!), [1, 2, 3, 4, 5, 6]);
  ok(!x.detach().requiresGrad && x.detach().gradFn === null);
});

test("backward(grad) checks the gradient's shape", async () => {
  const x = Tensor.from([1, 2, 3, 4], [2, 2], { requiresGrad: true });
  const y = nd.mulScalar(x, 2);
  throws(
    () => y.backward(Tensor.from([1, 1, 1, 1], [4])),
    /shape \[4\] for a tensor of shape \[2, 2\]/,
  );
  y.backward(Tensor.from([1, 2, 3, 4], [2, 2]));
  assertClose(await arr(x.grad!), [2, 4, 6, 8]);
});

test("a 20,000-node chain backpropagates and frees without overflowing the stack", async () => {
  const before = nd.memoryStats().liveBuffers;
  const x = Tensor.from([1, 2, 3, 4], [4], { requiresGrad: true });
  // Every tensor is dropped before backward: the nodes alone keep the chain alive.
  const loss = nd.tidy(() => {
    let y = x;
    for (let i = 0; i < 20000; i++) y = nd.reshape(y, i % 2 ? [4] : [2, 2]);
    return nd.sum(y);
  });
  loss.backward();
  assertClose(await arr(x.grad!), [1, 1, 1, 1]);
  // And a chain whose tensors are all disposed without a backward frees node by node.
  const kept = nd.tidy(() => {
    let y = x;
    for (let i = 0; i < 20000; i++) y = nd.reshape(y, i % 2 ? [4] : [2, 2]);
    return nd.sum(y);
  });
  kept.dispose();
  loss.dispose();
  x.dispose();
  strictEqual(nd.memoryStats().liveBuffers, before);
});

test("add/sub keep no operand alive for backward; mul does", () => {
  for (const [op, keeps] of [[nd.add, false], [nd.sub, false], [nd.mul, true]] as const) {
    const a = Tensor.from(new Float32Array(64).fill(1), [8, 8], { requiresGrad: true });
    const b = Tensor.from(new Float32Array(8).fill(2), [8], { requiresGrad: true });
    const y = op(a, b);
    const withInputs = nd.memoryStats().liveBuffers;
    a.dispose();
    b.dispose();
    const freed = withInputs - nd.memoryStats().liveBuffers;
    strictEqual(freed, keeps ? 0 : 2, `${op.name}: buffers freed when its operands are disposed`);
    nd.sum(y).backward(); // still differentiable after the operands are gone
    y.dispose();
  }
  return Promise.resolve();
});

test("backward() leaves nothing behind for a leaf disposed before it", async () => {
  const before = nd.memoryStats().liveBuffers;
  const a = Tensor.from([1, 2, 3], [3], { requiresGrad: true });
  const b = Tensor.from([4, 5, 6], [3], { requiresGrad: true });
  const y = nd.mul(a, b); // keeps its own views of a and b for backward
  a.dispose();
  const l = nd.sum(y);
  l.backward();
  ok(a.grad === null, "a disposed leaf gets no .grad");
  assertClose(await arr(b.grad!), [1, 2, 3], { name: "b.grad = a" });
  for (const t of [y, l, b]) t.dispose();
  strictEqual(nd.memoryStats().liveBuffers, before, "every buffer freed");
});

test("leaf gradients accumulate in place: .grad keeps its buffer across backward calls", async () => {
  const w = Tensor.from([1, 2, 3], [3], { requiresGrad: true });
  const b = Tensor.from([1, 1, 1], [3], { requiresGrad: true });
  // add's backward hands both leaves views of one gradient: each must own its .grad.
  nd.sum(nd.mul(nd.add(w, b), Tensor.from([1, 2, 3], [3]))).backward();
  const buf = w.grad!.buffer;
  nd.sum(nd.mul(nd.add(w, b), Tensor.from([1, 2, 3], [3]))).backward();
  ok(w.grad!.buffer === buf, "w.grad was replaced instead of accumulated in place");
  assertClose(await arr(w.grad!), [2, 4, 6]);
  assertClose(await arr(b.grad!), [2, 4, 6]);
  ok(w.grad!.buffer !== b.grad!.buffer);
});

test("noGrad, enableGrad and tidy refuse async functions", () => {
  throws(() => nd.noGrad(async () => {}), /synchronous/);
  throws(() => nd.enableGrad(async () => {}), /synchronous/);
  throws(() => nd.tidy(async () => {}), /synchronous/);
  ok(nd.isGradEnabled(), "grad mode restored");
  throws(() => nd.noGrad(() => Promise.resolve(1)), /synchronous/);
  ok(nd.isGradEnabled(), "grad mode restored after a Promise-returning function");
  ok(nd.noGrad(() => nd.enableGrad(() => nd.isGradEnabled())));
  return Promise.resolve();
});

test("tidy() keeps returned tensors at any nesting (deep objects, Maps, Sets)", async () => {
  const before = nd.memoryStats().liveBuffers;
  const out = nd.tidy(() => {
    const deep = nd.ones([2]);
    const inMap = nd.ones([3]);
    const inSet = nd.ones([4]);
    nd.zeros([5]); // dropped
    return {
      a: { b: { c: { d: { e: { f: [[deep]] } } } } },
      m: new Map([["k", inMap]]),
      s: new Set([inSet]),
    };
  });
  const deep = out.a.b.c.d.e.f[0][0];
  assertClose(await arr(deep), [1, 1]);
  assertClose(await arr(out.m.get("k")!), [1, 1, 1]);
  assertClose(await arr([...out.s][0]), [1, 1, 1, 1]);
  strictEqual(nd.memoryStats().liveBuffers, before + 3);
  for (const t of [deep, out.m.get("k")!, ...out.s]) t.dispose();
});

test("a backward rule may return one tensor object for several inputs (each gets it)", async () => {
  const a = Tensor.from([1, 2], [2], { requiresGrad: true });
  const b = Tensor.from([3, 4], [2], { requiresGrad: true });
  const y = nd.record("same", [a, b, a], nd.noGrad(() => nd.add(a, b)), [], (g) => [g, g, g]);
  nd.sum(nd.mulScalar(y, 3)).backward();
  assertClose(await arr(a.grad!), [6, 6]); // listed twice: 3 + 3
  assertClose(await arr(b.grad!), [3, 3]);
  for (const t of [a, b, y]) t.dispose();
});

test("grad() + backward in a training loop leaves the live-buffer count flat", async () => {
  const w = Tensor.from([0.5, -1, 2, 0.3], [2, 2], { requiresGrad: true });
  const v = Tensor.from([1, 0.2, -0.4, 0.7], [2, 2], { requiresGrad: true });
  const x = Tensor.from([1, 2, 3, 4, 5, 6], [3, 2]);
  const counts: number[] = [];
  for (let i = 0; i < 4; i++) {
    nd.tidy(() => {
      const h = nd.tanh(nd.matmul(x, w));
      const a = nd.mean(nd.square(nd.matmul(h, v)));
      const b = nd.sum(nd.sigmoid(nd.matmul(h, v)));
      const [ga] = nd.grad(a, v, { retainGraph: true });
      const [gb] = nd.grad(b, v, { retainGraph: true });
      const lam = nd.noGrad(() =>
        nd.div(nd.sum(nd.square(ga)), nd.addScalar(nd.sum(nd.square(gb)), 1e-4))
      );
      nd.add(a, nd.mul(b, lam)).backward();
    });
    for (const p of [w, v]) {
      p.grad?.dispose();
      p.grad = null;
    }
    await nd.sync();
    counts.push(nd.memoryStats().liveBuffers);
  }
  strictEqual(new Set(counts).size, 1, `live buffers per iteration: ${counts.join(", ")}`);
  for (const t of [w, v, x]) t.dispose();
});
