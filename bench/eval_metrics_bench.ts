// Throughput of the exact ranking metrics at 10^7 scores and of the 2D median filter at the first
// study's slice size. Work: AUROC/AP split, radix-sort (3 passes) and merge-scan 10^7 float32
// scores; the 9x9 median filter selects rank 40 of 81 values for 128 x 95 x 79 = 960,640 pixels.

import {
  auroc,
  averagePrecision,
  histogramRankingMetrics,
  medianFilter2d,
} from "../src/eval/mod.ts";
import { rankingData } from "../test/eval/_helpers.ts";

const N = 10_000_000;
const { scores, labels } = rankingData(12, N, 16);
const [SLICES, H, W] = [128, 95, 79];
const volume = new Float32Array(SLICES * H * W);
for (let i = 0; i < volume.length; i++) volume[i] = Math.sin(i * 0.37) * 0.5 + 0.5;

const reported = new Set<string>();
/** Prints throughput once per benchmark (the first timed run), next to deno bench's table. */
function report(name: string, items: number, unit: string, ms: number) {
  if (reported.has(name)) return;
  reported.add(name);
  console.log(`${name}: ${(items / ms / 1e3).toFixed(1)} M${unit}/s (${ms.toFixed(0)} ms)`);
}

const rankingCases: [string, string, () => unknown][] = [
  ["auroc", "auroc() exact, 10^7 float32 scores", () => auroc(scores, labels)],
  [
    "averagePrecision",
    "averagePrecision() exact, 10^7 float32 scores",
    () => averagePrecision(scores, labels),
  ],
  [
    "histogram",
    "histogramRankingMetrics() 2^20 bins, 10^7 scores (AUROC+AP with bounds)",
    () => histogramRankingMetrics(scores, labels),
  ],
];
for (const [short, name, run] of rankingCases) {
  Deno.bench({
    group: "ranking 1e7",
    name,
    baseline: short === "auroc",
    fn(b) {
      b.start();
      const t = performance.now();
      run();
      report(short, N, "scores", performance.now() - t);
      b.end();
    },
  });
}

for (const size of [5, 9]) {
  Deno.bench({
    group: "median filter",
    name: `medianFilter2d() ${size}x${size}, 128 slices of 95x79`,
    fn(b) {
      b.start();
      const t = performance.now();
      medianFilter2d(volume, H, W, size);
      report(`median ${size}x${size}`, SLICES * H * W, "px", performance.now() - t);
      b.end();
    },
  });
}
