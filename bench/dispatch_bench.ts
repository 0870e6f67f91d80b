// Small-op dispatch throughput: 1000 adds of a 256-element tensor, where the GPU
// work is nil and what is measured is the host path of one op (tensor from the pool, uniform
// block, bind group, pass encoding). Two patterns: "independent" (add(a, b) disposed at once:
// the pool hands the same buffer back every time) and "chain" (c = add(c, b): two buffers
// alternate, as in a step of a real graph). Prints ops/s for recording only (host) and for
// recording + submit + wait (end to end, one sync per 1000 ops).
// Run: deno run -A bench/dispatch_bench.ts [rounds=7]   (or: deno bench -A bench/dispatch_bench.ts)

import { add, deviceInfo, flush, getDevice, randn, sync, type Tensor } from "../src/mod.ts";

const OPS = 1000;

await getDevice();
const a = randn([256]), b = randn([256]);

function independent() {
  for (let i = 0; i < OPS; i++) add(a, b).dispose();
}

function chain() {
  let c: Tensor = add(a, b);
  for (let i = 1; i < OPS; i++) {
    const next = add(c, b);
    c.dispose();
    c = next;
  }
  c.dispose();
}

const PATTERNS: [string, () => void][] = [["independent", independent], ["chain", chain]];

if (import.meta.main) {
  const rounds = Number(Deno.args[0] ?? 7);
  console.log(
    `adapter: ${deviceInfo().description}; ${OPS} adds of 256 elements, ${rounds} rounds`,
  );
  for (const [name, fn] of PATTERNS) {
    fn();
    await sync();
    const host: number[] = [], total: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      fn();
      const t1 = performance.now();
      flush();
      await sync();
      const t2 = performance.now();
      host.push(t1 - t0);
      total.push(t2 - t0);
    }
    const med = (x: number[]) => [...x].sort((p, q) => p - q)[Math.floor(x.length / 2)];
    const h = med(host), t = med(total);
    console.log(
      `${name.padEnd(12)} host ${(OPS / h * 1e3).toFixed(0).padStart(7)} ops/s (${
        (h / OPS * 1e3).toFixed(1)
      } µs/op)   end to end ${(OPS / t * 1e3).toFixed(0).padStart(7)} ops/s (${
        (t / OPS * 1e3).toFixed(1)
      } µs/op)`,
    );
  }
} else {
  for (const [name, fn] of PATTERNS) {
    Deno.bench({
      group: "dispatch",
      name: `${OPS} adds of 256, ${name}`,
      n: 10,
      warmup: 2,
      async fn() {
        fn();
        await sync();
      },
    });
  }
}
