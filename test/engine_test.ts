// Engine behaviour: autograd (accumulation, noGrad, detach, retainGraph), scopes and disposal,
// memory discipline (a 100-step MLP training loop leaves live buffers flat), clear errors.

import * as nd from "../src/mod.ts";
import { Tensor } from "../src/mod.ts";
import { assertClose, setup } from "./helpers.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  ...opts,
  name: "backward() accumulates the gradient of a tensor used twice",
  async fn() {
    await setup();
    const x = Tensor.from([1, 2, 3], [3], { requiresGrad: true });
    const y = nd.tidy(() => nd.sum(nd.add(nd.mul(x, x), x))); // d/dx = 2x + 1
    y.backward();
    assertClose(await x.grad!.toArray(), [3, 5, 7], { atol: 0 });
    const z = nd.sum(x); // grads accumulate across backward calls, as in PyTorch
    z.backward();
    assertClose(await x.grad!.toArray(), [4, 6, 8], { atol: 0 });
    for (const t of [x, y, z]) t.dispose();
  },
});

Deno.test({
  ...opts,
  name: "noGrad() and detach() record no graph",
  async fn() {
    await setup();
    const x = Tensor.from([1, 2], [2], { requiresGrad: true });
    const a = nd.noGrad(() => nd.mul(x, x));
    const b = nd.tidy(() => nd.mul(x.detach(), x.detach()));
    if (a.requiresGrad || a.gradFn || b.requiresGrad) {
      throw new Error("graph recorded under noGrad/detach");
    }
    for (const t of [x, a, b]) t.dispose();
  },
});

Deno.test({
  ...opts,
  name: "backward() twice through a freed graph throws unless retainGraph",
  async fn() {
    await setup();
    const x = Tensor.from([1, 2], [2], { requiresGrad: true });
    const y = nd.tidy(() => nd.sum(nd.exp(x)));
    y.backward(undefined, { retainGraph: true });
    y.backward();
    let threw = false;
    try {
      y.backward();
    } catch (e) {
      threw = /second time/.test((e as Error).message);
    }
    if (!threw) throw new Error("expected a 'second time' error");
    assertClose(await x.grad!.toArray(), [2 * Math.E, 2 * Math.exp(2)], { rtol: 1e-6 });
    x.dispose();
    y.dispose();
  },
});

Deno.test({
  ...opts,
  name:
    "tidy() frees intermediates and keeps returned tensors; disposed intermediates still backprop",
  async fn() {
    await setup();
    const before = nd.memoryStats().liveBuffers;
    const w = Tensor.from([0.5, -1, 2], [3], { requiresGrad: true });
    const inside: Tensor[] = [];
    const loss = nd.tidy(() => {
      const a = nd.mul(w, 3), b = nd.sub(a, 1), c = nd.square(b);
      inside.push(a, b, c);
      return nd.mean(c);
    });
    // Every intermediate created inside is disposed (its storage is gone), the result is not.
    for (const [i, t] of inside.entries()) {
      let freed = false;
      try {
        t.buffer;
      } catch {
        freed = true;
      }
      if (!freed) throw new Error(`tidy left intermediate ${i} alive`);
    }
    loss.buffer; // throws if tidy disposed the returned tensor
    // tidy keeps fewer buffers alive than the same expression allocates (4 tensors).
    const kept = nd.memoryStats().liveBuffers - before - 1;
    nd.tidy(() => {
      const n0 = nd.memoryStats().liveBuffers;
      nd.mean(nd.square(nd.sub(nd.mul(w, 3), 1)));
      const made = nd.memoryStats().liveBuffers - n0;
      if (!(kept < made)) throw new Error(`tidy kept ${kept} buffers of the ${made} allocated`);
    });
    loss.backward();
    // d/dw mean((3w-1)^2) = 2(3w-1)*3/3
    assertClose(await w.grad!.toArray(), [1, -8, 10], { rtol: 1e-6 });
    loss.dispose();
    w.dispose();
    if (nd.memoryStats().liveBuffers !== before) {
      throw new Error(`${nd.memoryStats().liveBuffers - before} buffers leaked`);
    }
  },
});

