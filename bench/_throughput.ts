// Bench helper: wraps Deno.bench so every benchmark also reports throughput (GFLOP/s or GB/s)
// from its own timed region, printed as a table when the bench process exits. Sizes: the
// default set suits llvmpipe; NEURAD_BENCH_SIZE=gpu selects real-GPU sizes.

import { getDevice, sync } from "../src/mod.ts";

export const GPU_SIZES = Deno.env.get("NEURAD_BENCH_SIZE") === "gpu";

interface Row {
  group: string;
  name: string;
  work: number;
  unit: "GFLOP/s" | "GB/s";
  seconds: number[];
}

const rows: Row[] = [];

export interface ThroughputBench {
  group: string;
  name: string;
  /** FLOPs (for GFLOP/s) or bytes moved (for GB/s) of one call of `run`. */
  work: number;
  unit: "GFLOP/s" | "GB/s";
  /** Prepares inputs once (outside the timed region). */
  setup: () => void | Promise<void>;
  /** Records the work (no readback); the helper syncs the GPU inside the timed region. */
  run: () => void;
  /** Calls of `run` per timed iteration (amortises the ~12 ms sync on llvmpipe). */
  reps?: number;
  n?: number;
  warmup?: number;
  baseline?: boolean;
}

export function throughputBench(o: ThroughputBench) {
  const row: Row = { group: o.group, name: o.name, work: o.work, unit: o.unit, seconds: [] };
  rows.push(row);
  let ready = false;
  Deno.bench({
    group: o.group,
    name: o.name,
    baseline: o.baseline,
    n: o.n,
    warmup: o.warmup,
    async fn(b) {
      if (!ready) {
        await getDevice();
        await o.setup();
        o.run();
        await sync();
        ready = true;
      }
      const reps = o.reps ?? 1;
      b.start();
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) o.run();
      await sync();
      const dt = (performance.now() - t0) / 1000 / reps;
      b.end();
      row.seconds.push(dt);
    },
  });
}

globalThis.addEventListener("unload", () => {
  if (!rows.some((r) => r.seconds.length)) return;
  console.log("\nthroughput (median of timed iterations):");
  for (const r of rows) {
    if (!r.seconds.length) continue;
    const s = [...r.seconds].sort((a, b) => a - b)[Math.floor(r.seconds.length / 2)];
    const rate = r.work / s / 1e9;
    console.log(
      `  ${r.group.padEnd(14)} ${r.name.padEnd(40)} ${(s * 1e3).toFixed(2).padStart(10)} ms  ${
        rate.toFixed(3).padStart(9)
      } ${r.unit}`,
    );
  }
});
