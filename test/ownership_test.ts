// Who frees a tensor: `using` on tensors and scopes (the live-buffer count of memoryStats goes
// back to where it was), scope().keep handing tensors to the enclosing scope, tidyAsync across
// awaits (two interleaved calls never take each other's tensors; a stacked scope() across
// interleaved awaits is refused), clipGradNorm_ returning a new norm tensor against a float64
// host reference, and the src/mod.ts header example run as written, leaving nothing live.

import * as nd from "../src/mod.ts";
import { scope, Tensor, tidy, tidyAsync } from "../src/mod.ts";
import { assertClose, hostRandom, setup } from "./helpers.ts";
import { ok, rejects, strictEqual, throws } from "node:assert";

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

const live = () => nd.memoryStats().liveBuffers;
const arr = async (t: Tensor) => await t.toArray() as Float32Array;
const tick = () => new Promise((r) => setTimeout(r, 1));

test("`using` disposes tensors at the end of the block: live buffers back to the baseline", async () => {
  const before = live();
  let a: Tensor, b: Tensor;
  {
    using x = Tensor.from([1, -2, 3], [3]);
    using y = nd.relu(x);
    a = x;
    b = y;
    strictEqual(live(), before + 2);
    assertClose(await arr(y), [1, 0, 3]);
  }
  ok(a.isDisposed && b.isDisposed, "both disposed by `using`");
  strictEqual(live(), before);
  // A view is a handle of its own: disposing it through `using` leaves the other handle valid.
  const base = Tensor.from([1, 2, 3, 4], [4]);
  {
    using v = nd.reshape(base, [2, 2]);
    strictEqual(v.size, 4);
  }
  assertClose(await arr(base), [1, 2, 3, 4]);
  base.dispose();
  strictEqual(live(), before);
});

test("scope(): what is made inside is disposed with it, except what keep() hands on", async () => {
  const before = live();
  const x = Tensor.from([1, 2, 3], [3]);
  let inner: Tensor, kept: Tensor, outerSize = -1;
  {
    using outer = scope();
    {
      using s = scope();
      inner = nd.mulScalar(x, 2);
      kept = s.keep(nd.addScalar(inner, 1));
      strictEqual(s.size, 1, "only the intermediate stays in s");
    }
    ok(inner.isDisposed, "the intermediate went with its scope");
    ok(!kept.isDisposed, "the kept tensor moved to the enclosing scope");
    assertClose(await arr(kept), [3, 5, 7]);
    outerSize = outer.size;
  }
  strictEqual(outerSize, 1, "the enclosing scope held the kept tensor");
  ok(kept.isDisposed, "and disposed it with itself");
  ok(!x.isDisposed, "a tensor made before the scopes belongs to neither");
  // keep() with no enclosing scope: the caller owns the tensor.
  let mine: Tensor;
  {
    using s = scope();
    mine = s.keep(nd.neg(x));
    nd.neg(x); // dropped on the floor: the scope frees it
  }
  ok(!mine.isDisposed);
  assertClose(await arr(mine), [-1, -2, -3]);
  mine.dispose();
  x.dispose();
  strictEqual(live(), before);
});

test("tidy() inside scope() hands its result to the scope; a misordered scope throws", () => {
  const before = live();
  const x = Tensor.from([1, 2], [2]);
  let r: Tensor;
  {
    using _s = scope();
    r = tidy(() => nd.exp(nd.neg(x)));
    ok(!r.isDisposed);
  }
  ok(r.isDisposed, "tidy's result belonged to the enclosing scope");
  const a = scope();
  const b = scope(); // opened after a, still open when a closes
  const t = nd.neg(x);
  throws(() => a.dispose(), /scope opened after it/);
  ok(!t.isDisposed, "t belongs to b, the innermost scope when it was made");
  b.dispose();
  ok(t.isDisposed);
  x.dispose();
  strictEqual(live(), before);
});

test("tidyAsync: tensors stay valid across awaits, run/adopt decide what it frees, the result is the caller's", async () => {
  const before = live();
  const x = Tensor.from(hostRandom(8, 3), [8]);
  let y: Tensor | null = null, adopted: Tensor | null = null;
  const out = await tidyAsync(async (s) => {
    y = s.run(() => nd.square(x));
    const vals = await arr(y); // y is still alive after the await
    await tick();
    adopted = s.adopt(nd.neg(x)); // made outside run(): taken by adopt
    const host = Array.from(vals, (v) => v * 2);
    return { doubled: s.run(() => nd.mulScalar(y!, 2)), host };
  });
  ok(y!.isDisposed && adopted!.isDisposed, "run()'s and adopt()'s tensors are freed at the end");
  ok(!out.doubled.isDisposed, "the returned tensor is not");
  assertClose(await arr(out.doubled), out.host);
  out.doubled.dispose();
  // On an error, everything the scope holds is freed and the error comes through.
  let made: Tensor | null = null;
  await rejects(
    tidyAsync(async (s) => {
      made = s.run(() => nd.exp(x));
      await tick();
      throw new Error("boom");
    }),
    /boom/,
  );
  ok(made!.isDisposed);
  await tidyAsync((s) => {
    throws(() => s.run(async () => {}), /synchronous/);
    throws(() => s.run(() => Promise.resolve(1)), /synchronous/);
    return Promise.resolve();
  });
  x.dispose();
  strictEqual(live(), before);
});

