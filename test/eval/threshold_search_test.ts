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

Deno.test("greedyDiceThreshold() returns the best point it visited, not the last one", () => {
  // Over [0, 1]: step 1 tries 0.25 (Dice 6/7) and 0.75 (Dice 0) and keeps [0, 0.5]; every later
  // quartile point scores at most 0.75. The original recursion carries the best value seen and
  // returns it: 0.25 with Dice 6/7.
  const x = [0.25, 0.75, 0.625, 0.75, 0.125, 0.375], y = [0, 0, 1, 1, 0, 1];
  const r = greedyDiceThreshold(x, y, { range: [0, 1] });
  assertClose([r.threshold, r.dice], [0.25, 6 / 7], { atol: 0, rtol: 1e-15, name: "best seen" });
  assertClose(dice(binarize(x, r.threshold), y), r.dice, {
    atol: 0,
    rtol: 1e-15,
    name: "re-applied",
  });
  // One step only: the better of the first two quartile points.
  const one = greedyDiceThreshold(x, y, { range: [0, 1], iterations: 1 });
  assertClose([one.threshold, one.dice], [0.25, 6 / 7], { atol: 0, rtol: 1e-15, name: "1 step" });
  // Three steps visit 0.125 and 0.1875 (Dice 0.75 each) after 0.25: still 0.25.
  const three = greedyDiceThreshold(x, y, { range: [0, 1], iterations: 3 });
  assertClose(three.threshold, 0.25, { atol: 0, rtol: 0, name: "3 steps" });
});

Deno.test("greedyDiceThreshold() breaks ties between visited points towards the later one", () => {
  // Scores 0.5 (positive) and 0.9 (negative) over [0, 1]: step 1 keeps [0, 0.5] with 0.25 (Dice
  // 2/3; 0.75 gives 0); step 2's 0.125 and 0.375 both give 2/3, the lower half is kept and 0.125
  // replaces 0.25 as the best seen (the original updates with >=).
  const r = greedyDiceThreshold([0.5, 0.9], [1, 0], { range: [0, 1], iterations: 2 });
  assertClose([r.threshold, r.dice], [0.125, 2 / 3], { atol: 0, rtol: 1e-15, name: "tie" });
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