Deno.test({
  ...opts,
  name: "100 steps of MLP training with Adam leave the live-buffer count flat and reduce the loss",
  async fn() {
    await setup();
    nd.manualSeed(3);
    const x = nd.randn([64, 8]);
    const target = nd.tidy(() => nd.tanh(nd.mulScalar(nd.sum(x, 1, true), 0.5)));
    const w1 = nd.tidy(() => nd.mulScalar(nd.randn([8, 32]), 0.3)), b1 = nd.zeros([32]);
    const w2 = nd.tidy(() => nd.mulScalar(nd.randn([32, 1]), 0.3)), b2 = nd.zeros([1]);
    for (const p of [w1, w2, b1, b2]) p.requiresGrad = true;
    const opt = new nd.Adam([w1, b1, w2, b2], { lr: 0.01 });
    const step = () => {
      const loss = nd.tidy(() => {
        const h = nd.silu(nd.add(nd.matmul(x, w1), b1));
        return nd.mseLoss(nd.add(nd.matmul(h, w2), b2), target);
      });
      loss.backward();
      opt.step();
      opt.zeroGrad();
      return loss;
    };
    const first = step();
    const l0 = await first.item();
    first.dispose();
    const live = nd.memoryStats().liveBuffers;
    let last = 0;
    for (let i = 0; i < 100; i++) {
      const l = step();
      if (i === 99) last = await l.item();
      l.dispose();
      const now = nd.memoryStats().liveBuffers;
      if (now !== live) throw new Error(`step ${i}: live buffers ${now} != ${live}`);
    }
    if (!(last < 0.5 * l0)) throw new Error(`loss did not fall: ${l0} -> ${last}`);
    for (const t of [x, target, w1, b1, w2, b2]) t.dispose();
    opt.dispose();
  },
});

Deno.test({
  ...opts,
  name: "ops give clear one-line errors for bad shapes and use after dispose",
  async fn() {
    await setup();
    const a = Tensor.from([1, 2, 3], [3]), b = Tensor.from([1, 2], [2]);
    const expectError = (fn: () => unknown, re: RegExp) => {
      try {
        fn();
      } catch (e) {
        const m = (e as Error).message;
        if (!re.test(m) || m.includes("\n")) throw new Error(`unexpected message: ${m}`);
        return;
      }
      throw new Error(`expected an error matching ${re}`);
    };
    expectError(() => nd.add(a, b), /shapes \[3\] and \[2\] do not broadcast/);
    expectError(
      () => nd.tidy(() => nd.matmul(nd.reshape(a, [3, 1]), nd.reshape(a, [3, 1]))),
      /matmul shapes/,
    );
    expectError(() => nd.reshape(a, [2, 2]), /cannot reshape/);
    expectError(() => Tensor.from([1, 2, 3], [2, 2]), /3 values for shape \[2, 2\]/);
    a.dispose();
    expectError(() => nd.tidy(() => nd.exp(a)), /used after dispose/);
    b.dispose();
  },
});

Deno.test({
  ...opts,
  name: "a WebGPU validation error surfaces as a thrown error naming the kernel",
  async fn() {
    await setup();
    const { dispatch, flush } = await import("../src/core/dispatch.ts");
    const t = nd.zeros([4]);
    const bad = {
      name: "deliberately_broken",
      code: "@compute @workgroup_size(1) fn main() { let x: f32 = 1u; }",
      inputs: 0,
      outputs: 1,
    };
    let message = "";
    try {
      dispatch(bad, new Uint32Array(4), [t.buffer], [1], 0);
      flush();
      await t.toArray();
    } catch (e) {
      message = (e as Error).message;
    }
    if (!message.includes("deliberately_broken")) {
      throw new Error(`error did not name the kernel: '${message}'`);
    }
    t.dispose();
    await nd.sync(); // the device stays usable
    using ok = nd.tidy(() => nd.addScalar(nd.zeros([2]), 1));
    assertClose(await ok.toArray(), [1, 1], { atol: 0 });
  },
});

Deno.test({
  ...opts,
  name: "tensors over the storage-binding limit are refused with a clear error",
  async fn() {
    await setup();
    const max = nd.deviceInfo().limits.maxStorageBufferBindingSize;
    let msg = "";
    try {
      Tensor.empty([Math.ceil(max / 4) + 1]);
    } catch (e) {
      msg = (e as Error).message;
    }
    if (!/storage-binding limit/.test(msg)) throw new Error(`unexpected: '${msg}'`);
  },
});

Deno.test({
  ...opts,
  name: "no adapter: the CLI prints one line saying what to install and exits 1",
  async fn() {
    const script = `navigator.gpu.requestAdapter = () => Promise.resolve(null);
      const { main } = await import("${new URL("../src/cli/main.ts", import.meta.url).href}");
      Deno.exit(await main(["info"]));`;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", script],
      stderr: "piped",
      stdout: "piped",
    }).output();
    const err = new TextDecoder().decode(out.stderr).trim();
    if (out.code !== 1) throw new Error(`exit code ${out.code}`);
    if (err.split("\n").length !== 1 || !/mesa-vulkan-drivers/.test(err)) {
      throw new Error(`stderr: ${err}`);
    }
  },
});
