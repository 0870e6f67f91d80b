// The buffer pool: size classes, live/pooled accounting, and oldest-first reuse (an allocation
// gets the same buffer whatever order the free buffers were released in, so repeated training
// steps bind the same buffers and hit the bind-group cache), and the cap on pooled bytes.

import { deepStrictEqual, strictEqual, throws } from "node:assert";
import { BufferPool, sizeClass } from "../src/core/buffer_pool.ts";
import { getDevice } from "../src/core/device.ts";
import { setup } from "./helpers.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test("sizeClass: 256-byte minimum, at most 4 classes per power of two", () => {
  deepStrictEqual([1, 256, 257, 1024, 1025, 1300, 5000].map(sizeClass), [
    256,
    256,
    512,
    1024,
    1280,
    1536,
    5120,
  ]);
});

Deno.test({
  ...opts,
  name: "BufferPool hands out the oldest free buffer of a class, whatever the release order",
  async fn() {
    await setup();
    const pool = new BufferPool(await getDevice());
    const bufs = [0, 1, 2, 3].map(() => pool.acquire(1000));
    strictEqual(pool.liveBuffers, 4);
    strictEqual(pool.liveBytes, 4 * 1024);
    for (const i of [2, 0, 3, 1]) pool.release(bufs[i]);
    strictEqual(pool.liveBuffers, 0);
    strictEqual(pool.pooledBytes, 4 * 1024);
    // Two "steps" releasing in different orders get the same buffers in the same order.
    const a = [pool.acquire(900), pool.acquire(1024), pool.acquire(777)];
    deepStrictEqual(a, [bufs[0], bufs[1], bufs[2]]);
    for (const b of [a[1], a[2], a[0]]) pool.release(b);
    const b = [pool.acquire(900), pool.acquire(1024), pool.acquire(777)];
    deepStrictEqual(b, a);
    // Another class never mixes in; a fresh buffer comes when the class is empty.
    const other = pool.acquire(5000);
    strictEqual(bufs.includes(other), false);
    for (const x of [...b, other]) pool.release(x);
    throws(() => pool.release(other), /does not own|released/);
    pool.emptyCache();
    strictEqual(pool.pooledBytes, 0);
  },
});

Deno.test({
  ...opts,
  name: "BufferPool destroys released buffers beyond maxPooledBytes (onDestroy runs first)",
  async fn() {
    await setup();
    const destroyed: GPUBuffer[] = [];
    const pool = new BufferPool(await getDevice(), (b) => destroyed.push(b));
    pool.maxPooledBytes = 2048;
    const bufs = [0, 1, 2].map(() => pool.acquire(1024));
    for (const b of bufs) pool.release(b);
    strictEqual(pool.pooledBytes, 2048);
    deepStrictEqual(destroyed, [bufs[2]]);
    pool.emptyCache();
    strictEqual(destroyed.length, 3);
  },
});
