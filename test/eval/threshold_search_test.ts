// greedyDiceThreshold, quantileDiceThreshold, bestDiceThreshold, thresholdAtFpr, quantile,
// histogram against Python/numpy references.

import {
  bestDiceThreshold,
  binarize,
  dice,
  greedyDiceThreshold,
  histogram,
  quantile,
  quantileDiceThreshold,
  thresholdAtFpr,
} from "../../src/eval/mod.ts";
import { assertArrayEqual, assertClose, assertThrows, loadFixture } from "./_helpers.ts";

interface Fx {
  scores: number[];
  labels: number[];
  greedy: { threshold: number; dice: number };
  quantile100: { threshold: number; dice: number };
  oracle: { threshold: number; dice: number };
  healthy: number[];
  fpr: Record<string, { threshold: number; fpr: number }>;
  quantile: { values: number[]; q: number[]; out: number[] };
  histogramValues: number[];
  histograms: { bins: number; range: [number, number] | null; counts: number[]; edges: number[] }[];
}
const fx = loadFixture<Fx>("thresholds");
const scores = Float32Array.from(fx.scores), labels = Uint8Array.from(fx.labels);

Deno.test("greedyDiceThreshold() reproduces the first study's 10-step quartile search", () => {
  const r = greedyDiceThreshold(scores, labels);
  assertClose(r.threshold, fx.greedy.threshold, { atol: 0, rtol: 1e-15, name: "threshold" });
  assertClose(r.dice, fx.greedy.dice, { atol: 0, rtol: 1e-15, name: "dice" });
  assertClose(dice(binarize(scores, r.threshold), labels), r.dice, {
    atol: 0,
    rtol: 1e-15,
    name: "re-applied",
  });
});

Deno.test("quantileDiceThreshold() picks numpy's best score quantile", () => {
  const r = quantileDiceThreshold(scores, labels, { count: 100 });
  assertClose(r.threshold, fx.quantile100.threshold, { atol: 0, rtol: 1e-15, name: "threshold" });
  assertClose(r.dice, fx.quantile100.dice, { atol: 0, rtol: 1e-15, name: "dice" });
});

Deno.test("bestDiceThreshold() finds the oracle Dice over all thresholds and reproduces it with >", () => {
  const r = bestDiceThreshold(scores, labels);
  assertClose(r.threshold, fx.oracle.threshold, { atol: 0, rtol: 0, name: "threshold" });
  assertClose(r.dice, fx.oracle.dice, { atol: 0, rtol: 1e-15, name: "dice" });
  assertClose(dice(binarize(scores, r.threshold), labels), r.dice, {
    atol: 0,
    rtol: 1e-15,
    name: "re-applied",
  });
});

Deno.test("thresholdAtFpr() gives the lowest threshold with healthy FPR <= 0, 1, 5, 10, 29 %", () => {
  const healthy = Float32Array.from(fx.healthy);
  for (const [rate, ref] of Object.entries(fx.fpr)) {
    const r = thresholdAtFpr(healthy, Number(rate));
    assertClose([r.threshold, r.fpr], [ref.threshold, ref.fpr], {
      atol: 0,
      rtol: 0,
      name: `fpr ${rate}`,
    });
    assertClose(thresholdAtFpr(fx.healthy, Number(rate)).threshold, ref.threshold, {
      atol: 0,
      rtol: 0,
      name: "f64",
    });
  }
});

Deno.test("quantile() matches numpy.quantile (linear) bit for bit", () => {
  const out = fx.quantile.q.map((q) => quantile(fx.quantile.values, q));
  assertClose(out, fx.quantile.out, { atol: 0, rtol: 0, name: "quantiles" });
});

Deno.test("histogram() matches numpy.histogram counts and edges", () => {
  for (const h of fx.histograms) {
    const r = histogram(fx.histogramValues, h.bins, h.range ?? undefined);
    assertArrayEqual(r.counts, h.counts, `counts ${h.bins}`);
    assertClose(r.edges, h.edges, { atol: 0, rtol: 0, name: `edges ${h.bins}` });
  }
});

Deno.test("threshold searches reject labels without positives and bad rates", () => {
  assertThrows(() => greedyDiceThreshold([0.1, 0.2], [0, 0]), /no positive pixel/);
  assertThrows(() => bestDiceThreshold([0.1, 0.2], [0, 0]), /no positive pixel/);
  assertThrows(() => thresholdAtFpr([0.1], 1.5), /fpr 1.5/);
  assertThrows(() => thresholdAtFpr([NaN], 0.1), /NaN/);
  assertThrows(() => quantile([], 0.5), /empty/);
});
