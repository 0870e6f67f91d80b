// The dispatch path's caches: repeated ops reuse bind groups, a pool-recycled buffer is served
// correctly (same allocation, new contents), destroyed buffers (pool over its cap, emptyCache)
// have their groups evicted, so no stale group is ever encoded; and a pipeline is made per
// parameter block and code (the block's declaration is part of the module).

import * as nd from "../src/mod.ts";
import { Tensor } from "../src/mod.ts";
import { bindGroupCacheSize, dispatch, pool, sync } from "../src/core/dispatch.ts";
import { paramBlock } from "../src/core/uniforms.ts";
import { assertClose, setup } from "./helpers.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  ...opts,
  name: "dispatch() reuses a cached bind group for the same kernel and buffers",
  async fn() {
    await setup();
    const a = Tensor.from([1, 2, 3, 4]), b = Tensor.from([10, 20, 30, 40]);
    const out = nd.add(a, b);
    const before = bindGroupCacheSize();
    for (let i = 0; i < 20; i++) nd.add(a, b).dispose(); // the pool hands `out`'s twin back
    if (bindGroupCacheSize() > before + 1) {
      throw new Error(`cache grew from ${before} to ${bindGroupCacheSize()} on repeated adds`);
    }
    assertClose(await out.toArray(), [11, 22, 33, 44], { atol: 0 });
    for (const t of [a, b, out]) t.dispose();
  },
});

Deno.test({
  ...opts,
  name: "dispatch() reads a pool-recycled buffer's new contents through a cached group",
  async fn() {
    await setup();
    await sync();
    pool().emptyCache(); // only this test's buffers in the free lists
    const a = Tensor.from([1, 2, 3]), b = Tensor.from([1, 1, 1]);
    const y1 = nd.add(a, b);
    assertClose(await y1.toArray(), [2, 3, 4], { atol: 0 });
    const [bufA, bufY] = [a.buffer, y1.buffer];
    y1.dispose();
    a.dispose();
    // Same size class, oldest free first: c gets a's buffer (now holding other data) and y2 gets
    // y1's, so add(c, b) hits exactly the group cached for add(a, b).
    const groups = bindGroupCacheSize();
    const c = Tensor.from([100, 200, 300]);
    const y2 = nd.add(c, b);
    if (c.buffer !== bufA || y2.buffer !== bufY) {
      throw new Error("test premise: the pool did not recycle the buffers");
    }
    if (bindGroupCacheSize() !== groups) throw new Error("expected a cache hit");
    assertClose(await y2.toArray(), [101, 201, 301], { atol: 0 });
    for (const t of [b, c, y2]) t.dispose();
  },
});

Deno.test({
  ...opts,
  name: "dispatch() evicts the bind groups of buffers the pool destroys",
  async fn() {
    await setup();
    await sync();
    const p = pool();
    const cap = p.maxPooledBytes;
    try {
      const a = Tensor.from([1, 2]), b = Tensor.from([3, 4]);
      const y = nd.add(a, b);
      assertClose(await y.toArray(), [4, 6], { atol: 0 });
      const withA = bindGroupCacheSize();
      // Over the cap, release destroys: the group binding a, b and y must go with them.
      p.maxPooledBytes = 0;
      for (const t of [a, b, y]) t.dispose();
      if (bindGroupCacheSize() >= withA) {
        throw new Error(`cache kept ${bindGroupCacheSize()} groups (had ${withA}) after destroy`);
      }
      // New buffers (never the destroyed ones) and no WebGPU error about destroyed buffers.
      const c = Tensor.from([5, 6]), d = Tensor.from([7, 8]);
      const z = nd.add(c, d);
      assertClose(await z.toArray(), [12, 14], { atol: 0 });
      for (const t of [c, d, z]) t.dispose();
    } finally {
      p.maxPooledBytes = cap;
    }
    // emptyCache destroys every pooled buffer and evicts their groups too.
    const e = Tensor.from([1, 1, 1, 1, 1]);
    nd.mulScalar(e, 2).dispose();
    e.dispose();
    const before = bindGroupCacheSize();
    nd.emptyCache();
    if (bindGroupCacheSize() >= before) throw new Error("emptyCache() left groups of its buffers");
    const f = Tensor.from([1, 2, 3, 4, 5]);
    const g = nd.mulScalar(f, 2);
    assertClose(await g.toArray(), [2, 4, 6, 8, 10], { atol: 0 });
    f.dispose();
    g.dispose();
  },
});

Deno.test({
  ...opts,
  name: "dispatch() builds one pipeline per parameter block for the same code",
  async fn() {
    await setup();
    const code = `
@group(0) @binding(1) var<storage, read_write> OUT: array<u32>;
@compute @workgroup_size(1)
fn main() { OUT[0] = params.a; }`;
    const first = paramBlock("EchoFirst", { a: "u32" });
    const second = paramBlock("EchoSecond", { skipped: "u32", a: "u32" });
    const out = Tensor.empty([2], "u32");
    const outB = Tensor.empty([2], "u32");
    dispatch(
      { name: "echo_first", params: first, code, inputs: 0, outputs: 1 },
      { a: 11 },
      [
        out.buffer,
      ],
      [1],
      0,
    );
    // Same code, another block: `a` sits at byte 4 now, so a pipeline made for the first block
    // would read `skipped` (99) here.
    dispatch(
      { name: "echo_second", params: second, code, inputs: 0, outputs: 1 },
      { skipped: 99, a: 22 },
      [outB.buffer],
      [1],
      0,
    );
    const [x, y] = await Promise.all([out.toArray(), outB.toArray()]);
    if (x[0] !== 11 || y[0] !== 22) throw new Error(`read ${x[0]} and ${y[0]}, not 11 and 22`);
    for (const t of [out, outB]) t.dispose();
  },
});