test("two interleaved tidyAsync calls never take each other's tensors; interleaved scope() is refused", async () => {
  const before = live();
  const x = Tensor.from([1, 2, 3, 4], [4]);
  const order: string[] = [];
  let aTemp: Tensor | null = null, bTemp: Tensor | null = null;
  let bTempAliveWhenAEnded = false;
  const a = tidyAsync(async (s) => {
    aTemp = s.run(() => nd.addScalar(x, 1));
    await tick(); // b runs here and makes its own tensors
    await tick();
    order.push("a ends");
    const r = s.run(() => nd.mulScalar(aTemp!, 10));
    return r;
  }).then((r) => {
    bTempAliveWhenAEnded = bTemp !== null && !bTemp.isDisposed;
    return r;
  });
  const b = tidyAsync(async (s) => {
    bTemp = s.run(() => nd.addScalar(x, 2));
    await tick();
    await tick();
    await tick();
    await tick();
    order.push("b ends");
    return s.run(() => nd.mulScalar(bTemp!, 100));
  });
  const [ra, rb] = await Promise.all([a, b]);
  strictEqual(order.join(", "), "a ends, b ends");
  ok(bTempAliveWhenAEnded, "a's end must not free b's tensors");
  ok(aTemp!.isDisposed && bTemp!.isDisposed);
  assertClose(await arr(ra), [20, 30, 40, 50]);
  assertClose(await arr(rb), [300, 400, 500, 600]);
  ra.dispose();
  rb.dispose();
  // The same interleaving with the stacked scope(): the first to close is not the innermost.
  const stacked = async (wait: number) => {
    using _s = scope();
    nd.neg(x);
    for (let i = 0; i < wait; i++) await tick();
  };
  const p1 = stacked(2), p2 = stacked(4);
  await rejects(p1, /interleaved/);
  await p2;
  x.dispose();
  strictEqual(live(), before);
});

test("clipGradNorm_ returns the total norm as a new tensor and scales the grads like torch", async () => {
  const before = live();
  const g1 = hostRandom(6, 21).map((v) => v * 3), g2 = hostRandom(4, 22).map((v) => v * 5);
  const make = () => {
    const p1 = Tensor.from(new Float32Array(6), [2, 3], { requiresGrad: true });
    const p2 = Tensor.from(new Float32Array(4), [4], { requiresGrad: true });
    p1.grad = Tensor.from(g1, [2, 3]);
    p2.grad = Tensor.from(g2, [4]);
    return [p1, p2];
  };
  let total = 0;
  for (const v of [...g1, ...g2]) total += v * v;
  total = Math.sqrt(total);
  for (const maxNorm of [total / 4, total * 2, 0]) {
    const ps = make();
    const norm = nd.clipGradNorm_(ps, maxNorm);
    ok(norm instanceof Tensor && norm.size === 1);
    ok(!ps.some((p) => p.grad === norm), "the norm is a tensor of its own");
    assertClose([await norm.item()], [total], { name: `norm (maxNorm ${maxNorm})` });
    const coef = Math.min(1, maxNorm / (total + 1e-6));
    assertClose(await arr(ps[0].grad!), g1.map((v) => v * coef), { name: "grad 1" });
    assertClose(await arr(ps[1].grad!), g2.map((v) => v * coef), { name: "grad 2" });
    norm.dispose();
    for (const p of ps) p.dispose(); // disposes each .grad too
  }
  {
    using p = Tensor.from([1], [1], { requiresGrad: true });
    using none = nd.clipGradNorm_([p], 1);
    assertClose([await none.item()], [0], { name: "no gradients: norm 0" });
    strictEqual(live(), before + 2, "the parameter and the norm");
  }
  throws(() => nd.clipGradNorm_([], -1), />= 0/);
  strictEqual(live(), before);
});

test("the src/mod.ts header example runs as written and leaves no buffer live", async () => {
  const src = await Deno.readTextFile(new URL("../src/mod.ts", import.meta.url));
  const header = src.slice(0, src.indexOf("*/"));
  const m = header.match(/```ts\n([\s\S]*?)```/);
  ok(m, "the header has a ts example");
  const code = m[1].split("\n").map((l) => l.replace(/^ \* ?/, "")).join("\n")
    .replace('"./src/mod.ts"', JSON.stringify(new URL("../src/mod.ts", import.meta.url).href));
  const before = live();
  const logged: unknown[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => logged.push(...args);
  try {
    await import(`data:application/typescript;base64,${btoa(code)}`);
  } finally {
    console.log = log;
  }
  strictEqual(logged.length, 1, "the example prints one value");
  const out = logged[0];
  // loss = mean((w·w)²) for w = [[1, 2], [3, 4]]: the gradient on the host.
  const w = [1, 2, 3, 4], y = [7, 10, 15, 22]; // w·w
  const gy = y.map((v) => (2 * v) / 4);
  const g = [0, 0, 0, 0];
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 2; j++) {
      for (let k = 0; k < 2; k++) {
        g[i * 2 + k] += gy[i * 2 + j] * w[k * 2 + j]; // dL/dw as the left factor
        g[k * 2 + j] += gy[i * 2 + j] * w[i * 2 + k]; // and as the right one
      }
    }
  }
  assertClose(Array.from(out as Float32Array), g, { name: "example's w.grad" });
  strictEqual(live(), before, "the example frees every buffer it made");
});
