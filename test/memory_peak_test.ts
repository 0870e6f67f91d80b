// Peak memory: memoryStats()'s high-water marks of live bytes and of all the pool's bytes (live +
// pooled), and resetPeakMemory() restarting them, so a bench can measure one training step's peak.

import { strictEqual } from "node:assert";
import { emptyCache, memoryStats, resetPeakMemory } from "../src/core/memory.ts";
import { zeros } from "../src/mod.ts";
import { setup } from "./helpers.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  ...opts,
  name: "memoryStats: peakLiveBytes and peakHeldBytes keep the high-water marks until reset",
  async fn() {
    await setup();
    emptyCache();
    resetPeakMemory();
    const base = memoryStats();
    strictEqual(base.peakLiveBytes, base.liveBytes);
    strictEqual(base.peakHeldBytes, base.liveBytes + base.pooledBytes);
    // Two tensors of 64 KiB live at once, then freed: the live peak stays 128 KiB above the start.
    const a = zeros([16384]), b = zeros([16384]);
    a.dispose();
    b.dispose();
    const after = memoryStats();
    strictEqual(after.liveBytes, base.liveBytes);
    strictEqual(after.peakLiveBytes, base.liveBytes + 2 * 65536);
    // The freed buffers sit in the pool: held bytes keep them, and the held peak saw both.
    strictEqual(after.pooledBytes, base.pooledBytes + 2 * 65536);
    strictEqual(after.peakHeldBytes, base.liveBytes + base.pooledBytes + 2 * 65536);
    // A reused pooled buffer raises the live peak only to the current live bytes, never the held.
    resetPeakMemory();
    const c = zeros([16384]);
    const reuse = memoryStats();
    strictEqual(reuse.peakLiveBytes, base.liveBytes + 65536);
    strictEqual(reuse.peakHeldBytes, after.liveBytes + after.pooledBytes);
    c.dispose();
    // After reset the peaks restart from now: emptying the pool lowers the held peak's start.
    emptyCache();
    resetPeakMemory();
    const empty = memoryStats();
    strictEqual(empty.peakLiveBytes, empty.liveBytes);
    strictEqual(empty.peakHeldBytes, empty.liveBytes);
  },
});
